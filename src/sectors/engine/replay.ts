// `rick replay <runId>`: feeds a run's recorded inputs (the synthetic seed, the dataset, or its BAR
// events) through the engine again, into a temporary journal, and compares the new events with the
// recorded ones type by type and payload by payload (RUN_STARTED and RUN_STOPPED aside: they hold
// the environment and why the run ended). The first difference is reported with its seq.
//
// What a replay reuses from the record: the inputs, the seed, the strategy's params, the risk
// limits, the mode, the account as it was when the run started (folded from the journal before the
// run's first event) and the manual halts/resumes at the bar where the run adopted them. What it
// takes from the project as it is now: the strategy's code, the instruments and the session hours
// (a difference there is the kind of thing a replay exists to reveal; the notes say when the code
// hash differs).
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {canonicalJson, hashCanonical} from '../../foundation/canonical.js'
import {SimulatedClock} from '../../foundation/clock.js'
import type {Mode} from '../../foundation/config/types.js'
import {seriesOf, type BarSeries} from '../../foundation/domain/bars.js'
import type {Instrument} from '../../foundation/domain/instrument.js'
import {toMicro} from '../../foundation/domain/money.js'
import {UsageError} from '../../foundation/errors.js'
import type {EventPayloads, EventType, JournalEvent, RunStartedPayload, RunStoppedPayload} from '../../foundation/journal/events.js'
import {openJournal, runHash} from '../../foundation/journal/index.js'
import {BULK_BARS} from './backtest.js'
import type {Journal} from '../../foundation/journal/types.js'
import type {EffectiveLimits} from '../../foundation/risk/types.js'
import {seriesFeed, syntheticFeed, type BarFeed} from '../data/feed.js'
import {datasetFeed} from '../data/store.js'
import {loadStrategy} from '../strategy/loader.js'
import {BACKTEST_CHECKPOINT_EVERY} from './backtest.js'
import {adoptedAfterBar, triggerOf} from './manual.js'
import {recoverAccount} from './recovery.js'
import {RUN_CHECKPOINT_EVERY} from './run-service.js'
import type {SectorEngine} from './engine.js'
import {runSession} from './session.js'
import {ACCOUNT_CURRENCY, buildRisk, DEFAULT_PAPER_CASH, limitedFeed, loadSectorSetup, type SetupContext} from './setup.js'

export interface ReplayRequest {
  runId: string
  journalPath: string
}

export interface ReplayDivergence {
  /** seq of the recorded event that differs (or of the last one, when the replay made more). */
  seq: number | null
  /** Position among the compared events (1-based). */
  index: number
  recorded: {type: EventType; payload: unknown} | null
  replayed: {type: EventType; payload: unknown} | null
}

export interface ReplayResult {
  runId: string
  sector: string
  ok: boolean
  /** Events compared (RUN_STARTED and RUN_STOPPED excluded). */
  compared: number
  recordedEvents: number
  replayedEvents: number
  recordedHash: string
  replayedHash: string
  divergence?: ReplayDivergence
  notes: string[]
}

const SKIP: ReadonlySet<string> = new Set(['RUN_STARTED', 'RUN_STOPPED'])

export async function replayRun(req: ReplayRequest, ctx: SetupContext): Promise<ReplayResult> {
  const original = openJournal({path: req.journalPath, readonly: true})
  const dir = mkdtempSync(join(tmpdir(), 'rick-replay-'))
  try {
    const startedEvent = first(original, req.runId, 'RUN_STARTED')
    if (!startedEvent) {
      const latest = original.runs().slice(-5).map((r) => `${r.runId} (${r.sector})`)
      throw new UsageError(`no run '${req.runId}' in the journal ${req.journalPath}; ${latest.length > 0 ? `latest runs: ${latest.join(', ')}` : 'it has no runs'}`, 'UNKNOWN_RUN')
    }
    const started = startedEvent.payload
    const sector = startedEvent.sector
    if (started.connector !== undefined) {
      // Its fills came from the venue (a broker or its simulator), which a replay cannot ask again:
      // fed through the paper venue it would differ from the first fill on, and say nothing useful.
      throw new UsageError(
        `run ${req.runId} traded at ${started.venue} (${started.environment}, ${started.connector.name}): its fills came from the venue, which a replay cannot reproduce; rick replay reproduces runs on the paper venue and backtests. Its decisions and bars are in the journal: rick journal export --run ${req.runId}`,
        'NOT_REPLAYABLE',
      )
    }
    const stopped = first(original, req.runId, 'RUN_STOPPED')?.payload as RunStoppedPayload | undefined
    const notes: string[] = []
    const setup = await loadSectorSetup(sector, ctx)
    const strategy = await loadStrategy(setup.root, {name: started.strategy.name, params: started.strategy.params}, {sector, env: ctx.env, ...(setup.config.strategy.budget ? {budget: setup.config.strategy.budget} : {})})
    if (strategy.codeHash !== started.strategy.codeHash) notes.push(`the strategy's code changed since the run (${started.strategy.codeHash.slice(0, 12)} then, ${strategy.codeHash.slice(0, 12)} now)`)
    if (started.configHash !== hashCanonical(setup.config) && started.environment !== 'backtest') notes.push('the sector config changed since the run (session hours and instruments are taken from it as it is now)')

    const limits = limitsFromJournal(started.limits)
    const mode = (started.effectiveMode === 'backtest' ? setup.config.mode : started.effectiveMode) as Mode
    const risk = buildRisk(setup, mode, limits)
    const backtest = started.environment === 'backtest'
    const recovered = backtest
      ? undefined
      : recoverAccount(original, {sector, venue: started.venue, environment: started.environment}, {instruments: setup.instruments, currency: ACCOUNT_CURRENCY, startingCash: toMicro(DEFAULT_PAPER_CASH), beforeSeq: startedEvent.seq})
    const reconciled = first(original, req.runId, 'RECONCILED')?.payload as EventPayloads['RECONCILED'] | undefined
    const restoredCheckpoint = started.notices.some((n) => n.startsWith('strategy restored from the checkpoint'))

    let bars = stopped?.barsProcessed
    if (bars === undefined) notes.push('the run was interrupted (no RUN_STOPPED): replayed up to its last recorded event')
    const lastTs = lastEventTs(original, req.runId)
    const feed = replayFeed(started, setup, original, req.runId, notes)
    const bounded = bars === undefined ? untilTs(feed, lastTs) : limitedFeed(feed, bars)
    bars ??= Infinity

    const triggers = new Map<number, Array<{kind: 'halt' | 'resume' | 'reduce'; reason: string}>>()
    for (const e of original.events({runId: req.runId, types: ['RISK_STATE']})) {
      const p = e.payload as EventPayloads['RISK_STATE']
      const after = adoptedAfterBar(p)
      const kind = triggerOf(p)
      if (after === undefined || kind === undefined) continue
      const list = triggers.get(after) ?? []
      list.push({kind, reason: p.reason})
      triggers.set(after, list)
    }

    // A long run: its events are written while it replays (the writer thread starts now).
    const replayJournal = openJournal({path: join(dir, 'replay.db'), bulk: (bars ?? 0) >= BULK_BARS})
    let engineRef: SectorEngine | undefined
    try {
      await runSession({
        runId: req.runId,
        sector,
        venue: started.venue,
        instruments: setup.instruments,
        // In its worker, with its budgets: a replay runs whatever the strategy's files hold now.
        strategy: {name: strategy.name, codeHash: strategy.codeHash, params: strategy.params, create: () => strategy.create()},
        risk,
        journal: replayJournal,
        durability: 'batched',
        sendOrders: started.effectiveMode !== 'observe',
        feed: bounded,
        clock: new SimulatedClock(startedEvent.ts),
        seed: started.seed,
        startingCash: reconciled && backtest ? reconciled.cash : toMicro(DEFAULT_PAPER_CASH),
        recovered,
        started,
        checkpoint: restoredCheckpoint ? recovered?.checkpoint?.state : undefined,
        checkpointEvery: backtest ? BACKTEST_CHECKPOINT_EVERY : RUN_CHECKPOINT_EVERY,
        onStarted: (engine) => {
          engineRef = engine
        },
        drive: {
          atBoundary: async (done) => {
            for (const t of triggers.get(done) ?? []) await engineRef?.applyTrigger(t)
          },
        },
      })
      return compare(original, replayJournal, req.runId, sector, notes)
    } finally {
      replayJournal.close()
    }
  } finally {
    original.close()
    rmSync(dir, {recursive: true, force: true})
  }
}

function first<T extends EventType>(journal: Journal, runId: string, type: T): JournalEvent<T> | undefined {
  for (const e of journal.events({runId, types: [type], limit: 1})) return e as JournalEvent<T>
  return undefined
}

function lastEventTs(journal: Journal, runId: string): number {
  for (const e of journal.events({runId, reverse: true, limit: 1})) return e.ts
  return -Infinity
}

/** The bars the run saw, from what RUN_STARTED says about them. */
function replayFeed(started: RunStartedPayload, setup: {home: string; instruments: readonly Instrument[]}, journal: Journal, runId: string, notes: string[]): BarFeed {
  const inputs = started.inputs
  const home = setup.home
  switch (inputs.kind) {
    case 'synthetic': {
      // The synthetic walk needs each instrument's kind, tick and reference price: the project's
      // own description of it, as the run had.
      const instruments = inputs.instruments.map((id) => {
        const found = setup.instruments.find((i) => i.id === id)
        if (!found) throw new UsageError(`instrument ${id} of the run is no longer an instrument of sector ${started.venue}: cannot regenerate its bars`, 'REPLAY_INSTRUMENT')
        return found
      })
      return syntheticFeed({instruments, seed: inputs.seed, startTs: inputs.startTs, periodMs: inputs.periodMs})
    }
    case 'dataset': {
      const feed = datasetFeed({home, instruments: inputs.instruments, from: inputs.from, to: inputs.to})
      const now = feed.source?.kind === 'dataset' ? feed.source.sha256 : undefined
      if (now !== inputs.sha256) notes.push(`the dataset changed since the run (sha256 ${inputs.sha256.slice(0, 12)} then, ${String(now).slice(0, 12)} now)`)
      return feed
    }
    case 'recorded':
      return recordedFeed(journal, runId, inputs.instruments)
  }
}

/** BAR events of the run, as columnar series. */
function recordedFeed(journal: Journal, runId: string, instruments: readonly string[]): BarFeed {
  const rows = new Map<string, Array<EventPayloads['BAR']>>(instruments.map((i) => [i, []]))
  for (const e of journal.events({runId, types: ['BAR']})) {
    const b = e.payload as EventPayloads['BAR']
    rows.get(b.instrument)?.push(b)
  }
  const series: BarSeries[] = []
  for (const [id, bars] of rows) {
    series.push(seriesOf(id, bars.length > 1 ? bars[1]!.ts - bars[0]!.ts : 60_000, bars))
  }
  return seriesFeed(series, {kind: 'recorded', instruments: [...instruments]})
}

function untilTs(feed: BarFeed, lastTs: number): BarFeed {
  return {
    instruments: feed.instruments,
    next() {
      const bar = feed.next()
      return bar !== undefined && bar.ts <= lastTs ? bar : undefined
    },
  }
}

/** EffectiveLimits back from RUN_STARTED's flat record (limitsForJournal's inverse). */
export function limitsFromJournal(record: Record<string, number>): EffectiveLimits {
  const n = (k: string) => {
    const v = record[k]
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UsageError(`RUN_STARTED.limits.${k} is missing or not a number: cannot replay with the run's limits`, 'REPLAY_LIMITS')
    return v
  }
  const limits: EffectiveLimits = {
    maxOrderNotional: toMicro(n('maxOrderNotional')),
    maxPositionNotional: toMicro(n('maxPositionNotional')),
    maxOpenOrders: n('maxOpenOrders'),
    dailyLossCap: toMicro(n('dailyLossCap')),
    maxDrawdownPct: n('maxDrawdownPct'),
    consecutiveLossHalt: n('consecutiveLossHalt'),
    maxTradesPerDay: n('maxTradesPerDay'),
    maxOrdersPerMinute: n('maxOrdersPerMinute'),
    allowLeverage: n('allowLeverage') === 1,
  }
  if (record['canary.maxOrderNotional'] !== undefined) {
    limits.canary = {maxOrderNotional: toMicro(n('canary.maxOrderNotional')), maxPositions: n('canary.maxPositions'), dailyLossCap: toMicro(n('canary.dailyLossCap'))}
  }
  return limits
}

function compare(original: Journal, replay: Journal, runId: string, sector: string, notes: string[]): ReplayResult {
  const recorded = [...original.events({runId})].filter((e) => !SKIP.has(e.type))
  const replayed = [...replay.events({runId})].filter((e) => !SKIP.has(e.type))
  const result: ReplayResult = {
    runId,
    sector,
    ok: true,
    compared: Math.min(recorded.length, replayed.length),
    recordedEvents: recorded.length,
    replayedEvents: replayed.length,
    recordedHash: runHash(original, runId),
    replayedHash: runHash(replay, runId),
    notes,
  }
  const n = Math.max(recorded.length, replayed.length)
  for (let i = 0; i < n; i++) {
    const a = recorded[i]
    const b = replayed[i]
    if (a && b && a.type === b.type && canonicalJson(a.payload) === canonicalJson(b.payload)) continue
    result.ok = false
    result.compared = i
    result.divergence = {
      seq: a?.seq ?? recorded.at(-1)?.seq ?? null,
      index: i + 1,
      recorded: a ? {type: a.type, payload: a.payload} : null,
      replayed: b ? {type: b.type, payload: b.payload} : null,
    }
    break
  }
  if (result.ok && result.recordedHash !== result.replayedHash) {
    result.ok = false
    notes.push('every event matched but the run hashes differ (a journal problem: run `rick journal verify`)')
  }
  return result
}
