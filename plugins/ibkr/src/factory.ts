// The IBKR connector for a sector: the TWS/Gateway socket from its connection block (host, port,
// clientId), the account from the variable its accountEnv names (needed when the login manages
// several accounts), the configured contracts, the order-id book in the sector's state directory,
// and @stoqey/ib imported here, lazily. Returns the connector unconnected (core calls connect()).
//
// environment: `live` for canary/live, `paper-account` otherwise (IBKR's own paper account, not
// rick's paper venue; the port check in config.ts keeps the two apart).
import type {Connector} from '../../../src/sectors/connector.js'
import type {ConnectorFactoryOptions} from '../../../src/sectors/definition.js'
import {DEFAULT_HOST, defaultPort, VENUE} from './config.js'
import {IbkrConnector, type IbkrTimings} from './connector.js'
import {fileIdStore, OrderIdBook} from './ids.js'
import {instrumentId} from './instruments.js'
import {SDK_PACKAGE} from './sdk.js'
import {stoqeyFactory, type TwsClientFactory} from './tws-client.js'

/** Settings a test (or a bench) may change; a sector's config never reaches them. */
export interface IbkrTuning extends IbkrTimings {
  /** Order ids reserved per write of the state file. */
  idBlock?: number
  /** A client other than @stoqey/ib's (a test's fake). */
  factory?: TwsClientFactory
}

export async function createConnector(o: ConnectorFactoryOptions, tuning: IbkrTuning = {}): Promise<Connector> {
  const {BrokerError} = o.core
  const connection = o.sector.connection ?? {}
  const clientId = connection.clientId
  if (typeof clientId !== 'number' || !Number.isInteger(clientId) || clientId < 0) throw new BrokerError('AuthFailed', `sector ${o.sector.name}: connection.clientId must be a whole number ≥ 0 (each API connection to one TWS/Gateway needs its own), found ${JSON.stringify(clientId)}`)
  const host = typeof connection.host === 'string' && connection.host !== '' ? connection.host : DEFAULT_HOST
  const port = typeof connection.port === 'number' ? connection.port : defaultPort(o.mode)
  const accountEnv = typeof connection.accountEnv === 'string' ? connection.accountEnv : undefined
  const account = accountEnv === undefined ? undefined : o.secrets[accountEnv]?.trim() || undefined
  if (accountEnv !== undefined && account !== undefined && !/^[A-Z0-9]{2,20}$/.test(account)) throw new BrokerError('AuthFailed', `sector ${o.sector.name}: ${accountEnv} does not look like an IBKR account id (e.g. DU1234567 or U1234567)`)
  const byId = new Map(o.instruments.map((i) => [i.id, i]))
  const instruments = o.sector.instruments.map((raw) => {
    if (typeof raw !== 'object' || raw === null) throw new BrokerError('InvalidOrder', `sector ${o.sector.name}: an IBKR instrument is a contract {symbol, secType, exchange, currency}, found ${JSON.stringify(raw)}`)
    const base = byId.get(instrumentId(raw))
    if (base === undefined) throw new BrokerError('InvalidOrder', `sector ${o.sector.name}: no instrument ${instrumentId(raw)} among ${[...byId.keys()].join(', ')}`)
    return {base, spec: raw}
  })
  const ids = await OrderIdBook.open(o.stateDir === undefined ? undefined : fileIdStore(o.stateDir), tuning.idBlock)
  const sdk = tuning.factory === undefined ? await stoqeyFactory() : {factory: tuning.factory, version: 'test'}
  const prefix = `${o.sector.name}-`
  const {idBlock: _block, factory: _factory, ...timings} = tuning
  return new IbkrConnector({
    venue: VENUE,
    environment: o.mode === 'canary' || o.mode === 'live' ? 'live' : 'paper-account',
    sector: o.sector.name,
    host,
    port,
    clientId,
    ...(account === undefined ? {} : {account}),
    instruments,
    isOurs: (id) => id.startsWith(prefix),
    clock: o.clock,
    core: o.core,
    log: o.log,
    sdk: {package: SDK_PACKAGE, version: sdk.version},
    factory: sdk.factory,
    ids,
    ...timings,
    seed: tuning.seed ?? seedOf(o.sector.name),
  })
}

/** A stable seed per sector, so two sectors that lose TWS together do not reconnect in step. */
function seedOf(name: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0
  return h
}
