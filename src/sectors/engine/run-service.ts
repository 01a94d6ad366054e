// `rick run <sector>`: lock the sector, ask the charter (for the mode that really runs), rebuild
// the account from the journal, reconcile with the venue, then trade until stopped — a signal,
// `--bars`, or a strategy fault. Every order is journaled before it is sent; SIGINT, SIGTERM and
// SIGHUP cancel the working orders, keep the positions, journal RUN_STOPPED and end with exit 0 —
// also when they come during start-up: the run then ends before its engine starts, nothing journaled.

import {hashCanonical} from '../../foundation/canonical.js'
import {SimulatedClock, systemEngineClock} from '../../foundation/clock.js'
import {barPeriodMs, type Mode, type SectorConfig} from '../../foundation/config/types.js'
import {toMicro} from '../../foundation/domain/money.js'
import {CharterDenied, ExitCode, UsageError} from '../../foundation/errors.js'
import type {RunStartedPayload} from '../../foundation/journal/events.js'
import {openJournal} from '../../foundation/journal/index.js'
import {resolveJournalPath} from '../../foundation/journal/location.js'
import type {Journal} from '../../foundation/journal/types.js'
import {notifyingJournal, type Notifier} from '../notify/notifier.js'
import {closeRunNotifier, runNotifier} from '../notify/run-hook.js'
import {limitsForJournal} from '../../foundation/risk/index.js'
import type {SessionClock} from '../../foundation/risk/session.js'
import {authorizeEngineStart} from '../charter-service.js'
import {syntheticFeed} from '../data/feed.js'
import {chooseConnector, type ConnectorChoice} from './connector-choice.js'
import {credentialFacts, credentialValues, denialMessage, newRunId, runStartedPayload, summaryLines, usableCheckpoint, watchStop, type RunStop} from './run-common.js'
import {processStopLatch, writeQuietly} from './run-process.js'
import {tradeOnVenue} from '../live/live-service.js'
import {coreRuntime} from '../core-runtime.js'
import type {RunningSimulator, SectorDefinition} from '../definition.js'
import type {EngineSummary, SectorEngine} from './engine.js'
import {formatQty, formatTs, money} from './format.js'
import {acquireLock, type SectorLock} from './lock.js'
import {adoptedReason, ManualPoller, manualReason, triggerOf} from './manual.js'
import {parseSpeed, type Pace} from './pace.js'
import {recoverAccount, type RecoveredAccount} from './recovery.js'
import {runLog} from './run-log.js'
import {runSession} from './session.js'
import {ACCOUNT_CURRENCY, buildRisk, currencyNotices, DEFAULT_PAPER_CASH, loadSectorSetup, SYNTHETIC_PERIOD_MS, type SectorSetup, type SetupContext} from './setup.js'

/** `--sim`: the venue's simulator on a free port, seeded, its clock at the asked speed (default 60×). */
async function startSimulatorFor(setup: SectorSetup, definition: SectorDefinition, req: RunRequest, io: RunIo): Promise<RunningSimulator & {rest: string}> {
  if (definition.startSimulator === undefined) throw new UsageError(`venue ${setup.config.venue} has no simulator: --sim is not available for ${setup.sector}`, 'NO_SIMULATOR')
  const m = /^(\d+(?:\.\d+)?)x$/.exec(req.speed ?? '60x')
  if (!m) throw new UsageError(`--speed with --sim is the simulator's pace, like 1x or 60x; found ${req.speed}`, 'BAD_SPEED')
  const sim = await definition.startSimulator({port: 0, seed: req.seed ?? 1, speed: Number(m[1]), instruments: setup.instruments.map((i) => i.id), core: coreRuntime, log: (t) => io.notice(`rick sim: ${t}`)})
  setup.config.connection = {...setup.config.connection, ...sim.connection}
  return Object.assign(sim, {rest: sim.endpoints.rest ?? Object.values(sim.endpoints)[0] ?? ''})
}

/** With --sim the connector is real and the money is not: the charter judges paper, the limits are the asked mode's. */
function simChoice(config: SectorConfig, requested: Mode, rest: string): ConnectorChoice {
  return {requestedMode: requested, effectiveMode: 'paper', venueLabel: `${config.venue} connector → simulator`, real: true, notice: `${config.name}: --sim: the ${config.venue} connector and its SDK against rick's ${config.venue} simulator at ${rest}; no real account (effective mode: paper, limits of ${requested})`}
}

/** Strategy checkpoints every this many bars in a run (and at stop). */
export const RUN_CHECKPOINT_EVERY = 100
/** How often a running engine looks for `rick halt` / `rick resume` records (wall time). */
export const MANUAL_POLL_MS = 1000

export interface RunRequest {
  sector: string
  /** `--canary|--paper|--practice|--observe`; default: the sector's mode. */
  mode?: Mode
  seed?: number
  speed?: string
  /** Bar periods to run (one bar of every instrument each); unlimited when omitted. */
  bars?: number
  journalPath?: string
  version: string
  /** Trade through the venue's real connector against its simulator, started on a free port. */
  sim?: boolean
}

/** The process around the engine: output, signals, waiting, wall time. Tests replace it. */
export interface RunIo {
  /** A human line (stdout). */
  line(text: string): void
  /** A notice (stderr). */
  notice(text: string): void
  /** Calls `handler` on SIGINT/SIGTERM/SIGHUP, at once if one came already (during start-up); returns a remover. */
  onStopSignal(handler: (signal: string) => void): () => void
  /** Waits `ms`, or less when `wake` is called. */
  sleep(ms: number): {done: Promise<void>; wake(): void}
  /** Monotonic ms, for pacing and polling only (never for engine decisions). */
  monotonic(): number
  /** Wall clock ms: the synthetic feed starts at it; never read by the engine. */
  wallClock(): number
  pid: number
}

export const processIo: RunIo = {
  // A closed or broken stdout/stderr never stops the engine: what it could not print is journaled.
  line: (text) => writeQuietly(process.stdout, `${text}\n`),
  notice: (text) => writeQuietly(process.stderr, `${text}\n`),
  onStopSignal: (handler) => processStopLatch().listen(handler),
  sleep(ms) {
    let wake = () => {}
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
    return {done, wake}
  },
  monotonic: () => performance.now(),
  // The edge of the system: the wall clock decides only where synthetic time starts.
  wallClock: () => systemEngineClock.now(),
  pid: process.pid,
}

export interface RunResult {
  /** Undefined when a stop signal came before the engine started (nothing was journaled). */
  runId?: string
  sector: string
  requestedMode: Mode
  effectiveMode: Mode
  journal: string
  stopReason: string
  detail?: string
  bars: number
  /** Undefined when the engine never started. */
  summary?: EngineSummary
  exitCode: ExitCode
}

/** Runs a sector until it is stopped. Throws RickErrors (exit 1/2/3) before the engine starts. */
export async function runSector(req: RunRequest, ctx: SetupContext & {io?: RunIo}): Promise<RunResult> {
  const io = ctx.io ?? processIo
  // From the first moment: a stop during start-up ends the run before its engine starts.
  const stop = watchStop(io, req.sector)
  try {
    const cwd = ctx.cwd ?? process.cwd()
    const env = ctx.env ?? process.env
    const setup = await loadSectorSetup(req.sector, ctx)
    const config = setup.config
    const definition = ctx.registry.get(config.venue)?.definition
    const requested: Mode = req.mode ?? config.mode
    const seed = req.seed ?? 1
    const sim = req.sim && definition && stop.signal === undefined ? await startSimulatorFor(setup, definition, req, io) : undefined
    const runEnv = sim ? {...env, ...sim.env(config)} : env
    try {
      const choice = sim ? simChoice(config, requested, sim.rest) : chooseConnector(config, definition, requested, credentialFacts(setup, definition, requested, runEnv))
      return await runChosen(req, ctx, {io, cwd, env: runEnv, setup, definition, choice, seed, sim, stop})
    } finally {
      await sim?.close()
    }
  } finally {
    stop.dispose()
  }
}

interface Chosen {
  io: RunIo
  cwd: string
  env: NodeJS.ProcessEnv
  setup: SectorSetup
  definition: SectorDefinition | undefined
  choice: ConnectorChoice
  seed: number
  sim: (RunningSimulator & {rest: string}) | undefined
  stop: RunStop
}

/** A stop signal came before the engine started: the run ends here, nothing journaled, exit 0. */
function stoppedBeforeStart(req: RunRequest, c: Chosen, journal: string): RunResult {
  c.io.notice(`rick: ${req.sector} stopped before its engine started: nothing traded, nothing journaled`)
  return {sector: req.sector, requestedMode: c.choice.requestedMode, effectiveMode: c.choice.effectiveMode, journal, stopReason: 'signal', detail: 'stopped before the engine started', bars: 0, exitCode: ExitCode.Ok}
}

async function runChosen(req: RunRequest, ctx: SetupContext, c: Chosen): Promise<RunResult> {
  const {io, cwd, env, setup, choice, seed} = c
  const config = setup.config
  const periodMs = barPeriodMs(config)
  const pace = parseSpeed(req.sim ? undefined : req.speed, periodMs)
  const journalPath = resolveJournalPath(req.journalPath, cwd, env)
  if (c.stop.signal !== undefined) return stoppedBeforeStart(req, c, journalPath)

  const lock = acquireLock(setup.home, {pid: io.pid, project: setup.root, sector: req.sector, mode: choice.effectiveMode, journal: journalPath, startedAt: new Date(io.wallClock()).toISOString()})
  if (lock.tookOver) io.notice(`rick: took over a stale lock of ${req.sector} (pid ${lock.tookOver.pid} is not running; the engine was killed or crashed)`)
  let journal: Journal | undefined
  let notifier: Notifier | undefined
  try {
    const auth = await authorizeEngineStart(req.sector, {mode: choice.effectiveMode}, {registry: ctx.registry, cwd, env, file: ctx.file})
    if (c.stop.signal !== undefined) return stoppedBeforeStart(req, c, journalPath)
    notifier = runNotifier(ctx, env, seed, io.notice)
    journal = notifyingJournal(openJournal({path: journalPath}), notifier)
    const runId = newRunId(req.sector, io)
    if (choice.real && c.definition) {
      // With --sim the connector's credentials are the simulator's, whatever the mode asks for (a
      // paper sector needs none of its own, but the connector still signs in to the simulator).
      const secrets = c.sim ? c.sim.env(setup.config) : credentialValues(setup, c.definition, choice.requestedMode, env)
      return await tradeOnVenue({req, io, setup, definition: c.definition, choice, journal, journalPath, runId, auth, secrets, periodMs, stop: c.stop, ...(c.sim ? {simulator: {rest: c.sim.rest}} : {})})
    }
    const recovered = recoverAccount(journal, {sector: req.sector, venue: config.venue, environment: 'paper'}, {instruments: setup.instruments, currency: ACCOUNT_CURRENCY, startingCash: toMicro(DEFAULT_PAPER_CASH)})
    // A fallback rehearses the mode that was asked for: a canary run on the paper venue keeps the
    // canary caps, so what a person sees is the real thing minus the money.
    const risk = buildRisk(setup, choice.requestedMode)
    const startTs = syntheticStart(io.wallClock(), recovered.lastTs, risk.session, periodMs)
    const feed = syntheticFeed({instruments: setup.instruments, seed, startTs: startTs.ts, periodMs, bars: req.bars})
    const notices: string[] = []
    if (choice.notice) notices.push(choice.notice)
    if (auth.notice) notices.push(auth.notice)
    if (startTs.note) notices.push(startTs.note)
    notices.push(...setup.currencyNotes, ...currencyNotices(setup.instruments))
    const checkpoint = usableCheckpoint(recovered, setup, notices)
    const interrupted = recovered.runs.filter((r) => r.interrupted).at(-1)
    const started = runStartedPayload({
      choice,
      setup,
      auth,
      environment: 'paper',
      inputs: feed.source ?? {kind: 'recorded', instruments: setup.instruments.map((i) => i.id)},
      seed,
      limits: limitsForJournal(risk.limits),
      version: req.version,
      notices,
      ...(interrupted ? {resumedFrom: interrupted.summary.runId} : {}),
    })
    if (!auth.decision.allow) {
      // The denial is part of the record too: a start that never happened, and why.
      journal.append({ts: startTs.ts, runId, sector: req.sector, type: 'RUN_STARTED', payload: started})
      journal.append({ts: startTs.ts, runId, sector: req.sector, type: 'RUN_STOPPED', payload: {reason: 'error', detail: `charter denied: ${auth.decision.detail ?? ''}`, barsProcessed: 0, summary: {trades: 0, fills: 0, denials: 0, realizedPnl: 0, fees: 0, equity: 0}}})
      throw new CharterDenied(denialMessage(req.sector, choice, auth.decision))
    }
    if (c.stop.signal !== undefined) return stoppedBeforeStart(req, c, journalPath)
    return await trade({req, io, setup, choice, pace, journal, journalPath, runId, recovered, risk, feed, startTs: startTs.ts, seed, started, checkpoint, lock, stop: c.stop})
  } finally {
    journal?.close()
    lock.release()
    await closeRunNotifier(notifier, io.notice)
  }
}

interface TradeArgs {
  req: RunRequest
  io: RunIo
  setup: SectorSetup
  choice: ConnectorChoice
  pace: Pace
  journal: Journal
  journalPath: string
  runId: string
  recovered: RecoveredAccount
  risk: ReturnType<typeof buildRisk>
  feed: ReturnType<typeof syntheticFeed>
  startTs: number
  seed: number
  started: RunStartedPayload
  checkpoint: unknown
  lock: SectorLock
  stop: RunStop
}

async function trade(a: TradeArgs): Promise<RunResult> {
  const {io, req, setup} = a
  const clock = new SimulatedClock(a.startTs)
  const stop = a.stop
  let sleeping: {wake(): void} | undefined
  stop.wake = () => sleeping?.wake()
  const poller = new ManualPoller(a.journal, req.sector, a.journal.lastSeq())
  let nextPoll = io.monotonic() + MANUAL_POLL_MS
  let yieldEvery = 0
  // Created inside runSession; the boundary callback needs it for manual triggers.
  let engine: SectorEngine | undefined
  const instruments = setup.instruments.map((i) => i.id)
  const log = runLog(clock, io.line, io.notice)
  try {
    const result = await runSession({
      runId: a.runId,
      sector: req.sector,
      venue: setup.config.venue,
      instruments: setup.instruments,
      strategy: {name: setup.strategy.name, codeHash: setup.strategy.codeHash, params: setup.strategy.params, create: () => setup.strategy.create()},
      risk: a.risk,
      journal: a.journal,
      durability: 'durable',
      sendOrders: a.choice.effectiveMode !== 'observe',
      feed: a.feed,
      clock,
      seed: a.seed,
      startingCash: toMicro(DEFAULT_PAPER_CASH),
      recovered: a.recovered,
      started: a.started,
      checkpoint: a.checkpoint,
      checkpointEvery: RUN_CHECKPOINT_EVERY,
      observer: log,
      onStarted: (started, reconciled) => {
        engine = started
        firstLines(a, reconciled, started.state)
      },
      drive: {
        maxBars: req.bars === undefined ? undefined : req.bars * instruments.length,
        stopRequested: () => (stop.signal !== undefined ? 'signal' : undefined),
        atBoundary: async (bars) => {
          if (stop.signal !== undefined) return
          if (io.monotonic() >= nextPoll) {
            nextPoll = io.monotonic() + MANUAL_POLL_MS
            for (const e of poller.poll()) {
              const kind = triggerOf(e.payload)
              if (kind === undefined) continue
              const reason = adoptedReason(manualReason(e.payload.reason), e.seq, bars)
              await engine?.applyTrigger({kind, reason})
            }
          }
          if (a.pace.delayMs > 0) {
            const s = io.sleep(a.pace.delayMs)
            sleeping = s
            await s.done
            sleeping = undefined
          } else if (++yieldEvery >= 256) {
            // Flat out: still let signals and timers in now and then.
            yieldEvery = 0
            await new Promise<void>((resolve) => setImmediate(resolve))
          }
        },
      },
    })
    const s = result.summary
    const reason = result.drive.reason
    log.flush()
    summaryLines(io, a, reason, result.drive.detail, s)
    const out: RunResult = {
      runId: a.runId,
      sector: req.sector,
      requestedMode: a.choice.requestedMode,
      effectiveMode: a.choice.effectiveMode,
      journal: a.journalPath,
      stopReason: reason,
      bars: result.drive.bars,
      summary: s,
      exitCode: reason === 'halted' || reason === 'error' ? ExitCode.Failure : ExitCode.Ok,
    }
    if (result.drive.detail !== undefined) out.detail = result.drive.detail
    return out
  } finally {
    stop.wake = undefined
  }
}

function firstLines(a: TradeArgs, reconciled: {positions: Array<{instrument: string; qty: number}>; cash: number; notes: string[]}, state: string): void {
  const {io, setup, choice} = a
  const c = setup.config
  const L = a.risk.limits
  const mode = choice.requestedMode === choice.effectiveMode ? choice.effectiveMode : `${choice.effectiveMode} (asked: ${choice.requestedMode})`
  io.line(`rick run ${a.req.sector}: run ${a.runId}`)
  for (const n of a.started.notices) io.line(`  NOTE      ${n}`)
  io.line(`  sector    ${a.req.sector} (venue ${c.venue}, instruments ${setup.instruments.map((i) => i.id).join(', ')})`)
  io.line(`  mode      ${mode}${choice.effectiveMode === 'observe' ? ' — intents are journaled, nothing is sent' : ''}`)
  io.line(`  venue     ${choice.venueLabel} (simulated fills: market orders at the next bar's open, ${c.venue} fees and slippage)`)
  io.line(`  data      synthetic bars, seed ${a.seed}, from ${formatTs(a.startTs)} UTC; ${a.pace.describe}${a.req.bars !== undefined ? `; stops after ${a.req.bars} bars` : ''}`)
  io.line(`  profile   ${c.profile}: max order ${money(L.maxOrderNotional, ACCOUNT_CURRENCY)}, max position ${money(L.maxPositionNotional, ACCOUNT_CURRENCY)}, daily loss cap ${money(L.dailyLossCap, ACCOUNT_CURRENCY)}${L.canary ? ' (canary caps on)' : ''}`)
  io.line(`  strategy  ${setup.strategy.name} ${JSON.stringify(setup.strategy.params)} (code ${setup.strategy.codeHash.slice(0, 12)})`)
  const snap = a.started.snapshot
  io.line(`  code      ${snap ? `${snap.kind === 'head' ? 'HEAD' : 'snapshot'} ${snap.id.slice(0, 12)} (commit ${snap.commit.slice(0, 12)})` : 'no snapshot (not a git repository)'}`)
  io.line(`  account   cash ${money(reconciled.cash, ACCOUNT_CURRENCY)}${reconciled.positions.length > 0 ? `, positions ${reconciled.positions.map((p) => `${p.instrument} ${formatQty(p.qty)}`).join(', ')}` : ', flat'}; risk state ${state}`)
  for (const n of reconciled.notes) io.line(`            ${n}`)
  io.line(`  journal   ${a.journalPath}`)
  io.line(`  stop      Ctrl-C (or kill -INT ${io.pid}): cancels working orders, keeps positions`)
}







/**
 * Where synthetic time starts: now (whole minute), never before the account's last event (its clock
 * must not go back), and at the next session window when the sector is outside one now (so a US
 * stock sector started at night still trades at once, on synthetic time).
 */
export function syntheticStart(wall: number, lastTs: number, session: SessionClock, period = SYNTHETIC_PERIOD_MS): {ts: number; note?: string} {
  let ts = Math.floor(wall / period) * period
  if (Number.isFinite(lastTs) && ts <= lastTs) ts = Math.floor(lastTs / period) * period + period
  const first = ts
  // At most eight days ahead (a long weekend and more), in steps of a bar.
  const steps = Math.ceil((8 * 86_400_000) / period)
  for (let i = 0; i < steps && !session.inSession(ts); i++) ts += period
  if (!session.inSession(ts)) return {ts: first}
  if (ts !== first) return {ts, note: `outside the session windows now: synthetic time starts at the next window, ${formatTs(ts)} UTC`}
  return {ts}
}

