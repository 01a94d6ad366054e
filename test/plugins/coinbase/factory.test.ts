// The factory: keys checked before any request, hosts from the connection block, who the connector
// says it is (never a secret).
import {generateKeyPairSync} from 'node:crypto'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {describe, expect, it} from 'vitest'

import {createConnector} from '../../../plugins/coinbase/src/factory.js'
import {describeInstrument} from '../../../plugins/coinbase/src/instruments.js'
import {importCcxtCoinbase} from '../../../plugins/coinbase/src/rest.js'
import type {SectorConfig} from '../../../src/foundation/config/types.js'
import {BrokerError} from '../../../src/foundation/domain/broker-errors.js'
import {coreRuntime} from '../../../src/sectors/core-runtime.js'

const NAME = 'organizations/00000000-0000-4000-8000-000000000001/apiKeys/00000000-0000-4000-8000-000000000002'
const PEM = String(generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).privateKey.export({format: 'pem', type: 'sec1'}))

const sector = (connection: Record<string, unknown>): SectorConfig => ({
  name: 'btc', venue: 'coinbase', enabled: true, mode: 'canary', profile: 'Balanced', risk: {}, instruments: ['BTC-USD'], strategy: {name: 'sma', params: {}}, secretsFiles: [],
  connection: {apiKeyEnv: 'CB_KEY', apiSecretEnv: 'CB_SECRET', ...connection},
})
const make = (connection: Record<string, unknown>, secrets: Record<string, string>) =>
  createConnector({sector: sector(connection), mode: 'canary', secrets, instruments: [describeInstrument('BTC-USD')], clock: {now: () => Date.now()}, log: () => {}, core: coreRuntime})

describe('createConnector', () => {
  it('refuses a key in the wrong format before any request reaches the venue', async () => {
    let requests = 0
    const server = createServer((_q, res) => {
      requests++
      res.end('{}')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const restUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const pkcs8 = String(generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).privateKey.export({format: 'pem', type: 'pkcs8'}))
      for (const [secrets, message] of [
        [{CB_KEY: NAME, CB_SECRET: 'hmacsecretabcdefghijklmnopqrstuv'}, /CB_SECRET holds no PEM key/],
        [{CB_KEY: NAME, CB_SECRET: pkcs8}, /CB_SECRET holds an EC key in PKCS#8 form/],
        [{CB_KEY: 'abcdefgh12345678', CB_SECRET: PEM}, /CB_KEY does not hold a CDP key name/],
        [{CB_SECRET: PEM}, /CB_KEY is not set/],
      ] as const) {
        const e = await make({restUrl, wsUrl: 'ws://127.0.0.1:1'}, secrets).then(() => undefined, (x: unknown) => x)
        expect(e).toBeInstanceOf(BrokerError)
        expect(e).toMatchObject({kind: 'AuthFailed', message: expect.stringMatching(message)})
      }
      const noVar = await createConnector({sector: {...sector({restUrl}), connection: {restUrl}}, mode: 'live', secrets: {}, instruments: [], clock: {now: () => 0}, log: () => {}, core: coreRuntime}).then(() => undefined, (x: unknown) => x)
      expect(noVar).toMatchObject({kind: 'AuthFailed', message: expect.stringMatching(/connection.apiKeyEnv is not set/)})
      expect(requests).toBe(0)
    } finally {
      await new Promise((r) => server.close(r))
    }
  })

  it('who it is: coinbase-ccxt with ccxt\'s version, hosts only, never a key; live at Coinbase, simulator on loopback', async () => {
    const {version} = await importCcxtCoinbase()
    const live = await make({}, {CB_KEY: NAME, CB_SECRET: PEM})
    expect(live.venue).toBe('coinbase')
    expect(live.environment).toBe('live')
    expect(live.info).toEqual({name: 'coinbase-ccxt', sdk: {package: 'ccxt', version}, endpoints: ['api.coinbase.com', 'advanced-trade-ws.coinbase.com', 'advanced-trade-ws-user.coinbase.com']})
    expect(live.capabilities).toEqual({brackets: false, stopOrders: false, stopLimitOrders: true, streaming: true, fractionalQty: true, shortSelling: false, spotHoldings: true})
    const sim = await make({restUrl: 'http://127.0.0.1:4100', wsUrl: 'ws://127.0.0.1:4101'}, {CB_KEY: NAME, CB_SECRET: PEM.replace(/\n/g, '\\n')})
    expect(sim.environment).toBe('simulator')
    expect(sim.info?.endpoints).toEqual(['127.0.0.1:4100', '127.0.0.1:4101'])
    const text = JSON.stringify([live.info, sim.info])
    for (const line of PEM.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(text).not.toContain(line)
    await live.close()
    await sim.close()
  })

  it('plain http away from this machine is refused (signed requests never cross a network in clear)', async () => {
    await expect(make({restUrl: 'http://example.com'}, {CB_KEY: NAME, CB_SECRET: PEM})).rejects.toThrow(/only to this machine/)
  })
})
