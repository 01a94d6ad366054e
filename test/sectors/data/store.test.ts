import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {builtinInstrument} from '../../../src/sectors/data/instruments.js'
import {importCsv, mergeSeries} from '../../../src/sectors/data/import.js'
import {datasetFeed, datasetInfo, datasetPath, datasetSha256, listDatasets, loadSeries, writeSeries} from '../../../src/sectors/data/store.js'
import {syntheticSeries} from '../../../src/sectors/data/synthetic.js'

const BTC = builtinInstrument('coinbase', 'BTC-USD') as Instrument
const ETH = builtinInstrument('coinbase', 'ETH-USD') as Instrument
const T = Date.UTC(2024, 2, 1)
let home: string

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rick-store-'))
})
afterEach(() => rmSync(home, {recursive: true, force: true}))

describe('bar store', () => {
  it('writes and reads back a series exactly, with the file sha256', () => {
    const s = syntheticSeries(BTC, {seed: 3, startTs: T, periodMs: 60_000, length: 1000})
    const path = writeSeries(s, {home})
    expect(path).toBe(join(home, 'data', 'BTC-USD.bars'))
    const back = loadSeries('BTC-USD', {home})
    expect(back.length).toBe(1000)
    expect(back.periodMs).toBe(60_000)
    expect(back.instrument).toBe('BTC-USD')
    for (const col of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) expect(Array.from(back[col])).toEqual(Array.from(s[col]))
    const info = datasetInfo('BTC-USD', {home})
    expect(info).toMatchObject({instrument: 'BTC-USD', bars: 1000, from: T, to: T + 999 * 60_000, periodMs: 60_000})
    expect(info.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'))
    // Same bars → same bytes → same hash.
    writeSeries(syntheticSeries(BTC, {seed: 3, startTs: T, periodMs: 60_000, length: 1000}), {home})
    expect(datasetInfo('BTC-USD', {home}).sha256).toBe(info.sha256)
  })

  it('reads an inclusive ts range', () => {
    writeSeries(syntheticSeries(BTC, {seed: 3, startTs: T, periodMs: 60_000, length: 100}), {home})
    const r = loadSeries('BTC-USD', {home, from: T + 10 * 60_000, to: T + 19 * 60_000})
    expect(r.length).toBe(10)
    expect(r.ts[0]).toBe(T + 10 * 60_000)
    expect(r.ts[9]).toBe(T + 19 * 60_000)
    expect(loadSeries('BTC-USD', {home, from: T + 1e9}).length).toBe(0)
  })

  it('feeds several datasets interleaved, with the sha256 to journal', () => {
    writeSeries(syntheticSeries(BTC, {seed: 3, startTs: T, periodMs: 60_000, length: 5}), {home})
    writeSeries(syntheticSeries(ETH, {seed: 3, startTs: T, periodMs: 60_000, length: 5}), {home})
    const feed = datasetFeed({home, instruments: ['BTC-USD', 'ETH-USD'], from: T + 60_000})
    const seen: string[] = []
    for (let b = feed.next(); b; b = feed.next()) seen.push(b.instrument)
    expect(seen).toEqual(['BTC-USD', 'ETH-USD', 'BTC-USD', 'ETH-USD', 'BTC-USD', 'ETH-USD', 'BTC-USD', 'ETH-USD'])
    expect(feed.source).toEqual({kind: 'dataset', instruments: ['BTC-USD', 'ETH-USD'], dataset: 'BTC-USD.bars,ETH-USD.bars', sha256: datasetSha256(['BTC-USD', 'ETH-USD'], {home}), from: T + 60_000})
    expect(datasetSha256(['BTC-USD'], {home})).toBe(datasetInfo('BTC-USD', {home}).sha256)
    expect(listDatasets({home}).map((d) => d.instrument)).toEqual(['BTC-USD', 'ETH-USD'])
  })

  it('explains a missing dataset, a bad instrument name and a file that is not a bar file', () => {
    expect(() => loadSeries('SPY', {home})).toThrow(/no dataset for SPY in .*data; import one with: rick data import <file.csv> --instrument SPY/)
    expect(() => datasetPath('../etc/passwd', {home})).toThrow(/cannot name a dataset/)
    writeSeries(syntheticSeries(BTC, {seed: 3, startTs: T, periodMs: 60_000, length: 5}), {home})
    writeFileSync(datasetPath('ETH-USD', {home}), 'ts,open\n')
    expect(() => loadSeries('ETH-USD', {home})).toThrow(/not a rick bar file/)
    const bytes = readFileSync(datasetPath('BTC-USD', {home}))
    writeFileSync(datasetPath('BTC-USD', {home}), bytes.subarray(0, bytes.length - 8))
    expect(() => loadSeries('BTC-USD', {home})).toThrow(/truncated bar file/)
  })
})

describe('importCsv', () => {
  const row = (min: number, close: number) => `${new Date(T + min * 60_000).toISOString()},${close},${close + 1},${close - 1},${close},1`

  it('imports, then merges a second file (new rows added, same ts replaced)', () => {
    const a = join(home, 'a.csv')
    const b = join(home, 'b.csv')
    writeFileSync(a, ['ts,open,high,low,close,volume', row(0, 100), row(1, 101), 'bad,row', row(2, 102)].join('\n'))
    writeFileSync(b, ['ts,open,high,low,close,volume', row(2, 202), row(3, 203)].join('\n'))
    const r1 = importCsv({file: a, instrument: 'SPY', home})
    expect(r1).toMatchObject({imported: 3, added: 3, replaced: 0, rows: 4, from: T, to: T + 120_000})
    expect(r1.rejected).toEqual([{line: 4, code: 'columns', reason: 'expected at least 5 columns (ts,open,high,low,close,volume), found 2: "bad,row"'}])
    const r2 = importCsv({file: b, instrument: 'SPY', home})
    expect(r2).toMatchObject({imported: 2, added: 1, replaced: 1})
    expect(r2.dataset).toMatchObject({bars: 4, from: T, to: T + 180_000, periodMs: 60_000})
    expect(Array.from(loadSeries('SPY', {home}).close)).toEqual([100, 101, 202, 203])
    const r3 = importCsv({file: b, instrument: 'SPY', home, replace: true})
    expect(r3.dataset.bars).toBe(2)
  })

  it('refuses a file without a single valid bar (exit code 2) and a missing file', () => {
    const f = join(home, 'bad.csv')
    writeFileSync(f, 'ts,open,high,low,close\nx,1,1,1,1\n')
    expect(() => importCsv({file: f, instrument: 'SPY', home})).toThrow(expect.objectContaining({exitCode: 2, message: expect.stringContaining('line 2: timestamp "x"')}))
    expect(() => importCsv({file: join(home, 'nope.csv'), instrument: 'SPY', home})).toThrow(/no such file/)
  })

  it('merges sorted series', () => {
    const a = syntheticSeries(BTC, {seed: 1, startTs: T, periodMs: 120_000, length: 3})
    const b = syntheticSeries(BTC, {seed: 2, startTs: T + 120_000, periodMs: 60_000, length: 3})
    const {merged, replaced} = mergeSeries(a, b)
    expect(replaced).toBe(2) // minutes 2 and 4 are in both
    expect(Array.from(merged.ts).map((t) => (t - T) / 60_000)).toEqual([0, 2, 3, 4])
    expect(merged.close[1]).toBe(b.close[0])
  })
})
