// Round trips from fills, per instrument, first in first out. Every fill that reduces a position
// closes the oldest open lots first and makes ONE trade (so a position closed in two parts is two
// trades); a fill larger than the position closes it (one trade) and opens the other side with the
// rest (a flip). Money stays exact: each fill's notional and fee are in micro units, and when a fill
// or a lot is split, its micro amounts are split pro rata with the remainder going to the last part,
// so the parts always add up to the whole — the trades and open lots together account for every
// micro unit of every fill, as the ledger does.
import type {Micro} from '../../foundation/domain/money.js'
import {notionalMicro} from '../../foundation/domain/money.js'
import type {Fill} from '../../foundation/domain/orders.js'

export interface Trade {
  instrument: string
  side: 'long' | 'short'
  /** Units closed by this trade (positive). */
  qty: number
  /** When the oldest lot this trade closed was opened. */
  entryTs: number
  exitTs: number
  /** Quantity-weighted entry price of the lots closed. */
  entryPrice: number
  exitPrice: number
  /** Price P&L (exit minus entry value, by side), before fees. */
  grossPnl: Micro
  /** The entry fees of the lots closed (pro rata) and the exit fill's fee (pro rata). */
  fees: Micro
  netPnl: Micro
}

/** What is still open at the end, per instrument (sorted by instrument). */
export interface OpenPosition {
  instrument: string
  side: 'long' | 'short'
  qty: number
  /** When the oldest open lot was opened. */
  since: number
  avgPrice: number
  /** Entry value (micro) and entry fees (micro) of the open lots. */
  cost: Micro
  fees: Micro
}

/** Contract multipliers by instrument id (1 when absent), or a lookup. */
export type Multipliers = Readonly<Record<string, number>> | ((instrument: string) => number)

interface Lot {
  qty: number
  price: number
  ts: number
  /** Entry value and fee still attached to the remaining qty. */
  cost: Micro
  fee: Micro
}

interface Book {
  /** +1 long, -1 short, 0 flat. */
  sign: number
  lots: Lot[]
  /** Index of the oldest open lot (lots before it are used up). */
  head: number
}

export interface RoundTripOptions {
  /**
   * Fills from before (an account's earlier runs): they build the positions the fills start
   * from, and their own round trips are not reported.
   */
  prior?: Iterable<Fill>
}

/** What a round trip needs of a fill. */
export type TradeFill = Pick<Fill, 'instrument' | 'side' | 'qty' | 'price' | 'fee' | 'ts'>

/**
 * Round trips built fill by fill, as they come (a backtest feeds it while it runs instead of
 * keeping every fill until the end). It takes every fill it is given: duplicates are the caller's.
 */
export class RoundTripBook {
  private readonly books = new Map<string, Book>()
  /** The trades so far, in the order they closed. */
  trades: Trade[] = []

  /** Contract multipliers: a table, or a lookup (1 when absent). */
  private readonly table: Readonly<Record<string, number>> | undefined
  private readonly lookup: ((instrument: string) => number) | undefined

  constructor(multipliers: Multipliers = {}) {
    // A table is read here rather than through a lookup made for it: a backtest adds every fill as
    // it comes, and a closure of one run would be inlined into (and then invalidate) this code.
    if (typeof multipliers === 'function') this.lookup = multipliers
    else this.table = multipliers
  }

  add(fill: TradeFill): void {
    if (!(fill.qty > 0)) return
    let book = this.books.get(fill.instrument)
    if (book === undefined) this.books.set(fill.instrument, (book = {sign: 0, lots: [], head: 0}))
    const m = this.lookup !== undefined ? this.lookup(fill.instrument) : (this.table![fill.instrument] ?? 1)
    const dir = fill.side === 'buy' ? 1 : -1
    const fillCost = notionalMicro(fill.price, fill.qty, m)
    let qty = fill.qty
    let cost = fillCost
    let fee = fill.fee
    if (book.sign !== 0 && book.sign !== dir) {
      const open = openQty(book)
      const closing = Math.min(qty, open)
      const closeCost = closing === qty ? cost : Math.round((cost * closing) / qty)
      const closeFee = closing === qty ? fee : Math.round((fee * closing) / qty)
      this.trades.push(close(book, fill, closing, closeCost, closeFee))
      qty = snap(qty - closing)
      cost -= closeCost
      fee -= closeFee
      if (book.head >= book.lots.length) {
        book.sign = 0
        book.lots = []
        book.head = 0
      }
    }
    if (qty > 0) {
      book.sign = dir
      book.lots.push({qty, price: fill.price, ts: fill.ts, cost, fee})
    }
  }

  /** What is open now, per instrument (sorted by instrument). */
  open(): OpenPosition[] {
    const open: OpenPosition[] = []
    for (const [instrument, book] of this.books) {
      if (book.sign === 0 || book.head >= book.lots.length) continue
      let qty = 0
      let value = 0
      let cost = 0
      let fees = 0
      const live = book.lots.slice(book.head)
      for (const lot of live) {
        qty += lot.qty
        value += lot.qty * lot.price
        cost += lot.cost
        fees += lot.fee
      }
      open.push({instrument, side: book.sign > 0 ? 'long' : 'short', qty: snap(qty), since: live[0]!.ts, avgPrice: value / qty, cost, fees})
    }
    open.sort((a, b) => (a.instrument < b.instrument ? -1 : a.instrument > b.instrument ? 1 : 0))
    return open
  }
}

/** Trades (in the order they closed) and the positions left open. Duplicate fillIds count once. */
export function roundTrips(fills: Iterable<Fill>, multipliers: Multipliers = {}, options: RoundTripOptions = {}): {trades: Trade[]; open: OpenPosition[]} {
  const book = new RoundTripBook(multipliers)
  const seen = new Set<string>()
  const apply = (list: Iterable<Fill>): void => {
    for (const fill of list) {
      if (seen.has(fill.fillId)) continue
      seen.add(fill.fillId)
      book.add(fill)
    }
  }
  if (options.prior !== undefined) {
    apply(options.prior)
    book.trades = []
  }
  apply(fills)
  return {trades: book.trades, open: book.open()}
}

/** The closed round trips only (see roundTrips). */
export function tradesFromFills(fills: Iterable<Fill>, multipliers: Multipliers = {}, options: RoundTripOptions = {}): Trade[] {
  return roundTrips(fills, multipliers, options).trades
}

/** Closes `qty` of the book's lots, oldest first, against an exit worth `exitCost` with fee `exitFee`. */
function close(book: Book, fill: TradeFill, qty: number, exitCost: Micro, exitFee: Micro): Trade {
  let left = qty
  let entryCost = 0
  let entryFee = 0
  let entryValue = 0
  let entryTs = Infinity
  while (left > 0 && book.head < book.lots.length) {
    const lot = book.lots[book.head]!
    const take = Math.min(left, lot.qty)
    const whole = take >= lot.qty
    const partCost = whole ? lot.cost : Math.round((lot.cost * take) / lot.qty)
    const partFee = whole ? lot.fee : Math.round((lot.fee * take) / lot.qty)
    entryCost += partCost
    entryFee += partFee
    entryValue += take * lot.price
    if (lot.ts < entryTs) entryTs = lot.ts
    left = snap(left - take)
    if (whole) {
      book.head++
    } else {
      lot.qty = snap(lot.qty - take)
      lot.cost -= partCost
      lot.fee -= partFee
    }
  }
  const long = book.sign > 0
  // A long bought for entryCost and sold for exitCost; a short the other way round.
  const grossPnl = long ? exitCost - entryCost : entryCost - exitCost
  const fees = entryFee + exitFee
  return {
    instrument: fill.instrument,
    side: long ? 'long' : 'short',
    qty,
    entryTs,
    exitTs: fill.ts,
    entryPrice: entryValue / qty,
    exitPrice: fill.price,
    grossPnl,
    fees,
    netPnl: grossPnl - fees,
  }
}

function openQty(book: Book): number {
  let q = 0
  for (let i = book.head; i < book.lots.length; i++) q += book.lots[i]!.qty
  return snap(q)
}

/**
 * Quantities are floats (0.001 BTC): sums and differences are snapped to 1e-10 units so that
 * 0.3 - 0.1 - 0.2 is 0 and a position closed in parts ends exactly flat.
 */
function snap(q: number): number {
  const r = Math.round(q * 1e10) / 1e10
  return r === 0 ? 0 : r
}
