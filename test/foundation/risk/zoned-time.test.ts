import {describe, expect, it} from 'vitest'

import {
  addDays,
  isoDate,
  localDateTime,
  wallClockConverter,
  weekdayIndex,
  zonedTimeToEpoch,
  zoneOffset,
} from '../../../src/foundation/risk/zoned-time.js'

const at = (iso: string) => Date.parse(iso)
const H = 3_600_000

describe('zoned time through Intl', () => {
  it('reads the wall clock of a zone', () => {
    expect(localDateTime(at('2024-03-11T03:00:00Z'), 'America/New_York')).toEqual({year: 2024, month: 3, day: 10, hour: 23, minute: 0, second: 0})
    expect(localDateTime(at('2024-12-31T15:00:00Z'), 'Asia/Tokyo')).toEqual({year: 2025, month: 1, day: 1, hour: 0, minute: 0, second: 0})
  })

  it('gives New York offsets on both sides of the 2024 changes', () => {
    expect(zoneOffset(at('2024-03-10T06:59:59Z'), 'America/New_York')).toBe(-5 * H)
    expect(zoneOffset(at('2024-03-10T07:00:00Z'), 'America/New_York')).toBe(-4 * H)
    expect(zoneOffset(at('2024-11-03T05:59:59Z'), 'America/New_York')).toBe(-4 * H)
    expect(zoneOffset(at('2024-11-03T06:00:00Z'), 'America/New_York')).toBe(-5 * H)
    expect(zoneOffset(at('2024-07-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * H)
  })

  it('turns a local time into an instant, moving skipped times forward and taking the first of doubled ones', () => {
    const d = {year: 2024, month: 3, day: 10}
    expect(zonedTimeToEpoch(d, 1, 30, 'America/New_York')).toBe(at('2024-03-10T06:30:00Z'))
    expect(zonedTimeToEpoch(d, 2, 30, 'America/New_York')).toBe(at('2024-03-10T07:30:00Z')) // does not exist → 03:30 EDT
    expect(zonedTimeToEpoch(d, 3, 30, 'America/New_York')).toBe(at('2024-03-10T07:30:00Z'))
    const n = {year: 2024, month: 11, day: 3}
    expect(zonedTimeToEpoch(n, 1, 30, 'America/New_York')).toBe(at('2024-11-03T05:30:00Z')) // the EDT one
    expect(zonedTimeToEpoch({year: 2024, month: 10, day: 27}, 2, 30, 'Europe/Berlin')).toBe(at('2024-10-27T00:30:00Z')) // the CEST one
    expect(zonedTimeToEpoch({year: 2024, month: 3, day: 31}, 2, 30, 'Europe/Berlin')).toBe(at('2024-03-31T01:30:00Z')) // → 03:30 CEST
  })

  it('does calendar arithmetic and weekdays (0 = Monday)', () => {
    expect(addDays({year: 2024, month: 2, day: 28}, 1)).toEqual({year: 2024, month: 2, day: 29})
    expect(addDays({year: 2024, month: 3, day: 1}, -1)).toEqual({year: 2024, month: 2, day: 29})
    expect(weekdayIndex({year: 2024, month: 3, day: 11})).toBe(0)
    expect(weekdayIndex({year: 2024, month: 3, day: 10})).toBe(6)
    expect(isoDate({year: 2024, month: 3, day: 9})).toBe('2024-03-09')
  })

  it('refuses an unknown zone with a clear message', () => {
    expect(() => localDateTime(0, 'Nowhere/Town')).toThrow(/unknown time zone "Nowhere\/Town"/)
  })
})

describe('wallClockConverter', () => {
  it('agrees with zonedTimeToEpoch at every quarter hour of a year, DST days included', () => {
    for (const tz of ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC']) {
      const from = {year: 2024, month: 1, day: 1}
      const convert = wallClockConverter(tz, from, {year: 2024, month: 12, day: 31})
      const mismatches: string[] = []
      for (let d = 0; d < 366; d++) {
        const date = addDays(from, d)
        for (let q = 0; q < 96; q++) {
          const h = Math.floor(q / 4)
          const m = (q % 4) * 15
          if (convert(date, h, m) !== zonedTimeToEpoch(date, h, m, tz)) mismatches.push(`${tz} ${isoDate(date)} ${h}:${m}`)
        }
      }
      expect(mismatches).toEqual([])
    }
  })
})
