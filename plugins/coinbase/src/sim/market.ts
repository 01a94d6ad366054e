// The simulated Coinbase market: one seeded price path per product (core's PricePath: the best bid
// in ticks, the best ask a spread above) and a public tape derived from it. At every step where the
// bid moves there is one trade: a rise is a buyer lifting the ask (taker BUY at the ask), a fall a
// seller hitting the bid (taker SELL at the bid). The last trade price (what `price` fields show,
// what stop orders trigger on, what candles are made of) is that trade's price. Trade sizes and book
// sizes come from a hash of (seed, product, step), so the tape is the same whenever it is read.
import type {PricePath} from '../../../../src/sectors/sim/index.js'
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {SimProduct} from './catalogue.js'
import {fixedUnits, mul, ONE, type Units} from './money.js'

/** Prices kept behind the sim's now (30 days of 1 s steps: 350 hourly candles of warm-up fit). */
const HISTORY_MS = 30 * 86_400_000
const MINUTES_A_DAY = 1440
const HOUR_MS = 3_600_000
/** A trade on the tape is worth about this much quote currency on average. */
const MEAN_TRADE_NOTIONAL = 500
/** How far back the last trade is looked for (a path that does not move for an hour is frozen). */
const LAST_TRADE_LOOKBACK = 3600

export interface Tick {
  /** Sim time of the step. */
  ts: number
  step: number
  bid: Units
  ask: Units
}

export interface TapeTrade {
  productId: string
  step: number
  ts: number
  tradeId: string
  price: Units
  size: Units
  takerSide: 'BUY' | 'SELL'
}

export interface DayStats {
  open: Units
  high: Units
  low: Units
  volume: Units
}

type Ohlcv = DayStats & {close: Units}

export interface Candle {
  start: number
  open: Units
  high: Units
  low: Units
  close: Units
  volume: Units
}

export class Market {
  readonly products = new Map<string, SimProduct>()
  private readonly paths = new Map<string, PricePath>()
  private readonly meanIncrements = new Map<string, number>()
  private readonly idHashes = new Map<string, number>()
  private readonly seedHash: number
  private readonly dayCache = new Map<string, {minute: number; stats: DayStats}>()
  private readonly minuteCache = new Map<string, Map<number, Ohlcv | null>>()
  /** Whole past hours' aggregates (a path's past never changes), for candles of an hour or more. */
  private readonly hourCache = new Map<string, Map<number, Ohlcv | null>>()
  /** freezePrices: the sim time whose prices are shown while frozen. */
  frozenAt: number | undefined

  constructor(
    readonly core: CoreRuntime,
    products: readonly SimProduct[],
    seed: number,
    readonly startTs: number,
  ) {
    this.seedHash = seed >>> 0
    for (const p of products) {
      this.products.set(p.id, p)
      this.paths.set(p.id, new core.sim.PricePath({seed, instrument: p.id, referencePrice: p.referencePrice, tickSize: Number(p.quoteIncrement), spreadTicks: p.spreadTicks, annualVol: p.annualVol, startTs, historyMs: HISTORY_MS}))
      const incs = Math.max(1, Math.round(MEAN_TRADE_NOTIONAL / p.referencePrice / Number(p.baseIncrement)))
      this.meanIncrements.set(p.id, incs)
      let h = this.seedHash
      for (let i = 0; i < p.id.length; i++) h = Math.imul(h ^ p.id.charCodeAt(i), 0x01000193)
      this.idHashes.set(p.id, h)
    }
  }

  has(id: string): boolean {
    return this.products.has(id)
  }

  product(id: string): SimProduct {
    const p = this.products.get(id)
    if (p === undefined) throw new Error(`unknown product ${id}`)
    return p
  }

  path(id: string): PricePath {
    const p = this.paths.get(id)
    if (p === undefined) throw new Error(`unknown product ${id}`)
    return p
  }

  stepAt(id: string, ts: number): number {
    return this.path(id).stepAt(ts)
  }

  /** Best bid and ask at a step (undefined when the step is no longer kept). */
  tickAt(id: string, step: number): Tick | undefined {
    const path = this.path(id)
    const bid = path.bidAt(step)
    if (bid === undefined) return undefined
    const inc = this.product(id).u.quoteIncrement
    return {ts: path.tsOfStep(step), step, bid: BigInt(bid) * inc, ask: BigInt(bid + path.spreadTicks) * inc}
  }

  /** The market in effect at `now` (the frozen one while frozen). */
  tick(id: string, now: number): Tick {
    const t = this.tickAt(id, this.stepAt(id, this.frozenAt ?? now))
    if (t === undefined) throw new Error(`no price for ${id} at ${now}`)
    return t
  }

  /** The trade made at a step, if the bid moved there. */
  tradeAt(id: string, step: number): TapeTrade | undefined {
    const path = this.path(id)
    const now = path.bidAt(step)
    const before = path.bidAt(step - 1)
    if (now === undefined || before === undefined || now === before) return undefined
    const inc = this.product(id).u.quoteIncrement
    const up = now > before
    const price = BigInt(up ? now + path.spreadTicks : now) * inc
    return {productId: id, step, ts: path.tsOfStep(step), tradeId: String(500_000_000 + step), price, size: this.sizeAt(id, step, 0x7a), takerSide: up ? 'BUY' : 'SELL'}
  }

  /** The last trade at or before `now` (frozen prices: before the freeze). */
  lastTrade(id: string, now: number): TapeTrade | undefined {
    const s = this.stepAt(id, this.frozenAt ?? now)
    for (let k = s; k > s - LAST_TRADE_LOOKBACK; k--) {
      const t = this.tradeAt(id, k)
      if (t !== undefined) return t
    }
    return undefined
  }

  /** The last trade price (the bid when the path has not moved for an hour). */
  lastPrice(id: string, now: number): Units {
    return this.lastTrade(id, now)?.price ?? this.tick(id, now).bid
  }

  /** The newest trades in [fromTs, toTs], newest first, at most `limit`. */
  trades(id: string, fromTs: number, toTs: number, limit: number): TapeTrade[] {
    const out: TapeTrade[] = []
    const first = Math.max(this.stepAt(id, fromTs), this.stepAt(id, toTs) - 86_400)
    for (let s = this.stepAt(id, toTs); s >= first && out.length < limit; s--) {
      const t = this.tradeAt(id, s)
      if (t !== undefined) out.push(t)
    }
    return out
  }

  /** Size shown at the best bid / ask at a step (the book the account trades against is deep). */
  bookSize(id: string, step: number, side: 'bid' | 'ask', level = 0): Units {
    return this.sizeAt(id, step, (side === 'bid' ? 0xb1d : 0xa5c) + level * 7) * 4n
  }

  /**
   * Open (the first trade of the window), high, low and volume of the 24 h before `now`, from
   * per-minute aggregates kept for a day (a new minute costs 60 steps, not 86,400).
   */
  day(id: string, now: number): DayStats {
    const at = this.frozenAt ?? now
    const minute = Math.floor(at / 60_000)
    const cached = this.dayCache.get(id)
    if (cached !== undefined && cached.minute === minute) return cached.stats
    let minutes = this.minuteCache.get(id)
    if (minutes === undefined) this.minuteCache.set(id, (minutes = new Map()))
    let open: Units | undefined
    let high = 0n
    let low = 0n
    let volume = 0n
    for (let k = minute - MINUTES_A_DAY; k < minute; k++) {
      let agg = minutes.get(k)
      if (agg === undefined) {
        agg = this.aggregate(id, k * 60_000, (k + 1) * 60_000) ?? null
        minutes.set(k, agg)
      }
      if (agg === null) continue
      if (open === undefined) {
        open = agg.open
        high = agg.high
        low = agg.low
      }
      if (agg.high > high) high = agg.high
      if (agg.low < low) low = agg.low
      volume += agg.volume
    }
    for (const k of minutes.keys()) if (k < minute - MINUTES_A_DAY) minutes.delete(k)
    // The current minute, up to now.
    const current = this.aggregate(id, minute * 60_000, at + 1)
    if (current !== undefined) {
      if (open === undefined) {
        open = current.open
        high = current.high
        low = current.low
      }
      if (current.high > high) high = current.high
      if (current.low < low) low = current.low
      volume += current.volume
    }
    const last = this.lastPrice(id, at)
    const stats = open === undefined ? {open: last, high: last, low: last, volume: 0n} : {open, high, low, volume}
    this.dayCache.set(id, {minute, stats})
    return stats
  }

  /**
   * Candles of `granularityS` seconds (aligned to the epoch) over [fromTs, toTs), newest first; a
   * bucket without trades is left out, as Coinbase does.
   */
  candles(id: string, fromTs: number, toTs: number, granularityS: number): Candle[] {
    const g = granularityS * 1000
    const out: Candle[] = []
    const end = Math.min(toTs, (this.frozenAt ?? toTs) + 1)
    // Nothing older than the history kept: those buckets are empty without walking their steps.
    const from = Math.max(fromTs, end - HISTORY_MS)
    const hourly = g % HOUR_MS === 0
    for (let start = Math.floor(from / g) * g; start < end; start += g) {
      const a = Math.max(start, from)
      const b = Math.min(start + g, end)
      const c = hourly ? this.spanByHours(id, a, b) : this.aggregate(id, a, b)
      if (c !== undefined) out.push({start: start / 1000, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume})
    }
    return out.reverse()
  }

  /**
   * The aggregate of [fromTs, toTs) made of whole hours from the cache (walked once: a daily candle
   * is 86,400 steps) and the partial hours at its ends walked as asked. Hours are combined in time
   * order, so the result is the one walk over the whole span would give.
   */
  private spanByHours(id: string, fromTs: number, toTs: number): Ohlcv | undefined {
    let hours = this.hourCache.get(id)
    if (hours === undefined) this.hourCache.set(id, (hours = new Map()))
    const firstWhole = Math.ceil(fromTs / HOUR_MS)
    const endWhole = Math.floor(toTs / HOUR_MS)
    if (firstWhole >= endWhole) return this.aggregate(id, fromTs, toTs)
    let acc = fromTs < firstWhole * HOUR_MS ? this.aggregate(id, fromTs, firstWhole * HOUR_MS) : undefined
    for (let h = firstWhole; h < endWhole; h++) {
      let agg = hours.get(h)
      if (agg === undefined) {
        agg = this.aggregate(id, h * HOUR_MS, (h + 1) * HOUR_MS) ?? null
        hours.set(h, agg)
      }
      if (agg !== null) acc = merge(acc, agg)
    }
    const tail = toTs > endWhole * HOUR_MS ? this.aggregate(id, endWhole * HOUR_MS, toTs) : undefined
    return tail === undefined ? acc : merge(acc, tail)
  }

  /** A price as the product writes it (its quote increment's decimals). */
  priceText(id: string, v: Units): string {
    return fixedUnits(v, decimalsOf(this.product(id).quoteIncrement))
  }

  /** A base size as the product writes it (its base increment's decimals). */
  sizeText(id: string, v: Units): string {
    return fixedUnits(v, decimalsOf(this.product(id).baseIncrement))
  }

  trim(now: number): void {
    for (const p of this.paths.values()) p.trim(now)
    // Hours the paths no longer keep would be shown from the cache: forget them too.
    const oldest = Math.floor((now - HISTORY_MS) / HOUR_MS)
    for (const hours of this.hourCache.values()) for (const h of hours.keys()) if (h < oldest) hours.delete(h)
  }

  /** OHLCV of the trades in [fromTs, toTs) (undefined when there were none, or none is kept). */
  private aggregate(id: string, fromTs: number, toTs: number): Ohlcv | undefined {
    const path = this.path(id)
    const p = this.product(id)
    const idHash = this.idHashes.get(id) ?? 0
    const mean = this.meanIncrements.get(id) ?? 1
    const first = Math.ceil((fromTs - path.startTs) / path.stepMs)
    const last = Math.ceil((toTs - path.startTs) / path.stepMs) - 1
    let prev = path.bidAt(first - 1)
    let open = -1
    let high = -1
    let low = Number.MAX_SAFE_INTEGER
    let close = -1
    // Volume in whole base increments, as a float's integer (exact: a month of trades is ~1e12,
    // far below 2^53); one BigInt at the end instead of one per trade.
    let increments = 0
    for (let s = first; s <= last; s++) {
      const b = path.bidAt(s)
      if (b === undefined) {
        prev = undefined
        continue
      }
      if (prev !== undefined && b !== prev) {
        const price = b > prev ? b + path.spreadTicks : b
        if (open < 0) open = price
        if (price > high) high = price
        if (price < low) low = price
        close = price
        increments += sizeIncrements(idHash, mean, s, 0x7a)
      }
      prev = b
    }
    if (open < 0) return undefined
    const inc = p.u.quoteIncrement
    return {open: BigInt(open) * inc, high: BigInt(high) * inc, low: BigInt(low) * inc, close: BigInt(close) * inc, volume: BigInt(increments) * p.u.baseIncrement}
  }

  /** A size in whole base increments, between 0.2 and 1.8 of the product's mean trade. */
  private sizeAt(id: string, step: number, salt: number): Units {
    return BigInt(sizeIncrements(this.idHashes.get(id) ?? 0, this.meanIncrements.get(id) ?? 1, step, salt)) * this.product(id).u.baseIncrement
  }
}

/** Two consecutive spans' aggregate (`a` the earlier). */
function merge(a: Ohlcv | undefined, b: Ohlcv): Ohlcv {
  if (a === undefined) return b
  return {open: a.open, high: a.high > b.high ? a.high : b.high, low: a.low < b.low ? a.low : b.low, close: b.close, volume: a.volume + b.volume}
}

/** The hash behind trade and book sizes: whole base increments for (product hash, step, salt). */
function sizeIncrements(idHash: number, mean: number, step: number, salt: number): number {
  let h = Math.imul(idHash ^ salt, 0x9e3779b1) ^ step
  h = Math.imul(h ^ (h >>> 16), 0x01000193)
  h ^= h >>> 15
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  const u = (h >>> 0) / 4294967296
  return Math.max(1, Math.floor(mean * (0.2 + 1.6 * u)))
}

export function decimalsOf(increment: string): number {
  return increment.split('.')[1]?.length ?? 0
}

/** Percent change from `from` to `to`, as Coinbase writes it ("3.30054960636883"). */
export function percentChange(from: Units, to: Units): string {
  if (from === 0n) return '0'
  const scaled = ((to - from) * 100n * ONE) / from
  return (Number(scaled) / Number(ONE)).toString()
}

/** Notional of a base size at a price (exact). */
export function notional(size: Units, price: Units): Units {
  return mul(size, price)
}

