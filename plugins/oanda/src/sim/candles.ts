// Candlesticks as OANDA serves them (GET /v3/instruments/{i}/candles and
// /v3/accounts/{id}/instruments/{i}/candles): granularities S5…M (month), candles aligned on
// OANDA's trading day (dailyAlignment 17 in alignmentTimezone America/New_York by default; weekly on
// weeklyAlignment Friday), `price` any of M, B, A, `count` (default 500, at most 5000) or from/to,
// includeFirst, smooth. A candle is built from the steps of the simulator's price path that fall in
// it; the one still running is `complete: false`; candles before the path's history are absent.
import type {PricePath} from '../../../../src/sectors/sim/index.js'
import type {SimInstrument} from './catalogue.js'
import {parseDateTime, SimTime} from './wire.js'

const S = 1_000
const MIN = 60 * S
const H = 60 * MIN
const DAY = 24 * H

/** Fixed-length granularities in ms; D, W and M follow the calendar of the alignment timezone. */
export const GRANULARITIES: Record<string, number> = {
  S5: 5 * S, S10: 10 * S, S15: 15 * S, S30: 30 * S,
  M1: MIN, M2: 2 * MIN, M4: 4 * MIN, M5: 5 * MIN, M10: 10 * MIN, M15: 15 * MIN, M30: 30 * MIN,
  H1: H, H2: 2 * H, H3: 3 * H, H4: 4 * H, H6: 6 * H, H8: 8 * H, H12: 12 * H,
  D: DAY, W: 7 * DAY, M: 31 * DAY,
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

export interface Alignment {
  dailyAlignment: number
  timeZone: string
  weeklyAlignment: number
}

export const DEFAULT_ALIGNMENT: Alignment = {dailyAlignment: 17, timeZone: 'America/New_York', weeklyAlignment: 5}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Offsets by zone and quarter hour: every zone changes its offset on a quarter hour. */
const offsets = new Map<string, number>()
const QUARTER = 15 * 60_000

/**
 * Offset of a timezone from UTC at an instant, in ms (local = utc + offset). Cached per quarter
 * hour: asking Intl for every candle made a page of 5000 one-minute candles cost ~0.45 s.
 */
function offsetMs(timeZone: string, ts: number): number {
  const key = `${timeZone}|${Math.floor(ts / QUARTER)}`
  const known = offsets.get(key)
  if (known !== undefined) return known
  const value = zoneOffset(timeZone, Math.floor(ts / QUARTER) * QUARTER)
  if (offsets.size >= 50_000) offsets.clear()
  offsets.set(key, value)
  return value
}

function zoneOffset(timeZone: string, ts: number): number {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric'})
    formatters.set(timeZone, f)
  }
  const p: Record<string, number> = {}
  for (const part of f.formatToParts(new Date(ts))) if (part.type !== 'literal') p[part.type] = Number(part.value)
  const local = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second)
  return local - Math.floor(ts / 1000) * 1000
}

/** Local wall time (as a UTC-based number) back to an instant in a timezone. */
function fromLocal(timeZone: string, local: number): number {
  const guess = local - offsetMs(timeZone, local)
  return local - offsetMs(timeZone, guess)
}

/** Start of the trading day containing `ts` (dailyAlignment o'clock local). */
function dayStart(ts: number, a: Alignment): number {
  const local = ts + offsetMs(a.timeZone, ts)
  const start = Math.floor((local - a.dailyAlignment * H) / DAY) * DAY + a.dailyAlignment * H
  const utc = fromLocal(a.timeZone, start)
  return utc > ts ? dayStart(ts - DAY / 2, a) : utc
}

/** The local calendar date of an instant (as a Date read with getUTC*). */
function localDate(ts: number, a: Alignment): Date {
  return new Date(ts + offsetMs(a.timeZone, ts))
}

/** Start of the candle of granularity `g` that contains `ts`. */
export function candleStart(ts: number, g: string, a: Alignment): number {
  const len = GRANULARITIES[g] as number
  if (g === 'W' || g === 'M') {
    let day = dayStart(ts, a)
    if (g === 'W') {
      for (let i = 0; i < 7 && localDate(day, a).getUTCDay() !== a.weeklyAlignment; i++) day = dayStart(day - 1, a)
      return day
    }
    for (let i = 0; i < 31 && localDate(day, a).getUTCDate() !== 1; i++) day = dayStart(day - 1, a)
    return day
  }
  if (len >= DAY) return dayStart(ts, a)
  const day = dayStart(ts, a)
  return day + Math.floor((ts - day) / len) * len
}

/** Start of the candle after the one starting at `start`. */
export function nextCandleStart(start: number, g: string, a: Alignment): number {
  const len = GRANULARITIES[g] as number
  if (len < DAY) {
    const next = start + len
    // Intraday candles restart at the trading day's boundary (a 23 h or 25 h day included).
    const day = dayStart(start, a)
    const nextDay = dayStart(day + DAY + 2 * H, a)
    return next > nextDay ? nextDay : next
  }
  const jump = g === 'D' ? DAY + 2 * H : g === 'W' ? 7 * DAY + 2 * H : 32 * DAY
  return candleStart(start + jump, g, a)
}

/** When a GFD order expires: the end of the trading day it was created in (17:00 New York). */
export function tradingDayEnd(ts: number): number {
  return nextCandleStart(dayStart(ts, DEFAULT_ALIGNMENT), 'D', DEFAULT_ALIGNMENT)
}

export interface CandleQuery {
  granularity: string
  price: string
  count?: number
  from?: number
  to?: number
  includeFirst: boolean
  smooth: boolean
  alignment: Alignment
}

/** Reads candle query parameters; a string is OANDA's errorMessage for a 400. */
export function readCandleQuery(q: URLSearchParams): CandleQuery | string {
  const granularity = q.get('granularity') ?? 'S5'
  if (GRANULARITIES[granularity] === undefined) return "Invalid value specified for 'granularity'"
  const price = q.get('price') ?? 'M'
  if (!/^(?=[MBA]+$)(?!.*(.).*\1)/.test(price)) return "Invalid value specified for 'price'"
  const out: CandleQuery = {granularity, price, includeFirst: q.get('includeFirst') !== 'false', smooth: q.get('smooth') === 'true', alignment: {...DEFAULT_ALIGNMENT}}
  for (const key of ['from', 'to'] as const) {
    const v = q.get(key)
    if (v === null) continue
    const t = parseDateTime(v)
    if (t === undefined) return `Invalid value specified for '${key}'`
    out[key] = t
  }
  const count = q.get('count')
  if (count !== null) {
    if (!/^\d+$/.test(count) || Number(count) < 1) return "Invalid value specified for 'count'"
    if (Number(count) > 5000) return "Maximum value for 'count' exceeded"
    out.count = Number(count)
  }
  if (out.count !== undefined && out.from !== undefined && out.to !== undefined) return "'count' cannot be specified when 'to' and 'from' parameters are set"
  if (out.from !== undefined && out.to !== undefined && out.from > out.to) return "Invalid value specified for 'to'. Time is before 'from'"
  const daily = q.get('dailyAlignment')
  if (daily !== null) {
    if (!/^\d+$/.test(daily) || Number(daily) > 23) return "Invalid value specified for 'dailyAlignment'"
    out.alignment.dailyAlignment = Number(daily)
  }
  const tz = q.get('alignmentTimezone')
  if (tz !== null) {
    try {
      new Intl.DateTimeFormat('en-US', {timeZone: tz})
    } catch {
      return "Invalid value specified for 'alignmentTimezone'"
    }
    out.alignment.timeZone = tz
  }
  const weekly = q.get('weeklyAlignment')
  if (weekly !== null) {
    const i = WEEKDAYS.indexOf(weekly)
    if (i < 0) return "Invalid value specified for 'weeklyAlignment'"
    out.alignment.weeklyAlignment = i
  }
  return out
}

const DEFAULT_COUNT = 500

/** The candles of a query, oldest first, with nothing after `now`. */
export function buildCandles(path: PricePath, instrument: SimInstrument, q: CandleQuery, now: number, format: (ticks: number, extraDecimal: boolean) => string): Array<Record<string, unknown>> {
  const g = q.granularity
  const a = q.alignment
  const starts: number[] = []
  const count = q.count ?? DEFAULT_COUNT
  const end = Math.min(q.to ?? now, now)
  if (q.from !== undefined) {
    let s = candleStart(q.from, g, a)
    if (s < q.from || !q.includeFirst) s = nextCandleStart(s, g, a)
    while (s <= end && (q.to !== undefined || starts.length < count)) {
      if (q.to !== undefined && s >= q.to) break
      starts.push(s)
      s = nextCandleStart(s, g, a)
    }
  } else {
    // The `count` candles that end at `to` (or the latest ones, the running one included).
    let s = candleStart(q.to !== undefined ? end - 1 : end, g, a)
    if (q.to !== undefined && nextCandleStart(s, g, a) > q.to) s = candleStart(s - 1, g, a)
    while (starts.length < count && s <= end) {
      starts.unshift(s)
      const prev = candleStart(s - 1, g, a)
      if (prev >= s) break
      s = prev
    }
  }
  const candles: Array<Record<string, unknown>> = []
  let prevClose: number | undefined
  for (const s of starts) {
    const next = nextCandleStart(s, g, a)
    const r = path.range(s, Math.min(next, now + 1))
    if (r === undefined) continue
    const open = q.smooth && prevClose !== undefined ? prevClose : r.open
    prevClose = r.close
    const candle: Record<string, unknown> = {complete: next <= now, volume: r.ticks, time: new SimTime(s)}
    const spread = instrument.spreadTicks
    // The path is the bid; the ask is a spread above; the mid half a spread above (maybe half a tick).
    const ohlc = (shift: number, half: boolean) => ({o: format(open * (half ? 2 : 1) + shift, half), h: format(r.high * (half ? 2 : 1) + shift, half), l: format(r.low * (half ? 2 : 1) + shift, half), c: format(r.close * (half ? 2 : 1) + shift, half)})
    if (q.price.includes('B')) candle.bid = ohlc(0, false)
    if (q.price.includes('M')) candle.mid = ohlc(spread, true)
    if (q.price.includes('A')) candle.ask = ohlc(spread, false)
    candles.push(candle)
  }
  return candles
}
