// Calendar arithmetic on epoch milliseconds (UTC) without Date: src/sectors never touches the
// wall clock, and this keeps even parsing and formatting of timestamps pure and obvious.

const DAY_MS = 86_400_000

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y
  const era = Math.floor(yy / 400)
  const yoe = yy - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(m) ? 30 : 31
}

/** Epoch ms of a UTC calendar time; undefined when a field is out of range (2024-02-30, 25:00). */
export function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return undefined
  return daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms
}

/** `2024-03-01T09:30:00.000Z` for epoch ms. */
export function isoUtc(epochMs: number): string {
  const days = Math.floor(epochMs / DAY_MS)
  let rest = epochMs - days * DAY_MS
  // civil_from_days
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const mi = Math.floor(rest / 60_000)
  rest -= mi * 60_000
  const s = Math.floor(rest / 1000)
  const ms = Math.round(rest - s * 1000)
  const p = (v: number, n = 2) => String(v).padStart(n, '0')
  return `${y < 0 ? '-' : ''}${p(Math.abs(y), 4)}-${p(m)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}.${p(ms, 3)}Z`
}
