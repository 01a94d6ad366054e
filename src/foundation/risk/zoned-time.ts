// Wall-clock time in an IANA zone, through Intl.DateTimeFormat only (no tz database of our own).
// Formatters are expensive to build, so there is one per zone for the life of the process.

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      })
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}" (expected an IANA name such as America/New_York or UTC)`)
    }
    formatters.set(timeZone, f)
  }
  return f
}

/** Throws a RangeError naming the zone when it is not a valid IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone)
}

/** A calendar date (month 1-12). */
export interface LocalDate {
  year: number
  month: number
  day: number
}

export interface LocalDateTime extends LocalDate {
  hour: number
  minute: number
  second: number
}

/** The wall-clock reading in `timeZone` at epoch ms `ts` (seconds precision). */
export function localDateTime(ts: number, timeZone: string): LocalDateTime {
  const out: LocalDateTime = {year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0}
  for (const part of formatter(timeZone).formatToParts(ts)) {
    switch (part.type) {
      case 'year':
        out.year = Number(part.value)
        break
      case 'month':
        out.month = Number(part.value)
        break
      case 'day':
        out.day = Number(part.value)
        break
      case 'hour':
        out.hour = Number(part.value) % 24
        break
      case 'minute':
        out.minute = Number(part.value)
        break
      case 'second':
        out.second = Number(part.value)
        break
      default:
        break
    }
  }
  return out
}

/** Offset of `timeZone` from UTC at `ts`, in ms (−4 h = −14 400 000 for New York in summer). */
export function zoneOffset(ts: number, timeZone: string): number {
  const whole = Math.floor(ts / 1000) * 1000
  const l = localDateTime(whole, timeZone)
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second) - whole
}

/**
 * The instant at which the wall clock in `timeZone` reads the given local time. A time skipped
 * by a spring-forward gap (02:30 on a New York DST day) moves forward by the gap (03:30 EDT); a
 * time that occurs twice after a fall-back resolves to the earlier instant.
 * Assumes at most one offset change within a day either side, which holds for every real zone.
 */
export function zonedTimeToEpoch(date: LocalDate, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute)
  const before = zoneOffset(wall - 86_400_000, timeZone)
  const after = zoneOffset(wall + 86_400_000, timeZone)
  const a = wall - before
  const b = wall - after
  const aValid = zoneOffset(a, timeZone) === before
  const bValid = zoneOffset(b, timeZone) === after
  if (aValid && bValid) return Math.min(a, b)
  if (aValid) return a
  if (bValid) return b
  // In the gap: the wall time does not exist; read it with the offset before the change.
  return a
}

/** The date `days` after `date` (negative goes back), by calendar arithmetic. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days))
  return {year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate()}
}

/** 0 = Monday … 6 = Sunday (the order of WEEKDAYS in the config types). */
export function weekdayIndex(date: LocalDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7
}

/** YYYY-MM-DD. */
export function isoDate(date: LocalDate): string {
  const mm = date.month < 10 ? `0${date.month}` : String(date.month)
  const dd = date.day < 10 ? `0${date.day}` : String(date.day)
  return `${date.year}-${mm}-${dd}`
}

/**
 * zonedTimeToEpoch() for many local times in a range of dates, with the zone's offset sampled once
 * per UTC day: where the offset is the same on the days around a wall time (every day but the two
 * DST changes of a year) the answer is wall − offset without asking Intl again; near a change the
 * exact rule of zonedTimeToEpoch() applies.
 */
export function wallClockConverter(
  timeZone: string,
  from: LocalDate,
  to: LocalDate,
): (date: LocalDate, hour: number, minute: number) => number {
  const DAY = 86_400_000
  const first = Date.UTC(from.year, from.month - 1, from.day) / DAY - 3
  const last = Date.UTC(to.year, to.month - 1, to.day) / DAY + 4
  const offsets: number[] = []
  for (let d = first; d <= last; d++) offsets.push(zoneOffset(d * DAY, timeZone))
  return (date, hour, minute) => {
    const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute)
    const k1 = Math.floor((wall - DAY) / DAY) - first
    const k2 = Math.ceil((wall + DAY) / DAY) - first
    if (k1 >= 0 && k2 < offsets.length) {
      const o = offsets[k1] as number
      let same = true
      for (let k = k1 + 1; k <= k2; k++) if (offsets[k] !== o) same = false
      if (same) return wall - o
    }
    return zonedTimeToEpoch(date, hour, minute, timeZone)
  }
}
