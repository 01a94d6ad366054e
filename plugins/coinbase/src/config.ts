// Coinbase's part of a sector: connection block, product ids, credential variables and the
// rules JSON Schema cannot express. Coinbase has no practice environment: paper runs on rick's
// paper venue (synthetic bars, Coinbase's fees), and `--sim` runs the real connector against rick's
// Coinbase simulator.
import type {Mode, SectorConfig} from '../../../src/foundation/config/types.js'
import type {JsonSchema, VenueIssue} from '../../../src/sectors/definition.js'

export const VENUE = 'coinbase'
export const DESCRIPTION = 'Coinbase Advanced Trade: spot crypto (through ccxt).'
export const MODES = ['observe', 'paper', 'canary', 'live'] as const satisfies readonly Mode[]

/** Modes that trade real money at Coinbase and so need the API key pair. */
const KEY_MODES: readonly Mode[] = ['canary', 'live']

export const ENV_NAME_PATTERN = '^[A-Z_][A-Z0-9_]*$'
export const INSTRUMENT_PATTERN = '^[A-Z0-9]{2,10}-[A-Z]{3,4}$'
export const DEFAULT_REST_URL = 'https://api.coinbase.com'
/** Market data channels; the user channel has a host of its own (Coinbase's websocket overview). */
export const DEFAULT_WS_URL = 'wss://advanced-trade-ws.coinbase.com'
export const DEFAULT_USER_WS_URL = 'wss://advanced-trade-ws-user.coinbase.com'
export const DEFAULT_TIMEOUT_MS = 10_000

/**
 * Plain http/ws only to this machine: every request carries a signed token, and a simulator on
 * 127.0.0.1 is the one reason to allow an unencrypted scheme at all.
 */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]']

/** Quote currencies of Coinbase Advanced Trade spot products. */
export const QUOTE_CURRENCIES = ['USD', 'USDC', 'USDT', 'EUR', 'GBP', 'BTC', 'ETH', 'DAI'] as const

export function defaultRestUrl(_mode: Mode): string {
  return DEFAULT_REST_URL
}

export const connectionSchema: JsonSchema = {
  type: 'object',
  description: 'How rick reaches the Coinbase Advanced Trade API.',
  additionalProperties: false,
  properties: {
    apiKeyEnv: {
      type: 'string',
      pattern: ENV_NAME_PATTERN,
      description: 'NAME of the environment variable holding the CDP API key name (never the key itself), e.g. COINBASE_API_KEY. Needed for canary and live.',
    },
    apiSecretEnv: {
      type: 'string',
      pattern: ENV_NAME_PATTERN,
      description: 'NAME of the environment variable holding the CDP API private key (never the key itself), e.g. COINBASE_API_SECRET. Needed for canary and live.',
    },
    restUrl: {
      type: 'string',
      pattern: '^(https://[A-Za-z0-9.-]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\]))(:[0-9]{1,5})?/?$',
      description: 'Base URL of the REST API: https, or http to this machine (a simulator). Default: https://api.coinbase.com.',
    },
    wsUrl: {
      type: 'string',
      pattern: '^(wss://[A-Za-z0-9.-]+|ws://(127\\.0\\.0\\.1|localhost|\\[::1\\]))(:[0-9]{1,5})?/?$',
      description: 'Websocket URL of the market data channels: wss, or ws to this machine. Default: wss://advanced-trade-ws.coinbase.com.',
    },
    userWsUrl: {
      type: 'string',
      pattern: '^(wss://[A-Za-z0-9.-]+|ws://(127\\.0\\.0\\.1|localhost|\\[::1\\]))(:[0-9]{1,5})?/?$',
      description: 'Websocket URL of the user channel (orders and fills). Default: wsUrl when that is set, else wss://advanced-trade-ws-user.coinbase.com.',
    },
    timeoutMs: {type: 'integer', minimum: 1000, maximum: 120000, description: 'How long a REST request may take before its outcome counts as unknown (default 10000).'},
  },
}

/** Where a sector's connector goes: base URLs without a trailing slash. */
export interface CoinbaseEndpoints {
  rest: string
  ws: string
  userWs: string
}

/**
 * The sector's endpoints (connection block, else Coinbase's). Throws on what check() reports (an
 * unencrypted URL off this machine, a path, credentials in a URL), so no connector is ever built on
 * such a config.
 */
export function endpointsFor(sector: SectorConfig): CoinbaseEndpoints {
  const connection = sector.connection ?? {}
  const read = (key: 'restUrl' | 'wsUrl' | 'userWsUrl', fallback: string): string => {
    const value = connection[key]
    if (value === undefined) return fallback
    const problem = endpointProblem(key, value)
    if (problem) throw new Error(`sector ${sector.name}: ${problem.message}`)
    return baseUrl(String(value))
  }
  const ws = read('wsUrl', DEFAULT_WS_URL)
  return {rest: read('restUrl', DEFAULT_REST_URL), ws, userWs: read('userWsUrl', connection.wsUrl === undefined ? DEFAULT_USER_WS_URL : ws)}
}

const SCHEMES = {restUrl: ['https:', 'http:'], wsUrl: ['wss:', 'ws:'], userWsUrl: ['wss:', 'ws:']} as const

function baseUrl(raw: string): string {
  const u = new URL(raw)
  return `${u.protocol}//${u.host}`
}

function endpointProblem(key: keyof typeof SCHEMES, value: unknown): VenueIssue | undefined {
  const [secure, plain] = SCHEMES[key]
  const expected = `${secure}//host[:port], or ${plain}//127.0.0.1:port`
  const issue = (message: string): VenueIssue => ({path: `/connection/${key}`, code: 'endpoint-invalid', message: `${key}: ${message}`, expected, found: String(value)})
  if (typeof value !== 'string') return issue('must be a URL')
  let u: URL
  try {
    u = new URL(value)
  } catch {
    return issue(`${JSON.stringify(value)} is not a URL`)
  }
  if (u.username !== '' || u.password !== '') return issue('a URL must not carry credentials (keys come from apiKeyEnv and apiSecretEnv)')
  if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '') return issue('give the base URL only (scheme, host and port), without a path')
  if (u.protocol !== secure && u.protocol !== plain) return issue(`the scheme must be ${secure.slice(0, -1)} (or ${plain.slice(0, -1)} to this machine)`)
  if (u.protocol === plain && !LOOPBACK_HOSTS.includes(u.hostname)) return issue(`plain ${plain.slice(0, -1)} is allowed only to this machine (${LOOPBACK_HOSTS.join(', ')}); signed requests must never cross a network in clear text`)
  return undefined
}

export const instrumentSchema: JsonSchema = {
  type: 'string',
  pattern: INSTRUMENT_PATTERN,
  description: `Coinbase product id: BASE-QUOTE, e.g. BTC-USD, ETH-USDC; quote one of ${QUOTE_CURRENCIES.join(', ')}.`,
}

function envName(connection: Record<string, unknown>, key: string): string | undefined {
  const value = connection[key]
  return typeof value === 'string' && new RegExp(ENV_NAME_PATTERN).test(value) ? value : undefined
}

export function credentialVariables(sector: SectorConfig, mode: Mode): string[] {
  if (!KEY_MODES.includes(mode)) return []
  const connection = sector.connection ?? {}
  return ['apiKeyEnv', 'apiSecretEnv'].map((key) => envName(connection, key)).filter((name): name is string => name !== undefined)
}

export function check(sector: SectorConfig): VenueIssue[] {
  const issues: VenueIssue[] = []
  const connection = sector.connection ?? {}
  if (KEY_MODES.includes(sector.mode)) {
    for (const key of ['apiKeyEnv', 'apiSecretEnv'] as const) {
      if (connection[key] !== undefined) continue
      issues.push({
        path: '/connection',
        code: 'credential-variable-missing',
        message: `mode ${sector.mode} trades at Coinbase and needs connection.${key} (the NAME of an environment variable)`,
        expected: key === 'apiKeyEnv' ? 'apiKeyEnv: COINBASE_API_KEY' : 'apiSecretEnv: COINBASE_API_SECRET',
        found: `no ${key}`,
      })
    }
  }
  if (typeof connection.apiKeyEnv === 'string' && connection.apiKeyEnv === connection.apiSecretEnv) {
    issues.push({
      path: '/connection/apiSecretEnv',
      code: 'credential-variable-reused',
      message: 'apiKeyEnv and apiSecretEnv name the same variable; the key name and the private key are two different secrets',
      expected: 'two different variable names',
      found: String(connection.apiSecretEnv),
    })
  }
  for (const key of ['restUrl', 'wsUrl', 'userWsUrl'] as const) {
    if (connection[key] === undefined) continue
    const problem = endpointProblem(key, connection[key])
    if (problem) issues.push(problem)
  }
  ;(sector.instruments ?? []).forEach((instrument, index) => {
    if (typeof instrument !== 'string') return
    const match = new RegExp(INSTRUMENT_PATTERN).exec(instrument)
    if (!match) return // the schema reports the format
    const [base, quote] = instrument.split('-') as [string, string]
    if (!(QUOTE_CURRENCIES as readonly string[]).includes(quote)) {
      issues.push({
        path: `/instruments/${index}`,
        code: 'instrument-quote',
        message: `${instrument}: ${quote} is not a Coinbase quote currency`,
        expected: `one of ${QUOTE_CURRENCIES.join(', ')}`,
        found: quote,
      })
    } else if (base === quote) {
      issues.push({path: `/instruments/${index}`, code: 'instrument-same-currency', message: `${instrument}: base and quote are the same currency`, expected: 'two different currencies', found: instrument})
    }
  })
  return issues
}
