import {Ajv} from 'ajv'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {check, connectionSchema, credentialVariables, DEFAULT_REST_URL, defaultRestUrl, endpointsFor, instrumentSchema} from '../../../plugins/coinbase/src/config.js'
import sectors from '../../../plugins/coinbase/src/hooks/sectors.js'
import {HOOK_OPTIONS} from '../../../src/sectors/registry.js'
import {resolveSdk} from '../../../src/sectors/sdk-resolve.js'
import {sdkStatus} from '../../../plugins/coinbase/src/sdk.js'
import type {Mode, SectorConfig} from '../../../src/foundation/config/types.js'
import {definitionProblems} from '../../../src/sectors/registry.js'
import {REPO_ROOT} from '../../helpers/cli.js'

const ajv = new Ajv({allErrors: true, strict: true})
const validConnection = ajv.compile(connectionSchema)
const validInstrument = ajv.compile(instrumentSchema)
const KEYS = {apiKeyEnv: 'COINBASE_API_KEY', apiSecretEnv: 'COINBASE_API_SECRET'}

function sector(mode: Mode, connection: Record<string, unknown> = KEYS, instruments: string[] = ['BTC-USD', 'ETH-USD']): SectorConfig {
  return {name: 'crypto', venue: 'coinbase', enabled: true, mode, profile: 'Balanced', risk: {}, instruments, strategy: {name: 'sma', params: {}}, connection, secretsFiles: []}
}

describe('coinbase connection schema', () => {
  it.each([KEYS, {}, {...KEYS, restUrl: 'https://api.coinbase.com'}, {restUrl: 'http://127.0.0.1:8080', wsUrl: 'ws://localhost:8081/'}, {wsUrl: 'wss://advanced-trade-ws.coinbase.com', userWsUrl: 'wss://advanced-trade-ws-user.coinbase.com'}])('accepts %j', (c) => {
    expect(validConnection(c), JSON.stringify(validConnection.errors)).toBe(true)
  })
  it.each([
    [{apiKeyEnv: 'organizations/abc/apiKeys/def'}, 'pattern'],
    [{apiSecretEnv: '-----BEGIN EC PRIVATE KEY-----'}, 'pattern'],
    [{...KEYS, restUrl: 'http://api.coinbase.com'}, 'pattern'],
    [{...KEYS, restUrl: 'https://api.coinbase.com/api/v3'}, 'pattern'],
    [{...KEYS, wsUrl: 'ws://advanced-trade-ws.coinbase.com'}, 'pattern'],
    [{...KEYS, wsUrl: 'https://advanced-trade-ws.coinbase.com'}, 'pattern'],
    [{...KEYS, passphraseEnv: 'X'}, 'additionalProperties'],
    [{apiKeyEnv: 42}, 'type'],
  ])('rejects %j (%s)', (c, keyword) => {
    expect(validConnection(c)).toBe(false)
    expect(validConnection.errors?.map((e) => e.keyword)).toContain(keyword)
  })
  it('describes every property and rejects unknown keys', () => {
    for (const prop of Object.values(connectionSchema.properties as Record<string, {description?: string}>)) expect(prop.description).toEqual(expect.any(String))
    expect(connectionSchema.additionalProperties).toBe(false)
    expect(instrumentSchema.description).toEqual(expect.any(String))
  })
})

describe('coinbase instrument schema', () => {
  it.each(['BTC-USD', 'ETH-USD', 'ETH-USDC', 'SHIB-EUR', '1INCH-USD'])('accepts %s', (i) => expect(validInstrument(i)).toBe(true))
  it.each(['BTC/USD', 'BTCUSD', 'btc-usd', 'EUR_USD', 'BTC-US', ''])('rejects %j', (i) => expect(validInstrument(i)).toBe(false))
})

describe('coinbase credentialVariables', () => {
  it('needs the key pair for canary and live only', () => {
    expect(credentialVariables(sector('observe'), 'observe')).toEqual([])
    expect(credentialVariables(sector('paper'), 'paper')).toEqual([])
    expect(credentialVariables(sector('canary'), 'canary')).toEqual(['COINBASE_API_KEY', 'COINBASE_API_SECRET'])
    expect(credentialVariables(sector('paper'), 'live')).toEqual(['COINBASE_API_KEY', 'COINBASE_API_SECRET'])
  })
})

describe('coinbase check', () => {
  it('accepts the default config sector', () => {
    expect(check(sector('canary'))).toEqual([])
    expect(check(sector('paper', {}))).toEqual([])
  })
  it('requires both variable names in canary and live', () => {
    const issues = check(sector('live', {apiKeyEnv: 'COINBASE_API_KEY'}))
    expect(issues).toEqual([expect.objectContaining({path: '/connection', code: 'credential-variable-missing', found: 'no apiSecretEnv'})])
  })
  it('refuses the same variable for key and secret', () => {
    expect(check(sector('canary', {apiKeyEnv: 'CB', apiSecretEnv: 'CB'}))).toEqual([expect.objectContaining({path: '/connection/apiSecretEnv', code: 'credential-variable-reused'})])
  })
  it('refuses unencrypted endpoints off this machine, paths and credentials in URLs', () => {
    const issues = check(sector('canary', {...KEYS, restUrl: 'http://10.0.0.5:8080', wsUrl: 'wss://user:pw@example.com', userWsUrl: 'ws://127.0.0.1:9/x'}))
    expect(issues.map((i) => [i.path, i.code])).toEqual([
      ['/connection/restUrl', 'endpoint-invalid'],
      ['/connection/wsUrl', 'endpoint-invalid'],
      ['/connection/userWsUrl', 'endpoint-invalid'],
    ])
    expect(issues[0]?.message).toContain('only to this machine')
    expect(() => endpointsFor(sector('canary', {...KEYS, restUrl: 'http://10.0.0.5:8080'}))).toThrow(/only to this machine/)
  })
  it('resolves endpoints: Coinbase by default, the user channel on wsUrl when only that is set', () => {
    expect(endpointsFor(sector('live'))).toEqual({rest: 'https://api.coinbase.com', ws: 'wss://advanced-trade-ws.coinbase.com', userWs: 'wss://advanced-trade-ws-user.coinbase.com'})
    expect(endpointsFor(sector('canary', {...KEYS, restUrl: 'http://127.0.0.1:4000/', wsUrl: 'ws://127.0.0.1:4001'}))).toEqual({rest: 'http://127.0.0.1:4000', ws: 'ws://127.0.0.1:4001', userWs: 'ws://127.0.0.1:4001'})
  })
  it('checks the quote currency of each product', () => {
    const issues = check(sector('paper', {}, ['BTC-USD', 'BTC-JPY', 'ETH-ETH', 'ETH-USDC']))
    expect(issues).toEqual([
      expect.objectContaining({path: '/instruments/1', code: 'instrument-quote', found: 'JPY', expected: expect.stringContaining('USD, USDC')}),
      expect.objectContaining({path: '/instruments/2', code: 'instrument-same-currency'}),
    ])
  })
})

describe('coinbase defaults, definition and sdk', () => {
  it('talks to api.coinbase.com in every mode', () => {
    expect(DEFAULT_REST_URL).toBe('https://api.coinbase.com')
    expect(defaultRestUrl('live')).toBe('https://api.coinbase.com')
  })
  it('its hook returns a valid definition without practice mode', async () => {
    const def = await sectors(HOOK_OPTIONS)
    expect(definitionProblems(def)).toEqual([])
    expect(def.modes).toEqual(['observe', 'paper', 'canary', 'live'])
  })
  it('finds ccxt even though its exports hide package.json', () => {
    const installed = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/ccxt/package.json'), 'utf8')) as {version: string}
    expect(sdkStatus(resolveSdk)).toEqual({package: 'ccxt', loadable: true, version: installed.version})
  })
})
