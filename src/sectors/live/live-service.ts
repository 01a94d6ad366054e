// `rick run <sector>` when the sector trades at its venue (run-service.ts decides, connector-choice.ts
// says when): the charter's decision and RUN_STARTED as for every run, then live-run.ts with the
// venue's connector, and the same lines and summary as a paper run. `--sim` points the connector at
// the venue's simulator, started here on a free port: the whole live path rehearsed offline.
import {SimulatedClock} from '../../foundation/clock.js'
import {CharterDenied} from '../../foundation/errors.js'
import {ExitCode} from '../../foundation/errors.js'
import type {Journal} from '../../foundation/journal/types.js'
import {limitsForJournal} from '../../foundation/risk/index.js'
import type {authorizeEngineStart} from '../charter-service.js'
import type {SectorDefinition} from '../definition.js'
import type {ConnectorChoice} from '../engine/connector-choice.js'
import {formatQty, money} from '../engine/format.js'
import {recoverAccount} from '../engine/recovery.js'
import {denialMessage, runStartedPayload, summaryLines, usableCheckpoint, type RunStop} from '../engine/run-common.js'
import type {RunIo, RunRequest, RunResult} from '../engine/run-service.js'
import {runLog} from '../engine/run-log.js'
import {buildRisk, type SectorSetup} from '../engine/setup.js'
import {runLive, WARMUP_BARS} from './live-run.js'
import {durationMs} from '../../foundation/config/types.js'

/**
 * No price and no heartbeat for this long → DATA_STALE. Brokers send a heartbeat every ~5 s
 * (OANDA) when prices are quiet: one heartbeat may be late, a second missed one means the data
 * stopped; the watchdog looks every second, so a dead stream is noticed within two intervals.
 */
export const DEFAULT_STALE_AFTER = '9s'

/** Strategy checkpoints every this many bars in a live run (and at stop). */
const LIVE_CHECKPOINT_EVERY = 100

export interface VenueRunArgs {
  req: RunRequest
  io: RunIo
  setup: SectorSetup
  definition: SectorDefinition
  choice: ConnectorChoice
  journal: Journal
  journalPath: string
  runId: string
  auth: Awaited<ReturnType<typeof authorizeEngineStart>>
  secrets: Record<string, string>
  periodMs: number
  /** The run's stop request, watched since start-up (run-common.ts). */
  stop: RunStop
  /** Set with `--sim`: the account is the simulator's (`sim`), not a broker's. */
  simulator?: {rest: string}
}

export async function tradeOnVenue(a: VenueRunArgs): Promise<RunResult> {
  const {io, req, setup, choice} = a
  const config = setup.config
  const risk = buildRisk(setup, choice.requestedMode)
  // Every --sim run starts a simulator of its own, with a fresh account: the run is an account of its own.
  const environment = a.simulator ? `sim:${a.runId}` : liveEnvironment(choice)
  const notices: string[] = []
  if (choice.notice) notices.push(choice.notice)
  if (a.auth.notice) notices.push(a.auth.notice)
  // The checkpoint fits only the same strategy, code and params (run-common.ts says which).
  const peek = recoverAccount(a.journal, {sector: req.sector, venue: config.venue, environment}, {instruments: setup.instruments, currency: 'USD', startingCash: 0})
  const checkpoint = usableCheckpoint(peek, setup, notices)
  const interrupted = peek.runs.filter((r) => r.interrupted).at(-1)
  const started = runStartedPayload({
    choice,
    setup,
    auth: a.auth,
    environment,
    inputs: {kind: 'recorded', instruments: setup.instruments.map((i) => i.id)},
    seed: req.seed ?? 1,
    limits: limitsForJournal(risk.limits),
    version: req.version,
    notices,
    ...(interrupted ? {resumedFrom: interrupted.summary.runId} : {}),
  })
  if (!a.auth.decision.allow) {
    const ts = io.wallClock()
    a.journal.append({ts, runId: a.runId, sector: req.sector, type: 'RUN_STARTED', payload: started})
    a.journal.append({ts, runId: a.runId, sector: req.sector, type: 'RUN_STOPPED', payload: {reason: 'error', detail: `charter denied: ${a.auth.decision.detail ?? ''}`, barsProcessed: 0, summary: {trades: 0, fills: 0, denials: 0, realizedPnl: 0, fees: 0, equity: 0}}})
    throw new CharterDenied(denialMessage(req.sector, choice, a.auth.decision))
  }

  const stop = a.stop
  let wakeOnStop: (() => void) | undefined
  stop.wake = () => wakeOnStop?.()
  // The engine's clock: live, it follows the venue's (live-run.ts moves it); the lines show its time.
  const clock = new SimulatedClock(io.wallClock())
  const log = runLog(clock, io.line, io.notice)
  try {
    const result = await runLive({
      runId: a.runId,
      sector: req.sector,
      setup,
      definition: a.definition,
      mode: choice.requestedMode,
      environment,
      clock,
      secrets: a.secrets,
      risk,
      journal: a.journal,
      started,
      checkpoint,
      checkpointEvery: LIVE_CHECKPOINT_EVERY,
      periodMs: a.periodMs,
      warmupBars: config.live?.warmupBars ?? WARMUP_BARS,
      staleAfterMs: durationMs(config.live?.staleAfter ?? DEFAULT_STALE_AFTER),
      reconcileEveryMs: durationMs(config.live?.reconcileEvery ?? '60s'),
      sendOrders: choice.effectiveMode !== 'observe',
      ...(req.bars !== undefined ? {maxPeriods: req.bars} : {}),
      observer: log,
      monotonic: io.monotonic,
      every: (ms, fn) => {
        const t = setInterval(fn, ms)
        return () => clearInterval(t)
      },
      stopRequested: () => stop.signal,
      onStopRequest: (wake) => void (wakeOnStop = wake),
      line: io.line,
      notice: io.notice,
      onStarted: (info) => {
        const c = info.connector.info
        const L = risk.limits
        const mode = choice.requestedMode === choice.effectiveMode ? choice.effectiveMode : `${choice.effectiveMode} (asked: ${choice.requestedMode})`
        io.line(`rick run ${req.sector}: run ${a.runId}`)
        for (const n of started.notices) io.line(`  NOTE      ${n}`)
        io.line(`  sector    ${req.sector} (venue ${config.venue}, instruments ${info.instruments.map((i) => i.id).join(', ')})`)
        io.line(`  mode      ${mode}${a.simulator ? ` — against rick's ${config.venue} simulator at ${a.simulator.rest}` : ''}`)
        io.line(`  venue     ${c ? `${c.name}${c.sdk ? ` (${c.sdk.package} ${c.sdk.version})` : ''}, ${c.endpoints.join(', ')}${c.account ? `, account ${c.account}` : ''}` : choice.venueLabel}`)
        io.line(`  data      live prices from the venue, ${config.barPeriod ?? '1m'} bars on the venue's clock; strategy warmed up on ${Math.round(info.warmedUp / Math.max(1, info.instruments.length))} bar(s) of history per instrument`)
        io.line(`  profile   ${config.profile}: max order ${money(L.maxOrderNotional, info.currency)}, max position ${money(L.maxPositionNotional, info.currency)}, daily loss cap ${money(L.dailyLossCap, info.currency)}${L.canary ? ' (canary caps on)' : ''}`)
        io.line(`  strategy  ${setup.strategy.name} ${JSON.stringify(setup.strategy.params)} (code ${setup.strategy.codeHash.slice(0, 12)})`)
        const pos = info.engine.summary().positions
        io.line(`  account   cash ${money(info.cash, info.currency)}${pos.length > 0 ? `, positions ${pos.map((p) => `${p.instrument} ${formatQty(p.qty)}`).join(', ')}` : ', flat'}; risk state ${info.engine.state}`)
        for (const n of info.notes) io.line(`            ${n}`)
        io.line(`  journal   ${a.journalPath}`)
        io.line(`  stop      Ctrl-C (or kill -INT ${io.pid}): cancels working orders, keeps positions`)
      },
    })
    const summary = await result.engine.stop(result.reason, result.detail)
    log.flush()
    summaryLines(io, {journalPath: a.journalPath, runId: a.runId, req}, result.reason, result.detail, summary)
    const out: RunResult = {
      runId: a.runId,
      sector: req.sector,
      requestedMode: choice.requestedMode,
      effectiveMode: choice.effectiveMode,
      journal: a.journalPath,
      stopReason: result.reason,
      bars: summary.barsProcessed,
      summary,
      exitCode: result.reason === 'halted' || result.reason === 'error' ? ExitCode.Failure : ExitCode.Ok,
    }
    if (result.detail !== undefined) out.detail = result.detail
    return out
  } finally {
    stop.wake = undefined
  }
}

/** The broker environment a mode trades in (its account's history in the journal). */
function liveEnvironment(choice: ConnectorChoice): string {
  return choice.requestedMode === 'canary' ? 'live' : choice.requestedMode
}
