// `rick data download`'s service against a fake venue whose history is a pure function of time
// (no bars on Saturdays and Sundays, UTC): paging, resuming after a failure and after an abort,
// gaps, the present, bar periods, refused bars, and the sector-level choices (environment,
// credentials, connector) through a registry whose OANDA definition builds the fake.
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {Bar} from '../../../src/foundation/domain/bars.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import {RickError} from '../../../src/foundation/errors.js'
import type {HistoryRequest} from '../../../src/sectors/connector.js'
import type {ConnectorFactoryOptions, SectorDefinition} from '../../../src/sectors/definition.js'
import {addInterval, coveragePath, missingIntervals, readCoverage, writeCoverage} from '../../../src/sectors/data/download-coverage.js'
import {checkBars, downloadHistory, type HistoryDownloadOptions} from '../../../src/sectors/data/download-history.js'
import {downloadProgressBar} from '../../../src/sectors/data/download-format.js'
import {dataMode, downloadSector} from '../../../src/sectors/data/download.js'
import {importCsv} from '../../../src/sectors/data/import.js'
import {datasetInfo, loadSeries} from '../../../src/sectors/data/store.js'
import {fakeCoinbase, fakeOanda, fakeRegistry} from '../../helpers/fake-venues.js'

const M = 60_000
const H = 60 * M
const D = 24 * H
/** Monday 2024-03-04 00:00 UTC. */
const MON = Date.UTC(2024, 2, 4)
const NOW = MON + 60 * D

function weekend(ts: number): boolean {
  const day = new Date(ts).getUTCDay()
  return day === 0 || day === 6
}

/** The bar the venue holds at ts (undefined on weekends): a pure function, so tests can say what the store must hold. */
function venueBar(instrument: string, ts: number, periodMs: number): Bar | undefined {
  if (weekend(ts)) return undefined
  const k = Math.floor(ts / periodMs)
  const open = 1 + (k % 97) / 1000
  const close = 1 + ((k + 1) % 97) / 1000
  return {instrument, ts, open, high: Math.max(open, close) + 0.0005, low: Math.min(open, close) - 0.0005, close, volume: k % 13}
}

function expectedTs(from: number, to: number, periodMs: number): number[] {
  const out: number[] = []
  for (let t = Math.ceil(from / periodMs) * periodMs; t < to; t += periodMs) if (!weekend(t)) out.push(t)
  return out
}

/** A venue's history() as the contract says: complete bars in [from, to), oldest first, failing when told to. */
class FakeVenue {
  readonly venue = 'fake'
  readonly requests: HistoryRequest[] = []
  now = NOW
  /** Throws this at the given request number (1-based). */
  failAt = new Map<number, Error>()
  /** Rewrites the bars of the given request number. */
  tamper = new Map<number, (bars: Bar[]) => Bar[]>()

  async history(req: HistoryRequest): Promise<Bar[]> {
    this.requests.push({...req})
    const n = this.requests.length
    const failure = this.failAt.get(n)
    if (failure) throw failure
    const bars: Bar[] = []
    const end = Math.min(req.to ?? Infinity, Math.floor(this.now / req.periodMs) * req.periodMs)
    for (let t = Math.ceil((req.from ?? 0) / req.periodMs) * req.periodMs; t < end; t += req.periodMs) {
      const b = venueBar(req.instrument, t, req.periodMs)
      if (b) bars.push(b)
    }
    return this.tamper.get(n)?.(bars) ?? bars
  }
}

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rick-download-'))
})
afterEach(() => rmSync(home, {recursive: true, force: true}))

const run = (venue: FakeVenue, o: Partial<HistoryDownloadOptions> = {}) =>
  downloadHistory({home, source: venue, instruments: ['EUR_USD'], periodMs: M, now: venue.now, windowBars: 1000, sleep: async () => {}, ...o})

function stored(instrument = 'EUR_USD'): number[] {
  return Array.from(loadSeries(instrument, {home}).ts)
}

/** Every stored bar equals the venue's bar at its time. */
function expectVenueBars(instrument = 'EUR_USD', periodMs = M): void {
  const s = loadSeries(instrument, {home})
  for (let i = 0; i < s.length; i++) {
    const b = venueBar(instrument, s.ts[i] as number, periodMs) as Bar
    expect([s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]]).toEqual([b.open, b.high, b.low, b.close, b.volume])
  }
}

describe('downloadHistory: paging and the store', () => {
  it('asks window after window of the range, stores each bar once, oldest first, with the bar period', async () => {
    const venue = new FakeVenue()
    const from = MON
    const to = MON + 2500 * M
    const r = await run(venue, {from, to})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([
      [from, from + 1000 * M],
      [from + 1000 * M, from + 2000 * M],
      [from + 2000 * M, to],
    ])
    expect(venue.requests.every((q) => q.periodMs === M && q.instrument === 'EUR_USD')).toBe(true)
    expect(stored()).toEqual(expectedTs(from, to, M))
    expectVenueBars()
    expect(r.interrupted).toBe(false)
    expect(r.instruments[0]).toMatchObject({instrument: 'EUR_USD', asked: [[from, to]], requests: 3, received: 2500, added: 2500, replaced: 0, complete: true, dataset: {bars: 2500, periodMs: M, from, to: to - M}})
  })

  it('a second run of the same range asks nothing; a later --to asks only the new tail and keeps the bars before --from', async () => {
    const venue = new FakeVenue()
    await run(venue, {from: MON, to: MON + 1500 * M})
    const again = await run(venue, {from: MON, to: MON + 1500 * M})
    expect(again.instruments[0]).toMatchObject({asked: [], requests: 0, received: 0})
    expect(venue.requests).toHaveLength(2)
    venue.requests.length = 0
    // A --from inside the dataset: the bars before it stay.
    const tail = await run(venue, {from: MON + 1000 * M, to: MON + 1800 * M})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([[MON + 1500 * M, MON + 1800 * M]])
    expect(tail.instruments[0]).toMatchObject({added: 300, replaced: 0})
    expect(stored()).toEqual(expectedTs(MON, MON + 1800 * M, M))
  })

  it('without --from continues the dataset from where it starts; an earlier --from asks only the head', async () => {
    const venue = new FakeVenue()
    await run(venue, {from: MON + 1000 * M, to: MON + 2000 * M})
    venue.requests.length = 0
    await run(venue, {to: MON + 2300 * M})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([[MON + 2000 * M, MON + 2300 * M]])
    venue.requests.length = 0
    await run(venue, {from: MON + 400 * M, to: MON + 2300 * M})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([[MON + 400 * M, MON + 1000 * M]])
    expect(stored()).toEqual(expectedTs(MON + 400 * M, MON + 2300 * M, M))
  })

  it('a new dataset without --from starts about 30 days back (at least 1,000 bars)', async () => {
    const venue = new FakeVenue()
    const r = await run(venue, {periodMs: D, windowBars: 5000})
    expect(r.instruments[0]?.from).toBe(NOW - 1000 * D)
    const minutes = await run(venue, {instruments: ['GBP_USD'], windowBars: 50_000})
    expect(minutes.instruments[0]?.from).toBe(NOW - 30 * D)
  })
})

describe('downloadHistory: interruptions', () => {
  it('a venue failing half way keeps what arrived; the next run asks only the rest and the store holds each bar once', async () => {
    const venue = new FakeVenue()
    venue.failAt.set(3, new Error('connection reset by the test'))
    const from = MON
    const to = MON + 4500 * M
    const first = await run(venue, {from, to}).catch((e: unknown) => e)
    expect(first).toBeInstanceOf(RickError)
    expect((first as RickError).message).toMatch(/EUR_USD: unreadable answer from fake: connection reset by the test\nthe 2,000 bar\(s\) of EUR_USD received before it are stored; run the same command again/)
    expect((first as RickError).exitCode).toBe(1)
    expect(stored()).toEqual(expectedTs(from, from + 2000 * M, M))

    venue.requests.length = 0
    venue.failAt.clear()
    const second = await run(venue, {from, to})
    expect(venue.requests.map((q) => q.from)).toEqual([from + 2000 * M, from + 3000 * M, from + 4000 * M])
    expect(second.instruments[0]).toMatchObject({asked: [[from + 2000 * M, to]], added: 2500, replaced: 0})
    const ts = stored()
    expect(new Set(ts).size).toBe(ts.length)
    expect(ts).toEqual(expectedTs(from, to, M))
    expectVenueBars()
  })

  it('bars held back to spare rewrites of a large dataset are written when the venue fails', async () => {
    const venue = new FakeVenue()
    await run(venue, {from: MON - 7 * D, to: MON - 2 * D}) // 7,200 bars: the next writes wait for 1,800 new ones
    venue.requests.length = 0
    venue.failAt.set(2, new NetworkError('Timeout', 'no answer'))
    await expect(run(venue, {from: MON, to: MON + 3000 * M, retries: 0})).rejects.toMatchObject({code: 'VENUE_UNREACHABLE'})
    expect(stored()).toEqual([...expectedTs(MON - 7 * D, MON - 2 * D, M), ...expectedTs(MON, MON + 1000 * M, M)])
    venue.requests.length = 0
    venue.failAt.clear()
    await run(venue, {from: MON, to: MON + 3000 * M})
    expect(venue.requests.map((q) => q.from)).toEqual([MON + 1000 * M, MON + 2000 * M])
  })

  it('a hole left by an interrupted backfill before the stored bars is asked for again, and only it', async () => {
    const venue = new FakeVenue()
    await run(venue, {from: MON + 3000 * M, to: MON + 4000 * M})
    venue.requests.length = 0
    venue.failAt.set(2, new NetworkError('Disconnected', 'dropped'))
    await expect(run(venue, {from: MON, to: MON + 4000 * M, retries: 0})).rejects.toMatchObject({code: 'VENUE_UNREACHABLE', exitCode: 1})
    // Stored now: [MON, +1000) and [+3000, +4000): a hole between that the span alone would hide.
    venue.requests.length = 0
    venue.failAt.clear()
    await run(venue, {from: MON, to: MON + 4000 * M})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([
      [MON + 1000 * M, MON + 2000 * M],
      [MON + 2000 * M, MON + 3000 * M],
    ])
    expect(stored()).toEqual(expectedTs(MON, MON + 4000 * M, M))
  })

  it('an abort stops at once, writes what arrived, and reports the run interrupted', async () => {
    const venue = new FakeVenue()
    const stop = new AbortController()
    let pending: (() => void) | undefined
    const source = {
      venue: 'fake',
      history: async (req: HistoryRequest) => {
        if (venue.requests.length === 2) {
          // The third request never answers: the abort must not wait for it.
          venue.requests.push(req)
          stop.abort()
          return new Promise<Bar[]>((resolve) => void (pending = () => resolve([])))
        }
        return venue.history(req)
      },
    }
    const r = await run(venue, {source, from: MON, to: MON + 5000 * M, signal: stop.signal, instruments: ['EUR_USD', 'GBP_USD']})
    expect(r.interrupted).toBe(true)
    expect(r.instruments).toHaveLength(1)
    expect(r.instruments[0]).toMatchObject({complete: false, added: 2000})
    expect(stored()).toEqual(expectedTs(MON, MON + 2000 * M, M))
    pending?.()
    venue.requests.length = 0
    const rest = await run(venue, {from: MON, to: MON + 5000 * M})
    expect(venue.requests[0]?.from).toBe(MON + 2000 * M)
    expect(rest.instruments[0]).toMatchObject({added: 3000, replaced: 0, complete: true})
  })

  it('retries a NetworkError with backoff, never an AuthFailed', async () => {
    const venue = new FakeVenue()
    const waits: number[] = []
    venue.failAt.set(1, new NetworkError('Timeout', 'slow'))
    venue.failAt.set(2, new NetworkError('RateLimited', 'too fast', {retryAfterMs: 2500}))
    const r = await run(venue, {from: MON, to: MON + 500 * M, sleep: async (ms) => void waits.push(ms)})
    expect(waits).toEqual([1000, 2500])
    expect(r.instruments[0]).toMatchObject({requests: 3, added: 500})

    const refused = new FakeVenue()
    refused.failAt.set(1, new BrokerError('AuthFailed', 'HTTP 401: token refused'))
    const e = await run(refused, {instruments: ['GBP_USD'], from: MON, to: MON + 500 * M}).catch((x: unknown) => x)
    expect(refused.requests).toHaveLength(1)
    expect(e).toMatchObject({code: 'AUTH_FAILED', exitCode: 1})
    expect((e as Error).message).toContain('fake refused access: HTTP 401: token refused')
  })

  it('gives up after the retries, as unreachable (exit 1)', async () => {
    const venue = new FakeVenue()
    for (let i = 1; i <= 4; i++) venue.failAt.set(i, new NetworkError('Disconnected', 'down'))
    await expect(run(venue, {from: MON, to: MON + 500 * M})).rejects.toMatchObject({code: 'VENUE_UNREACHABLE', exitCode: 1})
    expect(venue.requests).toHaveLength(4)
  })
})

describe('downloadHistory: gaps and the present', () => {
  it('a weekend without bars is answered once and never asked again', async () => {
    const venue = new FakeVenue()
    const from = MON
    const to = MON + 14 * D
    await run(venue, {from, to, periodMs: H, windowBars: 24})
    expect(stored()).toEqual(expectedTs(from, to, H))
    expect(stored()).toHaveLength(10 * 24)
    const asked = venue.requests.length
    expect(asked).toBe(14)
    const again = await run(venue, {from, to, periodMs: H, windowBars: 24})
    expect(again.instruments[0]?.asked).toEqual([])
    expect(venue.requests).toHaveLength(asked)
  })

  it('the window reaching the present counts only up to the last bar received; later runs continue from there', async () => {
    const venue = new FakeVenue()
    venue.now = MON + 100 * M + 30_000 // bar 99 is complete, bar 100 still forming
    await run(venue, {from: MON})
    expect(stored().at(-1)).toBe(MON + 99 * M)
    const coverage = readCoverage('EUR_USD', datasetInfo('EUR_USD', {home}).sha256, M, {home})
    expect(coverage).toEqual([[MON, MON + 100 * M]])
    venue.now += 10 * M
    venue.requests.length = 0
    await run(venue, {})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([[MON + 100 * M, venue.now]])
    expect(stored()).toEqual(expectedTs(MON, MON + 110 * M, M))
  })

  it('a --to in the future stops at the present', async () => {
    const venue = new FakeVenue()
    venue.now = MON + 10 * M
    const r = await run(venue, {from: MON, to: MON + D})
    expect(r.instruments[0]?.to).toBe(venue.now)
    expect(stored()).toHaveLength(10)
  })
})

describe('downloadHistory: bar periods', () => {
  it('asks for the period given and stores it; another period into the same dataset is refused (exit 2) unless --replace', async () => {
    const venue = new FakeVenue()
    await run(venue, {from: MON, to: MON + 48 * H, periodMs: H})
    expect(loadSeries('EUR_USD', {home}).periodMs).toBe(H)
    expect(venue.requests.every((q) => q.periodMs === H)).toBe(true)
    expectVenueBars('EUR_USD', H)
    const mixed = await run(venue, {from: MON, to: MON + 600 * M}).catch((e: unknown) => e)
    expect(mixed).toMatchObject({code: 'PERIOD_MISMATCH', exitCode: 2})
    expect((mixed as Error).message).toContain('holds 1h bars; 1m bars would mix bar lengths')
    const replaced = await run(venue, {from: MON, to: MON + 600 * M, replace: true})
    expect(replaced.instruments[0]).toMatchObject({added: 600})
    expect(loadSeries('EUR_USD', {home}).periodMs).toBe(M)
    expect(stored()).toEqual(expectedTs(MON, MON + 600 * M, M))
  })

  it('refuses a bar period that is not a whole positive number of ms', async () => {
    await expect(run(new FakeVenue(), {periodMs: 0})).rejects.toMatchObject({code: 'BAD_BAR_PERIOD', exitCode: 2})
    await expect(run(new FakeVenue(), {from: MON + M, to: MON})).rejects.toMatchObject({code: 'BAD_RANGE', exitCode: 2})
  })
})

describe('downloadHistory: malformed bars', () => {
  it('refuses each malformed bar with its reason, stores the rest, and asks for that window again next time', async () => {
    const venue = new FakeVenue()
    const bad = (b: Bar, change: Partial<Bar>): Bar => ({...b, ...change})
    venue.tamper.set(2, (bars) => {
      const [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9] = bars as [Bar, Bar, Bar, Bar, Bar, Bar, Bar, Bar, Bar, Bar]
      return [
        b0,
        b0, // duplicate
        bad(b1, {high: b1.low - 0.01}), // high below low
        bad(b2, {close: Number.NaN}),
        bad(b3, {instrument: 'GBP_USD'}),
        bad(b4, {volume: -1}),
        bad(b5, {ts: b5.ts + 0.5}),
        bad(b6, {ts: b6.ts - 1000 * M}), // before the window
        b7,
        bad(b8, {ts: b7.ts + 1000}), // closer than a period
        bad(b9, {open: 0, low: 0}),
        ...bars.slice(10),
      ]
    })
    const r = await run(venue, {from: MON, to: MON + 3000 * M})
    const codes = r.instruments[0]?.rejected.map((x) => x.code)
    expect(codes).toEqual(['duplicate', 'ohlc', 'price', 'instrument', 'volume', 'time', 'range', 'spacing', 'price'])
    expect(r.instruments[0]?.rejected[1]?.reason).toMatch(/low .* \/ high .* do not hold open/)
    const refused = [1, 2, 3, 4, 5, 6, 8, 9].map((k) => MON + (1000 + k) * M)
    expect(stored()).toEqual(expectedTs(MON, MON + 3000 * M, M).filter((t) => !refused.includes(t)))
    expectVenueBars()
    // The window with refusals is asked again (and only it); the venue's good bars fill the holes.
    venue.requests.length = 0
    const again = await run(venue, {from: MON, to: MON + 3000 * M})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([[MON + 1000 * M, MON + 2000 * M]])
    expect(again.instruments[0]).toMatchObject({added: 8, replaced: 992, rejected: []})
    expect(stored()).toEqual(expectedTs(MON, MON + 3000 * M, M))
  })

  it('checkBars: bars out of order are refused, not sorted', () => {
    const b = (ts: number) => venueBar('EUR_USD', ts, M) as Bar
    const {good, rejected} = checkBars([b(MON + 2 * M), b(MON + M), b(MON + 3 * M)], 'EUR_USD', MON, MON + 10 * M, M)
    expect(good.map((x) => x.ts)).toEqual([MON + 2 * M, MON + 3 * M])
    expect(rejected.map((x) => x.code)).toEqual(['order'])
  })
})

describe('coverage record', () => {
  it('merges and subtracts intervals', () => {
    let c = addInterval([], [10, 20])
    c = addInterval(c, [30, 40])
    c = addInterval(c, [20, 25])
    expect(c).toEqual([[10, 25], [30, 40]])
    expect(addInterval(c, [24, 31])).toEqual([[10, 40]])
    expect(addInterval(c, [0, 5])).toEqual([[0, 5], [10, 25], [30, 40]])
    expect(addInterval(c, [50, 50])).toEqual(c)
    expect(missingIntervals(0, 50, c)).toEqual([[0, 10], [25, 30], [40, 50]])
    expect(missingIntervals(12, 24, c)).toEqual([])
    expect(missingIntervals(12, 35, c)).toEqual([[25, 30]])
    expect(missingIntervals(0, 50, [])).toEqual([[0, 50]])
  })

  it('is trusted only for the bar file it names: the previous file too (a flush cut between its two writes), not a file replaced by an import', async () => {
    const venue = new FakeVenue()
    await run(venue, {from: MON, to: MON + 1000 * M})
    const sha = datasetInfo('EUR_USD', {home}).sha256
    writeCoverage({version: 1, instrument: 'EUR_USD', periodMs: M, sha256: 'f'.repeat(64), covered: [[MON, MON + 2000 * M]], previous: {sha256: sha, covered: [[MON, MON + 1000 * M]]}}, {home})
    expect(readCoverage('EUR_USD', sha, M, {home})).toEqual([[MON, MON + 1000 * M]])
    expect(readCoverage('EUR_USD', sha, H, {home})).toBeUndefined()
    writeFileSync(coveragePath('EUR_USD', {home}), '{not json')
    expect(readCoverage('EUR_USD', sha, M, {home})).toBeUndefined()

    // An import that replaces the dataset: its span counts as answered, the old record does not.
    await run(venue, {from: MON, to: MON + 3000 * M})
    const csv = join(home, 'eur.csv')
    const rows = ['ts,open,high,low,close,volume']
    for (const t of expectedTs(MON + 500 * M, MON + 800 * M, M)) {
      const b = venueBar('EUR_USD', t, M) as Bar
      rows.push([t, b.open, b.high, b.low, b.close, b.volume].join(','))
    }
    writeFileSync(csv, rows.join('\n'))
    importCsv({file: csv, instrument: 'EUR_USD', home, replace: true})
    venue.requests.length = 0
    await run(venue, {from: MON, to: MON + 1000 * M})
    expect(venue.requests.map((q) => [q.from, q.to])).toEqual([
      [MON, MON + 500 * M],
      [MON + 800 * M, MON + 1000 * M],
    ])
  })
})

describe('downloadSector: environment, credentials, connector', () => {
  const made: ConnectorFactoryOptions[] = []
  let venue: FakeVenue
  const closed: string[] = []
  const oanda = (): SectorDefinition =>
    ({
      ...fakeOanda,
      description: 'fake oanda',
      sdkStatus: () => ({package: 'oanda-sdk', loadable: true}),
      createConnector: async (o: ConnectorFactoryOptions) => {
        made.push(o)
        const token = o.secrets.OANDA_API_TOKEN
        return {
          venue: 'oanda',
          environment: o.mode === 'live' || o.mode === 'canary' ? 'live' : 'practice',
          connect: async () => {
            if (token !== 'good-token') throw new BrokerError('AuthFailed', 'HTTP 401: OANDA_API_TOKEN was refused')
          },
          close: async () => void closed.push('closed'),
          history: (req: HistoryRequest) => venue.history(req),
          submit: async () => {
            throw new Error('a download must never order')
          },
        }
      },
    }) as unknown as SectorDefinition
  const registry = () => {
    const r = fakeRegistry([fakeOanda, fakeCoinbase])
    const base = r.get
    return {...r, get: (v: string) => (v === 'oanda' ? {definition: oanda(), plugin: (base('oanda') as NonNullable<ReturnType<typeof base>>).plugin} : base(v))}
  }

  function project(mode: string, extra = ''): {cwd: string; env: NodeJS.ProcessEnv} {
    const cwd = join(home, 'project')
    mkdirSync(join(cwd, 'config'), {recursive: true})
    writeFileSync(
      join(cwd, 'config', 'trading_sectors.yaml'),
      `version: 1
sectors:
  fx:
    venue: oanda
    mode: ${mode}
    profile: Balanced
    instruments: [EUR_USD, GBP_USD]
    strategy: {name: sma-crossover, params: {}}
    barPeriod: 1h
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
  cb:
    venue: coinbase
    mode: paper
    profile: Balanced
    instruments: [BTC-USD]
    strategy: {name: sma-crossover, params: {}}
    connection: {}
${extra}`,
    )
    return {cwd, env: {RICK_PROJECT: cwd, RICK_HOME: join(cwd, '.rick')}}
  }

  beforeEach(() => {
    made.length = 0
    closed.length = 0
    venue = new FakeVenue()
  })

  it.each([
    ['practice', 'practice'],
    ['canary', 'canary'],
    ['live', 'live'],
    ['paper', 'practice'],
    ['observe', 'practice'],
  ])('a %s sector reads from the %s environment with its token, the sector bar period, and closes the connector', async (mode, expected) => {
    const p = project(mode)
    const r = await downloadSector({sector: 'fx', from: MON, to: MON + 72 * H}, {registry: registry(), cwd: p.cwd, env: {...p.env, OANDA_API_TOKEN: 'good-token'}, clock: {now: () => NOW}})
    expect(made.map((o) => o.mode)).toEqual([expected])
    expect(made[0]?.secrets).toEqual({OANDA_API_TOKEN: 'good-token'})
    expect(r).toMatchObject({sector: 'fx', venue: 'oanda', mode: expected, periodMs: H, interrupted: false})
    expect(r.instruments.map((i) => [i.instrument, i.added])).toEqual([
      ['EUR_USD', 72],
      ['GBP_USD', 72],
    ])
    expect(closed).toEqual(['closed'])
    expect(loadSeries('GBP_USD', {home: join(p.cwd, '.rick')}).periodMs).toBe(H)
  })

  it('dataMode: a broker paper account is used for paper; a venue without practice reads live', () => {
    expect(dataMode('paper', {modes: ['observe', 'paper', 'canary', 'live'], paperAccount: true})).toBe('paper')
    expect(dataMode('observe', {modes: ['observe', 'paper', 'canary', 'live'], paperAccount: true})).toBe('paper')
    expect(dataMode('paper', {modes: ['observe', 'paper', 'canary', 'live']})).toBe('live')
  })

  it('--instrument and --bar-period override the sector', async () => {
    const p = project('practice')
    const r = await downloadSector({sector: 'fx', from: MON, to: MON + 90 * M, instruments: ['USD_JPY'], barPeriod: '15m'}, {registry: registry(), cwd: p.cwd, env: {...p.env, OANDA_API_TOKEN: 'good-token'}, clock: {now: () => NOW}})
    expect(r.instruments.map((i) => [i.instrument, i.added])).toEqual([['USD_JPY', 6]])
    expect(venue.requests.every((q) => q.periodMs === 15 * M && q.instrument === 'USD_JPY')).toBe(true)
    await expect(downloadSector({sector: 'fx', barPeriod: 'hourly'}, {registry: registry(), cwd: p.cwd, env: {...p.env, OANDA_API_TOKEN: 'good-token'}})).rejects.toMatchObject({code: 'BAD_BAR_PERIOD', exitCode: 2})
  })

  it('without the token: exit 2 naming the variable, and nothing is created', async () => {
    const p = project('live')
    const e = await downloadSector({sector: 'fx'}, {registry: registry(), cwd: p.cwd, env: p.env}).catch((x: unknown) => x)
    expect(e).toMatchObject({code: 'NO_CREDENTIALS', exitCode: 2})
    expect((e as Error).message).toContain('fx: set OANDA_API_TOKEN (in the environment or one of the sector')
    expect((e as Error).message).toContain('from its live environment')
    expect(made).toHaveLength(0)
  })

  it('a refused token: exit 1 at connect, the connector closed, nothing stored', async () => {
    const p = project('practice')
    const e = await downloadSector({sector: 'fx'}, {registry: registry(), cwd: p.cwd, env: {...p.env, OANDA_API_TOKEN: 'bad-token'}, clock: {now: () => NOW}}).catch((x: unknown) => x)
    expect(e).toMatchObject({code: 'AUTH_FAILED', exitCode: 1})
    expect((e as Error).message).toBe('fx: oanda refused access: HTTP 401: OANDA_API_TOKEN was refused')
    expect(closed).toEqual(['closed'])
    expect(venue.requests).toHaveLength(0)
  })

  it('a venue without a connector: exit 2 pointing at rick data import; an unknown sector: exit 2', async () => {
    const p = project('practice')
    const e = await downloadSector({sector: 'cb'}, {registry: registry(), cwd: p.cwd, env: p.env}).catch((x: unknown) => x)
    expect(e).toMatchObject({code: 'NO_CONNECTOR', exitCode: 2})
    expect((e as Error).message).toContain('no coinbase connector')
    expect((e as Error).message).toContain('rick data import')
    await expect(downloadSector({sector: 'nope'}, {registry: registry(), cwd: p.cwd, env: p.env})).rejects.toMatchObject({code: 'UNKNOWN_SECTOR', exitCode: 2})
  })
})

describe('progress line', () => {
  it('redraws one line in place on the TTY, only when it changes, and clears it at the end', () => {
    const writes: string[] = []
    const bar = downloadProgressBar({write: (t: string) => (writes.push(t), true)})
    const p = {instrument: 'EUR_USD', index: 0, of: 2, doneMs: 0, totalMs: 4 * D, bars: 0}
    bar.update(p)
    bar.update(p)
    bar.update({...p, doneMs: 3 * D, bars: 4320, lastTs: MON + 3 * D - M})
    bar.done()
    expect(writes).toEqual([
      '\r\x1b[2K  EUR_USD (1/2) [........................] 0% 0 bars',
      '\r\x1b[2K  EUR_USD (1/2) [##################......] 75% 4,320 bars, at 2024-03-06 23:59 UTC',
      '\r\x1b[2K',
    ])
  })
})
