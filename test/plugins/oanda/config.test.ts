import {Ajv} from 'ajv'
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {describe, expect, it} from 'vitest'

import {check, connectionSchema, credentialVariables, defaultHosts, endpointsFor, instrumentSchema, MODES, parseEndpoint} from '../../../plugins/oanda/src/config.js'
import sectors from '../../../plugins/oanda/src/hooks/sectors.js'
import {HOOK_OPTIONS} from '../../../src/sectors/registry.js'
import {resolveSdk} from '../../../src/sectors/sdk-resolve.js'
import {loadSdk, sdkStatus} from '../../../plugins/oanda/src/sdk.js'
import type {Mode, SectorConfig} from '../../../src/foundation/config/types.js'
import {definitionProblems} from '../../../src/sectors/registry.js'

const ajv = new Ajv({allErrors: true, strict: true})
const validConnection = ajv.compile(connectionSchema)
const validInstrument = ajv.compile(instrumentSchema)

function sector(mode: Mode, connection: Record<string, unknown> = {accountId: '101-001-1234567-001', tokenEnv: 'OANDA_API_TOKEN'}): SectorConfig {
  return {name: 'fx', venue: 'oanda', enabled: true, mode, profile: 'Balanced', risk: {}, instruments: ['EUR_USD'], strategy: {name: 'sma', params: {}}, connection, secretsFiles: []}
}

describe('oanda connection schema', () => {
  it.each([
    {accountId: '101-001-1234567-001', tokenEnv: 'OANDA_API_TOKEN'},
    {accountId: '001-011-1-001'},
    {accountId: '101-001-1234567-001', tokenEnv: 'X', restHost: 'api-fxpractice.oanda.com', streamHost: 'stream-fxpractice.oanda.com', timeoutMs: 5000},
    {accountId: '101-001-1234567-001', restUrl: 'https://api-fxpractice.oanda.com', streamUrl: 'https://stream-fxpractice.oanda.com/'},
    {accountId: '101-001-1234567-001', restUrl: 'http://127.0.0.1:41234', streamUrl: 'http://localhost:41235'},
    {accountId: '101-001-1234567-001', restUrl: 'http://[::1]:8080', streamUrl: 'https://stream.example.com:8443'},
  ])('accepts %j', (connection) => {
    expect(validConnection(connection), JSON.stringify(validConnection.errors)).toBe(true)
  })

  it.each([
    [{tokenEnv: 'OANDA_API_TOKEN'}, 'required'],
    [{accountId: '1234567'}, 'pattern'],
    [{accountId: '101-001-1234567-001', tokenEnv: 'abc123-pasted-secret-value'}, 'pattern'],
    [{accountId: '101-001-1234567-001', tokenEnv: 'OANDA_API_TOKEN', token: 'x'}, 'additionalProperties'],
    [{accountId: '101-001-1234567-001', restHost: 'https://api-fxtrade.oanda.com'}, 'pattern'],
    [{accountId: '101-001-1234567-001', timeoutMs: 10}, 'minimum'],
    [{accountId: '101-001-1234567-001', timeoutMs: 1500.5}, 'type'],
    [{accountId: '101-001-1234567-001', restUrl: 'http://api-fxpractice.oanda.com'}, 'pattern'],
    [{accountId: '101-001-1234567-001', restUrl: 'http://192.168.1.5:8080'}, 'pattern'],
    [{accountId: '101-001-1234567-001', streamUrl: 'https://user:pw@stream-fxpractice.oanda.com'}, 'pattern'],
    [{accountId: '101-001-1234567-001', restUrl: 'https://api-fxpractice.oanda.com/v3'}, 'pattern'],
    [{accountId: '101-001-1234567-001', restUrl: 'ftp://127.0.0.1'}, 'pattern'],
  ])('rejects %j (%s)', (connection, keyword) => {
    expect(validConnection(connection)).toBe(false)
    expect(validConnection.errors?.map((e) => e.keyword)).toContain(keyword)
  })

  it('describes every property', () => {
    for (const schema of [connectionSchema, instrumentSchema]) {
      expect(schema.description).toEqual(expect.any(String))
      for (const prop of Object.values((schema.properties ?? {}) as Record<string, {description?: string}>)) expect(prop.description).toEqual(expect.any(String))
    }
    expect(connectionSchema.additionalProperties).toBe(false)
  })
})

describe('oanda instrument schema', () => {
  it.each(['EUR_USD', 'GBP_USD', 'USD_JPY', 'XAU_USD', 'SPX500_USD'])('accepts %s', (i) => expect(validInstrument(i)).toBe(true))
  it.each(['EUR/USD', 'EURUSD', 'eur_usd', 'BTC-USD', 'EUR_USDT', {symbol: 'EUR'}])('rejects %j', (i) => expect(validInstrument(i)).toBe(false))
})

describe('oanda credentialVariables', () => {
  it('names the token variable for practice, canary and live only', () => {
    expect(credentialVariables(sector('observe'), 'observe')).toEqual([])
    expect(credentialVariables(sector('paper'), 'paper')).toEqual([])
    for (const mode of ['practice', 'canary', 'live'] as const) expect(credentialVariables(sector('practice'), mode)).toEqual(['OANDA_API_TOKEN'])
  })
  it('ignores a missing or malformed tokenEnv (the schema and check() report it)', () => {
    expect(credentialVariables(sector('live', {accountId: '101-001-1-001'}), 'live')).toEqual([])
    expect(credentialVariables(sector('live', {accountId: '101-001-1-001', tokenEnv: 'not a name'}), 'live')).toEqual([])
  })
})

describe('oanda check', () => {
  it('accepts the default config sector', () => {
    expect(check(sector('practice'))).toEqual([])
    expect(check(sector('paper', {accountId: '101-001-1234567-001'}))).toEqual([])
  })
  it('requires tokenEnv in modes that place orders at OANDA', () => {
    const issues = check(sector('practice', {accountId: '101-001-1234567-001'}))
    expect(issues).toEqual([expect.objectContaining({path: '/connection', code: 'credential-variable-missing', expected: 'tokenEnv: OANDA_API_TOKEN'})])
    expect(issues[0]?.message).toContain('mode practice')
  })
  it('flags practice hosts in live mode and live hosts in practice mode', () => {
    const live = check(sector('live', {accountId: '101-001-1-001', tokenEnv: 'T', restHost: 'api-fxpractice.oanda.com'}))
    expect(live).toEqual([expect.objectContaining({path: '/connection/restHost', code: 'host-mode-mismatch', expected: 'api-fxtrade.oanda.com', found: 'api-fxpractice.oanda.com'})])
    const practice = check(sector('practice', {accountId: '101-001-1-001', tokenEnv: 'T', streamHost: 'stream-fxtrade.oanda.com'}))
    expect(practice).toEqual([expect.objectContaining({path: '/connection/streamHost', expected: 'stream-fxpractice.oanda.com'})])
  })
})

describe('oanda endpoints', () => {
  const base = {accountId: '101-001-1-001', tokenEnv: 'T'}
  it('defaults to OANDA\'s hosts for the mode, over https on 443', () => {
    const practice = endpointsFor(sector('practice', base), 'practice')
    expect(practice.rest).toEqual({url: 'https://api-fxpractice.oanda.com', ssl: true, hostname: 'api-fxpractice.oanda.com', port: 443, host: 'api-fxpractice.oanda.com'})
    expect(practice.stream.url).toBe('https://stream-fxpractice.oanda.com')
    for (const mode of ['observe', 'paper'] as const) expect(endpointsFor(sector(mode, base), mode).rest.host).toBe('api-fxpractice.oanda.com')
    for (const mode of ['canary', 'live'] as const) {
      const e = endpointsFor(sector(mode, base), mode)
      expect([e.rest.url, e.stream.url]).toEqual(['https://api-fxtrade.oanda.com', 'https://stream-fxtrade.oanda.com'])
    }
  })
  it('takes restUrl/streamUrl (a simulator on loopback over http, with its port)', () => {
    const e = endpointsFor(sector('practice', {...base, restUrl: 'http://127.0.0.1:41234/', streamUrl: 'http://[::1]:41235'}), 'practice')
    expect(e.rest).toEqual({url: 'http://127.0.0.1:41234', ssl: false, hostname: '127.0.0.1', port: 41234, host: '127.0.0.1:41234'})
    expect(e.stream).toEqual({url: 'http://[::1]:41235', ssl: false, hostname: '::1', port: 41235, host: '[::1]:41235'})
  })
  it('keeps restHost/streamHost of older configs (https)', () => {
    const e = endpointsFor(sector('live', {...base, restHost: 'api-fxtrade.oanda.com', streamHost: 'stream-fxtrade.oanda.com'}), 'live')
    expect(e.rest.url).toBe('https://api-fxtrade.oanda.com')
    expect(e.stream).toMatchObject({ssl: true, port: 443, hostname: 'stream-fxtrade.oanda.com'})
  })
  it('never sends the token in clear text off this machine', () => {
    expect(() => parseEndpoint('http://api-fxpractice.oanda.com')).toThrow(/plain http is allowed only to this machine/)
    expect(() => parseEndpoint('http://10.0.0.2:8080')).toThrow(/clear text/)
    expect(() => parseEndpoint('http://127.0.0.1.evil.com')).toThrow(/only to this machine/)
    expect(() => endpointsFor(sector('practice', {...base, restUrl: 'http://example.com'}), 'practice')).toThrow(/sector fx: restUrl: .*clear text/)
  })
  it('refuses credentials, paths, other schemes and garbage in a URL', () => {
    expect(() => parseEndpoint('https://u:p@api-fxpractice.oanda.com')).toThrow(/credentials/)
    expect(() => parseEndpoint('https://api-fxpractice.oanda.com/v3/accounts')).toThrow(/without a path/)
    expect(() => parseEndpoint('https://api-fxpractice.oanda.com?x=1')).toThrow(/without a path/)
    expect(() => parseEndpoint('ws://127.0.0.1:1')).toThrow(/scheme/)
    expect(() => parseEndpoint('not a url')).toThrow(/not a URL/)
  })
  it('refuses a URL and a host for the same endpoint', () => {
    const s = sector('practice', {...base, restUrl: 'https://api-fxpractice.oanda.com', restHost: 'api-fxpractice.oanda.com'})
    expect(check(s)).toEqual([expect.objectContaining({path: '/connection/restUrl', code: 'endpoint-conflict'})])
    expect(() => endpointsFor(s, 'practice')).toThrow(/both restUrl and restHost/)
  })
  it('check() reports an insecure or malformed URL that bypassed the schema', () => {
    const issues = check(sector('practice', {...base, streamUrl: 'http://example.com'}))
    expect(issues).toEqual([expect.objectContaining({path: '/connection/streamUrl', code: 'endpoint-invalid', found: 'http://example.com'})])
  })
  it('a live or canary sector pointed at practice URLs (or the reverse) is an error, in check() and endpointsFor()', () => {
    const live = sector('live', {...base, restUrl: 'https://api-fxpractice.oanda.com'})
    expect(check(live)).toEqual([expect.objectContaining({path: '/connection/restUrl', code: 'host-mode-mismatch', expected: 'https://api-fxtrade.oanda.com'})])
    expect(() => endpointsFor(live, 'live')).toThrow(/practice \(fxpractice\) environment but the sector's mode is live/)
    const practice = sector('practice', {...base, streamUrl: 'https://stream-fxtrade.oanda.com'})
    expect(check(practice)).toEqual([expect.objectContaining({path: '/connection/streamUrl', code: 'host-mode-mismatch'})])
    expect(() => endpointsFor(sector('practice', base), 'canary')).not.toThrow()
    expect(() => endpointsFor(sector('practice', {...base, restHost: 'api-fxpractice.oanda.com'}), 'canary')).toThrow(/mode is canary/)
  })
  it('a simulator on loopback is allowed in every mode', () => {
    for (const mode of MODES) {
      expect(check(sector(mode, {...base, restUrl: 'http://127.0.0.1:5000', streamUrl: 'http://127.0.0.1:5001'}))).toEqual([])
      expect(endpointsFor(sector(mode, {...base, restUrl: 'http://127.0.0.1:5000', streamUrl: 'http://127.0.0.1:5001'}), mode).rest.port).toBe(5000)
    }
  })
})

describe('oanda defaults and definition', () => {
  it('uses the practice hosts up to practice and the live hosts for canary and live', () => {
    expect(defaultHosts('practice')).toEqual({restHost: 'api-fxpractice.oanda.com', streamHost: 'stream-fxpractice.oanda.com'})
    expect(defaultHosts('observe').restHost).toBe('api-fxpractice.oanda.com')
    expect(defaultHosts('canary')).toEqual({restHost: 'api-fxtrade.oanda.com', streamHost: 'stream-fxtrade.oanda.com'})
    expect(defaultHosts('live').streamHost).toBe('stream-fxtrade.oanda.com')
  })
  it('its hook returns one valid definition with every mode', async () => {
    const def = await sectors(HOOK_OPTIONS)
    expect(definitionProblems(def)).toEqual([])
    expect(def.venue).toBe('oanda')
    expect(def.modes).toEqual(['observe', 'paper', 'practice', 'canary', 'live'])
    expect(MODES).toEqual(def.modes)
  })
})

describe('oanda sdk', () => {
  it('finds the installed @oanda/v20 and its version without importing it', () => {
    const installed = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@oanda/v20/package.json'), 'utf8')) as {version: string}
    expect(sdkStatus(resolveSdk)).toEqual({package: '@oanda/v20', loadable: true, version: installed.version})
  })
  it('loadSdk really imports it', async () => {
    await expect(loadSdk()).resolves.toBeUndefined()
  })
})
