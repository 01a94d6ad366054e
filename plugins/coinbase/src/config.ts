// Coinbase's part of a sector: connection block, product ids, credential variables and the
// rules JSON Schema cannot express. Coinbase has no practice environment: paper runs on rick's
// paper venue with Coinbase's public market data.
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
      pattern: '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\\s]*)?$',
      description: 'Base URL of the REST API (https only). Default: https://api.coinbase.com.',
    },
  },
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
