// The venue's bars for warm-up (Connector.history) from reqHistoricalData, oldest first, complete bars
// only (a bar still open at the venue's time is left out).
//
// - Bar sizes: TWS's own ("1 min", "5 mins", "1 hour", "1 day"…). A period TWS lacks (e.g. 45 s) is
//   built from the largest TWS size that divides it, aggregated on the epoch grid.
// - Paging: TWS limits how much one request may span for a bar size (its "duration" table: 1800 S of
//   1-second bars, 1 D of 1-minute bars, …), so long requests go back page by page from the end,
//   each page ending where the previous one began, sequentially (historical requests have their own
//   pacing at TWS: at most 60 in 10 minutes, so a warm-up never needs more than MAX_PAGES).
// - Times: formatDate 2 (epoch seconds) for intraday bars; a daily bar's `yyyymmdd` is read in the
//   contract's time zone. The end time is sent in TWS's UTC form `yyyymmdd-hh:mm:ss`.
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {HistoryRequest} from '../../../src/sectors/connector.js'
import {formatUtc, num, parseTwsTime, str, type IbkrInstrument} from './parsing.js'

/** TWS bar sizes by length in seconds, and the longest span one request may cover for each. */
const SIZES: ReadonlyArray<{sec: number; name: string; maxSpanSec: number}> = [
  {sec: 1, name: '1 secs', maxSpanSec: 1_800},
  {sec: 5, name: '5 secs', maxSpanSec: 7_200},
  {sec: 10, name: '10 secs', maxSpanSec: 14_400},
  {sec: 15, name: '15 secs', maxSpanSec: 14_400},
  {sec: 30, name: '30 secs', maxSpanSec: 28_800},
  {sec: 60, name: '1 min', maxSpanSec: 86_400},
  {sec: 120, name: '2 mins', maxSpanSec: 86_400},
  {sec: 180, name: '3 mins', maxSpanSec: 86_400},
  {sec: 300, name: '5 mins', maxSpanSec: 86_400},
  {sec: 600, name: '10 mins', maxSpanSec: 86_400},
  {sec: 900, name: '15 mins', maxSpanSec: 86_400},
  {sec: 1_200, name: '20 mins', maxSpanSec: 86_400},
  {sec: 1_800, name: '30 mins', maxSpanSec: 86_400},
  {sec: 3_600, name: '1 hour', maxSpanSec: 7 * 86_400},
  {sec: 7_200, name: '2 hours', maxSpanSec: 7 * 86_400},
  {sec: 14_400, name: '4 hours', maxSpanSec: 7 * 86_400},
  {sec: 86_400, name: '1 day', maxSpanSec: 365 * 86_400},
]
export const MAX_PAGES = 30
/** Bars one page asks for at most (TWS answers large requests slowly). */
const PAGE_BARS = 2_000

export interface HistoryDeps {
  /** One reqHistoricalData; resolves with its bars' argument lists (the end marker excluded). */
  fetch(spec: IbkrInstrument, endDateTime: string, durationStr: string, barSize: string): Promise<unknown[][]>
}

/** The TWS bar size rick asks for a period: the period itself, or the largest size dividing it. */
export function barSizeFor(periodMs: number): {sec: number; name: string; maxSpanSec: number} {
  const sec = periodMs / 1000
  if (!(sec >= 1) || !Number.isInteger(sec)) throw new Error(`a bar period of ${periodMs} ms is not a whole number of seconds`)
  for (let i = SIZES.length - 1; i >= 0; i--) {
    const s = SIZES[i] as (typeof SIZES)[number]
    if (s.sec <= sec && sec % s.sec === 0) return s
  }
  return SIZES[0] as (typeof SIZES)[number]
}

/** TWS's duration string for a span in seconds (`S` up to a day, whole days beyond). */
export function durationOf(spanSec: number): string {
  return spanSec <= 86_400 ? `${Math.max(1, Math.ceil(spanSec))} S` : `${Math.ceil(spanSec / 86_400)} D`
}

/**
 * The bars of a request at `venueNow` (the venue's clock: the newest complete bar ends at or
 * before it), oldest first.
 */
export async function historyBars(d: HistoryDeps, spec: IbkrInstrument, request: HistoryRequest, venueNow: number): Promise<Bar[]> {
  const period = request.periodMs
  const size = barSizeFor(period)
  const sizeMs = size.sec * 1000
  const end = Math.min(request.to ?? venueNow, venueNow)
  const from = request.from ?? Number.NEGATIVE_INFINITY
  const want = request.count ?? Number.POSITIVE_INFINITY
  if (!(want > 0) || !(end > from)) return []
  const subBars = new Map<number, Bar>()
  let pageEnd = end
  for (let page = 0; page < MAX_PAGES; page++) {
    const periodsWanted = Math.min(want, Number.isFinite(from) ? Math.ceil((pageEnd - from) / period) : want)
    const spanSec = Math.min(size.maxSpanSec, PAGE_BARS * size.sec, Math.max(size.sec, (periodsWanted * period) / 1000 + period / 1000))
    const rows = await d.fetch(spec, formatUtc(pageEnd), durationOf(spanSec), size.name)
    let earliest = pageEnd
    let added = 0
    for (const row of rows) {
      const bar = barOf(spec, row)
      if (bar === undefined || bar.ts >= pageEnd) continue
      earliest = Math.min(earliest, bar.ts)
      if (!subBars.has(bar.ts)) {
        subBars.set(bar.ts, bar)
        added++
      }
    }
    const bars = aggregate([...subBars.values()], period, sizeMs, end)
    const inRange = bars.filter((b) => b.ts >= from)
    if (inRange.length >= want || added === 0 || earliest <= from) break
    pageEnd = earliest
  }
  const bars = aggregate([...subBars.values()], period, sizeMs, end).filter((b) => b.ts >= from)
  return Number.isFinite(want) ? bars.slice(-want) : bars
}

function barOf(spec: IbkrInstrument, row: readonly unknown[]): Bar | undefined {
  const [, time, open, high, low, close, volume] = row
  let ts: number
  try {
    ts = parseTwsTime(str(time), spec.ibkr.timeZone || 'UTC')
  } catch {
    return undefined
  }
  const bar = {instrument: spec.id, ts, open: num(open), high: num(high), low: num(low), close: num(close), volume: Math.max(0, num(volume) || 0)}
  if (![bar.open, bar.high, bar.low, bar.close].every((p) => Number.isFinite(p) && p > 0)) return undefined
  return bar
}

/** TWS bars into the period's bars on the epoch grid, complete ones only (ending by `end`). */
export function aggregate(bars: readonly Bar[], periodMs: number, sizeMs: number, end: number): Bar[] {
  const sorted = [...bars].sort((a, b) => a.ts - b.ts)
  if (periodMs === sizeMs) return sorted.filter((b) => b.ts + periodMs <= end)
  const out: Bar[] = []
  for (const b of sorted) {
    const start = Math.floor(b.ts / periodMs) * periodMs
    const last = out.at(-1)
    if (last !== undefined && last.ts === start) {
      last.high = Math.max(last.high, b.high)
      last.low = Math.min(last.low, b.low)
      last.close = b.close
      last.volume += b.volume
    } else {
      out.push({...b, ts: start})
    }
  }
  return out.filter((b) => b.ts + periodMs <= end)
}
