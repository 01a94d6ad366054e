import {describe, expect, it} from 'vitest'

import {CsvFormatError, parseBarsCsv, parseTimestamp} from '../../../src/sectors/data/csv.js'
import {isoUtc} from '../../../src/sectors/data/time.js'

const T = Date.UTC(2024, 2, 1, 9, 30) // 2024-03-01T09:30:00Z

describe('parseTimestamp', () => {
  it.each([
    ['2024-03-01T09:30:00Z', T],
    ['2024-03-01T09:30:00', T],
    ['2024-03-01 09:30', T],
    ['2024-03-01T09:30:00.250Z', T + 250],
    ['2024-03-01T10:30:00+01:00', T],
    ['2024-03-01T04:30:00-0500', T],
    ['2024-03-01', Date.UTC(2024, 2, 1)],
    [String(T / 1000), T],
    [String(T), T],
    [String(T * 1000), T],
    ['"2024-03-01T09:30:00Z"', T],
  ])('%s → epoch ms', (text, ms) => {
    expect(parseTimestamp(text)).toBe(ms)
  })

  it.each(['2024-02-30', '2024-13-01T00:00:00Z', '03/01/2024', 'yesterday', '', '2024-03-01T25:00'])('rejects %j with a message', (text) => {
    expect(parseTimestamp(text)).toMatch(/timestamp|empty/)
  })

  it('formats back to ISO without Date', () => {
    expect(isoUtc(T + 250)).toBe('2024-03-01T09:30:00.250Z')
    expect(isoUtc(Date.UTC(1999, 11, 31, 23, 59, 59))).toBe('1999-12-31T23:59:59.000Z')
    expect(isoUtc(Date.UTC(2024, 1, 29))).toBe('2024-02-29T00:00:00.000Z')
  })
})

describe('parseBarsCsv', () => {
  it('reads a header naming the columns in any order, volume optional', () => {
    const csv = ['time,close,high,low,open,volume', '2024-03-01T09:30:00Z,101,102,99,100,5', '2024-03-01T09:31:00Z,102,103,100,101,'].join('\n')
    const r = parseBarsCsv(csv, 'SPY')
    expect(r.header).toEqual(['time', 'close', 'high', 'low', 'open', 'volume'])
    expect(r.rejected).toEqual([])
    expect(Array.from(r.series.ts)).toEqual([T, T + 60_000])
    expect(Array.from(r.series.open)).toEqual([100, 101])
    expect(Array.from(r.series.close)).toEqual([101, 102])
    expect(Array.from(r.series.volume)).toEqual([5, 0])
    expect(r.series.periodMs).toBe(60_000)
    expect(r.series.instrument).toBe('SPY')
  })

  it('reads headerless epoch-second rows, CRLF, semicolons, comments and blank lines', () => {
    const s = T / 1000
    const csv = `# exported by hand\r\n${s};1.1;1.2;1.0;1.15\r\n\r\n${s + 300};1.15;1.25;1.1;1.2\r\n`
    const r = parseBarsCsv(csv, 'EUR_USD')
    expect(r.header).toBeUndefined()
    expect(r.rows).toBe(2)
    expect(Array.from(r.series.ts)).toEqual([T, T + 300_000])
    expect(r.series.periodMs).toBe(300_000)
  })

  it('joins separate date and time columns', () => {
    const csv = ['Date,Time,Open,High,Low,Close', '2024-03-01,09:30,1,2,0.5,1.5'].join('\n')
    expect(Array.from(parseBarsCsv(csv, 'X').series.ts)).toEqual([T])
  })

  it('rejects bad rows with their line numbers and reasons, and keeps the good ones', () => {
    const csv = [
      'ts,open,high,low,close,volume', // 1
      '2024-03-01T09:30:00Z,100,101,99,100,10', // 2 ok
      '2024-03-01T09:31:00Z,100,101,99', // 3 too few columns
      'not-a-date,100,101,99,100,10', // 4
      '2024-03-01T09:33:00Z,abc,101,99,100,10', // 5
      '2024-03-01T09:34:00Z,100,99,98,100,10', // 6 high below open
      '2024-03-01T09:35:00Z,100,101,100.5,100,10', // 7 low above close
      '2024-03-01T09:36:00Z,100,101,99,100,-1', // 8 negative volume
      '2024-03-01T09:37:00Z,0,101,99,100,1', // 9 zero price
      '2024-03-01T09:38:00Z,100,101,99,100,10', // 10 ok
    ].join('\n')
    const r = parseBarsCsv(csv, 'SPY')
    expect(r.series.length).toBe(2)
    expect(r.rows).toBe(9)
    expect(r.rejected).toEqual([
      {line: 3, code: 'columns', reason: 'expected at least 5 columns (ts,open,high,low,close,volume), found 4: "2024-03-01T09:31:00Z,100,101,99"'},
      {line: 4, code: 'timestamp', reason: 'timestamp "not-a-date" is neither ISO 8601 (2024-03-01T09:30:00Z, 2024-03-01 09:30) nor epoch seconds/milliseconds'},
      {line: 5, code: 'number', reason: 'open is not a number: "abc"'},
      {line: 6, code: 'ohlc', reason: 'high 99 is below open 100'},
      {line: 7, code: 'ohlc', reason: 'low 100.5 is above open 100'},
      {line: 8, code: 'number', reason: 'volume must be a number ≥ 0, found "-1"'},
      {line: 9, code: 'number', reason: 'open must be positive, found 0'},
    ])
  })

  it('sorts by ts and keeps the later row of a duplicate ts', () => {
    const csv = ['ts,open,high,low,close', `${T + 120_000},3,3,3,3`, `${T},1,1,1,1`, `${T + 60_000},2,2,2,2`, `${T},9,9,9,9`].join('\n')
    const r = parseBarsCsv(csv, 'X')
    expect(Array.from(r.series.close)).toEqual([9, 2, 3])
    expect(r.rejected).toEqual([{line: 3, code: 'duplicate', reason: 'duplicate ts 2024-03-01T09:30:00.000Z: replaced by line 5'}])
  })

  it('fails as a whole on an empty file or a header without the needed columns', () => {
    expect(() => parseBarsCsv('\n# nothing\n', 'X')).toThrow(CsvFormatError)
    expect(() => parseBarsCsv('ts,open,high,low\n1,1,1,1', 'X')).toThrow(/line 1: the header "ts,open,high,low" has no close column/)
    expect(() => parseBarsCsv('symbol,open,high,low,close\nX,1,1,1,1', 'X')).toThrow(/no timestamp column; expected one named ts, time, date or timestamp/)
  })
})
