// Pull-style market data. The engine (or the paper venue) asks for the next bar; a feed never
// pushes. Feeds reuse ONE Bar object: a returned bar is valid until the next call to next().
import {barAt, type Bar, type BarSeries} from '../../foundation/domain/bars.js'
import type {Instrument} from '../../foundation/domain/instrument.js'
import type {InputSource} from '../../foundation/journal/events.js'
import {SCAN_UP_TO, StreamHeap} from './merge-heap.js'
import {SyntheticWalker, syntheticSeries} from './synthetic.js'

export interface BarFeed {
  /** Instrument ids this feed produces, in its tie-break order (bars with equal ts come in this order). */
  instruments: string[]
  /** The next bar across all instruments, ordered by ts; undefined when the data is exhausted. */
  next(): Bar | undefined
  /** What to journal so the same bars can be fed again (replay). */
  readonly source?: InputSource
}

export interface SyntheticFeedOptions {
  instruments: readonly Instrument[]
  seed: number
  startTs: number
  periodMs: number
  /** Bars per instrument; unlimited when omitted (a live-paced paper run). */
  bars?: number
}

/**
 * Synthetic bars for several instruments, interleaved by ts. With `bars` the series are generated
 * up front (columnar, fast); without, they are generated as they are pulled, forever. Both give
 * the same bars for the same seed.
 */
export function syntheticFeed(options: SyntheticFeedOptions): BarFeed {
  const source: InputSource = {
    kind: 'synthetic',
    seed: options.seed,
    instruments: options.instruments.map((i) => i.id),
    startTs: options.startTs,
    periodMs: options.periodMs,
  }
  if (options.bars !== undefined) {
    const series = options.instruments.map((i) => syntheticSeries(i, {seed: options.seed, startTs: options.startTs, periodMs: options.periodMs, length: options.bars as number}))
    return seriesFeed(series, source)
  }
  return new WalkerFeed(
    options.instruments.map((i) => new SyntheticWalker(i, options)),
    source,
  )
}

/** Several columnar series interleaved by ts (ties: in the order given). */
export function seriesFeed(series: readonly BarSeries[], source?: InputSource): BarFeed {
  if (series.length === 1) return new SingleSeriesFeed(series[0] as BarSeries, source)
  return new MergedSeriesFeed(series, source)
}

class SingleSeriesFeed implements BarFeed {
  readonly instruments: string[]
  private i = 0
  private readonly bar: Bar
  constructor(
    private readonly series: BarSeries,
    readonly source?: InputSource,
  ) {
    this.instruments = [series.instrument]
    this.bar = {instrument: series.instrument, ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0}
  }
  next(): Bar | undefined {
    const i = this.i
    if (i >= this.series.length) return undefined
    this.i = i + 1
    return barAt(this.series, i, this.bar)
  }
}

class MergedSeriesFeed implements BarFeed {
  readonly instruments: string[]
  private readonly cursors: number[]
  private readonly bar: Bar = {instrument: '', ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0}
  /** Set past SCAN_UP_TO series (see merge-heap.ts). */
  private readonly heap: StreamHeap | undefined
  constructor(
    private readonly series: readonly BarSeries[],
    readonly source?: InputSource,
  ) {
    this.instruments = series.map((s) => s.instrument)
    this.cursors = series.map(() => 0)
    if (series.length > SCAN_UP_TO) {
      this.heap = new StreamHeap(series.map((s) => (s.length > 0 ? s.ts[0] : undefined)))
    }
  }
  next(): Bar | undefined {
    const heap = this.heap
    const best = heap === undefined ? this.scan() : heap.top()
    if (best < 0) return undefined
    const s = this.series[best] as BarSeries
    const c = this.cursors[best] as number
    barAt(s, c, this.bar)
    this.cursors[best] = c + 1
    if (heap !== undefined) {
      if (c + 1 < s.length) heap.advanced(s.ts[c + 1] as number)
      else heap.removeTop()
    }
    return this.bar
  }
  /** The series with the earliest next bar (the first of equals), or -1. */
  private scan(): number {
    let best = -1
    let bestTs = Infinity
    for (let k = 0; k < this.series.length; k++) {
      const s = this.series[k] as BarSeries
      const c = this.cursors[k] as number
      if (c < s.length && (s.ts[c] as number) < bestTs) {
        bestTs = s.ts[c] as number
        best = k
      }
    }
    return best
  }
}

/** Unbounded synthetic bars: each walker is one bar ahead; the earliest pending bar goes next. */
class WalkerFeed implements BarFeed {
  readonly instruments: string[]
  private readonly pending: Bar[]
  private readonly out: Bar = {instrument: '', ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0}
  /** Set past SCAN_UP_TO walkers (see merge-heap.ts); walkers never run out. */
  private readonly heap: StreamHeap | undefined
  constructor(
    private readonly walkers: SyntheticWalker[],
    readonly source?: InputSource,
  ) {
    this.instruments = walkers.map((w) => w.instrument.id)
    this.pending = walkers.map((w) => w.nextInto({instrument: '', ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0}))
    if (walkers.length > SCAN_UP_TO) {
      this.heap = new StreamHeap(this.pending.map((p) => p.ts))
    }
  }
  next(): Bar | undefined {
    const best = this.heap === undefined ? this.scan() : this.heap.top()
    if (best < 0) return undefined
    const p = this.pending[best] as Bar
    const out = this.out
    out.instrument = p.instrument
    out.ts = p.ts
    out.open = p.open
    out.high = p.high
    out.low = p.low
    out.close = p.close
    out.volume = p.volume
    ;(this.walkers[best] as SyntheticWalker).nextInto(p)
    this.heap?.advanced(p.ts)
    return out
  }
  private scan(): number {
    let best = -1
    let bestTs = Infinity
    for (let k = 0; k < this.pending.length; k++) {
      const ts = (this.pending[k] as Bar).ts
      if (ts < bestTs) {
        bestTs = ts
        best = k
      }
    }
    return best
  }
}
