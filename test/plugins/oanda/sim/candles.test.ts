import {describe, expect, it} from 'vitest'

import {candleStart, DEFAULT_ALIGNMENT, nextCandleStart, readCandleQuery, tradingDayEnd} from '../../../../plugins/oanda/src/sim/candles.js'

const utc = (s: string): number => Date.parse(s)
const iso = (t: number): string => new Date(t).toISOString()

describe('OANDA candle alignment', () => {
  it('daily candles start at 17:00 New York: 22:00 UTC in winter, 21:00 UTC in summer', () => {
    expect(iso(candleStart(utc('2024-01-10T12:00:00Z'), 'D', DEFAULT_ALIGNMENT))).toBe('2024-01-09T22:00:00.000Z')
    expect(iso(candleStart(utc('2024-07-10T12:00:00Z'), 'D', DEFAULT_ALIGNMENT))).toBe('2024-07-09T21:00:00.000Z')
    expect(iso(candleStart(utc('2024-07-10T21:00:00Z'), 'D', DEFAULT_ALIGNMENT))).toBe('2024-07-10T21:00:00.000Z')
    // Across the March DST change the day is 23 hours long.
    const before = candleStart(utc('2024-03-09T23:00:00Z'), 'D', DEFAULT_ALIGNMENT)
    expect(iso(before)).toBe('2024-03-09T22:00:00.000Z')
    expect(iso(nextCandleStart(before, 'D', DEFAULT_ALIGNMENT))).toBe('2024-03-10T21:00:00.000Z')
  })

  it('weekly candles start on Friday 17:00 New York; monthly on the 1st; intraday on the day boundary', () => {
    expect(iso(candleStart(utc('2024-07-10T12:00:00Z'), 'W', DEFAULT_ALIGNMENT))).toBe('2024-07-05T21:00:00.000Z')
    expect(iso(candleStart(utc('2024-07-10T12:00:00Z'), 'M', DEFAULT_ALIGNMENT))).toBe('2024-07-01T21:00:00.000Z')
    expect(iso(candleStart(utc('2024-07-10T12:34:56Z'), 'H4', DEFAULT_ALIGNMENT))).toBe('2024-07-10T09:00:00.000Z')
    expect(iso(candleStart(utc('2024-07-10T12:34:56Z'), 'M15', DEFAULT_ALIGNMENT))).toBe('2024-07-10T12:30:00.000Z')
    expect(iso(candleStart(utc('2024-07-10T12:34:56Z'), 'S5', DEFAULT_ALIGNMENT))).toBe('2024-07-10T12:34:55.000Z')
    expect(iso(nextCandleStart(utc('2024-07-10T17:00:00Z'), 'H4', DEFAULT_ALIGNMENT))).toBe('2024-07-10T21:00:00.000Z')
    const london = {...DEFAULT_ALIGNMENT, timeZone: 'Europe/London', dailyAlignment: 0}
    expect(iso(candleStart(utc('2024-07-10T12:00:00Z'), 'D', london))).toBe('2024-07-09T23:00:00.000Z')
  })

  it('a GFD order lives until the end of its trading day', () => {
    expect(iso(tradingDayEnd(utc('2024-07-10T12:00:00Z')))).toBe('2024-07-10T21:00:00.000Z')
    expect(iso(tradingDayEnd(utc('2024-07-10T21:30:00Z')))).toBe('2024-07-11T21:00:00.000Z')
  })

  it("reads OANDA's query parameters and refuses bad ones", () => {
    expect(readCandleQuery(new URLSearchParams(''))).toMatchObject({granularity: 'S5', price: 'M', includeFirst: true, smooth: false})
    expect(readCandleQuery(new URLSearchParams('price=BA&weeklyAlignment=Monday&dailyAlignment=0&alignmentTimezone=UTC'))).toMatchObject({price: 'BA', alignment: {weeklyAlignment: 1, dailyAlignment: 0, timeZone: 'UTC'}})
    expect(readCandleQuery(new URLSearchParams('from=1709647200&to=1709650800'))).toMatchObject({from: 1709647200000, to: 1709650800000})
    for (const bad of ['granularity=M3', 'price=MM', 'price=X', 'count=0', 'count=5001', 'from=yesterday', 'dailyAlignment=24', 'alignmentTimezone=Mars/Olympus', 'weeklyAlignment=Funday', 'from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z']) {
      expect(typeof readCandleQuery(new URLSearchParams(bad)), bad).toBe('string')
    }
  })
})
