import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {SectorConfig} from '../../src/foundation/config/types.js'
import {ConfigError} from '../../src/foundation/errors.js'
import type {RegisteredSector, SectorRegistry} from '../../src/sectors/definition.js'
import {credentialReport, describeSectors, sectorsReport} from '../../src/sectors/sector-report.js'
import {fakeCoinbase, fakeIbkr, fakeOanda, fakeRegistry} from '../helpers/fake-venues.js'

const CB_KEY = 'organizations/xyz/apiKeys/key-value-77aa'
const CB_SECRET = 'cb-secret-value-99'

const CONFIG = `version: 1
sectors:
  fx:
    venue: oanda
    mode: practice
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: TEST_OANDA_TOKEN}
  crypto:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: sma-crossover}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: TEST_CB_KEY, apiSecretEnv: TEST_CB_SECRET}
    secretsFiles: [.env.coinbase, secrets/.env.override]
`

let project: string

function write(rel: string, text: string): string {
  const file = join(project, ...rel.split('/'))
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  return file
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'rick-sector-report-'))
  write('config/trading_sectors.yaml', CONFIG)
})
afterEach(() => rmSync(project, {recursive: true, force: true}))

function sector(over: Partial<SectorConfig> = {}): SectorConfig {
  return {
    name: 'fx',
    venue: 'oanda',
    enabled: true,
    mode: 'practice',
    profile: 'Balanced',
    risk: {},
    instruments: ['EUR_USD'],
    strategy: {name: 'sma-crossover', params: {}},
    connection: {accountId: '101-001-1234567-001', tokenEnv: 'TEST_OANDA_TOKEN'},
    secretsFiles: [],
    ...over,
  }
}

/** The three fake venues; the config uses oanda and coinbase, so ibkr is registered but unused. */
const registry = (): SectorRegistry => fakeRegistry([fakeOanda, fakeCoinbase, fakeIbkr])

describe('sectorsReport', () => {
  it('one row per sector, with plugin, SDK and where each credential was found, never a value', async () => {
    write('.env.coinbase', `TEST_CB_KEY="${CB_KEY}"\nTEST_CB_SECRET=\n`)
    const {report, warnings} = await sectorsReport({registry: registry(), cwd: project, env: {TEST_OANDA_TOKEN: 'oanda-token'}})

    expect(warnings).toEqual([])
    expect(report.file).toBe(join(project, 'config', 'trading_sectors.yaml'))
    expect(report.sectors).toEqual([
      {
        sector: 'fx',
        venue: 'oanda',
        mode: 'practice',
        profile: 'Balanced',
        enabled: true,
        plugin: {name: '@rick/plugin-oanda', version: '0.0.0', type: 'core'},
        sdk: {package: 'oanda-sdk', loadable: true},
        credentials: {status: 'set', variables: [{name: 'TEST_OANDA_TOKEN', set: true, source: 'env'}]},
      },
      {
        sector: 'crypto',
        venue: 'coinbase',
        mode: 'canary',
        profile: 'Conservative',
        enabled: true,
        plugin: {name: '@rick/plugin-coinbase', version: '0.0.0', type: 'core'},
        sdk: {package: 'coinbase-sdk', loadable: true},
        credentials: {status: 'missing', variables: [{name: 'TEST_CB_KEY', set: true, source: '.env.coinbase'}, {name: 'TEST_CB_SECRET', set: false}]},
      },
    ])
    expect(report.unusedVenues).toEqual([
      {venue: 'ibkr', description: 'fake ibkr', modes: ['observe', 'paper', 'canary', 'live'], plugin: {name: '@rick/plugin-ibkr', version: '0.0.0', type: 'core'}, sdk: {package: 'ibkr-sdk', loadable: true}},
    ])
    expect(report.pluginFailures).toEqual([])
    expect(JSON.stringify(report)).not.toContain(CB_KEY)
    expect(JSON.stringify(report)).not.toContain('oanda-token')
  })

  it('the environment wins over the files, a later file over an earlier one, and empty values do not count', async () => {
    write('.env.coinbase', `TEST_CB_KEY=${CB_KEY}\nTEST_CB_SECRET=first\n`)
    write('secrets/.env.override', `TEST_CB_SECRET=${CB_SECRET}\n`)
    const {report} = await sectorsReport({registry: registry(), cwd: project, env: {TEST_CB_KEY: 'from-env', TEST_OANDA_TOKEN: ''}})
    expect(report.sectors[1]!.credentials).toEqual({
      status: 'set',
      variables: [
        {name: 'TEST_CB_KEY', set: true, source: 'env'},
        {name: 'TEST_CB_SECRET', set: true, source: 'secrets/.env.override'},
      ],
    })
    expect(report.sectors[0]!.credentials).toEqual({status: 'missing', variables: [{name: 'TEST_OANDA_TOKEN', set: false}]})
  })

  it('reads secrets files where the charter does: beside a config passed from elsewhere, not in the cwd project', async () => {
    write('.env.coinbase', `TEST_CB_KEY=project-level\nTEST_CB_SECRET=project-level\n`)
    const other = write('ops/prod/trading_sectors.yaml', CONFIG)
    write('ops/prod/.env.coinbase', `TEST_CB_KEY=${CB_KEY}\n`)
    const {report} = await sectorsReport({registry: registry(), file: other, cwd: project, env: {}})
    expect(report.file).toBe(other)
    expect(report.sectors[1]!.credentials.variables).toEqual([
      {name: 'TEST_CB_KEY', set: true, source: '.env.coinbase'},
      {name: 'TEST_CB_SECRET', set: false},
    ])
  })

  it('a broken config throws ConfigError with every diagnostic', async () => {
    write('config/trading_sectors.yaml', CONFIG.replace('mode: practice', 'mode: pratice').replace('venue: coinbase', 'venue: coinbas'))
    const failure = await sectorsReport({registry: registry(), cwd: project, env: {}}).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ConfigError)
    expect((failure as ConfigError).diagnostics.filter((d) => d.severity === 'error')).toHaveLength(2)
  })
})

describe('describeSectors', () => {
  it('a venue no plugin provides: no plugin, no SDK, credentials unknown', async () => {
    const report = await describeSectors('/p/config/x.yaml', [sector({venue: 'kraken'})], registry(), {deep: false, env: {}})
    expect(report.sectors[0]).toMatchObject({venue: 'kraken', plugin: null, sdk: null, credentials: {status: 'unknown', variables: [], detail: 'no plugin provides venue kraken'}})
  })

  it('plugin functions that throw become entries, not exceptions; failures of the registry are carried', async () => {
    const base = fakeRegistry([fakeOanda])
    const reg: RegisteredSector = {
      ...base.list()[0]!,
      definition: {
        ...base.list()[0]!.definition,
        sdkStatus: () => {
          throw new Error('resolver broke')
        },
        credentialVariables: () => {
          throw new Error('no idea')
        },
      },
    }
    const broken: SectorRegistry = {list: () => [reg], get: () => reg, failures: [{plugin: 'rick-plugin-x', error: 'hook threw'}]}
    const report = await describeSectors('/p/config/x.yaml', [sector()], broken, {deep: false, env: {}})
    expect(report.sectors[0]!.sdk).toEqual({package: '?', loadable: false, detail: 'sdkStatus() threw: resolver broke'})
    expect(report.sectors[0]!.credentials).toEqual({status: 'unknown', variables: [], detail: 'credentialVariables() threw: no idea'})
    expect(report.pluginFailures).toEqual([{plugin: 'rick-plugin-x', error: 'hook threw'}])
  })

  it('deep: imports each SDK once per venue through loadSdk, and reports a failing import', async () => {
    const base = fakeRegistry([fakeOanda, fakeCoinbase])
    let oandaLoads = 0
    const [oanda, coinbase] = base.list()
    const regs: RegisteredSector[] = [
      {...oanda!, definition: {...oanda!.definition, loadSdk: async () => void oandaLoads++}},
      {
        ...coinbase!,
        definition: {
          ...coinbase!.definition,
          loadSdk: async () => {
            throw new Error('Cannot find module ccxt')
          },
        },
      },
    ]
    const reg: SectorRegistry = {list: () => regs, get: (v) => regs.find((r) => r.definition.venue === v), failures: []}
    const report = await describeSectors('/p/config/x.yaml', [sector(), sector({name: 'fx2'})], reg, {deep: true, env: {}})
    expect(oandaLoads).toBe(1)
    expect(report.sectors[0]!.sdk).toMatchObject({loadable: true, imported: true, importMs: expect.any(Number)})
    expect(report.sectors[1]!.sdk).toBe(report.sectors[0]!.sdk)
    expect(report.unusedVenues[0]!.sdk).toMatchObject({imported: false, detail: 'import failed: Cannot find module ccxt'})
  })
})

describe('credentialReport', () => {
  it('paper needs nothing; an unreadable secrets file is simply not a source', () => {
    const reg = fakeRegistry([fakeCoinbase]).list()[0]!
    const base = sector({name: 'c', venue: 'coinbase', instruments: ['BTC-USD'], connection: {apiKeyEnv: 'K', apiSecretEnv: 'S'}})
    expect(credentialReport(reg, {...base, mode: 'paper'}, join(project, 'config/x.yaml'), {})).toEqual({status: 'none-needed', variables: []})
    const live: SectorConfig = {...base, mode: 'live', secretsFiles: ['missing.env']}
    expect(credentialReport(reg, live, join(project, 'config/x.yaml'), {K: 'k', S: 's'})).toEqual({
      status: 'set',
      variables: [
        {name: 'K', set: true, source: 'env'},
        {name: 'S', set: true, source: 'env'},
      ],
    })
    expect(credentialReport(reg, live, join(project, 'config/x.yaml'), {}).status).toBe('missing')
  })
})
