// The account's money and trades, counted as OANDA counts them on a USD account without hedging:
// a fill first reduces the opposite trades of its instrument, oldest first (FIFO), and opens a trade
// with the rest. Money is integer micro units of USD rounded once, where produced, to OANDA's 1e-4:
//   realized P&L of a close  = units closed × (close price − open price) in quote currency,
//                              × the gain factor (a profit) or the loss factor (a loss) into USD;
//   unrealized P&L of a trade = the same at the price that would close it now (bid for a long);
//   margin used of a trade    = |units| × mid × (quote → USD at the mid) × the marginRate;
//   NAV = balance + unrealized P&L; margin available = max(0, NAV − margin used).
// Financing and commission are 0 (OANDA's standard account charges the spread only). Products are
// exact (decimal texts of prices and factors multiplied as integers), rounded once.
import type {OandaMarket} from './market.js'
import type {PositionBook, SimTrade} from './model.js'

export interface AccountState {
  unrealizedPL: number
  NAV: number
  marginUsed: number
  marginAvailable: number
  positionValue: number
  closeoutUnrealizedPL: number
  closeoutNAV: number
  openTradeCount: number
  openPositionCount: number
}

export class Ledger {
  balance: number
  /** Realized P&L over the account's life. */
  pl = 0
  lastOrderFillTime: number | undefined
  readonly trades = new Map<string, SimTrade>()
  readonly books = new Map<string, PositionBook>()

  constructor(
    readonly market: OandaMarket,
    startingCashMicro: number,
  ) {
    this.balance = startingCashMicro
  }

  /**
   * USD micro units (whole multiples of 100) of `steps` × 10^-scale × the factors, computed exactly
   * and rounded once to OANDA's 1e-4, half away from zero.
   */
  money(steps: number, scale: number, factors: readonly string[]): number {
    return Number(this.market.core.sim.multiplyScaled(steps, scale, factors, 4)) * 100
  }

  /** Open trades, oldest first; of one instrument when given. */
  openTrades(instrument?: string): SimTrade[] {
    const out: SimTrade[] = []
    for (const t of this.trades.values()) if (t.state === 'OPEN' && (instrument === undefined || t.instrument === instrument)) out.push(t)
    return out.sort((a, b) => Number(a.id) - Number(b.id))
  }

  book(instrument: string): PositionBook {
    let b = this.books.get(instrument)
    if (b === undefined) {
      b = {longPL: 0, shortPL: 0}
      this.books.set(instrument, b)
    }
    return b
  }

  /** P&L in USD micro of `units` bought/sold at `openTicks` and closed at `closeTicks`. */
  realize(instrument: string, units: number, openTicks: number, closeTicks: number, now: number): number {
    const quoteSteps = units * (closeTicks - openTicks)
    const f = this.market.quoteHome(instrument, now)
    return this.money(quoteSteps, this.market.instrument(instrument).displayPrecision, [quoteSteps >= 0 ? f.gainText : f.lossText])
  }

  /** The price (ticks) that would close a trade now: the bid for a long, the ask for a short. */
  closingTicks(trade: SimTrade, now: number, closeout = false): number {
    const q = this.market.quote(trade.instrument, now)
    const spread = closeout ? this.market.instrument(trade.instrument).spreadTicks : 0
    return trade.currentUnits > 0 ? q.bidTicks - spread : q.askTicks + spread
  }

  unrealizedPL(trade: SimTrade, now: number, closeout = false): number {
    if (trade.state !== 'OPEN') return 0
    return this.realize(trade.instrument, trade.currentUnits, trade.priceTicks, this.closingTicks(trade, now, closeout), now)
  }

  /** |units| × mid × (quote → USD at the mid) × the extra factors, in USD micro. */
  private valued(instrument: string, units: number, now: number, extra: readonly string[]): number {
    const q = this.market.quote(instrument, now)
    // bid + ask is twice the mid, in ticks: × 0.5.
    return this.money(Math.abs(units) * (q.bidTicks + q.askTicks), this.market.instrument(instrument).displayPrecision, ['0.5', this.market.quoteHome(instrument, now).midText, ...extra])
  }

  positionValue(instrument: string, units: number, now: number): number {
    return this.valued(instrument, units, now, [])
  }

  /** Margin `units` of an instrument need now. */
  marginFor(instrument: string, units: number, now: number): number {
    return this.valued(instrument, units, now, [this.market.instrument(instrument).marginRate])
  }

  marginUsed(trade: SimTrade, now: number): number {
    return trade.state === 'OPEN' ? this.marginFor(trade.instrument, trade.currentUnits, now) : 0
  }

  state(now: number): AccountState {
    let unrealizedPL = 0
    let closeoutUnrealizedPL = 0
    let marginUsed = 0
    let positionValue = 0
    let openTradeCount = 0
    const instruments = new Set<string>()
    for (const t of this.openTrades()) {
      openTradeCount++
      instruments.add(t.instrument)
      unrealizedPL += this.unrealizedPL(t, now)
      closeoutUnrealizedPL += this.unrealizedPL(t, now, true)
      marginUsed += this.marginUsed(t, now)
      positionValue += this.positionValue(t.instrument, t.currentUnits, now)
    }
    const NAV = this.balance + unrealizedPL
    return {
      unrealizedPL,
      NAV,
      marginUsed,
      marginAvailable: Math.max(0, NAV - marginUsed),
      positionValue,
      closeoutUnrealizedPL,
      closeoutNAV: this.balance + closeoutUnrealizedPL,
      openTradeCount,
      openPositionCount: instruments.size,
    }
  }

  /** Net units of an instrument (long trades positive, short negative). */
  netUnits(instrument: string): number {
    let n = 0
    for (const t of this.openTrades(instrument)) n += t.currentUnits
    return n
  }
}
