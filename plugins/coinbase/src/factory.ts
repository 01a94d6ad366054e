// The Coinbase connector for a sector: the CDP key pair from the sector's secrets (by the variable
// names in its connection block), checked before any request (keys.ts); the hosts from the
// connection block (config.ts endpointsFor); ccxt's coinbase class and the `ws` package imported
// here, lazily. Returns the connector unconnected (core calls connect()).
//
// coinbase-advanced-node (2.1.0, the only version on npm) is not used: it signs requests only with
// legacy HMAC keys (CB-ACCESS-SIGN), which Coinbase no longer issues and Advanced Trade's CDP keys
// replace; ccxt signs CDP keys (ES256 JWTs) for REST and websocket alike, so nothing is left for it.
import type {Connector} from '../../../src/sectors/connector.js'
import type {ConnectorFactoryOptions} from '../../../src/sectors/definition.js'
import {DEFAULT_TIMEOUT_MS, endpointsFor, LOOPBACK_HOSTS, VENUE} from './config.js'
import {CoinbaseConnector} from './connector.js'
import type {PollTiming} from './connector-poll.js'
import {checkCdpKey} from './keys.js'
import {CoinbaseRest, importCcxtCoinbase} from './rest.js'
import {SDK_PACKAGE} from './sdk.js'
import {systemTimers, type Backoff, type SocketFactory, type SocketLike, type Timers} from './ws-stream.js'

/** Settings a test (or a bench) may change; a sector's config never reaches them. */
export interface CoinbaseTuning {
  poll?: Partial<PollTiming>
  heartbeatTimeoutMs?: number
  backoff?: Backoff
  seed?: number
  /** ccxt's own request spacing (default on). */
  ccxtRateLimit?: boolean
  /** The timers of the websocket watchdog, reconnects and polls (a test's manual clock); ccxt's request timeout stays real. */
  timers?: Timers
}

export async function createConnector(o: ConnectorFactoryOptions, tuning: CoinbaseTuning = {}): Promise<Connector> {
  const {BrokerError} = o.core
  const connection = o.sector.connection ?? {}
  const keyEnv = typeof connection.apiKeyEnv === 'string' ? connection.apiKeyEnv : undefined
  const secretEnv = typeof connection.apiSecretEnv === 'string' ? connection.apiSecretEnv : undefined
  if (keyEnv === undefined || secretEnv === undefined) {
    throw new BrokerError('AuthFailed', `sector ${o.sector.name}: connection.${keyEnv === undefined ? 'apiKeyEnv' : 'apiSecretEnv'} is not set (the NAME of the variable holding the CDP API ${keyEnv === undefined ? 'key name' : 'private key'})`)
  }
  const key = checkCdpKey(o.core, {keyEnv, secretEnv}, o.secrets[keyEnv], o.secrets[secretEnv])
  const endpoints = endpointsFor(o.sector)
  const timeoutMs = typeof connection.timeoutMs === 'number' && connection.timeoutMs > 0 ? connection.timeoutMs : DEFAULT_TIMEOUT_MS
  const [ccxt, ws] = await Promise.all([importCcxtCoinbase(), import('ws')])
  const seed = tuning.seed ?? seedOf(o.sector.name)
  const rest = new CoinbaseRest({
    ccxt,
    restUrl: endpoints.rest,
    keyName: key.keyName,
    privateKeyPem: key.privateKeyPem,
    timeoutMs,
    core: o.core,
    clock: o.clock,
    timers: tuning.timers ?? systemTimers,
    random: o.core.seededRandom(seed ^ 0x5eed),
    ...(tuning.ccxtRateLimit === undefined ? {} : {ccxtRateLimit: tuning.ccxtRateLimit}),
  })
  const WebSocket = ws.WebSocket
  const socket: SocketFactory = (url) => new WebSocket(url, {handshakeTimeout: timeoutMs, maxPayload: 16 * 1024 * 1024}) as unknown as SocketLike
  const loopback = LOOPBACK_HOSTS.includes(new URL(endpoints.rest).hostname)
  const prefix = `${o.sector.name}-`
  return new CoinbaseConnector({
    venue: VENUE,
    environment: loopback ? 'simulator' : 'live',
    rest,
    wsUrl: endpoints.ws,
    userWsUrl: endpoints.userWs,
    socket,
    keyEnv,
    secretEnv,
    instruments: o.instruments,
    isOurs: (id) => id.startsWith(prefix),
    clock: o.clock,
    core: o.core,
    log: o.log,
    sdk: {package: SDK_PACKAGE, version: ccxt.version},
    seed,
    ...(tuning.timers === undefined ? {} : {timers: tuning.timers}),
    ...(tuning.poll === undefined ? {} : {poll: tuning.poll}),
    ...(tuning.heartbeatTimeoutMs === undefined ? {} : {heartbeatTimeoutMs: tuning.heartbeatTimeoutMs}),
    ...(tuning.backoff === undefined ? {} : {backoff: tuning.backoff}),
  })
}

/** A stable seed per sector, so two sectors that lose Coinbase together do not reconnect in step. */
function seedOf(name: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0
  return h
}
