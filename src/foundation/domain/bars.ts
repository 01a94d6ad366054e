// Market data. A Bar is one period of one instrument; ts is the bar's OPEN time in epoch
// milliseconds (UTC). Backtests move bars in columnar form (BarSeries) so a million bars cost six
// typed arrays instead of a million objects.

export interface Bar {
  instrument: string
  ts: number
  open: number
  high: number
  low: number
  close: number
  volume: number
}

export interface BarSeries {
  instrument: string
  /** Bar length in milliseconds (60_000 for one-minute bars). */
  periodMs: number
  ts: Float64Array
  open: Float64Array
  high: Float64Array
  low: Float64Array
  close: Float64Array
  volume: Float64Array
  length: number
}

export function emptySeries(instrument: string, periodMs: number, length: number): BarSeries {
  return {
    instrument,
    periodMs,
    ts: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
    length,
  }
}

/** Bars of one instrument (in time order) as a series. */
export function seriesOf(instrument: string, periodMs: number, bars: ReadonlyArray<Omit<Bar, 'instrument'>>): BarSeries {
  const s = emptySeries(instrument, periodMs, bars.length)
  bars.forEach((b, i) => {
    s.ts[i] = b.ts
    s.open[i] = b.open
    s.high[i] = b.high
    s.low[i] = b.low
    s.close[i] = b.close
    s.volume[i] = b.volume
  })
  return s
}

/** Copies bar i of a series into `into` (reused by hot loops to avoid one object per bar). */
export function barAt(series: BarSeries, i: number, into: Bar): Bar {
  into.instrument = series.instrument
  into.ts = series.ts[i] as number
  into.open = series.open[i] as number
  into.high = series.high[i] as number
  into.low = series.low[i] as number
  into.close = series.close[i] as number
  into.volume = series.volume[i] as number
  return into
}
