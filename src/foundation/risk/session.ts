// When a sector may trade, and which trading day an instant belongs to, in the session's IANA zone.
//
// Decisions (tested in test/foundation/risk/session.test.ts):
// - A window opens on each of its `days` at `start` and closes at `end` the same day, or the next
//   day when `end` ≤ `start` (a window runs past midnight). Opening is inclusive, closing exclusive.
// - A window belongs to the trading day on which it CLOSES (the date of its last minute): FX's
//   Sunday 17:05 → Monday 16:55 New York window is Monday's session, the usual FX convention of the
//   17:00 New York roll. A window ending at exactly 00:00 belongs to the day before.
// - A session day begins when its first window opens and lasts until the next session day begins,
//   so the hours between windows (nights, weekends) belong to the day that last opened: Friday's day
//   runs until Sunday 17:05 for FX, Monday's until Tuesday 09:30 for US stocks. sessionDay() is that
//   day's date; nextSessionDayStart() is when the next one opens (a daily-loss halt lasts until then).
// - The flatten deadline of a day is the first time the clock reads `flattenAt` at or after the day
//   began; pastFlatten() is true from then until the next session day begins.
// - Local times that do not exist (spring-forward gap) move forward by the gap; times that occur
//   twice (fall-back) mean the first one. DST changes are handled by the zone data of Intl, so a
//   09:30 New York open is 14:30 UTC in winter and 13:30 UTC in summer.
// - Without a session config a sector may always trade: days are UTC calendar days, no flatten.
//
// The engine asks once per bar, not per order; the answers come from a cache of window instants
// that is rebuilt around `ts` only when `ts` leaves it (about once per simulated month).
import type {SessionConfig, SessionWindow} from '../config/types.js'
import {WEEKDAYS} from '../config/types.js'
import {
  addDays,
  assertTimeZone,
  isoDate,
  localDateTime,
  wallClockConverter,
  weekdayIndex,
  type LocalDate,
} from './zoned-time.js'

export interface SessionClock {
  readonly timezone: string
  /** Inside one of the session's windows. */
  inSession(ts: number): boolean
  /** The flatten time of `ts`'s session day has passed (always false without `flattenAt`). */
  pastFlatten(ts: number): boolean
  /** YYYY-MM-DD of the trading day `ts` belongs to. */
  sessionDay(ts: number): string
  /** When `ts`'s session day began (epoch ms). */
  sessionDayStart(ts: number): number
  /** When the next session day begins (epoch ms), strictly after `ts`. */
  nextSessionDayStart(ts: number): number
  /** The flatten deadline of `ts`'s session day, or undefined without `flattenAt`. */
  flattenTime(ts: number): number | undefined
}

const DAY_MS = 86_400_000

/** A clock for `session`; without one, trading is always allowed and days are UTC dates. */
export function sessionClock(session?: SessionConfig): SessionClock {
  if (session === undefined) return new AlwaysOpenClock()
  return new ZonedSessionClock(session)
}

class AlwaysOpenClock implements SessionClock {
  readonly timezone = 'UTC'
  inSession(): boolean {
    return true
  }
  pastFlatten(): boolean {
    return false
  }
  sessionDay(ts: number): string {
    return new Date(this.sessionDayStart(ts)).toISOString().slice(0, 10)
  }
  sessionDayStart(ts: number): number {
    return Math.floor(ts / DAY_MS) * DAY_MS
  }
  nextSessionDayStart(ts: number): number {
    return this.sessionDayStart(ts) + DAY_MS
  }
  flattenTime(): undefined {
    return undefined
  }
}

interface Day {
  label: string
  start: number
  /** Flatten deadline, or +Infinity. */
  flatten: number
}

interface Interval {
  start: number
  end: number
}

interface ParsedWindow {
  days: Set<number>
  start: number
  end: number
}

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm)
  if (!m) throw new RangeError(`session time "${hhmm}" is not HH:MM`)
  const h = Number(m[1])
  const min = Number(m[2])
  if (h > 23 || min > 59) throw new RangeError(`session time "${hhmm}" is not HH:MM`)
  return h * 60 + min
}

function parseWindow(w: SessionWindow): ParsedWindow {
  const days = new Set<number>()
  for (const d of w.days) {
    const i = WEEKDAYS.indexOf(d)
    if (i < 0) throw new RangeError(`session day "${d}" is not one of ${WEEKDAYS.join(', ')}`)
    days.add(i)
  }
  return {days, start: minutes(w.start), end: minutes(w.end)}
}

// Dates generated around `ts` (a week and a half back, about five weeks ahead: rebuilt about once
// a simulated month), and the labels kept (edge labels may miss a window).
const GENERATE_BACK = 10
const GENERATE_AHEAD = 40
const KEEP_BACK = 8
const KEEP_AHEAD = 38

class ZonedSessionClock implements SessionClock {
  readonly timezone: string
  private readonly windows: ParsedWindow[]
  private readonly flattenMin: number | undefined
  private days: Day[] = []
  private intervals: Interval[] = []
  private dayIdx = 0
  private ivIdx = 0

  constructor(session: SessionConfig) {
    assertTimeZone(session.timezone)
    this.timezone = session.timezone
    this.windows = session.windows.map(parseWindow)
    this.flattenMin = session.flattenAt === undefined ? undefined : minutes(session.flattenAt)
    if (this.windows.length === 0) throw new RangeError('a session needs at least one window')
  }

  inSession(ts: number): boolean {
    this.dayOf(ts)
    const iv = this.intervals
    let i = this.ivIdx
    if (i >= iv.length || (iv[i] as Interval).start > ts || (i + 1 < iv.length && (iv[i + 1] as Interval).start <= ts)) {
      i = lastAtOrBefore(iv, ts)
      this.ivIdx = i < 0 ? 0 : i
    }
    return i >= 0 && ts < (iv[i] as Interval).end
  }

  pastFlatten(ts: number): boolean {
    return ts >= this.dayOf(ts).flatten
  }

  sessionDay(ts: number): string {
    return this.dayOf(ts).label
  }

  sessionDayStart(ts: number): number {
    return this.dayOf(ts).start
  }

  nextSessionDayStart(ts: number): number {
    this.dayOf(ts)
    return (this.days[this.dayIdx + 1] as Day).start
  }

  flattenTime(ts: number): number | undefined {
    const f = this.dayOf(ts).flatten
    return f === Number.POSITIVE_INFINITY ? undefined : f
  }

  /** The session day holding `ts`; leaves dayIdx on it with a following day in the cache. */
  private dayOf(ts: number): Day {
    if (!Number.isFinite(ts)) throw new RangeError(`time is not a number (${ts})`)
    const days = this.days
    const i = this.dayIdx
    if (i + 1 < days.length && (days[i] as Day).start <= ts && ts < (days[i + 1] as Day).start) return days[i] as Day
    let j = lastAtOrBefore(days, ts)
    if (j < 0 || j + 1 >= days.length) {
      this.rebuild(ts)
      j = lastAtOrBefore(this.days, ts)
      if (j < 0 || j + 1 >= this.days.length) throw new Error(`no session day found around ${new Date(ts).toISOString()}`)
    }
    this.dayIdx = j
    return this.days[j] as Day
  }

  private rebuild(ts: number): void {
    const tz = this.timezone
    const now = localDateTime(ts, tz)
    const today: LocalDate = {year: now.year, month: now.month, day: now.day}
    const lowLabel = isoDate(addDays(today, -KEEP_BACK))
    const highLabel = isoDate(addDays(today, KEEP_AHEAD))
    const toEpoch = wallClockConverter(tz, addDays(today, -GENERATE_BACK), addDays(today, GENERATE_AHEAD + 1))
    const instances: Array<Interval & {label: string; date: LocalDate; startMin: number}> = []
    for (let offset = -GENERATE_BACK; offset <= GENERATE_AHEAD; offset++) {
      const date = addDays(today, offset)
      const weekday = weekdayIndex(date)
      for (const w of this.windows) {
        if (!w.days.has(weekday)) continue
        const overnight = w.end <= w.start
        const endDate = overnight ? addDays(date, 1) : date
        const start = toEpoch(date, Math.floor(w.start / 60), w.start % 60)
        const end = toEpoch(endDate, Math.floor(w.end / 60), w.end % 60)
        // The date of the window's last minute.
        const label = isoDate(w.end === 0 ? addDays(endDate, -1) : endDate)
        instances.push({start, end, label, date, startMin: w.start})
      }
    }
    instances.sort((a, b) => a.start - b.start)

    const byLabel = new Map<string, (typeof instances)[number]>()
    for (const inst of instances) {
      if (inst.label < lowLabel || inst.label > highLabel) continue
      const first = byLabel.get(inst.label)
      if (first === undefined || inst.start < first.start) byLabel.set(inst.label, inst)
    }
    const days: Day[] = []
    for (const [label, first] of byLabel) {
      let flatten = Number.POSITIVE_INFINITY
      if (this.flattenMin !== undefined) {
        const date = this.flattenMin >= first.startMin ? first.date : addDays(first.date, 1)
        flatten = toEpoch(date, Math.floor(this.flattenMin / 60), this.flattenMin % 60)
      }
      days.push({label, start: first.start, flatten})
    }
    days.sort((a, b) => a.start - b.start)

    const merged: Interval[] = []
    for (const inst of instances) {
      const last = merged[merged.length - 1]
      if (last !== undefined && inst.start <= last.end) {
        if (inst.end > last.end) last.end = inst.end
      } else merged.push({start: inst.start, end: inst.end})
    }
    this.days = days
    this.intervals = merged
    this.dayIdx = 0
    this.ivIdx = 0
  }
}

/** Index of the last item whose start ≤ ts, or −1. */
function lastAtOrBefore(items: ReadonlyArray<{start: number}>, ts: number): number {
  let lo = 0
  let hi = items.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if ((items[mid] as {start: number}).start <= ts) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}
