// The ledger: cash, positions, average price, realized and unrealized P&L, fees and equity of one
// account. Used by the paper venue (its books) and by the engine (its own projection of fills).
//
// Why there is no drift:
// - Every money amount is an integer count of micro units (Micro, foundation/domain/money.ts).
//   A fill's notional is rounded to Micro exactly once (notionalMicro); a fee arrives as Micro.
// - A position's cost basis is kept as integer Micro (`cost`), never as a float average: the average
//   price is derived from it for display. Reducing a position removes a proportional share of the
//   cost (one integer rounding); closing it removes ALL of the remaining cost, so nothing is left.
// - Quantities are kept as integer counts of the instrument's lot (`lots`; 1e-8 BTC, 1 FX unit,
//   1 contract), so 0.1 + 0.2 BTC is 30_000_000 lots, exactly. The float qty is derived from lots.
// Hence, after any sequence of fills that ends flat: cash = start + realized − fees, exactly.
//
// Cash convention: cash moves by the full notional of every fill (a buy pays, a sell receives),
// for every kind of instrument, futures included (as if fully collateralised: rick trades without
// leverage). Equity = cash + market value of the positions (qty × mark × multiplier).
import {stepsToValue, type Instrument} from '../../foundation/domain/instrument.js'
import {DOUBLE_FIELD_SEED, MICRO_PER_UNIT, notionalMicro, type Micro} from '../../foundation/domain/money.js'
import type {Fill, Position} from '../../foundation/domain/orders.js'

/** Lot used for instruments the ledger was not told about (fits crypto's 1e-8 increments). */
export const DEFAULT_LOT = 1e-8

export interface LedgerPositionSnapshot {
  instrument: string
  /** Signed quantity in lots of `lotSize`. */
  lots: number
  lotSize: number
  multiplier: number
  /** Signed cost basis of the open quantity, in Micro (positive for a long). */
  cost: Micro
  /** Realized P&L of this instrument since the ledger started. */
  realized: Micro
  /** Fees paid on this instrument. */
  fees: Micro
  /** Last mark price (NaN-free: 0 when never marked). */
  mark: number
}

/** Plain data (JSON): everything needed to rebuild the ledger exactly. */
export interface LedgerSnapshot {
  version: 1
  currency: string
  startingCash: Micro
  cash: Micro
  realized: Micro
  fees: Micro
  fills: number
  positions: LedgerPositionSnapshot[]
}

export interface LedgerOptions {
  currency: string
  startingCash: Micro
  /** Lot size and multiplier per instrument; others use DEFAULT_LOT and the multiplier given to applyFill. */
  instruments?: readonly Instrument[]
}

/** What one fill did to the books. */
export interface FillEffect {
  /** Realized P&L of the closed part (0 when the fill only opened or added). */
  realized: Micro
  /** Signed cash change (−notional for a buy, +notional for a sell, − fee). */
  cashDelta: Micro
  /** Signed position after the fill. */
  positionAfter: number
  /** True when the fill closed (or flipped) the position. */
  closed: boolean
}

interface Book {
  instrument: string
  lots: number
  lotSize: number
  multiplier: number
  cost: Micro
  realized: Micro
  fees: Micro
  mark: number
  /** qty of `lots`, kept with it (fills and marks read it constantly). */
  qty: number
  /** Market value at `mark` (signed Micro; 0 when flat): what equity adds up, kept current. */
  value: Micro
}

/** Per-instrument detail for reports and status. */
export interface PositionDetail extends Position {
  multiplier: number
  /** Signed cost basis of the open quantity. */
  cost: Micro
  /** Market value at the last mark (signed). */
  value: Micro
  unrealized: Micro
  realized: Micro
  fees: Micro
  mark: number
}

export class Ledger {
  private readonly _currency: string
  private readonly _startingCash: Micro
  private _cash: Micro
  // The Micro sums start as doubles (DOUBLE_FIELD_SEED) and are zeroed in the constructor.
  private _realized: Micro = DOUBLE_FIELD_SEED
  private _fees: Micro = DOUBLE_FIELD_SEED
  private _fills = 0
  private readonly books = new Map<string, Book>()
  /** The book marked last: marks come bar after bar for the same instrument. */
  private lastMarked: Book | undefined = undefined
  /**
   * Σ value and Σ |value| of the books, kept up to date by every mark and fill so equity is O(1)
   * (the engine asks for it on every bar it holds a position). Integer Micro sums: exact.
   */
  private openValue: Micro = DOUBLE_FIELD_SEED
  private gross: Micro = DOUBLE_FIELD_SEED
  /** Lot size and multiplier of the instruments the ledger was told about. */
  private readonly specs = new Map<string, {lotSize: number; multiplier: number}>()

  constructor(options: LedgerOptions) {
    assertMicro(options.startingCash, 'startingCash')
    this._currency = options.currency
    this._startingCash = options.startingCash
    this._cash = options.startingCash
    this._realized = this._fees = this.openValue = this.gross = 0
    for (const i of options.instruments ?? []) this.specs.set(i.id, {lotSize: i.lotSize, multiplier: i.multiplier})
  }

  static fromSnapshot(snapshot: LedgerSnapshot): Ledger {
    if (snapshot?.version !== 1) throw new Error(`ledger snapshot: expected version 1, found ${String(snapshot?.version)}`)
    const ledger = new Ledger({currency: snapshot.currency, startingCash: snapshot.startingCash})
    for (const [name, value] of [['cash', snapshot.cash], ['realized', snapshot.realized], ['fees', snapshot.fees]] as const) assertMicro(value, name)
    ledger._cash = snapshot.cash
    ledger._realized = snapshot.realized
    ledger._fees = snapshot.fees
    ledger._fills = snapshot.fills
    for (const p of snapshot.positions) {
      assertMicro(p.lots, `${p.instrument}.lots`)
      assertMicro(p.cost, `${p.instrument}.cost`)
      ledger.specs.set(p.instrument, {lotSize: p.lotSize, multiplier: p.multiplier})
      const book = newBook(p.instrument, p.lotSize, p.multiplier)
      book.lots = p.lots
      book.cost = p.cost
      book.realized = p.realized
      book.fees = p.fees
      book.mark = p.mark
      book.qty = qtyFromLots(book.lots, book)
      ledger.books.set(p.instrument, book)
      ledger.revalue(book)
    }
    return ledger
  }

  get currency(): string {
    return this._currency
  }
  get startingCash(): Micro {
    return this._startingCash
  }
  get cash(): Micro {
    return this._cash
  }
  get realized(): Micro {
    return this._realized
  }
  get fees(): Micro {
    return this._fees
  }
  /** Number of fills applied. */
  get fillCount(): number {
    return this._fills
  }
  /** Σ (market value − cost) of open positions at their last marks. */
  get unrealized(): Micro {
    let cost = 0
    for (const b of this.books.values()) if (b.lots !== 0) cost += b.cost
    return this.openValue - cost
  }
  /** cash + market value of the open positions at their last marks. */
  get equity(): Micro {
    return this._cash + this.openValue
  }
  /** Σ |qty × mark × multiplier| over open positions, in Micro. */
  get grossExposure(): Micro {
    return this.gross
  }

  /**
   * Books one fill. `multiplier` is used for an instrument the ledger was not constructed with
   * (default 1); a known instrument always uses its own. Opening, adding, reducing, closing and
   * flipping (long → short in one fill) are all handled here.
   */
  applyFill(fill: Fill, multiplier?: number): FillEffect {
    const book = this.book(fill.instrument, multiplier)
    assertMicro(fill.fee, 'fill.fee')
    if (!(fill.qty > 0) || !Number.isFinite(fill.price)) throw new Error(`ledger: fill ${fill.fillId} has qty ${fill.qty} and price ${fill.price}; expected a positive qty and a finite price`)
    const fillLots = Math.round(fill.qty / book.lotSize)
    if (fillLots <= 0 || !Number.isSafeInteger(fillLots) || Math.abs(fillLots * book.lotSize - fill.qty) > book.lotSize * 1e-6) throw new Error(`ledger: fill ${fill.fillId} qty ${fill.qty} is not a whole number of lots of ${book.lotSize}`)
    const sign = fill.side === 'buy' ? 1 : -1
    const before = book.lots
    let realized = 0
    let cashDelta = 0
    let closed = false

    if (before === 0 || Math.sign(before) === sign) {
      // Opening or adding: the cost basis grows by this fill's notional.
      const opened = sign * notional(fill.price, fillLots, book)
      book.cost += opened
      book.lots = before + sign * fillLots
      cashDelta = -opened
    } else {
      const held = Math.abs(before)
      const closingLots = Math.min(held, fillLots)
      const openingLots = fillLots - closingLots
      // Closing part: the proceeds (signed) against the share of the cost basis it releases.
      const proceeds = notional(fill.price, closingLots, book)
      const released = closingLots === held ? book.cost : proportion(book.cost, closingLots, held)
      // A long (cost > 0) sold: realized = proceeds − released; a short (cost < 0) bought back: −proceeds − released.
      const closeCash = sign * -proceeds
      realized = closeCash - released
      book.cost -= released
      book.lots = before + sign * closingLots
      cashDelta = closeCash
      if (book.lots === 0) {
        closed = true
        book.cost = 0
      }
      if (openingLots > 0) {
        // Flip: the rest opens a position on the other side, at this fill's price.
        const openNotional = sign * notional(fill.price, openingLots, book)
        book.cost = openNotional
        book.lots = sign * openingLots
        cashDelta -= openNotional
      }
    }
    cashDelta -= fill.fee
    book.realized += realized
    book.fees += fill.fee
    if (book.mark === 0) book.mark = fill.price
    this._cash += cashDelta
    this._realized += realized
    this._fees += fill.fee
    this._fills++
    book.qty = qtyFromLots(book.lots, book)
    this.revalue(book)
    return {realized, cashDelta, positionAfter: book.qty, closed}
  }

  /** Sets the mark price of an instrument (its last trade or close). Allocation-free. */
  mark(instrument: string, price: number): void {
    let book = this.lastMarked
    if (book === undefined || book.instrument !== instrument) {
      book = this.books.get(instrument)
      if (book === undefined) return
      this.lastMarked = book
    }
    book.mark = price
    if (book.lots !== 0) this.revalue(book)
  }

  markToMarket(prices: ReadonlyMap<string, number> | Readonly<Record<string, number>>): void {
    if (prices instanceof Map) {
      for (const [id, price] of prices) this.mark(id, price)
    } else {
      for (const id of Object.keys(prices)) this.mark(id, (prices as Record<string, number>)[id] as number)
    }
  }

  /** Signed position in units (0 when none). */
  position(instrument: string): number {
    const book = this.books.get(instrument)
    return book === undefined ? 0 : book.qty
  }

  /** Average entry price of the open quantity (0 when flat), derived from the integer cost basis. */
  avgPrice(instrument: string): number {
    const book = this.books.get(instrument)
    return book === undefined || book.lots === 0 ? 0 : avgOf(book)
  }

  /** Open positions, by instrument id. */
  positions(): Position[] {
    return this.details().map(({instrument, qty, avgPrice}) => ({instrument, qty, avgPrice}))
  }

  /** Open positions with value and P&L, by instrument id. */
  details(): PositionDetail[] {
    const out: PositionDetail[] = []
    for (const b of [...this.books.values()].sort((x, y) => (x.instrument < y.instrument ? -1 : x.instrument > y.instrument ? 1 : 0))) {
      if (b.lots === 0) continue
      const value = b.value
      out.push({instrument: b.instrument, qty: b.qty, avgPrice: avgOf(b), multiplier: b.multiplier, cost: b.cost, value, unrealized: value - b.cost, realized: b.realized, fees: b.fees, mark: b.mark})
    }
    return out
  }

  /** Realized P&L and fees of one instrument since the start. */
  instrumentTotals(instrument: string): {realized: Micro; fees: Micro} {
    const book = this.books.get(instrument)
    return {realized: book?.realized ?? 0, fees: book?.fees ?? 0}
  }

  snapshot(): LedgerSnapshot {
    const positions = [...this.books.values()]
      .sort((x, y) => (x.instrument < y.instrument ? -1 : x.instrument > y.instrument ? 1 : 0))
      .map(({instrument, lots, lotSize, multiplier, cost, realized, fees, mark}) => ({instrument, lots, lotSize, multiplier, cost, realized, fees, mark}))
    return {version: 1, currency: this._currency, startingCash: this._startingCash, cash: this._cash, realized: this._realized, fees: this._fees, fills: this._fills, positions}
  }

  private book(instrument: string, multiplier: number | undefined): Book {
    let book = this.books.get(instrument)
    if (book === undefined) {
      const spec = this.specs.get(instrument) ?? {lotSize: DEFAULT_LOT, multiplier: multiplier ?? 1}
      if (!(spec.lotSize > 0) || !(spec.multiplier > 0)) throw new Error(`ledger: ${instrument} has lot size ${spec.lotSize} and multiplier ${spec.multiplier}; both must be positive`)
      book = newBook(instrument, spec.lotSize, spec.multiplier)
      this.books.set(instrument, book)
    }
    return book
  }

  /** Brings a book's value (and the sums) in line with its mark and quantity. */
  private revalue(book: Book): void {
    const v = book.lots === 0 ? 0 : notionalMicro(book.mark, book.qty, book.multiplier)
    const old = book.value
    if (v === old) return
    this.openValue += v - old
    this.gross += Math.abs(v) - Math.abs(old)
    book.value = v
  }
}

/** An empty book whose money fields and mark are doubles from the start (DOUBLE_FIELD_SEED). */
function newBook(instrument: string, lotSize: number, multiplier: number): Book {
  const seed = DOUBLE_FIELD_SEED
  const book: Book = {instrument, lots: 0, lotSize, multiplier, cost: seed, realized: seed, fees: seed, mark: seed, qty: 0, value: seed}
  book.cost = book.realized = book.fees = book.mark = book.value = 0
  return book
}

/** price × (lots × lotSize) × multiplier in Micro, rounded once (half away from zero). */
function notional(price: number, lots: number, book: Book): Micro {
  return notionalMicro(price, qtyFromLots(lots, book), book.multiplier)
}

function qtyFromLots(lots: number, book: Book): number {
  return stepsToValue(lots, book.lotSize)
}

function avgOf(book: Book): number {
  return Math.abs(book.cost) / MICRO_PER_UNIT / (Math.abs(book.qty) * book.multiplier)
}

/** round(cost × part / whole), exactly (BigInt when the product leaves the safe-integer range). */
function proportion(cost: Micro, part: number, whole: number): Micro {
  const product = cost * part
  if (Number.isSafeInteger(product)) return roundDiv(product, whole)
  const p = BigInt(cost) * BigInt(part)
  const w = BigInt(whole)
  const neg = p < 0n
  const a = neg ? -p : p
  const q = (2n * a + w) / (2n * w)
  return Number(neg ? -q : q)
}

/** Integer division rounded half away from zero. */
function roundDiv(n: number, d: number): number {
  const q = Math.abs(n) / d
  const r = Math.round(q)
  return n < 0 ? -r : r
}

function assertMicro(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new Error(`ledger: ${name} must be an integer number of micro units, found ${value}`)
}
