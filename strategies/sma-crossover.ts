// SMA crossover: long when the fast simple moving average of the closes crosses above the slow
// one, flat (or short, with allowShort) when it crosses below. One instrument's state is a ring
// buffer of the last `slow` closes and two running sums; a bar costs a handful of float operations
// and allocates nothing unless it produces a signal.
//
// The arithmetic, exactly (baselines that must reproduce the same trades follow it to the letter):
//   fastSum = (fastSum + close) - ring[(pos - fast) mod slow]   once `fast` closes are in, else fastSum + close
//   slowSum = (slowSum + close) - ring[pos]                     once `slow` closes are in, else slowSum + close
//   ring[pos] = close; pos = (pos + 1) mod slow; count += 1
//   once count >= slow:  above = fastSum / fast > slowSum / slow      (plain float compare)
//   a cross up is `above` after a bar that was not above; a cross down the reverse; the first bar
//   with both averages defined only sets the starting side. Bars with a non-finite close are ignored.
import type {Bar} from '../src/foundation/domain/bars.js'
import type {Signal, Strategy, StrategyContext, StrategyModule} from '../src/sectors/strategy/contract.js'

export interface SmaCrossoverParams {
  fast: number
  slow: number
  size: number
  /** Quote-currency value per position; replaces size when set. */
  notional?: number
  allowShort: boolean
}

interface Track {
  ring: Float64Array
  pos: number
  count: number
  fastSum: number
  slowSum: number
  /** 1 fast above slow, 0 not above, -1 not known yet. */
  above: number
}

interface TrackState {
  ring: number[]
  pos: number
  count: number
  fastSum: number
  slowSum: number
  above: number
}

export interface SmaCrossoverState {
  version: 1
  fast: number
  slow: number
  instruments: Record<string, TrackState>
}

const NONE: Signal[] = Object.freeze([]) as unknown as Signal[]

class SmaCrossover implements Strategy<SmaCrossoverState> {
  private readonly tracks = new Map<string, Track>()
  private readonly fast: number
  private readonly slow: number
  private readonly size: number
  private readonly notional: number | undefined
  private readonly allowShort: boolean
  /** The two reasons a signal can give, made once (a backtest signals tens of thousands of times). */
  private readonly reasonUp: string
  private readonly reasonDown: string

  /** Units to hold when in the market at this close. */
  private units(close: number): number {
    return this.notional === undefined ? this.size : this.notional / close
  }

  constructor(p: SmaCrossoverParams) {
    if (!(Number.isInteger(p.fast) && Number.isInteger(p.slow) && p.fast >= 1 && p.slow > p.fast)) {
      throw new Error(`sma-crossover needs whole numbers 1 <= fast < slow; got fast=${p.fast}, slow=${p.slow}`)
    }
    this.fast = p.fast
    this.slow = p.slow
    this.size = p.size
    this.notional = p.notional
    this.allowShort = p.allowShort
    this.reasonUp = `SMA(${p.fast}) crossed above SMA(${p.slow})`
    this.reasonDown = `SMA(${p.fast}) crossed below SMA(${p.slow})`
  }

  init(ctx: StrategyContext): void {
    for (const id of ctx.instruments) this.track(id)
  }

  onBar(bar: Bar, ctx: StrategyContext): Signal[] {
    const close = bar.close
    if (!Number.isFinite(close)) return NONE
    const t = this.tracks.get(bar.instrument) ?? this.track(bar.instrument)
    const fast = this.fast
    const slow = this.slow
    const ring = t.ring
    const pos = t.pos
    const count = t.count
    // Read both leaving values before the new close overwrites ring[pos].
    const fastOut = ring[(pos - fast + slow) % slow] as number
    const slowOut = ring[pos] as number
    t.fastSum = count >= fast ? t.fastSum + close - fastOut : t.fastSum + close
    t.slowSum = count >= slow ? t.slowSum + close - slowOut : t.slowSum + close
    ring[pos] = close
    t.pos = pos + 1 === slow ? 0 : pos + 1
    t.count = count + 1
    if (count + 1 < slow) return NONE
    const above = t.fastSum / fast > t.slowSum / slow ? 1 : 0
    const before = t.above
    t.above = above
    if (before === -1 || before === above) return NONE
    return this.signal(bar.instrument, above === 1, close, ctx)
  }

  onFill(): void {
    // Decisions depend on the bars only.
  }

  state(): SmaCrossoverState {
    const instruments: Record<string, TrackState> = {}
    for (const [id, t] of this.tracks) {
      instruments[id] = {ring: Array.from(t.ring), pos: t.pos, count: t.count, fastSum: t.fastSum, slowSum: t.slowSum, above: t.above}
    }
    return {version: 1, fast: this.fast, slow: this.slow, instruments}
  }

  restore(state: SmaCrossoverState): void {
    if (state === null || typeof state !== 'object' || state.version !== 1 || typeof state.instruments !== 'object' || state.instruments === null) {
      throw new Error('sma-crossover: not a checkpoint of this strategy (expected {version: 1, fast, slow, instruments})')
    }
    if (state.fast !== this.fast || state.slow !== this.slow) {
      throw new Error(`sma-crossover: the checkpoint was taken with fast=${state.fast}, slow=${state.slow}; the params are now fast=${this.fast}, slow=${this.slow}`)
    }
    const tracks = new Map<string, Track>()
    for (const [id, s] of Object.entries(state.instruments)) {
      if (!Array.isArray(s.ring) || s.ring.length !== this.slow || !(s.pos >= 0 && s.pos < this.slow) || !(s.count >= 0) || ![-1, 0, 1].includes(s.above)) {
        throw new Error(`sma-crossover: the checkpoint of ${id} is malformed`)
      }
      tracks.set(id, {ring: Float64Array.from(s.ring), pos: s.pos, count: s.count, fastSum: s.fastSum, slowSum: s.slowSum, above: s.above})
    }
    this.tracks.clear()
    for (const [id, t] of tracks) this.tracks.set(id, t)
  }

  private track(id: string): Track {
    const t: Track = {ring: new Float64Array(this.slow), pos: 0, count: 0, fastSum: 0, slowSum: 0, above: -1}
    this.tracks.set(id, t)
    return t
  }

  private signal(instrument: string, up: boolean, close: number, ctx: StrategyContext): Signal[] {
    const units = this.units(close)
    const target = up ? units : this.allowShort ? -units : 0
    if (ctx.position(instrument) === target) return NONE
    return [{instrument, target, reason: up ? this.reasonUp : this.reasonDown}]
  }
}

const smaCrossover: StrategyModule<SmaCrossoverParams, SmaCrossoverState> = {
  name: 'sma-crossover',
  description: 'Long when the fast simple moving average of closes crosses above the slow one; flat (or short) when it crosses below.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      fast: {type: 'integer', minimum: 1, default: 10, description: 'Bars in the fast average.'},
      slow: {type: 'integer', minimum: 2, default: 50, description: 'Bars in the slow average; more than fast.'},
      size: {type: 'number', exclusiveMinimum: 0, default: 1, description: 'Position size in units (FX units, coins, shares or contracts) when in the market.'},
      notional: {type: 'number', exclusiveMinimum: 0, description: "Position value in the instrument's quote currency; when set it replaces size: units = notional / close (the engine rounds down to whole lots)."},
      allowShort: {type: 'boolean', default: false, description: 'Go short on a cross down instead of flat.'},
    },
  },
  checkParams(p) {
    return p.slow > p.fast ? [] : [{param: 'slow', message: `must be more than fast (${p.fast})`}]
  },
  create: (params) => new SmaCrossover(params),
}

export default smaCrossover
