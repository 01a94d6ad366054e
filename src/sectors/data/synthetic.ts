// Seeded synthetic bars: a geometric random walk whose drift and volatility switch between
// regimes (calm, normal, trending up/down, turbulent) with a small probability per bar, at
// realistic price levels (the instrument's referencePrice) and realistic per-bar volatility for
// its kind. Same seed, instrument and period → the same bars, byte for byte.
import type {Bar, BarSeries} from '../../foundation/domain/bars.js'
import {emptySeries} from '../../foundation/domain/bars.js'
import type {Instrument, InstrumentKind} from '../../foundation/domain/instrument.js'
import {decimalsOf} from '../../foundation/domain/instrument.js'
import {seededRandom, type Random} from '../../foundation/random.js'

export interface SyntheticSeriesOptions {
  seed: number
  startTs: number
  periodMs: number
  length: number
}

/** Annualised volatility by kind (crypto ~60%, stock indices ~16%, major FX ~8%). */
const ANNUAL_VOL: Record<InstrumentKind, number> = {fx: 0.08, crypto: 0.6, stock: 0.25, etf: 0.16, future: 0.16, option: 0.8, index: 0.16, cfd: 0.16}
/** Typical volume of one one-minute bar, by kind (units, coins, shares, contracts). */
const BASE_VOLUME: Record<InstrumentKind, number> = {fx: 2_000_000, crypto: 15, stock: 20_000, etf: 60_000, future: 1_500, option: 50, index: 0, cfd: 500}
const YEAR_MS = 365.25 * 24 * 3_600_000
const MINUTE_MS = 60_000

interface Regime {
  /** Drift per bar, in units of the bar's sigma. */
  drift: number
  /** Volatility multiplier. */
  vol: number
}

/** calm, normal, up-trend, down-trend, turbulent. */
const REGIMES: readonly Regime[] = [
  {drift: 0, vol: 0.6},
  {drift: 0, vol: 1},
  {drift: 0.06, vol: 1},
  {drift: -0.06, vol: 1},
  {drift: 0, vol: 2.2},
]
/** Chance per bar of leaving the current regime (a regime lasts ~400 bars on average). */
const SWITCH_PROBABILITY = 0.0025
/** Pull back toward the reference price in log space, per bar, so a million bars stay realistic. */
const MEAN_REVERSION = 2e-5

/** Streams the bars of one instrument; syntheticSeries and the unbounded feed share it. */
export class SyntheticWalker {
  private readonly random: Random
  private readonly tick: number
  /** Prices are whole ticks: tickUnits / scale is the tick exactly (0.25 = 25 / 100). */
  private readonly scale: number
  private readonly tickUnits: number
  private readonly sigma: number
  private readonly logRef: number
  private readonly baseVolume: number
  private readonly periodMs: number
  private regime = 1
  private close: number
  private ts: number

  constructor(
    readonly instrument: Instrument,
    options: {seed: number; startTs: number; periodMs: number},
  ) {
    if (!(options.periodMs > 0)) throw new Error(`synthetic data: periodMs must be positive, found ${options.periodMs}`)
    if (!(instrument.referencePrice > 0)) throw new Error(`synthetic data: ${instrument.id} has no reference price`)
    this.random = seededRandom(mixSeed(options.seed, instrument.id))
    this.tick = instrument.tickSize
    this.scale = 10 ** decimalsOf(instrument.tickSize)
    this.tickUnits = Math.round(instrument.tickSize * this.scale)
    this.sigma = ANNUAL_VOL[instrument.kind] * Math.sqrt(options.periodMs / YEAR_MS)
    this.logRef = Math.log(instrument.referencePrice)
    this.baseVolume = BASE_VOLUME[instrument.kind] * (options.periodMs / MINUTE_MS)
    this.periodMs = options.periodMs
    this.close = this.round(instrument.referencePrice)
    this.ts = options.startTs
  }

  /** Writes the next bar into `into` and returns it. */
  nextInto(into: Bar): Bar {
    const r = this.random
    if (r.next() < SWITCH_PROBABILITY) this.regime = Math.floor(r.next() * REGIMES.length)
    const regime = REGIMES[this.regime] as Regime
    const sigma = this.sigma * regime.vol
    const prev = this.close
    const pull = -MEAN_REVERSION * (Math.log(prev) - this.logRef)
    // A small gap between bars (a tenth of a bar's sigma) so opens do not always equal the last close.
    const open = this.round(prev * Math.exp(0.1 * sigma * r.normal()))
    const close = this.round(open * Math.exp(pull + regime.drift * this.sigma + sigma * r.normal()))
    const up = Math.abs(r.normal()) * sigma * 0.5
    const down = Math.abs(r.normal()) * sigma * 0.5
    const hi = Math.max(open, close)
    const lo = Math.min(open, close)
    const high = Math.max(hi, this.roundUp(hi * Math.exp(up)))
    const low = Math.max(this.tick, Math.min(lo, this.roundDown(lo * Math.exp(-down))))
    into.instrument = this.instrument.id
    into.ts = this.ts
    into.open = open
    into.high = high
    into.low = low
    into.close = close
    into.volume = this.baseVolume === 0 ? 0 : Math.round(this.baseVolume * regime.vol * Math.exp(0.5 * r.normal()))
    this.close = close
    this.ts += this.periodMs
    return into
  }

  // Integer ticks × tickUnits / 10^decimals: the division by a power of ten is correctly rounded,
  // so the result is the double nearest the decimal price (as Number(x.toFixed()) would give, faster).
  private round(price: number): number {
    return Math.max(this.tick, (Math.round(price / this.tick) * this.tickUnits) / this.scale)
  }
  private roundUp(price: number): number {
    return (Math.ceil(price / this.tick - 1e-9) * this.tickUnits) / this.scale
  }
  private roundDown(price: number): number {
    return (Math.floor(price / this.tick + 1e-9) * this.tickUnits) / this.scale
  }
}

/** A columnar series of `length` synthetic bars (what backtests and benchmarks use). */
export function syntheticSeries(instrument: Instrument, options: SyntheticSeriesOptions): BarSeries {
  if (!Number.isInteger(options.length) || options.length < 0) throw new Error(`synthetic data: length must be a whole number, found ${options.length}`)
  const series = emptySeries(instrument.id, options.periodMs, options.length)
  const walker = new SyntheticWalker(instrument, options)
  const bar: Bar = {instrument: instrument.id, ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0}
  for (let i = 0; i < options.length; i++) {
    walker.nextInto(bar)
    series.ts[i] = bar.ts
    series.open[i] = bar.open
    series.high[i] = bar.high
    series.low[i] = bar.low
    series.close[i] = bar.close
    series.volume[i] = bar.volume
  }
  return series
}

/** One 32-bit seed per (seed, instrument): FNV-1a over the id, mixed with the run's seed. */
export function mixSeed(seed: number, id: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0)
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= Math.floor(seed / 4294967296)
  return h >>> 0
}
