// `rick backtest`: the same engine on a simulated clock, bars as fast as they come, the journal
// written in batches. Inputs are recorded in RUN_STARTED, so `rick replay` can run it again.
import {hashCanonical} from '../../foundation/canonical.js'
import {SimulatedClock} from '../../foundation/clock.js'
import {fromMicro, toMicro, type Micro} from '../../foundation/domain/money.js'
import type {Fill} from '../../foundation/domain/orders.js'
import {UsageError} from '../../foundation/errors.js'
import type {InputSource, RunStartedPayload} from '../../foundation/journal/events.js'
import {openJournal, runHash} from '../../foundation/journal/index.js'
import type {Journal} from '../../foundation/journal/types.js'
import {limitsForJournal} from '../../foundation/risk/index.js'
import type {Mode} from '../../foundation/config/types.js'
import {syntheticFeed, type BarFeed} from '../data/feed.js'
import {datasetFeed} from '../data/store.js'
import {computeMetrics, RoundTripBook, type Metrics, type OpenPosition, type Trade} from '../report/index.js'
import type {EngineObserver, EngineSummary} from './engine.js'
import {runSession, type SessionStrategy} from './session.js'
import {buildRisk, currencyNotices, DEFAULT_PAPER_CASH, limitedFeed, loadSectorSetup, type RiskSetup, type SetupContext} from './setup.js'
import {barPeriodMs} from '../../foundation/config/types.js'

/** Synthetic backtests start here unless --from says otherwise (a fixed date: same seed, same run). */
export const DEFAULT_BACKTEST_START = Date.UTC(2024, 0, 1)
export const DEFAULT_BACKTEST_BARS = 10_000
/**
 * From this many bars a backtest opens its journal in bulk mode (the writer thread starts with the
 * journal instead of at its first full chunk); shorter runs never wait for a thread to start.
 */
export const BULK_BARS = 100_000
/** Checkpoints in backtests: rare, they only matter for a run that continues. */
export const BACKTEST_CHECKPOINT_EVERY = 100_000

export interface BacktestRequest {
  sector: string
  data?: 'synthetic' | 'dataset'
  /** Bars per instrument (synthetic: how many to generate; dataset: at most this many). */
  bars?: number
  from?: number
  to?: number
  seed?: number
  journalPath: string
  /** rick's version, for RUN_STARTED. */
  version: string
  onProgress?: (done: number, total: number | undefined) => void
  /** The run's id, once chosen (before its first bar). */
  onStarted?: (runId: string) => void
}

export interface BacktestResult {
  runId: string
  sector: string
  journal: string
  mode: string
  inputs: InputSource
  seed: number
  bars: number
  stopReason: string
  stopDetail?: string
  summary: EngineSummary
  metrics: Metrics
  /** The run hash (journal `runHash`): what a replay must reproduce. */
  runHash: string
  /** What the reader must know to read the figures (e.g. instruments counted in another currency). */
  notes: string[]
}

/** The core of a backtest, without config files: what `rick backtest` and the benchmark share. */
export interface BacktestCoreOptions {
  runId: string
  sector: string
  venue: string
  instruments: Parameters<typeof runSession>[0]['instruments']
  strategy: SessionStrategy
  risk: RiskSetup
  journal: Journal
  feed: BarFeed
  startTs: number
  seed: number
  startingCash?: Micro
  fees?: Parameters<typeof runSession>[0]['fees']
  slippageBps?: number
  started: RunStartedPayload
  periodMs: number
  maxBars?: number
  /** Bars the feed will give, when known: the equity curve is allocated once at that size. */
  expectedBars?: number
  observer?: EngineObserver
  onProgress?: (done: number) => void
  checkpointEvery?: number
}

export interface BacktestCoreResult {
  summary: EngineSummary
  /** Round trips (FIFO, per instrument), in the order they closed, and what was left open. */
  trades: Trade[]
  open: OpenPosition[]
  /** Equity after every bar where it may have moved (columnar). */
  curve: {ts: Float64Array; equity: Float64Array}
  bars: number
  stopReason: string
  stopDetail?: string
}

/**
 * Builds the round trips (for the metrics) as fills come, and passes every hook on. Keeping every
 * fill until the end made a long backtest's young objects survive into the old generation: ~15 ms
 * of collector time per million bars. A class: the engine calls fill() on each fill, and its
 * optimized code then depends on this class rather than on one run's closure.
 */
class FillLog implements EngineObserver {
  readonly trips: RoundTripBook

  constructor(
    private readonly next: EngineObserver | undefined,
    instruments: BacktestCoreOptions['instruments'],
  ) {
    // No prototype: an instrument named like an Object.prototype member is looked up as itself.
    const multipliers = Object.assign(Object.create(null) as Record<string, number>, Object.fromEntries(instruments.map((i) => [i.id, i.multiplier])))
    this.trips = new RoundTripBook(multipliers)
    // The other hooks as given (as a spread of the observer would copy them), fill() wrapping theirs.
    if (next !== undefined) for (const [key, hook] of Object.entries(next)) if (key !== 'fill') (this as Record<string, unknown>)[key] = hook
  }

  /** Each fill once: the engine passes a repeated fill id on to no one. */
  fill(fill: Fill, positionAfter: number, realized: Micro): void {
    this.trips.add(fill)
    this.next?.fill?.(fill, positionAfter, realized)
  }
}

export async function backtestCore(o: BacktestCoreOptions): Promise<BacktestCoreResult> {
  const observer = new FillLog(o.observer, o.instruments)
  const result = await runSession({
    runId: o.runId,
    sector: o.sector,
    venue: o.venue,
    instruments: o.instruments,
    strategy: o.strategy,
    risk: o.risk,
    journal: o.journal,
    durability: 'batched',
    sendOrders: true,
    feed: o.maxBars === undefined ? o.feed : limitedFeed(o.feed, o.maxBars),
    clock: new SimulatedClock(o.startTs),
    seed: o.seed,
    startingCash: o.startingCash ?? toMicro(DEFAULT_PAPER_CASH),
    fees: o.fees,
    slippageBps: o.slippageBps,
    started: o.started,
    checkpointEvery: o.checkpointEvery ?? BACKTEST_CHECKPOINT_EVERY,
    observer,
    equityCurve: o.expectedBars ?? o.maxBars ?? true,
    drive: o.onProgress ? {onProgress: o.onProgress, progressEvery: 16_384} : {},
  })
  const out: BacktestCoreResult = {
    summary: result.summary,
    trades: observer.trips.trades,
    open: observer.trips.open(),
    curve: result.engine.equityCurve(),
    bars: result.drive.bars,
    stopReason: result.drive.reason,
  }
  if (result.drive.detail !== undefined) out.stopDetail = result.drive.detail
  return out
}

/** Metrics of a backtest (report's round trips: FIFO, per instrument). */
export function backtestMetrics(core: BacktestCoreResult, periodMs: number): Metrics {
  return computeMetrics(core.trades, core.curve, {periodMs, open: core.open})
}

/** `rick backtest <sector>`: loads the sector, builds the inputs, runs, and pins the run hash. */
export async function runBacktest(req: BacktestRequest, ctx: SetupContext): Promise<BacktestResult> {
  const setup = await loadSectorSetup(req.sector, ctx)
  const seed = req.seed ?? 1
  const data = req.data ?? 'synthetic'
  // Synthetic bars have the sector's bar length; a dataset's bars are what was imported.
  const periodMs = barPeriodMs(setup.config)
  const startTs = req.from ?? (data === 'synthetic' ? DEFAULT_BACKTEST_START : 0)
  let bars = req.bars
  if (data === 'synthetic') {
    if (bars === undefined && req.to !== undefined) bars = Math.floor((req.to - startTs) / periodMs) + 1
    bars ??= DEFAULT_BACKTEST_BARS
    if (!(bars > 0)) throw new UsageError(`--bars must be a positive number of bars; found ${bars}`, 'BAD_BARS')
  }
  const total = bars === undefined ? undefined : bars * setup.instruments.length
  // Opened before the bars are made or read: a long run's writer thread starts meanwhile.
  const journal = openJournal({path: req.journalPath, bulk: data === 'dataset' || (total ?? 0) >= BULK_BARS})
  let feed: BarFeed
  try {
    feed =
      data === 'synthetic'
        ? syntheticFeed({instruments: setup.instruments, seed, startTs, periodMs, bars: bars as number})
        : datasetFeed({home: setup.home, instruments: setup.instruments.map((i) => i.id), from: req.from, to: req.to})
  } catch (error) {
    journal.close()
    throw error
  }
  const inputs = feed.source ?? {kind: 'recorded', instruments: setup.instruments.map((i) => i.id)}
  // The limits of the sector's configured mode: a canary backtest sees the canary caps.
  const mode: Mode = setup.config.mode
  const risk = buildRisk(setup, mode)
  try {
    // Not the code hash: an edit that changes nothing the strategy does must not change the run hash.
    const runId = backtestRunId(journal, req.sector, {inputs, seed, strategy: setup.strategy.name, params: setup.strategy.params, bars: total})
    req.onStarted?.(runId)
    const started: RunStartedPayload = {
      requestedMode: 'backtest',
      effectiveMode: 'backtest',
      venue: setup.config.venue,
      environment: 'backtest',
      profile: setup.config.profile,
      charter: null,
      snapshot: null,
      configHash: hashCanonical(setup.config),
      strategy: {name: setup.strategy.name, codeHash: setup.strategy.codeHash, params: {...setup.strategy.params}},
      inputs,
      seed,
      limits: limitsForJournal(risk.limits),
      version: req.version,
      notices: [`risk limits of mode ${mode} (profile ${setup.config.profile})`, ...setup.currencyNotes, ...currencyNotices(setup.instruments)],
    }
    const core = await backtestCore({
      runId,
      sector: req.sector,
      venue: setup.config.venue,
      instruments: setup.instruments,
      strategy: {name: setup.strategy.name, codeHash: setup.strategy.codeHash, params: setup.strategy.params, create: () => setup.strategy.createInThread()},
      risk,
      journal,
      feed,
      startTs,
      seed,
      started,
      periodMs,
      maxBars: total,
      onProgress: req.onProgress ? (done) => req.onProgress!(done, total) : undefined,
    })
    const result: BacktestResult = {
      runId,
      sector: req.sector,
      journal: req.journalPath,
      mode,
      inputs,
      seed,
      bars: core.bars,
      stopReason: core.stopReason,
      summary: core.summary,
      metrics: backtestMetrics(core, periodMs),
      runHash: runHash(journal, runId),
      notes: [...setup.currencyNotes, ...currencyNotices(setup.instruments)],
    }
    if (core.stopDetail !== undefined) result.stopDetail = core.stopDetail
    return result
  } finally {
    journal.close()
  }
}

/**
 * A backtest's run id is a function of what it ran (so the same backtest in a fresh journal has the
 * same id, and its clientOrderIds and run hash are reproducible), with `-2`, `-3`… when the journal
 * already holds a run of that id.
 */
export function backtestRunId(journal: Journal, sector: string, what: unknown): string {
  const base = `${sector}-bt-${hashCanonical(what).slice(0, 10)}`
  const taken = new Set(journal.runs({sector}).map((r) => r.runId))
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`
}

/** The summary's money as decimal currency (JSON output). */
export function summaryJson(s: EngineSummary): Record<string, unknown> {
  const {realizedPnl, fees, equity, cash, strategyFault, ...rest} = s
  const out: Record<string, unknown> = {...rest, realizedPnl: fromMicro(realizedPnl), fees: fromMicro(fees), equity: fromMicro(equity), cash: fromMicro(cash)}
  if (strategyFault) out.strategyError = {phase: strategyFault.phase, message: strategyFault.message}
  return out
}
