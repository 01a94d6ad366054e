// The simulated market: one seeded price path per instrument (core's sim framework), the
// freezePrices and market-halted faults, conversions of a currency into the USD account currency,
// and OANDA's ClientPrice layout. Converting into USD uses the simulator's own prices: JPY with
// 1/USD_JPY (gains at 1/ask, losses at 1/bid, the spread against the client as OANDA does), GBP with
// GBP_USD (gains at the bid, losses at the ask), USD is 1.
import type {PricePath, Quote} from '../../../../src/sectors/sim/index.js'
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import {conversionPair, type SimInstrument} from './catalogue.js'
import {factorText, SimTime} from './wire.js'

/** Factors converting an amount of some currency into USD; the texts are what the wire shows. */
export interface HomeFactors {
  gain: number
  loss: number
  /** Valuation (margin, position value): the mid. */
  mid: number
  gainText: string
  lossText: string
  midText: string
}

const ONE: HomeFactors = {gain: 1, loss: 1, mid: 1, gainText: '1', lossText: '1', midText: '1'}
/**
 * Prices kept behind the sim's now: 30 days (500 H1 candles of warm-up fit; a day of a 60x run keeps
 * about 10 MB per quoted instrument).
 */
const HISTORY_MS = 30 * 86_400_000
/** Liquidity of the one price bucket each side shows (OANDA's docs show 10,000,000). */
export const BUCKET_LIQUIDITY = 10_000_000

export class OandaMarket {
  readonly instruments = new Map<string, SimInstrument>()
  private readonly paths = new Map<string, PricePath>()
  /** freezePrices: the sim time whose prices are shown while frozen. */
  frozenAt: number | undefined
  /** The market-halted fault: prices are not tradeable, market orders are cancelled. */
  halted = false

  constructor(
    readonly core: CoreRuntime,
    instruments: readonly SimInstrument[],
    seed: number,
    startTs: number,
  ) {
    for (const i of instruments) {
      this.instruments.set(i.name, i)
      this.paths.set(i.name, new core.sim.PricePath({seed, instrument: i.name, referencePrice: i.referencePrice, tickSize: i.tickSize, spreadTicks: i.spreadTicks, annualVol: i.annualVol, startTs, historyMs: HISTORY_MS}))
    }
  }

  has(name: string): boolean {
    return this.instruments.has(name)
  }

  instrument(name: string): SimInstrument {
    const i = this.instruments.get(name)
    if (i === undefined) throw new Error(`unknown instrument ${name}`)
    return i
  }

  path(name: string): PricePath {
    const p = this.paths.get(name)
    if (p === undefined) throw new Error(`unknown instrument ${name}`)
    return p
  }

  /** The price in effect at `now` (the frozen one while frozen). */
  quote(name: string, now: number): Quote {
    const q = this.path(name).quote(this.frozenAt ?? now)
    if (q === undefined) throw new Error(`no price for ${name} at ${now}`)
    return q
  }

  /** The price at a step of the path (pending orders are checked step by step). */
  quoteAtStep(name: string, step: number): Quote | undefined {
    const path = this.path(name)
    return path.quote(path.tsOfStep(step))
  }

  get tradeable(): boolean {
    return !this.halted
  }

  priceText(name: string, ticks: number): string {
    return this.core.sim.formatScaled(ticks, this.instrument(name).displayPrecision)
  }

  /** Converts amounts of `ccy` into USD at `now`. */
  toHome(ccy: string, now: number): HomeFactors {
    if (ccy === 'USD') return ONE
    const pair = conversionPair(ccy)
    if (pair === undefined || !this.has(pair)) throw new Error(`no conversion of ${ccy} into USD`)
    const q = this.quote(pair, now)
    const p = this.path(pair)
    const bid = p.price(q.bidTicks)
    const ask = p.price(q.askTicks)
    const mid = (bid + ask) / 2
    if (pair.startsWith('USD_')) return factors(1 / ask, 1 / bid, 1 / mid)
    return factors(bid, ask, mid)
  }

  /** Quote-currency → USD factors of an instrument. */
  quoteHome(name: string, now: number): HomeFactors {
    return this.toHome(this.instrument(name).quote, now)
  }

  /** OANDA's ClientPrice (REST pricing and the price stream). */
  clientPrice(name: string, now: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const i = this.instrument(name)
    const q = this.quote(name, now)
    const home = this.quoteHome(name, now)
    return {
      type: 'PRICE',
      instrument: name,
      time: new SimTime(q.ts),
      status: this.tradeable ? 'tradeable' : 'non-tradeable',
      tradeable: this.tradeable,
      bids: [{price: this.priceText(name, q.bidTicks), liquidity: BUCKET_LIQUIDITY}],
      asks: [{price: this.priceText(name, q.askTicks), liquidity: BUCKET_LIQUIDITY}],
      // What a margin closeout would get: one spread worse on each side.
      closeoutBid: this.priceText(name, Math.max(1, q.bidTicks - i.spreadTicks)),
      closeoutAsk: this.priceText(name, q.askTicks + i.spreadTicks),
      quoteHomeConversionFactors: {positiveUnits: home.gainText, negativeUnits: home.lossText},
      ...extra,
    }
  }

  /** The price a fill reports (ORDER_FILL.fullPrice). */
  fullPrice(name: string, q: Quote): Record<string, unknown> {
    const i = this.instrument(name)
    return {
      type: 'PRICE',
      timestamp: new SimTime(q.ts),
      bids: [{price: this.priceText(name, q.bidTicks), liquidity: String(BUCKET_LIQUIDITY)}],
      asks: [{price: this.priceText(name, q.askTicks), liquidity: String(BUCKET_LIQUIDITY)}],
      closeoutBid: this.priceText(name, Math.max(1, q.bidTicks - i.spreadTicks)),
      closeoutAsk: this.priceText(name, q.askTicks + i.spreadTicks),
    }
  }

  trim(now: number): void {
    for (const p of this.paths.values()) p.trim(now)
  }
}

function factors(gain: number, loss: number, mid: number): HomeFactors {
  // The texts are what a client sees; the numbers are read back from them, so a client that
  // recomputes a P&L from the transaction gets the simulator's figure.
  const gainText = factorText(gain)
  const lossText = factorText(loss)
  const midText = factorText(mid)
  return {gain: Number(gainText), loss: Number(lossText), mid: Number(midText), gainText, lossText, midText}
}
