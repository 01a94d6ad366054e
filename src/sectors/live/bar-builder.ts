// Bars from a live venue's price stream. Live, the engine follows the VENUE's clock: a tick's ts
// and the stream's heartbeats say what time it is at the venue, so a simulator that runs 60× real
// time closes sixty one-minute bars a minute, and a slow network never makes a bar late by the
// local clock's say-so.
//
// - Periods are aligned to the epoch (a 1-minute bar opens at hh:mm:00.000 UTC); a bar's ts is
//   its open time, as everywhere in rick.
// - A period closes when the venue's time reaches its end: a tick of a later period, a heartbeat,
//   or advance() from the market-data side's estimate of the venue's clock. A bar closes on time
//   even when no price arrived in it: it is flat at the previous close, volume 0 (an instrument
//   that never had a price has no bar yet).
// - All instruments' bars of a period are handed over together, in the configured order, so the
//   engine sees one period at a time as in a backtest.
// - A tick older than the open period (late, or out of order) is dropped and counted: the bar it
//   belonged to was already handed to the strategy and cannot change.
import type {Bar} from '../../foundation/domain/bars.js'
import type {Tick} from '../connector.js'

interface Slot {
  instrument: string
  open: number
  high: number
  low: number
  close: number
  volume: number
  /** A price arrived in the open period. */
  touched: boolean
  /** Last close of any period (NaN before the first price). */
  last: number
}

export class BarBuilder {
  private readonly slots: Slot[]
  private readonly byId = new Map<string, Slot>()
  /** Open time of the period being built; NaN until the first tick or advance(). */
  private periodStart = Number.NaN
  /** Ticks dropped because their period had closed. */
  lateTicks = 0

  constructor(
    instruments: readonly string[],
    private readonly periodMs: number,
    private readonly onPeriod: (bars: Bar[]) => void,
  ) {
    if (!(periodMs > 0)) throw new Error(`bar period must be positive, found ${periodMs}`)
    this.slots = instruments.map((instrument) => ({instrument, open: Number.NaN, high: Number.NaN, low: Number.NaN, close: Number.NaN, volume: 0, touched: false, last: Number.NaN}))
    for (const s of this.slots) this.byId.set(s.instrument, s)
  }

  /** Open time of the period a venue time falls in. */
  periodOf(ts: number): number {
    return Math.floor(ts / this.periodMs) * this.periodMs
  }

  /** The open period's start (NaN before any venue time was seen). */
  get openPeriod(): number {
    return this.periodStart
  }

  /** Seeds the last close (from warm-up history), so a quiet first period still has a bar. */
  seed(instrument: string, close: number): void {
    const s = this.byId.get(instrument)
    if (s && Number.isFinite(close)) s.last = close
  }

  tick(t: Tick): void {
    const s = this.byId.get(t.instrument)
    if (s === undefined || !Number.isFinite(t.price) || !Number.isFinite(t.ts)) return
    this.advance(t.ts)
    if (t.ts < this.periodStart) {
      this.lateTicks++
      return
    }
    if (!s.touched) {
      s.touched = true
      s.open = t.price
      s.high = t.price
      s.low = t.price
      s.volume = 0
    } else {
      if (t.price > s.high) s.high = t.price
      if (t.price < s.low) s.low = t.price
    }
    s.close = t.price
    s.volume += t.volume > 0 ? t.volume : 0
  }

  /** The venue's time is now `venueTs`: closes every period that ended at or before it. */
  advance(venueTs: number): void {
    if (!Number.isFinite(venueTs)) return
    const current = this.periodOf(venueTs)
    if (Number.isNaN(this.periodStart)) {
      this.periodStart = current
      return
    }
    while (this.periodStart < current) {
      this.close(this.periodStart)
      this.periodStart += this.periodMs
    }
  }

  private close(start: number): void {
    const out: Bar[] = []
    for (const s of this.slots) {
      if (s.touched) {
        out.push({instrument: s.instrument, ts: start, open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume})
        s.last = s.close
        s.touched = false
      } else if (!Number.isNaN(s.last)) {
        out.push({instrument: s.instrument, ts: start, open: s.last, high: s.last, low: s.last, close: s.last, volume: 0})
      }
    }
    if (out.length > 0) this.onPeriod(out)
  }
}
