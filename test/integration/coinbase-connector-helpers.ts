// A Coinbase simulator on 127.0.0.1 (port 0) and rick's connector built by the plugin's factory
// over the real ccxt client, for the connector's integration tests. The simulator's own REST API
// (signed with its key, through plain fetch, never the connector) is the witness.
import {createPrivateKey, randomBytes, sign} from 'node:crypto'

import {createConnector, type CoinbaseTuning} from '../../plugins/coinbase/src/factory.js'
import type {CoinbaseConnector} from '../../plugins/coinbase/src/connector.js'
import {describeInstrument} from '../../plugins/coinbase/src/instruments.js'
import {startCoinbaseSimulator, type CoinbaseSimulatorOptions} from '../../plugins/coinbase/src/sim/index.js'
import type {SectorConfig} from '../../src/foundation/config/types.js'
import type {VenueEvent} from '../../src/foundation/domain/orders.js'
import type {ConnectorStatus} from '../../src/sectors/connector.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../src/sectors/definition.js'

export const KEY_ENV = 'CB_TEST_KEY'
export const SECRET_ENV = 'CB_TEST_SECRET'

export interface Rig {
  sim: RunningSimulator
  c: CoinbaseConnector
  events: VenueEvent[]
  statuses: ConnectorStatus[]
  logs: string[]
  /** GET of the simulator's REST API, signed with its key (the witness). */
  get(path: string): Promise<Record<string, unknown>>
  close(): Promise<void>
}

export async function startRig(o: {sim?: Partial<CoinbaseSimulatorOptions>; tuning?: CoinbaseTuning; instruments?: string[]; connect?: boolean; timeoutMs?: number} = {}): Promise<Rig> {
  const instruments = o.instruments ?? ['BTC-USD', 'ETH-USD']
  const sim = await startCoinbaseSimulator({core: coreRuntime, seed: 7, instruments, startingCash: 100_000, ...o.sim})
  const sector: SectorConfig = {
    name: 'cbtest', venue: 'coinbase', enabled: true, mode: 'canary', profile: 'Balanced', risk: {}, instruments, strategy: {name: 'sma', params: {}}, secretsFiles: [],
    connection: {apiKeyEnv: KEY_ENV, apiSecretEnv: SECRET_ENV, restUrl: sim.endpoints.rest, wsUrl: sim.endpoints.ws, timeoutMs: o.timeoutMs ?? 1_000},
  }
  const secrets = {[KEY_ENV]: String(sim.credentials.apiKey), [SECRET_ENV]: String(sim.credentials.apiSecret)}
  const logs: string[] = []
  const c = (await createConnector(
    {sector, mode: 'canary', secrets, instruments: instruments.map((i) => describeInstrument(i)), clock: {now: () => Date.now()}, log: (m) => void logs.push(m), core: coreRuntime},
    {ccxtRateLimit: false, ...o.tuning},
  )) as CoinbaseConnector
  const events: VenueEvent[] = []
  const statuses: ConnectorStatus[] = []
  c.onEvent((e) => void events.push(structuredClone(e)))
  c.onStatus?.((s) => void statuses.push(s))
  if (o.connect !== false) await c.connect()
  const key = createPrivateKey(String(sim.credentials.apiSecret))
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const url = new URL(path, sim.endpoints.rest)
    const jwt = signJwt(String(sim.credentials.apiKey), key, `GET ${url.host}${url.pathname}`)
    const res = await fetch(url, {headers: {Authorization: `Bearer ${jwt}`}})
    const text = await res.text()
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text}`)
    return JSON.parse(text) as Record<string, unknown>
  }
  return {
    sim, c, events, statuses, logs, get,
    async close() {
      await c.close()
      await sim.close()
    },
  }
}

/** A CDP JWT as Coinbase's own SDKs make it (ES256, kid = key name, two minutes), for the witness. */
function signJwt(keyName: string, key: ReturnType<typeof createPrivateKey>, uri: string): string {
  const now = Math.floor(Date.now() / 1000)
  const b64 = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const head = b64({alg: 'ES256', kid: keyName, nonce: randomBytes(16).toString('hex'), typ: 'JWT'})
  const body = b64({sub: keyName, iss: 'cdp', nbf: now, exp: now + 120, uri})
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), {key, dsaEncoding: 'ieee-p1363'}).toString('base64url')
  return `${head}.${body}.${sig}`
}

/** Waits (polling, bounded) until `cond` holds. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 4_000): Promise<void> {
  const end = performance.now() + ms
  for (;;) {
    if (await cond()) return
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export const kinds = (events: readonly VenueEvent[], id: string): string[] => events.filter((e) => (e.kind === 'fill' ? e.fill.clientOrderId : e.clientOrderId) === id).map((e) => e.kind)
