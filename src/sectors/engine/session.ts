// One engine run on the paper venue, start to stop: restore the account from the journal (when
// there is one), reconcile it with the venue, start the engine, drive the bars, stop. `rick run`,
// `rick backtest` and `rick replay` all go through here; they differ in the feed, the clock's
// pace, the durability of the journal writes and what they print.
import type {SimulatedClock} from '../../foundation/clock.js'
import type {Instrument} from '../../foundation/domain/instrument.js'
import type {Micro} from '../../foundation/domain/money.js'
import type {OrderState} from '../../foundation/domain/orders.js'
import type {EventPayloads, RunStartedPayload} from '../../foundation/journal/events.js'
import type {Journal} from '../../foundation/journal/types.js'
import type {RiskTransition} from '../../foundation/risk/state.js'
import type {BarFeed} from '../data/feed.js'
import {PaperConnector} from '../paper/connector.js'
import type {FeeModel} from '../paper/fees.js'
import {Ledger} from '../portfolio/ledger.js'
import type {Strategy} from '../strategy/contract.js'
import {drive, type DriveOptions, type DriveResult, type StopReason} from './driver.js'
import {SectorEngine, type EngineObserver, type EngineSummary} from './engine.js'
import type {RecoveredAccount} from './recovery.js'
import {riskDayAt, type RiskDayCounters} from './risk-day.js'
import {ACCOUNT_CURRENCY, clockedFeed, paperVenue, type RiskSetup} from './setup.js'
import {seededRandom} from '../../foundation/random.js'

export interface SessionStrategy {
  name: string
  codeHash: string
  params: Readonly<Record<string, unknown>>
  create(): Strategy
}

export interface SessionOptions {
  runId: string
  sector: string
  venue: string
  instruments: Instrument[]
  strategy: SessionStrategy
  risk: RiskSetup
  journal: Journal
  durability: 'durable' | 'batched'
  /** False in observe mode. */
  sendOrders: boolean
  feed: BarFeed
  clock: SimulatedClock
  seed: number
  startingCash: Micro
  fees?: FeeModel
  slippageBps?: number
  /** The account to continue (runs); undefined for a fresh one (backtests). */
  recovered?: RecoveredAccount
  /** RUN_STARTED without what the session adds (starting equity, instruments). */
  started: RunStartedPayload
  checkpointEvery: number
  observer?: EngineObserver
  equityCurve?: boolean | number
  drive?: Omit<DriveOptions, 'venue' | 'engine' | 'instruments'>
  /** Restore the strategy from this checkpoint (the caller decides whether it still fits). */
  checkpoint?: unknown
  /** Called once the engine is started, before the first bar (signal handlers, first lines). */
  onStarted?(engine: SectorEngine, reconciled: EventPayloads['RECONCILED']): void
  /** Stop reason override when the drive throws (default: error). */
}

export interface SessionResult {
  engine: SectorEngine
  venue: PaperConnector
  drive: DriveResult
  summary: EngineSummary
  reconciled: EventPayloads['RECONCILED']
  started: RunStartedPayload
}

/** Runs one engine session; never leaves the run without its RUN_STOPPED when the engine started. */
export async function runSession(o: SessionOptions): Promise<SessionResult> {
  const feed = clockedFeed(o.feed, o.clock)
  const venue = o.fees
    ? new PaperConnector({
        venue: o.venue,
        instruments: o.instruments,
        feed,
        clock: o.clock,
        random: seededRandom((o.seed ^ 0x5eed) >>> 0),
        fees: o.fees,
        slippageBps: o.slippageBps ?? 0,
        startingCash: o.startingCash,
        currency: ACCOUNT_CURRENCY,
      })
    : paperVenue({venue: o.venue, instruments: o.instruments, feed, clock: o.clock, seed: o.seed, startingCash: o.startingCash})

  const transitions: RiskTransition[] = []
  let riskDay: RiskDayCounters | undefined
  let ledger: Ledger
  const notes: string[] = []
  if (o.recovered) {
    const r = o.recovered
    // The paper venue lives in this process: after a restart it is rebuilt from the journal (the
    // account's fills, and the orders that were working), which is what a broker would have kept.
    // Each keeps the venue id of its ack (its fills' ids derive from it), and the venue numbers new
    // orders after every id the account ever used: fill ids stay unique for the journal's life.
    const working: OrderState[] = r.openOrders
      .filter((x) => x.acked)
      .map((x) => {
        const state: OrderState = {...x.order, status: x.filled > 0 ? 'partially-filled' : 'working', filledQty: x.filled, avgFillPrice: 0, updatedAt: r.lastTs}
        if (x.venueOrderId !== undefined) state.venueOrderId = x.venueOrderId
        return state
      })
    venue.restore({version: 1, venue: o.venue, ledger: r.ledger.snapshot(), orders: working, lastPrices: Object.fromEntries(r.lastPrices), nextSeq: r.nextPaperSeq})
    for (const c of r.fillConflicts) notes.push(c)
    ledger = Ledger.fromSnapshot(r.ledger.snapshot())
    for (const [instrument, price] of r.lastPrices) ledger.mark(instrument, price)
    const expired = o.risk.states.fold(r.riskEvents, o.clock.now())
    if (expired) transitions.push(expired)
    // A restart within the session day continues its counters (trades, loss streak, day P&L, order rate).
    riskDay = riskDayAt(r.riskTrail, o.risk.session, o.clock.now())
    if (riskDay?.day) notes.push(`session day continued: ${riskDay.day.tradesToday} trade(s) today, ${riskDay.day.consecutiveLosses} consecutive loss(es)`)
    if (r.known) notes.push(`account rebuilt from the journal: ${r.fills} fill(s) over ${r.runs.length} earlier run(s)`)
    else notes.push('fresh paper account')
    const interrupted = r.runs.filter((x) => x.interrupted).map((x) => x.summary.runId)
    if (interrupted.length > 0) notes.push(`interrupted run(s) without RUN_STOPPED: ${interrupted.join(', ')}`)
    const inFlight = r.openOrders.filter((x) => !x.acked).length
    if (inFlight > 0) notes.push(`${inFlight} order(s) in flight at the interruption: asked of the venue, never sent again`)
    if (working.length > 0) notes.push(`${working.length} working order(s) restored at the paper venue`)
  } else {
    ledger = new Ledger({currency: ACCOUNT_CURRENCY, startingCash: o.startingCash, instruments: o.instruments})
    notes.push('fresh paper account')
  }

  const reconciled = await reconcile(venue, ledger, notes)
  const started = {
    ...o.started,
    startingEquity: ledger.equity,
    currency: ACCOUNT_CURRENCY,
    instruments: o.instruments.map((i) => ({id: i.id, multiplier: i.multiplier, lotSize: i.lotSize, tickSize: i.tickSize})),
  } as RunStartedPayload
  const engine = new SectorEngine({
    runId: o.runId,
    sector: o.sector,
    instruments: o.instruments,
    connector: venue,
    clock: o.clock,
    journal: o.journal,
    durability: o.durability,
    sendOrders: o.sendOrders,
    strategy: {create: () => o.strategy.create(), params: o.strategy.params, seed: o.seed},
    gate: o.risk.gate,
    states: o.risk.states,
    limits: o.risk.limits,
    session: o.risk.session,
    ledger,
    checkpointEvery: o.checkpointEvery,
    observer: o.observer,
    equityCurve: o.equityCurve,
  })
  await engine.start({
    started,
    checkpoint: o.checkpoint,
    openOrders: o.recovered?.openOrders,
    transitions,
    reconciled,
    riskDay,
  })
  o.onStarted?.(engine, reconciled)
  let result: DriveResult
  try {
    result = engine.strategyFault
      ? {reason: 'halted', bars: 0, detail: `strategy error: ${engine.strategyFault.message}`}
      : await drive({...o.drive, venue, engine, instruments: o.instruments.map((i) => i.id)})
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    try {
      await engine.stop('error', detail)
    } catch {
      // the journal itself failed; nothing more can be recorded
    }
    throw error
  }
  const summary = await engine.stop(result.reason as StopReason, result.detail)
  return {engine, venue, drive: result, summary, reconciled, started}
}

/**
 * What the venue says against what the journal says. The paper venue was just rebuilt from the
 * journal, so they agree unless something is wrong; a real venue is the truth for positions and
 * cash, and differences are noted for a person to look at (never silently "fixed").
 */
async function reconcile(venue: PaperConnector, ledger: Ledger, notes: string[]): Promise<EventPayloads['RECONCILED']> {
  const [positions, account] = await Promise.all([venue.positions(), venue.account()])
  const ours = new Map(ledger.positions().map((p) => [p.instrument, p.qty]))
  for (const p of positions) {
    const mine = ours.get(p.instrument) ?? 0
    if (Math.abs(mine - p.qty) > 1e-12) notes.push(`position ${p.instrument}: venue ${p.qty}, journal ${mine}`)
    ours.delete(p.instrument)
  }
  for (const [instrument, qty] of ours) if (qty !== 0) notes.push(`position ${instrument}: venue 0, journal ${qty}`)
  if (account.cash !== ledger.cash) notes.push(`cash: venue ${account.cash}, journal ${ledger.cash} (micro)`)
  return {positions: positions.filter((p) => p.qty !== 0).map((p) => ({instrument: p.instrument, qty: p.qty})), cash: account.cash, notes}
}
