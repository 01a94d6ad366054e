// Small stand-ins for the oanda, coinbase and ibkr sector definitions, with the config shapes the
// real plugins use, so config tests do not depend on the plugins' code.
import type {JsonSchema, VenueIssue, VenueRules} from '../../src/foundation/config/venue-rules.js'
import type {Mode, SectorConfig} from '../../src/foundation/config/types.js'
import type {RegisteredSector, SectorDefinition, SectorRegistry} from '../../src/sectors/definition.js'

const ENV = '^[A-Z_][A-Z0-9_]*$'
const envOf = (sector: SectorConfig, key: string): string[] => {
  const v = sector.connection[key]
  return typeof v === 'string' ? [v] : []
}

export const fakeOanda: VenueRules = {
  venue: 'oanda',
  modes: ['observe', 'paper', 'practice', 'canary', 'live'],
  connectionSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['accountId', 'tokenEnv'],
    properties: {
      accountId: {type: 'string', pattern: '^\\d{3}-\\d{3}-\\d{1,10}-\\d{3}$', description: 'OANDA v20 account id.'},
      tokenEnv: {type: 'string', pattern: ENV, description: 'NAME of the variable holding the API token.'},
      restHost: {type: 'string', description: 'REST host.'},
      streamHost: {type: 'string', description: 'Stream host.'},
      timeoutMs: {type: 'integer', minimum: 1000, description: 'Request timeout.'},
    },
  },
  instrumentSchema: {type: 'string', pattern: '^[A-Z0-9]{2,10}_[A-Z]{3}$', description: 'OANDA instrument, e.g. EUR_USD.'},
  credentialVariables: (sector: SectorConfig, mode: Mode) => (mode === 'observe' || mode === 'paper' ? [] : envOf(sector, 'tokenEnv')),
}

export const fakeCoinbase: VenueRules = {
  venue: 'coinbase',
  modes: ['observe', 'paper', 'canary', 'live'],
  connectionSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      apiKeyEnv: {type: 'string', pattern: ENV, description: 'NAME of the variable holding the API key.'},
      apiSecretEnv: {type: 'string', pattern: ENV, description: 'NAME of the variable holding the API secret.'},
      restUrl: {type: 'string', description: 'REST base URL.'},
    },
  },
  instrumentSchema: {type: 'string', pattern: '^[A-Z0-9]{2,10}-[A-Z]{3,4}$', description: 'Coinbase product id, e.g. BTC-USD.'},
  credentialVariables: (sector: SectorConfig, mode: Mode) => (mode === 'canary' || mode === 'live' ? [...envOf(sector, 'apiKeyEnv'), ...envOf(sector, 'apiSecretEnv')] : []),
}

export const fakeIbkr: VenueRules = {
  venue: 'ibkr',
  modes: ['observe', 'paper', 'canary', 'live'],
  connectionSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['host', 'port', 'clientId'],
    properties: {
      host: {type: 'string', description: 'TWS host.'},
      port: {type: 'integer', minimum: 1, maximum: 65535, description: 'TWS port.'},
      clientId: {type: 'integer', minimum: 0, description: 'API client id.'},
      accountEnv: {type: 'string', pattern: ENV, description: 'NAME of the variable holding the account id.'},
    },
  },
  instrumentSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['symbol', 'secType', 'exchange', 'currency'],
    properties: {
      symbol: {type: 'string', description: 'Symbol.'},
      secType: {type: 'string', enum: ['STK', 'FUT', 'OPT', 'CASH', 'IND'], description: 'Security type.'},
      exchange: {type: 'string', description: 'Exchange.'},
      currency: {type: 'string', pattern: '^[A-Z]{3}$', description: 'Currency.'},
      lastTradeDateOrContractMonth: {type: 'string', pattern: '^\\d{6}(\\d{2})?$', description: 'Expiry YYYYMM or YYYYMMDD.'},
      primaryExchange: {type: 'string', description: 'Listing exchange.'},
      multiplier: {type: 'string', description: 'Multiplier.'},
      localSymbol: {type: 'string', description: 'Local symbol.'},
    },
  },
  credentialVariables: (sector: SectorConfig, mode: Mode) => (mode === 'canary' || mode === 'live' ? envOf(sector, 'accountEnv') : []),
  check(sector: SectorConfig): VenueIssue[] {
    const issues: VenueIssue[] = []
    sector.instruments.forEach((instrument, i) => {
      if (typeof instrument === 'object' && instrument.secType === 'FUT' && instrument.lastTradeDateOrContractMonth === undefined) {
        issues.push({path: `/instruments/${i}`, code: 'contract-expiry-missing', message: 'a FUT contract needs lastTradeDateOrContractMonth', expected: 'lastTradeDateOrContractMonth: "YYYYMM"', found: 'none'})
      }
    })
    return issues
  },
}

export const FAKE_VENUES: readonly VenueRules[] = [fakeOanda, fakeCoinbase, fakeIbkr]

/** A SectorRegistry over fake venue rules, as loadSectorRegistry would return it. */
export function fakeRegistry(venues: readonly VenueRules[] = FAKE_VENUES, failures: SectorRegistry['failures'] = []): SectorRegistry {
  const sectors: RegisteredSector[] = venues.map((v) => ({
    definition: {...v, description: `fake ${v.venue}`, sdkStatus: () => ({package: `${v.venue}-sdk`, loadable: true})} as SectorDefinition,
    plugin: {name: `@rick/plugin-${v.venue}`, version: '0.0.0', type: 'core', root: '/nowhere'},
  }))
  return {list: () => [...sectors], get: (venue) => sectors.find((s) => s.definition.venue === venue), failures}
}

export type {JsonSchema}
