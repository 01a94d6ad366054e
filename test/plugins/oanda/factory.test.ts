import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {describe, expect, it} from 'vitest'

import {createConnector} from '../../../plugins/oanda/src/factory.js'
import sectors from '../../../plugins/oanda/src/hooks/sectors.js'
import {describeInstrument} from '../../../plugins/oanda/src/instruments.js'
import type {Mode, SectorConfig} from '../../../src/foundation/config/types.js'
import {BrokerError} from '../../../src/foundation/domain/broker-errors.js'
import {coreRuntime} from '../../../src/sectors/core-runtime.js'
import type {ConnectorFactoryOptions} from '../../../src/sectors/definition.js'
import {HOOK_OPTIONS} from '../../../src/sectors/registry.js'

const ACCOUNT = '101-001-1234567-001'

function options(mode: Mode, connection: Record<string, unknown>, secrets: Record<string, string> = {OANDA_API_TOKEN: 'abc-123'}): ConnectorFactoryOptions {
  const sector: SectorConfig = {name: 'fx', venue: 'oanda', enabled: true, mode, profile: 'Balanced', risk: {}, instruments: ['EUR_USD'], strategy: {name: 'sma', params: {}}, connection, secretsFiles: []}
  return {sector, mode, secrets, instruments: [describeInstrument('EUR_USD')], clock: {now: () => 0}, log: () => {}, core: coreRuntime}
}

const refused = async (o: ConnectorFactoryOptions): Promise<unknown> => createConnector(o).then(() => 'created', (e: unknown) => e)

describe('createConnector', () => {
  it('refuses, before any request, a token that is missing, empty or not a token, naming the variable', async () => {
    const c = {accountId: ACCOUNT, tokenEnv: 'OANDA_API_TOKEN'}
    for (const [secrets, text] of [[{}, 'OANDA_API_TOKEN is not set'], [{OANDA_API_TOKEN: ''}, 'OANDA_API_TOKEN is empty'], [{OANDA_API_TOKEN: '  '}, 'OANDA_API_TOKEN is empty'], [{OANDA_API_TOKEN: 'abc def'}, 'does not look like'], [{OANDA_API_TOKEN: 'abc\u00e9'}, 'does not look like']] as const) {
      const e = await refused(options('practice', c, secrets))
      expect(e).toBeInstanceOf(BrokerError)
      expect(e).toMatchObject({kind: 'AuthFailed', message: expect.stringContaining(text)})
    }
    expect(await refused(options('practice', {accountId: ACCOUNT}))).toMatchObject({kind: 'AuthFailed', message: expect.stringContaining('tokenEnv')})
  })

  it('refuses an endpoint that would send the token in clear text, or to the other environment', async () => {
    const e = await refused(options('practice', {accountId: ACCOUNT, tokenEnv: 'OANDA_API_TOKEN', restUrl: 'http://10.1.2.3:8080'}))
    expect(String(e)).toMatch(/clear text/)
    expect(String(await refused(options('live', {accountId: ACCOUNT, tokenEnv: 'OANDA_API_TOKEN', restHost: 'api-fxpractice.oanda.com'})))).toMatch(/mode is live/)
  })

  it('returns the connector unconnected: no request is made', async () => {
    let requests = 0
    const server = createServer((_req, res) => {
      requests++
      res.end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    try {
      const c = await createConnector(options('practice', {accountId: ACCOUNT, tokenEnv: 'OANDA_API_TOKEN', restUrl: `http://127.0.0.1:${port}`, streamUrl: `http://127.0.0.1:${port}`}))
      expect(c.venue).toBe('oanda')
      expect(c.environment).toBe('simulator')
      expect(c.info).toEqual({name: 'oanda-v20', sdk: {package: '@oanda/v20', version: '3.0.25-0'}, endpoints: [`127.0.0.1:${port}`, `127.0.0.1:${port}`], account: ACCOUNT})
      await c.close()
      expect(requests).toBe(0)
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  it('names the environment by mode on OANDA\'s hosts', async () => {
    const practice = await createConnector(options('practice', {accountId: ACCOUNT, tokenEnv: 'OANDA_API_TOKEN'}))
    expect([practice.environment, practice.info?.endpoints]).toEqual(['practice', ['api-fxpractice.oanda.com', 'stream-fxpractice.oanda.com']])
    const live = await createConnector(options('canary', {accountId: ACCOUNT, tokenEnv: 'OANDA_API_TOKEN'}))
    expect([live.environment, live.info?.endpoints]).toEqual(['live', ['api-fxtrade.oanda.com', 'stream-fxtrade.oanda.com']])
    await practice.close()
    await live.close()
  })

  it('is what the plugin\'s hook registers', async () => {
    const def = await sectors(HOOK_OPTIONS)
    const c = await def.createConnector?.(options('practice', {accountId: ACCOUNT, tokenEnv: 'OANDA_API_TOKEN'}))
    expect(c?.info?.name).toBe('oanda-v20')
    await c?.close()
  })
})
