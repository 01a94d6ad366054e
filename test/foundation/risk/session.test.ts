import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import type {SessionConfig} from '../../../src/foundation/config/types.js'
import {sessionClock, type SessionClock} from '../../../src/foundation/risk/session.js'

const at = (iso: string) => Date.parse(iso)
const iso = (ts: number) => new Date(ts).toISOString()

// The sessions of config/trading_sectors.yaml.
const US_STOCKS: SessionConfig = {
  timezone: 'America/New_York',
  windows: [{days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:30', end: '16:00'}],
  flattenAt: '15:55',
}
const FX: SessionConfig = {
  timezone: 'America/New_York',
  windows: [{days: ['sun', 'mon', 'tue', 'wed', 'thu'], start: '17:05', end: '16:55'}],
  flattenAt: '16:50',
}
const CRYPTO: SessionConfig = {
  timezone: 'UTC',
  windows: [{days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59'}],
}

describe('US stocks 09:30-16:00 New York across DST', () => {
  const c = sessionClock(US_STOCKS)

  it('opens at 14:30 UTC in winter (EST) and 13:30 UTC after the March change (EDT)', () => {
    // Friday 2024-03-08 is EST; Sunday 2024-03-10 02:00 clocks jump; Monday 2024-03-11 is EDT.
    expect(c.inSession(at('2024-03-08T14:29:59Z'))).toBe(false)
    expect(c.inSession(at('2024-03-08T14:30:00Z'))).toBe(true)
    expect(c.inSession(at('2024-03-08T20:59:59Z'))).toBe(true)
    expect(c.inSession(at('2024-03-08T21:00:00Z'))).toBe(false)
    expect(c.inSession(at('2024-03-11T13:29:59Z'))).toBe(false)
    expect(c.inSession(at('2024-03-11T13:30:00Z'))).toBe(true)
    expect(c.inSession(at('2024-03-11T19:59:59Z'))).toBe(true)
    expect(c.inSession(at('2024-03-11T20:00:00Z'))).toBe(false)
  })

  it('opens at 13:30 UTC before the November change and 14:30 UTC after it', () => {
    // Friday 2024-11-01 is EDT; Sunday 2024-11-03 02:00 clocks fall back; Monday 2024-11-04 is EST.
    expect(c.inSession(at('2024-11-01T13:30:00Z'))).toBe(true)
    expect(c.inSession(at('2024-11-01T13:29:59Z'))).toBe(false)
    expect(c.inSession(at('2024-11-04T13:30:00Z'))).toBe(false)
    expect(c.inSession(at('2024-11-04T14:30:00Z'))).toBe(true)
  })

  it('is closed at the weekend', () => {
    expect(c.inSession(at('2024-03-09T15:00:00Z'))).toBe(false)
    expect(c.inSession(at('2024-03-10T15:00:00Z'))).toBe(false)
  })

  it('passes the flatten deadline at 15:55 local and stays past it until the next open', () => {
    expect(c.pastFlatten(at('2024-03-11T19:54:59Z'))).toBe(false)
    expect(c.pastFlatten(at('2024-03-11T19:55:00Z'))).toBe(true)
    expect(c.flattenTime(at('2024-03-11T15:00:00Z'))).toBe(at('2024-03-11T19:55:00Z'))
    expect(c.flattenTime(at('2024-03-08T15:00:00Z'))).toBe(at('2024-03-08T20:55:00Z')) // EST
    expect(c.pastFlatten(at('2024-03-12T13:29:59Z'))).toBe(true) // Tuesday pre-market is still Monday's day
    expect(c.pastFlatten(at('2024-03-12T13:30:00Z'))).toBe(false)
  })

  it('a session day runs from its open to the next open; nights and weekends belong to the day before', () => {
    expect(c.sessionDay(at('2024-03-11T13:30:00Z'))).toBe('2024-03-11')
    expect(c.sessionDay(at('2024-03-11T13:29:59Z'))).toBe('2024-03-08') // Monday before the open: Friday's day
    expect(c.sessionDay(at('2024-03-10T12:00:00Z'))).toBe('2024-03-08')
    expect(c.sessionDayStart(at('2024-03-09T12:00:00Z'))).toBe(at('2024-03-08T14:30:00Z'))
    expect(c.nextSessionDayStart(at('2024-03-08T15:00:00Z'))).toBe(at('2024-03-11T13:30:00Z'))
    expect(c.nextSessionDayStart(at('2024-03-11T13:30:00Z'))).toBe(at('2024-03-12T13:30:00Z'))
  })
})

describe('FX Sunday 17:05 → Friday 16:55 New York', () => {
  const c = sessionClock(FX)

  it('a window that runs past midnight belongs to the day it ends on (the 17:00 New York roll)', () => {
    expect(c.sessionDay(at('2024-03-10T21:05:00Z'))).toBe('2024-03-11') // Sunday 17:05 EDT opens Monday
    expect(c.sessionDay(at('2024-03-11T03:00:00Z'))).toBe('2024-03-11') // Sunday 23:00 local
    expect(c.sessionDay(at('2024-03-11T20:54:59Z'))).toBe('2024-03-11')
    expect(c.sessionDay(at('2024-03-11T21:05:00Z'))).toBe('2024-03-12') // Monday 17:05 opens Tuesday
  })

  it('opens on Sunday 17:05 local in both DST regimes and closes on Friday 16:55', () => {
    expect(c.inSession(at('2024-03-10T21:04:59Z'))).toBe(false) // Sunday 17:04:59 EDT
    expect(c.inSession(at('2024-03-10T21:05:00Z'))).toBe(true)
    expect(c.inSession(at('2024-11-03T22:04:59Z'))).toBe(false) // Sunday 17:04:59 EST
    expect(c.inSession(at('2024-11-03T22:05:00Z'))).toBe(true)
    expect(c.inSession(at('2024-03-08T21:54:59Z'))).toBe(true) // Friday 16:54:59 EST
    expect(c.inSession(at('2024-03-08T21:55:00Z'))).toBe(false)
    expect(c.inSession(at('2024-11-01T20:54:59Z'))).toBe(true) // Friday 16:54:59 EDT
    expect(c.inSession(at('2024-11-01T20:55:00Z'))).toBe(false)
  })

  it('is closed in the ten-minute daily break and over the weekend', () => {
    expect(c.inSession(at('2024-03-12T20:55:00Z'))).toBe(false) // Tuesday 16:55 EDT
    expect(c.inSession(at('2024-03-12T21:04:59Z'))).toBe(false)
    expect(c.inSession(at('2024-03-09T12:00:00Z'))).toBe(false)
  })

  it('the weekend belongs to Friday; the next session day opens on Sunday evening', () => {
    expect(c.sessionDay(at('2024-03-09T12:00:00Z'))).toBe('2024-03-08')
    expect(c.nextSessionDayStart(at('2024-03-08T15:00:00Z'))).toBe(at('2024-03-10T21:05:00Z'))
    expect(c.nextSessionDayStart(at('2024-03-11T15:00:00Z'))).toBe(at('2024-03-11T21:05:00Z'))
  })

  it('flattens at 16:50 local of the day the window ends', () => {
    expect(c.flattenTime(at('2024-03-10T22:00:00Z'))).toBe(at('2024-03-11T20:50:00Z'))
    expect(c.pastFlatten(at('2024-03-11T20:49:59Z'))).toBe(false)
    expect(c.pastFlatten(at('2024-03-11T20:50:00Z'))).toBe(true)
    expect(c.pastFlatten(at('2024-03-11T21:05:00Z'))).toBe(false) // Tuesday's day began
    expect(c.pastFlatten(at('2024-03-09T12:00:00Z'))).toBe(true) // weekend: Friday's deadline has passed
  })
})

describe('windows over a DST change and local times that do not exist', () => {
  it('a Saturday 22:00 → Sunday 06:00 window lasts 7 hours in March and 9 in November', () => {
    const c = sessionClock({timezone: 'America/New_York', windows: [{days: ['sat'], start: '22:00', end: '06:00'}]})
    expect(c.sessionDayStart(at('2024-03-10T05:00:00Z'))).toBe(at('2024-03-10T03:00:00Z')) // Sat 22:00 EST
    expect(c.inSession(at('2024-03-10T09:59:59Z'))).toBe(true) // Sun 05:59:59 EDT
    expect(c.inSession(at('2024-03-10T10:00:00Z'))).toBe(false) // 7 h after the open
    expect(c.sessionDay(at('2024-03-10T05:00:00Z'))).toBe('2024-03-10')
    expect(c.sessionDayStart(at('2024-11-03T05:00:00Z'))).toBe(at('2024-11-03T02:00:00Z')) // Sat 22:00 EDT
    expect(c.inSession(at('2024-11-03T10:59:59Z'))).toBe(true) // Sun 05:59:59 EST
    expect(c.inSession(at('2024-11-03T11:00:00Z'))).toBe(false) // 9 h after the open
  })

  it('a window opening at 02:30 on the spring-forward day opens at 03:30 EDT; on the fall-back day at the first 01:30', () => {
    const spring = sessionClock({timezone: 'America/New_York', windows: [{days: ['sun'], start: '02:30', end: '04:00'}]})
    expect(spring.sessionDayStart(at('2024-03-10T07:45:00Z'))).toBe(at('2024-03-10T07:30:00Z'))
    expect(spring.inSession(at('2024-03-10T07:29:59Z'))).toBe(false)
    expect(spring.inSession(at('2024-03-10T07:30:00Z'))).toBe(true)
    const fall = sessionClock({timezone: 'America/New_York', windows: [{days: ['sun'], start: '01:30', end: '04:00'}]})
    expect(fall.sessionDayStart(at('2024-11-03T07:00:00Z'))).toBe(at('2024-11-03T05:30:00Z')) // 01:30 EDT
  })

  it('Europe/London changes on its own dates (last Sunday of March)', () => {
    const c = sessionClock({timezone: 'Europe/London', windows: [{days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '16:30'}]})
    expect(c.inSession(at('2024-03-29T08:00:00Z'))).toBe(true) // GMT
    expect(c.inSession(at('2024-04-01T07:00:00Z'))).toBe(true) // BST
    expect(c.inSession(at('2024-04-01T06:59:59Z'))).toBe(false)
  })
})

describe('other shapes', () => {
  it('a window ending at 00:00 belongs to the day it opened', () => {
    const c = sessionClock({timezone: 'UTC', windows: [{days: ['mon'], start: '18:00', end: '00:00'}]})
    expect(c.sessionDay(at('2024-03-11T23:59:00Z'))).toBe('2024-03-11')
    expect(c.inSession(at('2024-03-11T23:59:59Z'))).toBe(true)
    expect(c.inSession(at('2024-03-12T00:00:00Z'))).toBe(false)
    expect(c.nextSessionDayStart(at('2024-03-11T20:00:00Z'))).toBe(at('2024-03-18T18:00:00Z'))
  })

  it('two windows on one day (a lunch break) make one session day starting at the first', () => {
    const c = sessionClock({
      timezone: 'Asia/Tokyo',
      windows: [
        {days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '11:30'},
        {days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '12:30', end: '15:00'},
      ],
      flattenAt: '14:50',
    })
    expect(c.inSession(at('2024-03-11T02:00:00Z'))).toBe(true) // 11:00 JST
    expect(c.inSession(at('2024-03-11T03:00:00Z'))).toBe(false) // 12:00 JST, lunch
    expect(c.inSession(at('2024-03-11T03:30:00Z'))).toBe(true) // 12:30 JST
    expect(c.sessionDay(at('2024-03-11T03:00:00Z'))).toBe('2024-03-11')
    expect(c.sessionDayStart(at('2024-03-11T04:00:00Z'))).toBe(at('2024-03-11T00:00:00Z'))
    expect(c.flattenTime(at('2024-03-11T04:00:00Z'))).toBe(at('2024-03-11T05:50:00Z'))
  })

  it('crypto 00:00-23:59 UTC: calendar days, a one-minute gap before midnight', () => {
    const c = sessionClock(CRYPTO)
    expect(c.sessionDay(at('2024-03-11T23:58:59Z'))).toBe('2024-03-11')
    expect(c.inSession(at('2024-03-11T23:58:59Z'))).toBe(true)
    expect(c.inSession(at('2024-03-11T23:59:00Z'))).toBe(false)
    expect(c.nextSessionDayStart(at('2024-03-11T12:00:00Z'))).toBe(at('2024-03-12T00:00:00Z'))
    expect(c.pastFlatten(at('2024-03-11T23:59:00Z'))).toBe(false) // no flattenAt
    expect(c.flattenTime(at('2024-03-11T23:59:00Z'))).toBeUndefined()
  })

  it('without a session: always open, never past flatten, UTC days', () => {
    const c = sessionClock()
    expect(c.inSession(at('2024-03-09T03:00:00Z'))).toBe(true)
    expect(c.pastFlatten(at('2024-03-09T03:00:00Z'))).toBe(false)
    expect(c.sessionDay(at('2024-03-09T23:59:59Z'))).toBe('2024-03-09')
    expect(c.sessionDayStart(at('2024-03-09T23:59:59Z'))).toBe(at('2024-03-09T00:00:00Z'))
    expect(c.nextSessionDayStart(at('2024-03-09T23:59:59Z'))).toBe(at('2024-03-10T00:00:00Z'))
  })

  it('names a bad zone or time', () => {
    expect(() => sessionClock({timezone: 'Mars/Olympus', windows: US_STOCKS.windows})).toThrow(
      'unknown time zone "Mars/Olympus" (expected an IANA name such as America/New_York or UTC)',
    )
    expect(() => sessionClock({timezone: 'UTC', windows: [{days: ['mon'], start: '24:00', end: '01:00'}]})).toThrow(
      'session time "24:00" is not HH:MM',
    )
    expect(() => sessionClock({timezone: 'UTC', windows: []})).toThrow('a session needs at least one window')
    expect(() => sessionClock(US_STOCKS).inSession(Number.NaN)).toThrow('time is not a number (NaN)')
  })
})

describe('consistency of the cached answers', () => {
  function answers(c: SessionClock, ts: number) {
    return [c.inSession(ts), c.pastFlatten(ts), c.sessionDay(ts), c.sessionDayStart(ts), c.nextSessionDayStart(ts)]
  }

  it('one clock asked in any order answers like a fresh clock, and days are well ordered', () => {
    for (const session of [US_STOCKS, FX, CRYPTO]) {
      const shared = sessionClock(session)
      fc.assert(
        fc.property(fc.integer({min: at('2023-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z')}), (ts) => {
          const a = answers(shared, ts)
          expect(a).toEqual(answers(sessionClock(session), ts))
          const [, , day, start, next] = a as [boolean, boolean, string, number, number]
          expect(start).toBeLessThanOrEqual(ts)
          expect(next).toBeGreaterThan(ts)
          expect(shared.sessionDay(start)).toBe(day)
          expect(shared.sessionDay(next)).not.toBe(day)
          expect(shared.sessionDay(next - 1)).toBe(day)
        }),
        {numRuns: 300},
      )
    }
  })

  it('walking minute by minute through a DST week gives one open and one close per FX day', () => {
    const c = sessionClock(FX)
    let opens = 0
    let closes = 0
    let prev = c.inSession(at('2024-03-08T00:00:00Z'))
    for (let ts = at('2024-03-08T00:00:00Z'); ts < at('2024-03-16T00:00:00Z'); ts += 60_000) {
      const now = c.inSession(ts)
      if (now && !prev) opens++
      if (!now && prev) closes++
      prev = now
    }
    // Fri close; Sun..Thu opens (5), Mon..Fri closes (5): 5 opens, 6 closes in the range.
    expect({opens, closes}).toEqual({opens: 5, closes: 6})
    expect(iso(c.nextSessionDayStart(at('2024-03-15T22:00:00Z')))).toBe('2024-03-17T21:05:00.000Z')
  })
})
