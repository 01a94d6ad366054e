// TWS's ways of writing and reading times. The simulated TWS runs on UTC ("its local time zone"):
// times it writes say so, and times a client sends without a zone are read as UTC.

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0')
}

function parts(ms: number): {ymd: string; hms: string} {
  const d = new Date(ms)
  return {
    ymd: `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`,
    hms: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  }
}

/** `yyyymmdd hh:mm:ss UTC`: the connection time of the handshake, bar and range times. */
export function twsDateTime(ms: number): string {
  const p = parts(ms)
  return `${p.ymd} ${p.hms} UTC`
}

/** `yyyymmdd-hh:mm:ss` (UTC): execution times. */
export function twsUtcDateTime(ms: number): string {
  const p = parts(ms)
  return `${p.ymd}-${p.hms}`
}

/** `yyyymmdd`: daily bars. */
export function twsDate(ms: number): string {
  return parts(ms).ymd
}

/** Offset of a time zone from UTC at an instant, in ms (Intl knows the zones; no table of ours). */
function zoneOffsetMs(tz: string, utcMs: number): number {
  const f = new Intl.DateTimeFormat('en-US', {timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'})
  const get = (type: string): number => Number(f.formatToParts(new Date(utcMs)).find((p) => p.type === type)?.value)
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'))
  return asUtc - Math.floor(utcMs / 1000) * 1000
}

/**
 * A date-time a client sends (reqHistoricalData's endDateTime, an execution filter's time):
 * `yyyymmdd hh:mm:ss [zone]`, `yyyymmdd-hh:mm:ss` (UTC), `yyyymmdd`. Epoch ms, or null when unreadable.
 */
export function parseTwsDateTime(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:([ -])\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s+(\S+))?$/.exec(text.trim())
  if (m === null) return null
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[5] ?? '0', m[6] ?? '0', m[7] ?? '0'].map(Number) as [number, number, number, number, number, number]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null
  const naive = Date.UTC(y, mo - 1, d, h, mi, s)
  const tz = m[8]
  if (tz === undefined || m[4] === '-' || /^(UTC|GMT)$/i.test(tz)) return naive
  try {
    // Two passes: the offset at the naive instant, then at the corrected one (DST edges).
    const first = naive - zoneOffsetMs(tz, naive)
    return naive - zoneOffsetMs(tz, first)
  } catch {
    return null
  }
}

const DURATION_UNIT: Record<string, number> = {S: 1, D: 86_400, W: 7 * 86_400, M: 30 * 86_400, Y: 365 * 86_400}

/** reqHistoricalData's durationStr (`1800 S`, `2 D`, `1 W`, `1 M`, `1 Y`) in seconds, or null. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)\s+([SDWMY])$/.exec(text.trim())
  if (m === null) return null
  const n = Number(m[1])
  return n > 0 ? n * (DURATION_UNIT[m[2] as string] as number) : null
}

const BAR_UNIT: Record<string, number> = {sec: 1, secs: 1, min: 60, mins: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400, week: 7 * 86_400, month: 30 * 86_400}

/** The bar sizes TWS accepts (`5 secs`, `1 min`, `2 mins`, `1 hour`, `1 day`…) in seconds, or null. */
export function parseBarSize(text: string): number | null {
  const m = /^(\d+)\s+(secs?|mins?|hours?|days?|week|month)$/.exec(text.trim())
  if (m === null) return null
  const allowed: Record<string, number[]> = {
    sec: [1], secs: [5, 10, 15, 30], min: [1], mins: [2, 3, 5, 10, 15, 20, 30], hour: [1], hours: [2, 3, 4, 8], day: [1], days: [], week: [1], month: [1],
  }
  const n = Number(m[1])
  const unit = m[2] as string
  return allowed[unit]?.includes(n) ? n * (BAR_UNIT[unit] as number) : null
}
