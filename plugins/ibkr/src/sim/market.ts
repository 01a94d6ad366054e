// The simulated market: one seeded price path per contract (core's PricePath: a step a second,
// whole ticks), quotes with sizes, and bars. Every number is a function of (seed, contract, sim
// time), so the same seed gives the same history, and a historical bar equals the 5-second bars
// that were sent live over the same window. TRADES prints at the bid (the path), MIDPOINT between
// bid and ask; volume is drawn per step from a hash of (seed, contract, step), never from a
// generator's position, so any window can be summed in any order.
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {PricePath} from '../../../../src/sectors/sim/index.js'
import type {Catalogue, Product} from './catalogue.js'
import {inLiquidHours} from './hours.js'
import type {SimBar, SimHistoricalRequest, SimQuote, SimRefusal} from './seam.js'

/** Sim ms between two prices. */
export const STEP_MS = 1000
/** Prices kept behind now: 30 days (warm-ups ask days, not months). */
const HISTORY_MS = 30 * 86_400_000
export const WHAT_TO_SHOW = ['TRADES', 'MIDPOINT', 'BID', 'ASK'] as const

export interface StepQuote {
  step: number
  ts: number
  bidTicks: number
  askTicks: number
  bid: number
  ask: number
  last: number
}

/** A 32-bit hash of (key, n) (murmur3's finalizer): per-step draws with no generator state. */
function mix(key: number, n: number): number {
  let h = (key ^ Math.imul(n | 0, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

export class Market {
  private readonly paths = new Map<number, PricePath>()
  /** The freezePrices fault: the sim time whose prices are shown while frozen. */
  frozenAt: number | undefined

  constructor(
    private readonly core: CoreRuntime,
    private readonly catalogue: Catalogue,
    private readonly seed: number,
    private readonly startTs: number,
  ) {}

  path(conId: number): PricePath | undefined {
    const have = this.paths.get(conId)
    if (have !== undefined) return have
    const p = this.catalogue.get(conId)
    if (p === undefined) return undefined
    const path = new this.core.sim.PricePath({seed: this.seed, instrument: `${p.contract.localSymbol}:${conId}`, referencePrice: p.referencePrice, tickSize: p.minTick, spreadTicks: p.spreadTicks, annualVol: p.annualVol, startTs: this.startTs, stepMs: STEP_MS, historyMs: HISTORY_MS})
    this.paths.set(conId, path)
    return path
  }

  product(conId: number): Product | undefined {
    return this.catalogue.get(conId)
  }

  stepAt(ts: number): number {
    return Math.floor((ts - this.startTs) / STEP_MS)
  }

  tsOfStep(step: number): number {
    return this.startTs + step * STEP_MS
  }

  /** The quote at a step of the path (frozen: the step frozen at). */
  atStep(conId: number, step: number): StepQuote | undefined {
    const path = this.path(conId)
    if (path === undefined) return undefined
    const s = this.frozenAt === undefined ? step : Math.min(step, this.stepAt(this.frozenAt))
    const bidTicks = path.bidAt(s)
    if (bidTicks === undefined) return undefined
    const askTicks = bidTicks + path.spreadTicks
    const bid = path.price(bidTicks)
    return {step, ts: this.tsOfStep(step), bidTicks, askTicks, bid, ask: path.price(askTicks), last: bid}
  }

  quote(conId: number, ts: number): StepQuote | undefined {
    return this.atStep(conId, this.stepAt(ts))
  }

  /** Top of book with sizes, as reqMktData ticks carry it. */
  topOfBook(conId: number, ts: number): SimQuote | undefined {
    const q = this.quote(conId, ts)
    const p = this.product(conId)
    if (q === undefined || p === undefined) return undefined
    const lot = p.contract.secType === 'STK' ? 100 : p.contract.secType === 'CASH' ? 1_000_000 : 1
    // Sizes change with the price step shown (a frozen market's book stands still too).
    const shown = this.frozenAt === undefined ? q.step : Math.min(q.step, this.stepAt(this.frozenAt))
    const h = mix(this.seed ^ p.contract.conId ^ 0x5bd1e995, shown)
    return {bid: q.bid, ask: q.ask, last: q.last, bidSize: String(lot * (1 + (h % 40))), askSize: String(lot * (1 + ((h >>> 8) % 40))), lastSize: String(lot * (1 + ((h >>> 16) % 5)))}
  }

  /** Contracts (whole units) traded in a step: 0 in about a third of the steps. */
  private stepVolume(conId: number, step: number): number {
    const n = mix(this.seed ^ conId, step) % 12
    return n < 4 ? 0 : n - 3
  }

  /**
   * One bar over [fromTs, toTs) of sim time (never past `now`), or undefined when no price of the
   * window is kept. TRADES has volume, count and WAP; the others -1 as TWS writes them.
   */
  bar(conId: number, fromTs: number, toTs: number, what: (typeof WHAT_TO_SHOW)[number]): SimBar | undefined {
    const path = this.path(conId)
    const p = this.product(conId)
    if (path === undefined || p === undefined) return undefined
    const first = Math.ceil((fromTs - this.startTs) / STEP_MS)
    const last = Math.ceil((toTs - this.startTs) / STEP_MS) - 1
    let open = 0
    let high = -Infinity
    let low = Infinity
    let close = 0
    let seen = 0
    let volume = 0
    let count = 0
    let notional = 0
    const frozenStep = this.frozenAt === undefined ? undefined : this.stepAt(this.frozenAt)
    for (let s = first; s <= last; s++) {
      const bidTicks = path.bidAt(frozenStep === undefined ? s : Math.min(s, frozenStep))
      if (bidTicks === undefined) continue
      const ticks = what === 'ASK' ? bidTicks + path.spreadTicks : what === 'MIDPOINT' ? bidTicks + path.spreadTicks / 2 : bidTicks
      if (seen++ === 0) open = ticks
      if (ticks > high) high = ticks
      if (ticks < low) low = ticks
      close = ticks
      // A frozen market does not trade.
      const v = frozenStep !== undefined && s > frozenStep ? 0 : this.stepVolume(conId, s)
      if (v > 0) {
        volume += v
        count++
        notional += v * ticks
      }
    }
    if (seen === 0) return undefined
    const px = (t: number): number => Number((t * p.minTick).toFixed(8))
    const trades = what === 'TRADES'
    return {
      time: Math.floor(fromTs / 1000),
      open: px(open),
      high: px(high),
      low: px(low),
      close: px(close),
      volume: trades ? String(volume) : '-1',
      wap: trades ? (volume > 0 ? Number((px(notional / volume)).toFixed(8)) : px(close)) : -1,
      count: trades ? count : -1,
    }
  }

  /**
   * reqHistoricalData: bars of `barSizeSec` over [endTs - durationSec, endTs), aligned to UTC
   * multiples of the bar size (daily bars too: the sim has no settlement day), complete bars only
   * and none in the future — so they equal the live 5-second bars summed; useRth keeps the
   * intraday bars that open in liquid hours.
   */
  historical(r: SimHistoricalRequest, now: number): SimBar[] | SimRefusal {
    const p = this.product(r.conId)
    if (p === undefined) return {code: 200, message: 'No security definition has been found for the request'}
    const what = WHAT_TO_SHOW.find((w) => w === r.whatToShow.toUpperCase())
    if (what === undefined) return {code: 321, message: `Error validating request.-'bX' : cause - Invalid whatToShow: ${r.whatToShow}`}
    if (!(r.barSizeSec >= 1) || !(r.durationSec >= 1) || !Number.isFinite(r.endTs)) return {code: 321, message: "Error validating request.-'bX' : cause - Invalid duration or bar size"}
    const size = r.barSizeSec * 1000
    const end = Math.min(r.endTs, now)
    // Nothing older than the prices kept: a year of daily bars reads the last 30 days, not 31 M steps.
    const from = Math.max(end - r.durationSec * 1000, now - HISTORY_MS)
    const bars: SimBar[] = []
    for (let t = Math.ceil(from / size) * size; t + size <= end; t += size) {
      if (r.useRth && size < 86_400_000 && !inLiquidHours(p.session, t)) continue
      const b = this.bar(r.conId, t, t + size, what)
      if (b !== undefined) bars.push(b)
    }
    if (bars.length === 0) return {code: 162, message: `Historical Market Data Service error message:HMDS query returned no data: ${p.contract.localSymbol}@${p.contract.exchange} ${what}`}
    return bars
  }

  /** Forgets prices older than the history kept (call as time passes). */
  trim(now: number): void {
    for (const path of this.paths.values()) path.trim(now)
  }
}
