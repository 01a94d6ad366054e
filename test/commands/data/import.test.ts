// `rick data import` and `rick data list` through the built binary, on a CSV generated from the
// synthetic series (with a few broken rows), in a throw-away RICK_HOME.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {builtinInstrument} from '../../../src/sectors/data/instruments.js'
import {loadSeries} from '../../../src/sectors/data/store.js'
import {syntheticSeries} from '../../../src/sectors/data/synthetic.js'
import {rick} from '../../helpers/cli.js'

const T = Date.UTC(2024, 2, 1)
let dir: string
let env: Record<string, string>
const series = syntheticSeries(builtinInstrument('coinbase', 'ETH-USD') as Instrument, {seed: 5, startTs: T, periodMs: 60_000, length: 500})

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rick-data-cli-'))
  env = {RICK_HOME: join(dir, 'home'), RICK_PROJECT: dir}
  const lines = ['timestamp,open,high,low,close,volume']
  for (let i = 0; i < series.length; i++) lines.push([series.ts[i], series.open[i], series.high[i], series.low[i], series.close[i], series.volume[i]].join(','))
  // Epoch milliseconds, plus three broken rows at known lines and one duplicate.
  lines.splice(11, 0, `${T + 10 * 60_000},3000,2990,2980,2985,1`) // line 12: high below open
  lines.splice(21, 0, '2024-03-01T00:20:00Z,3000,3001') // line 22: too few columns
  lines.splice(31, 0, 'someday,1,1,1,1,1') // line 32: bad timestamp
  writeFileSync(join(dir, 'eth.csv'), lines.join('\n'))
  writeFileSync(join(dir, 'empty.csv'), 'ts,open,high,low,close\n# nothing here\n')
})
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('rick data import / list', () => {
  it('lists nothing before the first import', async () => {
    const r = await rick(['data', 'list'], {cwd: dir, env})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('No datasets in')
  })

  it('imports the good rows and lists the rejected ones with line numbers', async () => {
    const r = await rick(['data', 'import', 'eth.csv', '--instrument', 'ETH-USD'], {cwd: dir, env})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('Imported 500 bars of ETH-USD from eth.csv: 2024-03-01 00:00 UTC → 2024-03-01 08:19 UTC (1m bars)')
    expect(r.stdout).toContain('500 new, 0 replaced stored bars; 503 data rows read, 3 rejected')
    expect(r.stdout).toContain('line 12: high 2990 is below open 3000')
    expect(r.stdout).toContain('line 22: expected at least 5 columns')
    expect(r.stdout).toContain('line 32: timestamp "someday" is neither ISO 8601')
    const stored = loadSeries('ETH-USD', {home: env.RICK_HOME as string})
    expect(Array.from(stored.close)).toEqual(Array.from(series.close))
  })

  it('reports the import as JSON, merging into the stored bars', async () => {
    const r = await rick(['data', 'import', 'eth.csv', '-i', 'ETH-USD', '--json'], {cwd: dir, env})
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({instrument: 'ETH-USD', imported: 500, added: 0, replaced: 500, from: T, to: T + 499 * 60_000, dataset: {bars: 500, periodMs: 60_000}})
    expect(out.rejected.map((x: {line: number}) => x.line)).toEqual([12, 22, 32])
    expect(out.dataset.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('lists the dataset with its sha256', async () => {
    const r = await rick(['data', 'list', '--json'], {cwd: dir, env})
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.datasets).toEqual([expect.objectContaining({instrument: 'ETH-USD', bars: 500, from: T, periodMs: 60_000, bytes: 48 + 6 * 8 * 500})])
    const text = await rick(['data', 'list'], {cwd: dir, env})
    expect(text.stdout).toMatch(/ETH-USD\s+500\s+2024-03-01 00:00 UTC\s+2024-03-01 08:19 UTC\s+1m\s+23\.5 KiB\s+[0-9a-f]{12}/)
  })

  it('exits 2 with a clear error when nothing can be imported', async () => {
    const r = await rick(['data', 'import', 'empty.csv', '-i', 'SPY'], {cwd: dir, env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('empty.csv: no valid bars in 0 data row(s); nothing imported (expected rows of ts,open,high,low,close[,volume] after the header)')
    const missing = await rick(['data', 'import', 'missing.csv', '-i', 'SPY', '--json'], {cwd: dir, env})
    expect(missing.exitCode).toBe(2)
    expect(JSON.parse(missing.stdout)).toEqual({error: {code: 'FILE_NOT_FOUND', message: 'no such file: missing.csv'}})
    const noFlag = await rick(['data', 'import', 'eth.csv'], {cwd: dir, env})
    expect(noFlag.exitCode).toBe(2)
    expect(noFlag.stderr).toMatch(/Missing required flag instrument/)
  })
})
