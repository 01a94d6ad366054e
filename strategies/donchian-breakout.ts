// Donchian breakout: go long when a bar closes above the highest high of the `lookback` bars
// BEFORE it; go flat when a close falls below the lowest low of the `exitLookback` bars before it.
// With allowShort the mirror image: short below the `lookback` lowest low, cover above the
// `exitLookback` highest high. The current bar is never part of its own channel.
//
// Decisions follow the position the engine reports (ctx.position), so a refused or unfilled entry
// is asked for again on a later breakout; an ask already made (long, short or flat) is not repeated
// while the position has not moved and the breakout lasts (`pending`), even when its size moves with
// the price (notional sizing): a halted or capped sector is not asked again at every bar.
// Channels scan ring buffers of highs and lows: O(lookback) per bar, no allocation.
import type {Bar} from '../src/foundation/domain/bars.js'
import type {Signal, Strategy, StrategyContext, StrategyModule} from '../src/sectors/strategy/contract.js'

export interface DonchianParams {
  lookback: number
  /** Default: half the lookback, rounded down (at least 1). */
  exitLookback?: number
  size: number
  /** Quote-currency value per position; replaces size when set. */
  notional?: number
  allowShort: boolean
}

interface Track {
  highs: Float64Array
  lows: Float64Array
  /** Next slot to write. */
  pos: number
  count: number
  /** Direction of the ask made and not yet reached (1 long, -1 short, 0 flat); NaN when none. */
  pending: number
}

interface TrackState {
  highs: number[]
  lows: number[]
  pos: number
  count: number
  pending: number | null
}

export interface DonchianState {
  version: 1
  lookback: number
  exitLookback: number
  instruments: Record<string, TrackState>
}

const NONE: Signal[] = Object.freeze([]) as unknown as Signal[]

/** Why a target was chosen (see reason()). */
type Why = 'none' | 'exit-long' | 'cover-short' | 'breakout-long' | 'breakout-short'

class DonchianBreakout implements Strategy<DonchianState> {
  private readonly tracks = new Map<string, Track>()
  private readonly lookback: number
  private readonly exitLookback: number
  /** Ring length: enough bars for both channels. */
  private readonly depth: number
  private readonly size: number
  private readonly notional: number | undefined
  private readonly allowShort: boolean

  /** Units to hold when in the market at this close. */
  private units(close: number): number {
    return this.notional === undefined ? this.size : this.notional / close
  }

  constructor(p: DonchianParams & {exitLookback: number}) {
    if (!(Number.isInteger(p.lookback) && p.lookback >= 1 && Number.isInteger(p.exitLookback) && p.exitLookback >= 1)) {
      throw new Error(`donchian-breakout needs whole numbers lookback >= 1 and exitLookback >= 1; got ${p.lookback}, ${p.exitLookback}`)
    }
    this.lookback = p.lookback
    this.exitLookback = p.exitLookback
    this.depth = Math.max(p.lookback, p.exitLookback)
    this.size = p.size
    this.notional = p.notional
    this.allowShort = p.allowShort
  }

  init(ctx: StrategyContext): void {
    for (const id of ctx.instruments) this.track(id)
  }

  onBar(bar: Bar, ctx: StrategyContext): Signal[] {
    const {high, low, close} = bar
    if (!Number.isFinite(close) || !Number.isFinite(high) || !Number.isFinite(low)) return NONE
    const t = this.tracks.get(bar.instrument) ?? this.track(bar.instrument)
    let target = NaN
    // Which reason: its text is made only for a signal that is sent (most decisions repeat one
    // already asked for, and a number in a string costs more than the rest of the bar).
    let why: Why = 'none'
    const position = ctx.position(bar.instrument)
    if (position > 0) {
      if (t.count >= this.exitLookback && close < this.lowest(t, this.exitLookback)) {
        target = 0
        why = 'exit-long'
      }
    } else if (position < 0) {
      if (t.count >= this.exitLookback && close > this.highest(t, this.exitLookback)) {
        target = 0
        why = 'cover-short'
      }
    } else if (t.count >= this.lookback) {
      if (close > this.highest(t, this.lookback)) {
        target = this.units(close)
        why = 'breakout-long'
      } else if (this.allowShort && close < this.lowest(t, this.lookback)) {
        target = -this.units(close)
        why = 'breakout-short'
      }
    }
    // This bar joins the channels only after it was judged against them.
    t.highs[t.pos] = high
    t.lows[t.pos] = low
    t.pos = t.pos + 1 === this.depth ? 0 : t.pos + 1
    t.count++

    if (Number.isNaN(target) || target === position) {
      t.pending = NaN
      return NONE
    }
    const direction = Math.sign(target)
    if (direction === t.pending) return NONE
    t.pending = direction
    return [{instrument: bar.instrument, target, reason: this.reason(why, close)}]
  }

  private reason(why: Why, close: number): string {
    switch (why) {
      case 'exit-long':
        return `close ${close} below the ${this.exitLookback}-bar low: exit long`
      case 'cover-short':
        return `close ${close} above the ${this.exitLookback}-bar high: cover short`
      case 'breakout-long':
        return `close ${close} above the ${this.lookback}-bar high: breakout long`
      case 'breakout-short':
        return `close ${close} below the ${this.lookback}-bar low: breakout short`
      default:
        return ''
    }
  }

  onFill(): void {
    // The position comes from ctx.position on the next bar.
  }

  state(): DonchianState {
    const instruments: Record<string, TrackState> = {}
    for (const [id, t] of this.tracks) {
      instruments[id] = {highs: Array.from(t.highs), lows: Array.from(t.lows), pos: t.pos, count: t.count, pending: Number.isNaN(t.pending) ? null : t.pending}
    }
    return {version: 1, lookback: this.lookback, exitLookback: this.exitLookback, instruments}
  }

  restore(state: DonchianState): void {
    if (state === null || typeof state !== 'object' || state.version !== 1 || typeof state.instruments !== 'object' || state.instruments === null) {
      throw new Error('donchian-breakout: not a checkpoint of this strategy (expected {version: 1, lookback, exitLookback, instruments})')
    }
    if (state.lookback !== this.lookback || state.exitLookback !== this.exitLookback) {
      throw new Error(
        `donchian-breakout: the checkpoint was taken with lookback=${state.lookback}, exitLookback=${state.exitLookback}; the params are now ${this.lookback}, ${this.exitLookback}`,
      )
    }
    const tracks = new Map<string, Track>()
    for (const [id, s] of Object.entries(state.instruments)) {
      const ok = Array.isArray(s.highs) && s.highs.length === this.depth && Array.isArray(s.lows) && s.lows.length === this.depth && s.pos >= 0 && s.pos < this.depth && s.count >= 0
      if (!ok) throw new Error(`donchian-breakout: the checkpoint of ${id} is malformed`)
      tracks.set(id, {highs: Float64Array.from(s.highs), lows: Float64Array.from(s.lows), pos: s.pos, count: s.count, pending: s.pending === null ? NaN : Math.sign(s.pending)})
    }
    this.tracks.clear()
    for (const [id, t] of tracks) this.tracks.set(id, t)
  }

  /** Highest high of the last n bars (n <= count, n <= depth). */
  private highest(t: Track, n: number): number {
    let best = -Infinity
    let i = t.pos
    for (let k = 0; k < n; k++) {
      i = i === 0 ? this.depth - 1 : i - 1
      const v = t.highs[i] as number
      if (v > best) best = v
    }
    return best
  }

  private lowest(t: Track, n: number): number {
    let best = Infinity
    let i = t.pos
    for (let k = 0; k < n; k++) {
      i = i === 0 ? this.depth - 1 : i - 1
      const v = t.lows[i] as number
      if (v < best) best = v
    }
    return best
  }

  private track(id: string): Track {
    const t: Track = {highs: new Float64Array(this.depth), lows: new Float64Array(this.depth), pos: 0, count: 0, pending: NaN}
    this.tracks.set(id, t)
    return t
  }
}

const donchianBreakout: StrategyModule<DonchianParams, DonchianState> = {
  name: 'donchian-breakout',
  description: 'Long on a close above the highest high of the previous `lookback` bars; flat on a close below the lowest low of the previous `exitLookback` bars (short symmetric with allowShort).',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      lookback: {type: 'integer', minimum: 1, default: 20, description: 'Bars in the entry channel (the breakout level).'},
      exitLookback: {type: 'integer', minimum: 1, description: 'Bars in the exit channel; default: half the lookback, rounded down (at least 1).'},
      size: {type: 'number', exclusiveMinimum: 0, default: 1, description: 'Position size in units (FX units, coins, shares or contracts) when in the market.'},
      notional: {type: 'number', exclusiveMinimum: 0, description: "Position value in the instrument's quote currency; when set it replaces size: units = notional / close (the engine rounds down to whole lots)."},
      allowShort: {type: 'boolean', default: false, description: 'Also trade breakouts to the downside (short).'},
    },
  },
  deriveParams: (p) => ({...p, exitLookback: exitLookbackOf(p)}),
  create: (params) => new DonchianBreakout({...params, exitLookback: exitLookbackOf(params)}),
}

function exitLookbackOf(p: DonchianParams): number {
  return p.exitLookback ?? Math.max(1, Math.floor(p.lookback / 2))
}

export default donchianBreakout
