import {Ajv} from 'ajv'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {check, connectionSchema, credentialVariables, defaultConnection, instrumentSchema} from '../../../plugins/ibkr/src/config.js'
import sectors from '../../../plugins/ibkr/src/hooks/sectors.js'
import {HOOK_OPTIONS} from '../../../src/sectors/registry.js'
import {resolveSdk} from '../../../src/sectors/sdk-resolve.js'
import {loadSdk, sdkStatus} from '../../../plugins/ibkr/src/sdk.js'
import type {Mode, SectorConfig} from '../../../src/foundation/config/types.js'
import {definitionProblems} from '../../../src/sectors/registry.js'
import {REPO_ROOT} from '../../helpers/cli.js'

const ajv = new Ajv({allErrors: true, strict: true})
const validConnection = ajv.compile(connectionSchema)
const validInstrument = ajv.compile(instrumentSchema)
const MES = {symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}
const SPY = {symbol: 'SPY', secType: 'STK', exchange: 'SMART', currency: 'USD', primaryExchange: 'ARCA'}

function sector(mode: Mode, port = 7497, instruments: Array<Record<string, unknown>> = [MES, SPY]): SectorConfig {
  return {name: 'ib', venue: 'ibkr', enabled: true, mode, profile: 'Balanced', risk: {}, instruments, strategy: {name: 'sma', params: {}}, connection: {host: '127.0.0.1', port, clientId: 17, accountEnv: 'IBKR_ACCOUNT'}, secretsFiles: []}
}

describe('ibkr connection schema', () => {
  it.each([{host: '127.0.0.1', port: 7497, clientId: 17, accountEnv: 'IBKR_ACCOUNT'}, {clientId: 0}, {host: 'gateway.internal', port: 4002, clientId: 3}])('accepts %j', (c) => {
    expect(validConnection(c), JSON.stringify(validConnection.errors)).toBe(true)
  })
  it.each([
    [{host: '127.0.0.1', port: 7497}, 'required'],
    [{clientId: 1, port: 70000}, 'maximum'],
    [{clientId: 1, port: '7497'}, 'type'],
    [{clientId: -1}, 'minimum'],
    [{clientId: 1, accountEnv: 'DU1234567x'}, 'pattern'],
    [{clientId: 1, host: 'http://localhost'}, 'pattern'],
    [{clientId: 1, account: 'DU123'}, 'additionalProperties'],
  ])('rejects %j (%s)', (c, keyword) => {
    expect(validConnection(c)).toBe(false)
    expect(validConnection.errors?.map((e) => e.keyword)).toContain(keyword)
  })
})

describe('ibkr instrument schema', () => {
  it.each([
    MES,
    SPY,
    {symbol: 'EUR', secType: 'CASH', exchange: 'IDEALPRO', currency: 'USD'},
    {symbol: 'SPX', secType: 'IND', exchange: 'CBOE', currency: 'USD'},
    {symbol: 'SPY', secType: 'OPT', exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: '20261218', strike: 450, right: 'C', multiplier: '100'},
    {...MES, multiplier: '5', localSymbol: 'MESZ6'},
  ])('accepts %j', (i) => expect(validInstrument(i), JSON.stringify(validInstrument.errors)).toBe(true))

  it.each([
    ['MES', 'type'],
    [{symbol: 'MES', secType: 'FUT', exchange: 'CME'}, 'required'],
    [{...MES, secType: 'FUTURE'}, 'enum'],
    [{...MES, lastTradeDateOrContractMonth: 202612}, 'type'],
    [{...MES, lastTradeDateOrContractMonth: '202613'}, 'pattern'],
    [{...MES, multiplier: 5}, 'type'],
    [{...MES, multiplier: '5x'}, 'pattern'],
    [{...MES, currency: 'usd'}, 'pattern'],
    [{...MES, conId: 1234}, 'additionalProperties'],
  ])('rejects %j (%s)', (i, keyword) => {
    expect(validInstrument(i)).toBe(false)
    expect(validInstrument.errors?.map((e) => e.keyword)).toContain(keyword)
  })

  it('describes every property', () => {
    for (const schema of [connectionSchema, instrumentSchema]) {
      expect(schema.additionalProperties).toBe(false)
      for (const prop of Object.values(schema.properties as Record<string, {description?: string}>)) expect(prop.description).toEqual(expect.any(String))
    }
  })
})

describe('ibkr credentialVariables', () => {
  it('names the account variable for canary and live only', () => {
    expect(credentialVariables(sector('paper'), 'paper')).toEqual([])
    expect(credentialVariables(sector('observe'), 'observe')).toEqual([])
    expect(credentialVariables(sector('live', 7496), 'live')).toEqual(['IBKR_ACCOUNT'])
    expect(credentialVariables(sector('canary', 7496), 'canary')).toEqual(['IBKR_ACCOUNT'])
    expect(credentialVariables({...sector('live', 7496), connection: {clientId: 1}}, 'live')).toEqual([])
  })
})

describe('ibkr check', () => {
  it('accepts the default config sector', () => {
    expect(check(sector('paper'))).toEqual([])
    expect(check(sector('live', 4001))).toEqual([])
    expect(check(sector('observe', 7496))).toEqual([])
    expect(check(sector('practice', 4002))).toEqual([])
  })
  it.each([
    ['paper', 7496, 'LIVE'],
    ['paper', 4001, 'LIVE'],
    ['practice', 7496, 'LIVE'],
    ['practice', 4001, 'LIVE'],
    ['live', 7497, 'PAPER'],
    ['canary', 4002, 'PAPER'],
  ] as const)('mode %s on port %i is an error (%s port)', (mode, port, kind) => {
    const issues = check(sector(mode, port))
    expect(issues).toHaveLength(1)
    expect(issues[0]).toMatchObject({path: '/connection/port', code: 'port-mode-mismatch', found: String(port)})
    expect(issues[0]?.message).toContain(`is a ${kind} trading port`)
  })
  it('needs an expiry for FUT and OPT, and strike and right for OPT', () => {
    const {lastTradeDateOrContractMonth: _, ...undated} = MES
    const issues = check(sector('paper', 7497, [SPY, undated, {symbol: 'SPY', secType: 'OPT', exchange: 'SMART', currency: 'USD', lastTradeDateOrContractMonth: '20261218', right: 'P'}]))
    expect(issues).toEqual([
      expect.objectContaining({path: '/instruments/1', code: 'contract-expiry-missing', message: 'MES FUT: a FUT contract needs lastTradeDateOrContractMonth'}),
      expect.objectContaining({path: '/instruments/2', code: 'contract-option-incomplete', message: 'SPY OPT: an OPT contract needs strike'}),
    ])
  })
  it('rejects fields that do not apply to the security type', () => {
    const issues = check(sector('paper', 7497, [{...SPY, lastTradeDateOrContractMonth: '202612', right: 'C'}]))
    expect(issues.map((i) => i.path)).toEqual(['/instruments/0/lastTradeDateOrContractMonth', '/instruments/0/right'])
  })
})

describe('ibkr defaults, definition and sdk', () => {
  it('connects to the local TWS, paper port unless canary or live', () => {
    expect(defaultConnection('paper')).toEqual({host: '127.0.0.1', port: 7497})
    expect(defaultConnection('observe').port).toBe(7497)
    expect(defaultConnection('live')).toEqual({host: '127.0.0.1', port: 7496})
    expect(defaultConnection('canary').port).toBe(7496)
  })
  it('its hook returns a valid definition', async () => {
    const def = await sectors(HOOK_OPTIONS)
    expect(definitionProblems(def)).toEqual([])
    expect(def.venue).toBe('ibkr')
    expect(def.modes).toEqual(['observe', 'paper', 'practice', 'canary', 'live'])
  })
  it('finds the installed @stoqey/ib', async () => {
    const installed = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@stoqey/ib/package.json'), 'utf8')) as {version: string}
    expect(sdkStatus(resolveSdk)).toEqual({package: '@stoqey/ib', loadable: true, version: installed.version})
    await expect(loadSdk()).resolves.toBeUndefined()
  })
})
