// Interactive Brokers' part of a sector: the TWS / IB Gateway socket, contract descriptions, and
// the rules JSON Schema cannot express. IBKR separates paper and live by the port of the local
// TWS/Gateway, so the port is checked against the mode: a wrong port would trade the wrong account.
import type {Mode, SectorConfig} from '../../../src/foundation/config/types.js'
import type {JsonSchema, VenueIssue} from '../../../src/sectors/definition.js'

export const VENUE = 'ibkr'
export const DESCRIPTION = 'Interactive Brokers through TWS or IB Gateway: stocks, ETFs, futures, options, FX.'
export const MODES = ['observe', 'paper', 'practice', 'canary', 'live'] as const satisfies readonly Mode[]

const REAL_MONEY_MODES: readonly Mode[] = ['canary', 'live']

export const ENV_NAME_PATTERN = '^[A-Z_][A-Z0-9_]*$'
export const SEC_TYPES = ['STK', 'FUT', 'OPT', 'CASH', 'IND'] as const
/** Well-known socket ports: TWS 7496 live / 7497 paper, IB Gateway 4001 live / 4002 paper. */
export const LIVE_PORTS = [7496, 4001] as const
export const PAPER_PORTS = [7497, 4002] as const
export const DEFAULT_HOST = '127.0.0.1'

export function defaultPort(mode: Mode): number {
  return REAL_MONEY_MODES.includes(mode) ? 7496 : 7497
}

export function defaultConnection(mode: Mode): {host: string; port: number} {
  return {host: DEFAULT_HOST, port: defaultPort(mode)}
}

const EXCHANGE = {type: 'string', pattern: '^[A-Z][A-Z0-9.]{1,15}$'}

export const connectionSchema: JsonSchema = {
  type: 'object',
  description: 'How rick reaches a running TWS or IB Gateway.',
  additionalProperties: false,
  required: ['clientId'],
  properties: {
    host: {
      type: 'string',
      pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$',
      description: 'Host name or IPv4 address of TWS / IB Gateway. Default: 127.0.0.1.',
    },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      description: "API socket port. TWS: 7497 paper, 7496 live; IB Gateway: 4002 paper, 4001 live. Default: 7497 (IBKR's paper account) for observe/paper/practice, 7496 for canary/live.",
    },
    clientId: {
      type: 'integer',
      minimum: 0,
      maximum: 2147483647,
      description: 'API client id; each connection to the same TWS/Gateway needs its own.',
    },
    accountEnv: {
      type: 'string',
      pattern: ENV_NAME_PATTERN,
      description: 'NAME of the environment variable holding the IBKR account id (e.g. IBKR_ACCOUNT), used in canary and live to pick the account when the login has several.',
    },
  },
}

export const instrumentSchema: JsonSchema = {
  type: 'object',
  description: 'An IBKR contract, as in TWS: symbol, security type, exchange and currency.',
  additionalProperties: false,
  required: ['symbol', 'secType', 'exchange', 'currency'],
  properties: {
    symbol: {type: 'string', pattern: '^[A-Z0-9][A-Z0-9 ./-]{0,15}$', description: 'Underlying symbol, e.g. SPY, MES, EUR.'},
    secType: {type: 'string', enum: [...SEC_TYPES], description: 'Security type: STK (stock/ETF), FUT (future), OPT (option), CASH (FX pair), IND (index).'},
    exchange: {...EXCHANGE, description: 'Exchange to route to, e.g. SMART, CME, IDEALPRO.'},
    currency: {type: 'string', pattern: '^[A-Z]{3}$', description: 'Currency the contract trades in, e.g. USD.'},
    lastTradeDateOrContractMonth: {
      type: 'string',
      pattern: '^[0-9]{4}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])?$',
      description: 'Expiry of a FUT or OPT: contract month YYYYMM or last trade date YYYYMMDD, as a quoted string, e.g. "202612".',
    },
    multiplier: {type: 'string', pattern: '^[1-9][0-9]*$', description: 'Contract multiplier as a string of digits, e.g. "5" for MES.'},
    localSymbol: {type: 'string', minLength: 1, maxLength: 32, description: "The exchange's own symbol, e.g. MESZ6."},
    primaryExchange: {...EXCHANGE, description: 'Listing exchange, to disambiguate SMART-routed stocks, e.g. ARCA, NASDAQ.'},
    strike: {type: 'number', exclusiveMinimum: 0, description: 'Strike price of an OPT.'},
    right: {type: 'string', enum: ['C', 'P'], description: 'Option right of an OPT: C (call) or P (put).'},
  },
}

export function credentialVariables(sector: SectorConfig, mode: Mode): string[] {
  if (!REAL_MONEY_MODES.includes(mode)) return []
  const value = (sector.connection ?? {}).accountEnv
  return typeof value === 'string' && new RegExp(ENV_NAME_PATTERN).test(value) ? [value] : []
}

export function check(sector: SectorConfig): VenueIssue[] {
  const issues: VenueIssue[] = []
  const port = (sector.connection ?? {}).port
  if (typeof port === 'number') {
    const isLive = (LIVE_PORTS as readonly number[]).includes(port)
    const isPaper = (PAPER_PORTS as readonly number[]).includes(port)
    if (isLive && (sector.mode === 'paper' || sector.mode === 'practice')) {
      issues.push({
        path: '/connection/port',
        code: 'port-mode-mismatch',
        message: `port ${port} is a LIVE trading port (TWS 7496 / Gateway 4001) but the sector's mode is ${sector.mode}`,
        expected: 'a paper port: 7497 (TWS) or 4002 (IB Gateway)',
        found: String(port),
      })
    } else if (isPaper && REAL_MONEY_MODES.includes(sector.mode)) {
      issues.push({
        path: '/connection/port',
        code: 'port-mode-mismatch',
        message: `port ${port} is a PAPER trading port (TWS 7497 / Gateway 4002) but the sector's mode is ${sector.mode}`,
        expected: 'a live port: 7496 (TWS) or 4001 (IB Gateway)',
        found: String(port),
      })
    }
  }
  ;(sector.instruments ?? []).forEach((instrument, index) => {
    if (typeof instrument !== 'object' || instrument === null) return // the schema reports it
    issues.push(...contractIssues(instrument, `/instruments/${index}`))
  })
  return issues
}

function contractIssues(c: Record<string, unknown>, path: string): VenueIssue[] {
  const issues: VenueIssue[] = []
  const label = `${String(c.symbol ?? '?')} ${String(c.secType ?? '?')}`
  const expiry = c.lastTradeDateOrContractMonth
  if ((c.secType === 'FUT' || c.secType === 'OPT') && expiry === undefined) {
    issues.push({
      path,
      code: 'contract-expiry-missing',
      message: `${label}: a ${c.secType} contract needs lastTradeDateOrContractMonth`,
      expected: 'lastTradeDateOrContractMonth: "YYYYMM" or "YYYYMMDD"',
      found: 'none',
    })
  }
  if (expiry !== undefined && c.secType !== 'FUT' && c.secType !== 'OPT') {
    issues.push({
      path: `${path}/lastTradeDateOrContractMonth`,
      code: 'contract-field-not-applicable',
      message: `${label}: lastTradeDateOrContractMonth only applies to FUT and OPT contracts`,
      expected: 'no expiry',
      found: String(expiry),
    })
  }
  if (c.secType === 'OPT') {
    for (const key of ['strike', 'right'] as const) {
      if (c[key] === undefined) {
        issues.push({path, code: 'contract-option-incomplete', message: `${label}: an OPT contract needs ${key}`, expected: key === 'strike' ? 'strike: 450' : 'right: C or P', found: 'none'})
      }
    }
  } else {
    for (const key of ['strike', 'right'] as const) {
      if (c[key] !== undefined) {
        issues.push({path: `${path}/${key}`, code: 'contract-field-not-applicable', message: `${label}: ${key} only applies to OPT contracts`, expected: `no ${key}`, found: String(c[key])})
      }
    }
  }
  return issues
}
