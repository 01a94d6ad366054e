// A run's report, projected from its journal events: trades from the FILL events, and an equity
// curve from the fills and the marks.
//
// The equity curve: P&L per instrument = cash flow of its fills (sells minus buys minus fees, each
// fill's notional rounded to micro units once) + its position marked at the latest price known; one
// point per distinct event time (the journal's engine clock). Prices come from BAR events (closes)
// when the run journaled them (recorded inputs), or from the run's synthetic bars regenerated from
// its inputs (`marks`, supplied by the caller); otherwise the only prices in the journal are the
// fills' own, so between fills an open position is held at its last fill price and the curve is flat:
// drawdowns and volatility of open positions are then UNDERSTATED, and the final point is the
// RUN_STOPPED summary's equity (marked by the engine at the last bar). The report says which.
//
// Starting equity: RUN_STARTED's `startingEquity` when the engine records it; else derived from
// RUN_STOPPED (final equity minus the run's P&L); else unknown, and the ratios that need it (drawdown
// %, Sharpe, Sortino) are left out.
import type {Bar} from '../../foundation/domain/bars.js'
import {notionalMicro, type Micro} from '../../foundation/domain/money.js'
import type {Fill} from '../../foundation/domain/orders.js'
import type {JournalEvent, RunStartedPayload, RunStoppedPayload} from '../../foundation/journal/events.js'
import {ANNUALISATION_NOTE, computeMetrics, type Metrics} from './metrics.js'
import {roundTrips, type OpenPosition, type Trade} from './trades.js'

export interface ReportOptions {
  /** Only runs of this sector. */
  sector?: string
  /** Only this run (else: the latest run of each sector). */
  runId?: string
  /** Bar length when the run does not say (synthetic inputs do) and no BAR events show it; default 60 000. */
  periodMs?: number
  /**
   * With `runId`: FILL (and BAR) events of the account's earlier runs, in order. A paper or live
   * run continues its account, so it may start with positions: these build them (FIFO lots, and
   * their last prices as the starting marks), and their own trades are not reported.
   */
  prior?: Iterable<JournalEvent>
  /**
   * With `runId`: the run's input bars regenerated (synthetic inputs that were not journaled as BAR
   * events), in time order; their closes mark the equity curve as BAR events would.
   */
  marks?: {next(): Bar | undefined}
}

export interface InstrumentReport {
  instrument: string
  /** As if the instrument alone had traded the account: equity = starting equity + its own P&L. */
  metrics: Metrics
  open: OpenPosition | null
  multiplier: number
}

export interface RunReport {
  runId: string
  sector: string
  startedAt: number | null
  stoppedAt: number | null
  stopReason: RunStoppedPayload['reason'] | null
  mode: string | null
  venue: string | null
  currency: string | null
  strategy: {name: string; codeHash: string} | null
  periodMs: number
  /** Where the equity curve's prices came from: BAR events, regenerated inputs, or fills only. */
  curveSource: 'bars' | 'inputs' | 'fills'
  /** Bars of all instruments together (RUN_STOPPED's count). */
  barsProcessed: number | null
  /** Instruments of the run's inputs. */
  instrumentCount: number
  /** ORDER_INTENT (passed the risk gate, journaled before sending), ORDER_DENIED, ORDER_REJECTED. */
  orders: {intents: number; denied: number; rejected: number}
  metrics: Metrics
  instruments: InstrumentReport[]
  open: OpenPosition[]
  trades: Trade[]
  notes: string[]
  /** The equity curve the total metrics were measured on (epoch ms, Micro), or null when the start is unknown. */
  curve: {ts: number[]; equity: Micro[]} | null
}

/** Optional RUN_STARTED fields read when present (the engine may record them). */
interface RunStartedExtras {
  startingEquity?: Micro
  currency?: string
  instruments?: Array<{id: string; multiplier?: number}>
}

interface InstrumentState {
  cash: Micro
  qty: number
  mark: number
  multiplier: number
  pnl: Micro
  curveTs: number[]
  curvePnl: number[]
}

class RunAccumulator {
  started: JournalEvent<'RUN_STARTED'> | undefined
  stopped: JournalEvent<'RUN_STOPPED'> | undefined
  startSeq = Infinity
  readonly fills: Fill[] = []
  readonly instruments = new Map<string, InstrumentState>()
  readonly curveTs: number[] = []
  readonly curvePnl: number[] = []
  total = 0
  pointTs = NaN
  sawBars = false
  /** Regenerated input bars marked the curve. */
  marked = 0
  /** Whether curve point 0 is RUN_STARTED's. */
  startPoint = false
  barPeriod = Infinity
  readonly lastBarTs = new Map<string, number>()
  readonly orders = {intents: 0, denied: 0, rejected: 0}
  readonly seenFills = new Set<string>()
  /** Fills of the account's earlier runs, and the positions and last prices they left. */
  readonly priorFills: Fill[] = []
  readonly priorQty = new Map<string, number>()
  readonly priorPrice = new Map<string, number>()

  constructor(
    readonly runId: string,
    public sector: string,
  ) {}

  addPrior(e: JournalEvent): void {
    if (e.type === 'FILL') {
      const fill = (e as JournalEvent<'FILL'>).payload.fill
      if (this.seenFills.has(fill.fillId)) return
      this.seenFills.add(fill.fillId)
      this.priorFills.push(fill)
      const q = (this.priorQty.get(fill.instrument) ?? 0) + (fill.side === 'buy' ? fill.qty : -fill.qty)
      this.priorQty.set(fill.instrument, Math.round(q * 1e10) / 1e10)
      this.priorPrice.set(fill.instrument, fill.price)
    } else if (e.type === 'BAR') {
      const bar = (e as JournalEvent<'BAR'>).payload
      this.priorPrice.set(bar.instrument, bar.close)
    }
  }

  /** Positions the run starts with: held at their last price, so the run's own P&L starts at 0. */
  private seedPositions(): void {
    for (const [id, qty] of this.priorQty) {
      if (qty === 0) continue
      const s = this.instrument(id)
      s.qty = qty
      s.mark = this.priorPrice.get(id) ?? NaN
      s.cash = Number.isNaN(s.mark) ? 0 : -notionalMicro(s.mark, qty, s.multiplier)
    }
  }

  multiplier(id: string): number {
    const extras = this.started?.payload as (RunStartedPayload & RunStartedExtras) | undefined
    const found = extras?.instruments?.find((i) => i.id === id)
    return found?.multiplier ?? 1
  }

  instrument(id: string): InstrumentState {
    let s = this.instruments.get(id)
    if (s === undefined) {
      s = {cash: 0, qty: 0, mark: NaN, multiplier: this.multiplier(id), pnl: 0, curveTs: [], curvePnl: []}
      this.instruments.set(id, s)
    }
    return s
  }

  /** Re-values one instrument after a fill or a mark, keeping the running total exact. */
  revalue(s: InstrumentState, ts: number): void {
    const value = s.qty === 0 || Number.isNaN(s.mark) ? 0 : notionalMicro(s.mark, s.qty, s.multiplier)
    const pnl = s.cash + value
    this.total += pnl - s.pnl
    s.pnl = pnl
    const n = s.curveTs.length
    if (n > 0 && s.curveTs[n - 1] === ts) s.curvePnl[n - 1] = pnl
    else {
      s.curveTs.push(ts)
      s.curvePnl.push(pnl)
    }
    this.point(ts)
  }

  point(ts: number): void {
    const n = this.curveTs.length
    if (n > 0 && this.curveTs[n - 1] === ts && !(n === 1 && this.startPoint)) this.curvePnl[n - 1] = this.total
    else {
      this.curveTs.push(ts)
      this.curvePnl.push(this.total)
    }
  }

  mark(instrument: string, close: number, ts: number): void {
    const s = this.instrument(instrument)
    s.mark = close
    this.revalue(s, ts)
  }

  add(e: JournalEvent): void {
    switch (e.type) {
      case 'RUN_STARTED':
        this.started = e as JournalEvent<'RUN_STARTED'>
        this.startSeq = e.seq
        // The starting equity is a point of its own, even when the first bar has the same time.
        this.curveTs.push(e.ts)
        this.curvePnl.push(this.total)
        this.startPoint = true
        this.seedPositions()
        break
      case 'RUN_STOPPED':
        this.stopped = e as JournalEvent<'RUN_STOPPED'>
        break
      case 'BAR': {
        const bar = (e as JournalEvent<'BAR'>).payload
        this.sawBars = true
        const prev = this.lastBarTs.get(bar.instrument)
        if (prev !== undefined && bar.ts > prev && bar.ts - prev < this.barPeriod) this.barPeriod = bar.ts - prev
        this.lastBarTs.set(bar.instrument, bar.ts)
        this.mark(bar.instrument, bar.close, e.ts)
        break
      }
      case 'FILL': {
        const fill = (e as JournalEvent<'FILL'>).payload.fill
        if (this.seenFills.has(fill.fillId)) break
        this.seenFills.add(fill.fillId)
        this.fills.push(fill)
        const s = this.instrument(fill.instrument)
        const value = notionalMicro(fill.price, fill.qty, s.multiplier)
        s.cash += (fill.side === 'buy' ? -value : value) - fill.fee
        s.qty = Math.round((s.qty + (fill.side === 'buy' ? fill.qty : -fill.qty)) * 1e10) / 1e10
        s.mark = fill.price
        this.revalue(s, e.ts)
        break
      }
      case 'ORDER_INTENT':
        this.orders.intents++
        break
      case 'ORDER_DENIED':
        this.orders.denied++
        break
      case 'ORDER_REJECTED':
        this.orders.rejected++
        break
      default:
        break
    }
  }
}

/**
 * Reports of the runs in `events` (any order of runs, each run's events in seq order): the run
 * `runId`, or the latest run of each sector (of `sector` only, when given), oldest sector first.
 */
export function reportFromJournal(events: Iterable<JournalEvent>, options: ReportOptions = {}): RunReport[] {
  const runs = new Map<string, RunAccumulator>()
  let single: RunAccumulator | undefined
  if (options.runId !== undefined) {
    single = new RunAccumulator(options.runId, '')
    for (const e of options.prior ?? []) single.addPrior(e)
    runs.set(options.runId, single)
  }
  const marks = single === undefined ? undefined : options.marks
  let pending = marks?.next()
  let lastTs = -Infinity
  for (const e of events) {
    if (options.runId !== undefined && e.runId !== options.runId) continue
    if (options.sector !== undefined && e.sector !== options.sector) continue
    let acc = runs.get(e.runId)
    if (acc === undefined) runs.set(e.runId, (acc = new RunAccumulator(e.runId, e.sector)))
    if (acc.sector === '') acc.sector = e.sector
    // A bar at time t is marked after the events of time t (the fills at its open come first).
    while (pending !== undefined && pending.ts < e.ts && acc.started !== undefined) {
      acc.mark(pending.instrument, pending.close, pending.ts)
      acc.marked++
      pending = marks!.next()
    }
    acc.add(e)
    lastTs = e.ts
  }
  if (single !== undefined && pending !== undefined && single.started !== undefined) {
    // The rest of the bars the run processed (all of them when RUN_STOPPED says how many).
    const limit = single.stopped?.payload.barsProcessed
    while (pending !== undefined && (limit !== undefined ? single.marked < limit : pending.ts <= lastTs)) {
      single.mark(pending.instrument, pending.close, pending.ts)
      single.marked++
      pending = marks!.next()
    }
  }
  // A run asked for with prior events but absent from `events` is no run.
  for (const [id, acc] of runs) if (acc.sector === '') runs.delete(id)
  let chosen = [...runs.values()]
  if (options.runId === undefined) {
    const latest = new Map<string, RunAccumulator>()
    for (const acc of chosen) {
      const cur = latest.get(acc.sector)
      if (cur === undefined || order(acc) > order(cur)) latest.set(acc.sector, acc)
    }
    chosen = [...latest.values()]
  }
  chosen.sort((a, b) => order(a) - order(b))
  return chosen.map((acc) => finish(acc, options))
}

function order(acc: RunAccumulator): number {
  return acc.startSeq === Infinity ? -1 : acc.startSeq
}

function finish(acc: RunAccumulator, options: ReportOptions): RunReport {
  const notes: string[] = []
  const started = acc.started?.payload as (RunStartedPayload & RunStartedExtras) | undefined
  const stopped = acc.stopped?.payload

  let periodMs: number
  if (started?.inputs.kind === 'synthetic') periodMs = started.inputs.periodMs
  else if (acc.barPeriod !== Infinity) periodMs = acc.barPeriod
  else if (options.periodMs !== undefined) periodMs = options.periodMs
  else {
    periodMs = 60_000
    notes.push('bar length unknown (no synthetic inputs, no BAR events): one minute assumed for the annualisation')
  }

  // The summary's equity is marked by the engine at the last bar: the best last point without bars.
  const source: RunReport['curveSource'] = acc.sawBars ? 'bars' : acc.marked > 0 ? 'inputs' : 'fills'
  if (source === 'fills' && acc.stopped !== undefined && typeof stopped?.summary?.equity === 'number' && typeof started?.startingEquity === 'number') {
    acc.total = stopped.summary.equity - started.startingEquity
    acc.point(Math.max(acc.stopped.ts, acc.curveTs[acc.curveTs.length - 1] ?? acc.stopped.ts))
  } else if (acc.stopped !== undefined) {
    acc.point(Math.max(acc.stopped.ts, acc.curveTs[acc.curveTs.length - 1] ?? acc.stopped.ts))
  }

  // The start point shares its time with the first bar: it stands for the moment before it.
  if (acc.startPoint && acc.curveTs.length > 1 && acc.curveTs[1] === acc.curveTs[0]) acc.curveTs[0] = acc.curveTs[0]! - periodMs

  let start: Micro | null = null
  if (typeof started?.startingEquity === 'number') start = started.startingEquity
  else if (typeof stopped?.summary?.equity === 'number') {
    start = stopped.summary.equity - acc.total
    notes.push('starting equity not journaled: derived as the final equity minus the run P&L')
  } else {
    notes.push('starting equity unknown (run not stopped, not journaled): drawdown %, Sharpe and Sortino left out')
  }

  if (source === 'bars') notes.push('equity curve marked at the journaled bar closes')
  else if (source === 'inputs') notes.push(`equity curve marked at the closes of the run's synthetic bars, regenerated from its inputs (seed ${started?.inputs.kind === 'synthetic' ? started.inputs.seed : '?'})`)
  else if (acc.fills.length > 0) {
    notes.push('no BAR events in the journal: the equity curve is marked at fill prices only (flat between fills), so drawdown and volatility of open positions are understated')
  }
  const unknownMult = [...acc.instruments.keys()].filter((id) => !started?.instruments?.some((i) => i.id === id))
  if (unknownMult.length > 0 && acc.fills.length > 0) notes.push(`contract multiplier not journaled for ${unknownMult.join(', ')}: 1 assumed`)
  if (started?.resumedFrom !== undefined) notes.push(`this run resumed run ${started.resumedFrom}; its trades before the restart are in that run`)
  notes.push(ANNUALISATION_NOTE)

  const inherited = [...acc.priorQty.entries()].filter(([, q]) => q !== 0)
  if (inherited.length > 0) {
    notes.push(`started with positions from the account's earlier runs (${inherited.map(([id, q]) => `${id} ${q}`).join(', ')}): held at their last prices, their round trips counted here when they close`)
  }
  const {trades, open} = roundTrips(acc.fills, (id) => acc.instrument(id).multiplier, {prior: acc.priorFills})
  const curve = equityCurve(acc.curveTs, acc.curvePnl, start)
  const metrics = metricsOn(trades, curve, start, periodMs, open)
  const instruments: InstrumentReport[] = [...acc.instruments.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([id, s]) => {
      const own = trades.filter((t) => t.instrument === id)
      const position = open.find((o) => o.instrument === id) ?? null
      // Each instrument's curve starts where the run does, so its exposure has the run's span.
      const ts = [acc.curveTs[0] ?? 0, ...s.curveTs, acc.curveTs[acc.curveTs.length - 1] ?? 0]
      const pnl = [0, ...s.curvePnl, s.pnl]
      return {instrument: id, metrics: withStart(own, ts, pnl, start, periodMs, position ? [position] : []), open: position, multiplier: s.multiplier}
    })

  return {
    runId: acc.runId,
    sector: acc.sector,
    startedAt: acc.started?.ts ?? null,
    stoppedAt: acc.stopped?.ts ?? null,
    stopReason: stopped?.reason ?? null,
    mode: started?.effectiveMode ?? null,
    venue: started?.venue ?? null,
    currency: typeof started?.currency === 'string' ? started.currency : null,
    strategy: started ? {name: started.strategy.name, codeHash: started.strategy.codeHash} : null,
    periodMs,
    curveSource: source,
    barsProcessed: stopped?.barsProcessed ?? null,
    instrumentCount: started?.inputs.instruments.length ?? acc.instruments.size,
    orders: {...acc.orders},
    metrics,
    instruments,
    open,
    trades,
    notes,
    curve: start === null ? null : {ts: curve.ts, equity: curve.equity as Micro[]},
  }
}

/** Metrics over a P&L curve turned into equity by adding the start (or kept as P&L when unknown). */
function withStart(trades: Trade[], ts: number[], pnl: number[], start: Micro | null, periodMs: number, open: OpenPosition[]): Metrics {
  return metricsOn(trades, equityCurve(ts, pnl, start), start, periodMs, open)
}

/** The P&L curve as equity (start added; the P&L itself when the start is unknown), one point per time. */
function equityCurve(ts: number[], pnl: number[], start: Micro | null): {ts: number[]; equity: number[]} {
  const curveTs: number[] = []
  const equity: number[] = []
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!
    const v = (start ?? 0) + pnl[i]!
    const n = curveTs.length
    if (n > 0 && curveTs[n - 1]! >= t) equity[n - 1] = v
    else {
      curveTs.push(t)
      equity.push(v)
    }
  }
  return {ts: curveTs, equity}
}

function metricsOn(trades: Trade[], curve: {ts: number[]; equity: number[]}, start: Micro | null, periodMs: number, open: OpenPosition[]): Metrics {
  const m = computeMetrics(trades, curve, {periodMs, open})
  if (start === null) return {...m, maxDrawdownPct: null, sharpe: null, sortino: null, startEquity: null, endEquity: null}
  return m
}
