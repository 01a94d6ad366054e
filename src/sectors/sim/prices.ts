// A seeded synthetic price path for one instrument, as a simulated venue quotes it: a random walk of
// the log price in fixed sim-time steps (1 s by default), weakly pulled back to the reference price,
// held as whole ticks; the bid is the path, the ask the bid plus a constant spread in ticks.
//
// The path is a function of (seed, instrument, sim time - start): two simulators with the same seed
// quote the same prices at the same sim offsets, whenever they are asked. Steps are made lazily in
// chunks, forward from the start as time passes and backward for history (candles before the start),
// each direction from its own seeded generator in a fixed order. Chunks older than `historyMs`
// before the latest time asked (trim) are dropped, so a long run at 60x does not grow without bound.
import {decimalsOf, stepsToValue} from '../../foundation/domain/instrument.js'
import {seededRandom, type Random} from '../../foundation/random.js'
import {mixSeed} from '../data/synthetic.js'

export interface PricePathOptions {
  seed: number
  instrument: string
  /** Where the path starts (the mid at startTs, about). */
  referencePrice: number
  tickSize: number
  /** Bid-ask spread in whole ticks (at least 1). */
  spreadTicks: number
  /** Annualised volatility of the log price (0.08 for a major FX pair). */
  annualVol: number
  /** Sim time of step 0. */
  startTs: number
  /** Sim ms per step (default 1000: the price can change once a second). */
  stepMs?: number
  /** How far back from the latest time asked prices are kept (default 60 days). */
  historyMs?: number
}

export interface Quote {
  instrument: string
  /** Sim time at which this price was set (the start of its step). */
  ts: number
  step: number
  bidTicks: number
  askTicks: number
}

/** Open/high/low/close of the BID over a window, in ticks, and how many price changes it saw. */
export interface TickRange {
  open: number
  high: number
  low: number
  close: number
  /** Distinct prices in a row (1 + changes): a venue's tick volume. */
  ticks: number
  firstTs: number
  lastTs: number
}

const CHUNK = 4096
const YEAR_MS = 365.25 * 24 * 3_600_000
/** Pull toward the reference per step, in log space (half-life of weeks at 1 s steps). */
const REVERSION = 5e-7
const DAY_MS = 86_400_000

export class PricePath {
  readonly instrument: string
  readonly tickSize: number
  readonly decimals: number
  readonly spreadTicks: number
  readonly startTs: number
  readonly stepMs: number
  private readonly historySteps: number
  private readonly sigma: number
  private readonly x0: number
  private readonly halfSpread: number
  private readonly chunks = new Map<number, Int32Array>()
  private readonly forward: Random
  private readonly backward: Random
  private fwdX: number
  private bwdX: number
  private nextForward = 0
  private nextBackward = -1
  /** Steps below this are gone (trimmed) or were never kept. */
  private floorStep: number

  constructor(o: PricePathOptions) {
    if (!(o.referencePrice > 0)) throw new Error(`price path ${o.instrument}: referencePrice must be positive`)
    if (!(o.tickSize > 0)) throw new Error(`price path ${o.instrument}: tickSize must be positive`)
    if (!Number.isInteger(o.spreadTicks) || o.spreadTicks < 1) throw new Error(`price path ${o.instrument}: spreadTicks must be a whole number >= 1`)
    this.instrument = o.instrument
    this.tickSize = o.tickSize
    this.decimals = decimalsOf(o.tickSize)
    this.spreadTicks = o.spreadTicks
    this.halfSpread = Math.floor(o.spreadTicks / 2)
    this.startTs = o.startTs
    this.stepMs = o.stepMs ?? 1000
    this.historySteps = Math.ceil((o.historyMs ?? 60 * DAY_MS) / this.stepMs)
    this.sigma = o.annualVol * Math.sqrt(this.stepMs / YEAR_MS)
    this.x0 = Math.log(o.referencePrice)
    this.fwdX = this.x0
    this.bwdX = this.x0
    const seed = mixSeed(o.seed, o.instrument)
    this.forward = seededRandom(seed)
    this.backward = seededRandom(mixSeed(seed, 'history'))
    this.floorStep = -this.historySteps
  }

  stepAt(ts: number): number {
    return Math.floor((ts - this.startTs) / this.stepMs)
  }

  tsOfStep(step: number): number {
    return this.startTs + step * this.stepMs
  }

  /** The bid in ticks at a step, or undefined when that step is no longer (or never was) kept. */
  bidAt(step: number): number | undefined {
    if (step < this.floorStep) return undefined
    const k = Math.floor(step / CHUNK)
    return this.chunk(k)[step - k * CHUNK]
  }

  /** The price in effect at sim time `ts`. */
  quote(ts: number): Quote | undefined {
    const step = this.stepAt(ts)
    const bid = this.bidAt(step)
    if (bid === undefined) return undefined
    return {instrument: this.instrument, ts: this.tsOfStep(step), step, bidTicks: bid, askTicks: bid + this.spreadTicks}
  }

  /** Ticks as a price (the double nearest the decimal). */
  price(ticks: number): number {
    return stepsToValue(ticks, this.tickSize)
  }

  /**
   * The bid's range over the steps set in [fromTs, toTs), clipped to what is kept; undefined when
   * no step of the window is kept. The caller keeps toTs at or before now (no future prices).
   */
  range(fromTs: number, toTs: number): TickRange | undefined {
    const first = Math.max(this.floorStep, Math.ceil((fromTs - this.startTs) / this.stepMs))
    const last = Math.ceil((toTs - this.startTs) / this.stepMs) - 1
    if (first > last) return undefined
    let open = 0
    let high = -Infinity
    let low = Infinity
    let prev = Number.NaN
    let ticks = 0
    for (let s = first; s <= last; ) {
      const k = Math.floor(s / CHUNK)
      const chunk = this.chunk(k)
      const end = Math.min(last, (k + 1) * CHUNK - 1)
      for (let i = s - k * CHUNK, j = end - k * CHUNK; i <= j; i++) {
        const v = chunk[i] as number
        if (ticks === 0) open = v
        if (v !== prev) ticks++
        if (v > high) high = v
        if (v < low) low = v
        prev = v
      }
      s = end + 1
    }
    return {open, high, low, close: prev, ticks, firstTs: this.tsOfStep(first), lastTs: this.tsOfStep(last)}
  }

  /** Forgets steps older than historyMs before `nowTs` (call as time passes). */
  trim(nowTs: number): void {
    const floor = this.stepAt(nowTs) - this.historySteps
    if (floor <= this.floorStep) return
    this.floorStep = floor
    const keepFrom = Math.floor(floor / CHUNK)
    for (const k of this.chunks.keys()) if (k < keepFrom) this.chunks.delete(k)
  }

  private chunk(k: number): Int32Array {
    const have = this.chunks.get(k)
    if (have !== undefined) return have
    let made: Int32Array | undefined
    if (k >= 0) while (this.nextForward <= k) made = this.makeForward(this.nextForward++)
    else while (this.nextBackward >= k) made = this.makeBackward(this.nextBackward--)
    // Only a chunk still above the floor is kept; the last one made is the one asked for.
    return made as Int32Array
  }

  private makeForward(k: number): Int32Array {
    const a = new Int32Array(CHUNK)
    let x = this.fwdX
    for (let i = 0; i < CHUNK; i++) {
      if (k > 0 || i > 0) x += this.sigma * this.forward.normal() - REVERSION * (x - this.x0)
      a[i] = this.toBid(x)
    }
    this.fwdX = x
    this.keep(k, a)
    return a
  }

  private makeBackward(k: number): Int32Array {
    const a = new Int32Array(CHUNK)
    let x = this.bwdX
    for (let i = CHUNK - 1; i >= 0; i--) {
      x += this.sigma * this.backward.normal() - REVERSION * (x - this.x0)
      a[i] = this.toBid(x)
    }
    this.bwdX = x
    this.keep(k, a)
    return a
  }

  private keep(k: number, a: Int32Array): void {
    if ((k + 1) * CHUNK > this.floorStep) this.chunks.set(k, a)
  }

  private toBid(x: number): number {
    return Math.max(1, Math.round(Math.exp(x) / this.tickSize) - this.halfSpread)
  }
}
