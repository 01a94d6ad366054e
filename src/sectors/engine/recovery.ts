// Rebuilding a sector's account from the journal: the books (cash and positions from FILL events),
// the orders left open or in flight, the risk state (a halt survives a restart) and the last
// strategy checkpoint. Portfolio and orders are projections of the journal; this is the fold.
// It also keeps the trail of the events that move the engine's day counters (intents, fills, bars,
// with the books' equity around each) so a restart continues its session day (see risk-day.ts).
//
// An "account" is where a sector's orders went: the venue and its environment (`paper` for the
// paper venue). Backtests (environment `backtest`) and observe runs (nothing sent) never move an
// account; their events are skipped. Manual RISK_STATE records (`rick halt`, run id `manual`)
// apply to every account of the sector.
import type {Instrument} from '../../foundation/domain/instrument.js'
import type {Micro} from '../../foundation/domain/money.js'
import type {Fill, OrderRequest} from '../../foundation/domain/orders.js'
import type {EventPayloads, EventType, JournalEvent, RunStartedPayload} from '../../foundation/journal/events.js'
import type {Journal, RunSummary} from '../../foundation/journal/types.js'
import {Ledger} from '../portfolio/ledger.js'
import {bracketExit, bracketParentId} from './order-planner.js'
import type {RiskTrailEntry} from './risk-day.js'

/** Run id of RISK_STATE records written by `rick halt` / `rick resume` (not a run of their own). */
export const MANUAL_RUN_ID = 'manual'

/** The paper venue's order ids (`paper-<n>`); its fill ids are `<order id>-<k>`. */
const PAPER_ORDER_ID = /^paper-(\d+)$/

/** The books' side of an EXTERNAL position: a fill no order of rick's made (at its price, no fee). */
export function externalFill(instrument: string, qty: number, price: number, ts: number): Fill {
  return {clientOrderId: 'external', fillId: `external:${instrument}:${ts}`, instrument, side: qty > 0 ? 'buy' : 'sell', qty: Math.abs(qty), price: Number.isFinite(price) && price > 0 ? price : 0, fee: 0, liquidity: 'taker', ts}
}

/** Two journaled fills that are the same fill (a venue repeating itself), not two fills. */
function sameFill(a: Fill, b: Fill): boolean {
  return a.instrument === b.instrument && a.side === b.side && a.qty === b.qty && a.price === b.price && a.fee === b.fee
}

/** Environments that are simulations of their own and never an account. */
export const SIMULATION_ENVIRONMENTS: readonly string[] = ['backtest', 'replay']

export interface AccountKey {
  sector: string
  venue: string
  environment: string
}

export interface RecoveredOrder {
  order: OrderRequest
  /** Quantity the journal recorded as filled. */
  filled: number
  fillIds: string[]
  /** The venue acknowledged it (else the submit's outcome is unknown: in flight). */
  acked: boolean
  /** The venue's id, from its ack (undefined while in flight). */
  venueOrderId?: string
  runId: string
}

export interface AccountRun {
  summary: RunSummary
  started: RunStartedPayload
  /** No RUN_STOPPED: the process died (crash, SIGKILL) or is still running. */
  interrupted: boolean
}

export interface RecoveredAccount {
  key: AccountKey
  /** The account's runs, oldest first. */
  runs: AccountRun[]
  ledger: Ledger
  /** False when no earlier run recorded the account's cash (a fresh account). */
  known: boolean
  openOrders: RecoveredOrder[]
  /** RISK_STATE records of the account's runs and the manual ones, in journal order. */
  riskEvents: Array<JournalEvent<'RISK_STATE'>>
  /** The last strategy checkpoint, with the strategy it belongs to. */
  checkpoint?: {state: unknown; runId: string; strategy: RunStartedPayload['strategy']; barsProcessed: number}
  /** Last price seen per instrument (last fill or BAR), to value positions before the first bar. */
  lastPrices: Map<string, number>
  /** Highest event ts of the account (a new run's clock must not go back before it). */
  lastTs: number
  fills: number
  /** After each fill (in order): its ts and the books' cumulative realized P&L and fees (status: today's P&L). */
  fillMarks: Array<{ts: number; realized: Micro; fees: Micro}>
  /** Intents (not of observe runs), fills and bars in journal order: fold with riskDayAt(). */
  riskTrail: RiskTrailEntry[]
  /**
   * The paper venue's next order number: one past the highest `paper-N` the account ever used, so
   * a paper venue rebuilt after a restart never hands out an order id (and so a fill id) that an
   * earlier run of the account already journaled.
   */
  nextPaperSeq: number
  /** Fills journaled twice under one (order, fill id) with different contents: applied, and said. */
  fillConflicts: string[]
}

export interface RecoverOptions {
  instruments: readonly Instrument[]
  currency: string
  /** Cash of a fresh account (no earlier RECONCILED). */
  startingCash: Micro
  /** Fold only events before this seq (replay: the account as it was when a run started). */
  beforeSeq?: number
}

const ACCOUNT_TYPES: EventType[] = [
  'RUN_STARTED',
  'ORDER_INTENT',
  'ORDER_ACK',
  'ORDER_REJECTED',
  'ORDER_CANCELLED',
  'ORDER_EXPIRED',
  'FILL',
  'RISK_STATE',
  'STRATEGY_CHECKPOINT',
  'RECONCILED',
  'BAR',
  'EXTERNAL',
]

function runStarted(journal: Journal, run: RunSummary): RunStartedPayload | undefined {
  for (const e of journal.events({runId: run.runId, types: ['RUN_STARTED'], limit: 1})) return e.payload as RunStartedPayload
  return undefined
}

/** The sector's runs on this account, oldest first. */
export function accountRuns(journal: Journal, key: AccountKey, beforeSeq = Infinity): AccountRun[] {
  const out: AccountRun[] = []
  for (const summary of journal.runs({sector: key.sector})) {
    if (summary.firstSeq >= beforeSeq) continue
    const started = runStarted(journal, summary)
    if (!started || started.venue !== key.venue || started.environment !== key.environment) continue
    out.push({summary, started, interrupted: summary.stoppedAt === undefined})
  }
  return out
}

/** Folds the account's events into books, open orders, risk records and the last checkpoint. */
export function recoverAccount(journal: Journal, key: AccountKey, options: RecoverOptions): RecoveredAccount {
  const before = options.beforeSeq ?? Infinity
  const runs = accountRuns(journal, key, before)
  const bounds = Number.isFinite(before) ? {beforeSeq: before} : {}
  const observeRuns = new Set(runs.filter((r) => r.started.effectiveMode === 'observe').map((r) => r.summary.runId))
  const byRun = new Map(runs.map((r) => [r.summary.runId, r]))
  const multiplier = new Map(options.instruments.map((i) => [i.id, i.multiplier]))
  const orders = new Map<string, RecoveredOrder>()
  /** Entries that carried a bracket, by clientOrderId: their exits' acks are recognised by them. */
  const brackets = new Map<string, OrderRequest>()
  const riskEvents: Array<JournalEvent<'RISK_STATE'>> = []
  const lastPrices = new Map<string, number>()
  /** (clientOrderId, fillId) → the fill as first journaled: a repeat is dropped only when it is the same fill. */
  const seenFills = new Map<string, Fill>()
  const fillConflicts: string[] = []
  let nextPaperSeq = 1
  const notePaperId = (venueOrderId: string | undefined): void => {
    const m = venueOrderId === undefined ? null : PAPER_ORDER_ID.exec(venueOrderId)
    if (m) nextPaperSeq = Math.max(nextPaperSeq, Number(m[1]) + 1)
  }
  let ledger: Ledger | undefined
  let known = false
  let checkpoint: RecoveredAccount['checkpoint']
  let lastTs = -Infinity
  let fills = 0
  const fillMarks: RecoveredAccount['fillMarks'] = []
  const riskTrail: RiskTrailEntry[] = []
  // Without books yet (nothing reconciled or filled), the account holds its starting cash.
  const equity = (): Micro => (ledger === undefined ? options.startingCash : ledger.equity)

  const books = (): Ledger => (ledger ??= new Ledger({currency: options.currency, startingCash: options.startingCash, instruments: options.instruments}))

  if (!SIMULATION_ENVIRONMENTS.includes(key.environment)) {
    // Manual records apply to every account; the account's own runs are read run by run below.
    for (const e of journal.events({sector: key.sector, runId: MANUAL_RUN_ID, types: ['RISK_STATE'], ...bounds})) riskEvents.push(e as JournalEvent<'RISK_STATE'>)
  }
  const own: JournalEvent[] = []
  for (const run of runs) for (const e of journal.events({runId: run.summary.runId, types: ACCOUNT_TYPES, ...bounds})) own.push(e)
  // Manual records interleave with the runs' events by seq.
  const all = [...own, ...riskEvents].sort((a, b) => a.seq - b.seq)
  riskEvents.length = 0

  for (const e of all) {
    if (e.ts > lastTs) lastTs = e.ts
    switch (e.type) {
      case 'RECONCILED': {
        // The first reconciliation of a fresh account holds its starting cash (nothing filled yet).
        if (!known && ledger === undefined) {
          const p = e.payload as EventPayloads['RECONCILED']
          ledger = new Ledger({currency: options.currency, startingCash: p.cash, instruments: options.instruments})
        }
        known = true
        break
      }
      case 'ORDER_INTENT': {
        if (observeRuns.has(e.runId)) break
        const p = e.payload as EventPayloads['ORDER_INTENT']
        orders.set(p.order.clientOrderId, {order: p.order, filled: 0, fillIds: [], acked: false, runId: e.runId})
        if (p.order.bracket) brackets.set(p.order.clientOrderId, p.order)
        const eq = equity()
        riskTrail.push({ts: e.ts, before: eq, after: eq, intent: true})
        break
      }
      case 'ORDER_ACK': {
        const ack = e.payload as EventPayloads['ORDER_ACK']
        const id = ack.clientOrderId
        notePaperId(ack.venueOrderId)
        const o = orders.get(id)
        if (o) {
          o.acked = true
          o.venueOrderId = ack.venueOrderId
          break
        }
        // A bracket's exit, made by the venue when its entry filled: working until its own fill or
        // cancel says otherwise, and restored with the rest (else a restart would leave the
        // position without its stop-loss).
        const parentId = bracketParentId(id)
        const parent = parentId === undefined ? undefined : brackets.get(parentId)
        const exit = parent === undefined ? undefined : bracketExit(parent, id)
        if (exit) orders.set(id, {order: exit, filled: 0, fillIds: [], acked: true, venueOrderId: ack.venueOrderId, runId: e.runId})
        break
      }
      case 'ORDER_REJECTED':
      case 'ORDER_CANCELLED':
      case 'ORDER_EXPIRED':
        orders.delete((e.payload as {clientOrderId: string}).clientOrderId)
        break
      case 'FILL': {
        const fill = (e.payload as EventPayloads['FILL']).fill as Fill
        notePaperId(fill.venueOrderId)
        // A fill is dropped as a repeat only when it is provably the same one: the same order, the
        // same venue fill id and the same contents. Fill ids are unique per venue account, but an
        // id alone proves nothing (a paper venue once restarted its ids in every run, and the fold
        // then dropped real fills of later runs).
        const fillKey = `${fill.clientOrderId}\u0000${fill.fillId}`
        const first = seenFills.get(fillKey)
        if (first !== undefined) {
          if (sameFill(first, fill)) break
          fillConflicts.push(`fill ${fill.fillId} of ${fill.clientOrderId} journaled twice with different contents (seq ${e.seq}): both counted`)
        } else {
          seenFills.set(fillKey, fill)
        }
        const b = books()
        const before = b.equity
        const effect = b.applyFill(fill, multiplier.get(fill.instrument) ?? 1)
        // Marked as it goes (the end marks every instrument at its last price anyway).
        b.mark(fill.instrument, fill.price)
        riskTrail.push({ts: e.ts, before, after: b.equity, fill: {realized: effect.realized, closed: effect.closed, fee: fill.fee}})
        fillMarks.push({ts: e.ts, realized: b.realized, fees: b.fees})
        lastPrices.set(fill.instrument, fill.price)
        fills++
        const o = orders.get(fill.clientOrderId)
        if (o) {
          o.acked = true
          o.filled += fill.qty
          o.fillIds.push(fill.fillId)
          if (o.filled >= o.order.qty * (1 - 1e-9)) orders.delete(fill.clientOrderId)
        }
        break
      }
      case 'EXTERNAL': {
        // A position the venue held that no fill of rick's explains: it was applied to the books
        // when reconciled, and stays in them (else every restart would find the difference again).
        const p = e.payload as EventPayloads['EXTERNAL']
        if (p.kind !== 'position' || p.qty === undefined || p.qty === 0 || !Number.isFinite(p.qty)) break
        const b = books()
        const price = p.price !== undefined && p.price > 0 ? p.price : (lastPrices.get(p.instrument) ?? 0)
        b.applyFill(externalFill(p.instrument, p.qty, price, e.ts), multiplier.get(p.instrument) ?? 1)
        if (price > 0) {
          b.mark(p.instrument, price)
          lastPrices.set(p.instrument, price)
        }
        break
      }
      case 'BAR': {
        const p = e.payload as EventPayloads['BAR']
        lastPrices.set(p.instrument, p.close)
        if (ledger !== undefined) {
          const before = ledger.equity
          ledger.mark(p.instrument, p.close)
          riskTrail.push({ts: e.ts, before, after: ledger.equity})
        }
        break
      }
      case 'RISK_STATE':
        riskEvents.push(e as JournalEvent<'RISK_STATE'>)
        break
      case 'STRATEGY_CHECKPOINT': {
        const run = byRun.get(e.runId)
        const p = e.payload as EventPayloads['STRATEGY_CHECKPOINT']
        if (run) checkpoint = {state: p.state, runId: e.runId, strategy: run.started.strategy, barsProcessed: p.barsProcessed}
        break
      }
      default:
        break
    }
  }
  const books_ = books()
  for (const [instrument, price] of lastPrices) books_.mark(instrument, price)
  const out: RecoveredAccount = {
    key,
    runs,
    ledger: books_,
    known,
    openOrders: [...orders.values()],
    riskEvents,
    lastPrices,
    lastTs,
    fills,
    fillMarks,
    riskTrail,
    nextPaperSeq,
    fillConflicts,
  }
  if (checkpoint) out.checkpoint = checkpoint
  return out
}
