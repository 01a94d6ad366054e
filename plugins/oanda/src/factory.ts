// The OANDA connector for a sector: the token from the sector's secrets, the account and the hosts
// from its connection block (config.ts), the SDK imported here, lazily. Returns the connector
// unconnected (core calls connect()). Refuses before any request when the token cannot work.
import type {Connector} from '../../../src/sectors/connector.js'
import type {ConnectorFactoryOptions} from '../../../src/sectors/definition.js'
import {DEFAULT_TIMEOUT_MS, endpointsFor, LOOPBACK_HOSTS, VENUE} from './config.js'
import {OandaConnector} from './connector.js'
import {importSdk, OandaRest, sdkVersion} from './rest.js'
import {SDK_PACKAGE} from './sdk.js'

export async function createConnector(o: ConnectorFactoryOptions): Promise<Connector> {
  const {BrokerError} = o.core
  const connection = o.sector.connection ?? {}
  const tokenEnv = typeof connection.tokenEnv === 'string' ? connection.tokenEnv : undefined
  if (tokenEnv === undefined) throw new BrokerError('AuthFailed', `sector ${o.sector.name}: connection.tokenEnv is not set (the NAME of the variable holding the OANDA API token)`)
  const token = o.secrets[tokenEnv]
  if (token === undefined || token.trim() === '') throw new BrokerError('AuthFailed', `sector ${o.sector.name}: ${tokenEnv} is ${token === undefined ? 'not set' : 'empty'}; it must hold the OANDA API token`)
  // A token is one header value: a pasted line break or blank would corrupt every request.
  if (/\s/.test(token.trim()) || /[^\x21-\x7e]/.test(token.trim())) throw new BrokerError('AuthFailed', `sector ${o.sector.name}: ${tokenEnv} does not look like an OANDA API token (it holds blanks or non-ASCII characters)`)
  const accountId = connection.accountId
  if (typeof accountId !== 'string' || accountId === '') throw new BrokerError('AuthFailed', `sector ${o.sector.name}: connection.accountId is not set`)
  const endpoints = endpointsFor(o.sector, o.mode)
  const timeoutMs = typeof connection.timeoutMs === 'number' ? connection.timeoutMs : DEFAULT_TIMEOUT_MS
  const sdk = await importSdk()
  const rest = new OandaRest({endpoint: endpoints.rest, token: token.trim(), timeoutMs, core: o.core, clock: o.clock, sdk})
  const loopback = LOOPBACK_HOSTS.includes(endpoints.rest.host.replace(/:\d+$/, ''))
  return new OandaConnector({
    venue: VENUE,
    accountId,
    environment: loopback ? 'simulator' : o.mode === 'canary' || o.mode === 'live' ? 'live' : 'practice',
    rest,
    stream: endpoints.stream,
    token: token.trim(),
    tokenEnv,
    instruments: o.instruments,
    clock: o.clock,
    core: o.core,
    log: o.log,
    sdk: {package: SDK_PACKAGE, version: sdkVersion()},
  })
}
