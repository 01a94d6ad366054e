// OANDA's part of a sector: how its connection block and instruments look, which hosts each mode
// talks to, which environment variables hold its token, and the rules JSON Schema cannot express.
import type {Mode, SectorConfig} from '../../../src/foundation/config/types.js'
import type {JsonSchema, VenueIssue} from '../../../src/sectors/definition.js'

export const VENUE = 'oanda'
export const DESCRIPTION = 'OANDA v20 REST/stream API: spot FX and CFDs (practice and live accounts).'
export const MODES = ['observe', 'paper', 'practice', 'canary', 'live'] as const satisfies readonly Mode[]

/** Modes that place orders at OANDA (practice account or real money) and so need the API token. */
const TOKEN_MODES: readonly Mode[] = ['practice', 'canary', 'live']

export const ENV_NAME_PATTERN = '^[A-Z_][A-Z0-9_]*$'
export const ACCOUNT_ID_PATTERN = '^\\d{3}-\\d{3}-\\d{1,10}-\\d{3}$'
export const INSTRUMENT_PATTERN = '^[A-Z0-9]{2,10}_[A-Z]{3}$'
const HOSTNAME_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$'

export interface OandaHosts {
  restHost: string
  streamHost: string
}

/** OANDA's two environments; observe and paper read prices from the practice one. */
export const PRACTICE_HOSTS: OandaHosts = {restHost: 'api-fxpractice.oanda.com', streamHost: 'stream-fxpractice.oanda.com'}
export const LIVE_HOSTS: OandaHosts = {restHost: 'api-fxtrade.oanda.com', streamHost: 'stream-fxtrade.oanda.com'}

export function defaultHosts(mode: Mode): OandaHosts {
  return mode === 'canary' || mode === 'live' ? LIVE_HOSTS : PRACTICE_HOSTS
}

export const DEFAULT_TIMEOUT_MS = 10_000

export const connectionSchema: JsonSchema = {
  type: 'object',
  description: 'How rick reaches the OANDA v20 API.',
  additionalProperties: false,
  required: ['accountId'],
  properties: {
    accountId: {
      type: 'string',
      pattern: ACCOUNT_ID_PATTERN,
      description: 'OANDA v20 account id, e.g. 101-001-1234567-001 (shown in the OANDA hub under "Manage API Access").',
    },
    tokenEnv: {
      type: 'string',
      pattern: ENV_NAME_PATTERN,
      description: 'NAME of the environment variable holding the API token (never the token itself), e.g. OANDA_API_TOKEN. Needed for practice, canary and live.',
    },
    restHost: {
      type: 'string',
      pattern: HOSTNAME_PATTERN,
      description: 'REST host without scheme. Default: api-fxpractice.oanda.com for observe/paper/practice, api-fxtrade.oanda.com for canary/live.',
    },
    streamHost: {
      type: 'string',
      pattern: HOSTNAME_PATTERN,
      description: 'Streaming host without scheme. Default: stream-fxpractice.oanda.com for observe/paper/practice, stream-fxtrade.oanda.com for canary/live.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 120000,
      description: 'Request timeout in milliseconds (default 10000). A timed-out order stays in flight until OANDA reports it.',
    },
  },
}

export const instrumentSchema: JsonSchema = {
  type: 'string',
  pattern: INSTRUMENT_PATTERN,
  description: 'OANDA instrument name: BASE_QUOTE, e.g. EUR_USD, USD_JPY, XAU_USD, SPX500_USD.',
}

function envName(connection: Record<string, unknown>, key: string): string | undefined {
  const value = connection[key]
  return typeof value === 'string' && new RegExp(ENV_NAME_PATTERN).test(value) ? value : undefined
}

export function credentialVariables(sector: SectorConfig, mode: Mode): string[] {
  if (!TOKEN_MODES.includes(mode)) return []
  const token = envName(sector.connection ?? {}, 'tokenEnv')
  return token ? [token] : []
}

export function check(sector: SectorConfig): VenueIssue[] {
  const issues: VenueIssue[] = []
  const connection = sector.connection ?? {}
  if (TOKEN_MODES.includes(sector.mode) && connection.tokenEnv === undefined) {
    issues.push({
      path: '/connection',
      code: 'credential-variable-missing',
      message: `mode ${sector.mode} places orders at OANDA and needs connection.tokenEnv (the NAME of the variable holding the API token)`,
      expected: 'tokenEnv: OANDA_API_TOKEN',
      found: 'no tokenEnv',
    })
  }
  // Pointing a live sector at the practice servers (or the reverse) sends orders to the wrong account.
  const expected = defaultHosts(sector.mode)
  for (const key of ['restHost', 'streamHost'] as const) {
    const host = connection[key]
    if (typeof host !== 'string') continue
    const live = host.includes('fxtrade')
    const practice = host.includes('fxpractice')
    const wantsLive = expected === LIVE_HOSTS
    if ((wantsLive && practice) || (!wantsLive && live)) {
      issues.push({
        path: `/connection/${key}`,
        code: 'host-mode-mismatch',
        message: `${key} ${host} is OANDA's ${live ? 'live (fxtrade)' : 'practice (fxpractice)'} environment but the sector's mode is ${sector.mode}`,
        expected: expected[key],
        found: host,
      })
    }
  }
  return issues
}
