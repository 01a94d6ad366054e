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

/** One base URL the connector talks to, taken apart for node:http(s). */
export interface OandaEndpoint {
  /** Base URL without a trailing slash, e.g. `https://api-fxpractice.oanda.com`, `http://127.0.0.1:41234`. */
  url: string
  ssl: boolean
  /** For node:http(s): no brackets around an IPv6 address. */
  hostname: string
  port: number
  /** `host[:port]` (the port only when it is not the scheme's default): what ConnectorInfo shows. */
  host: string
}

export interface OandaEndpoints {
  rest: OandaEndpoint
  stream: OandaEndpoint
}

/**
 * Plain http only to this machine: the API token travels in a header, and must never cross a
 * network in clear text. A simulator on 127.0.0.1 is the one reason to allow http at all.
 */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', 'localhost', '[::1]']

const URL_PATTERN = '^(https://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|http://(127\\.0\\.0\\.1|localhost|\\[::1\\]))(:[0-9]{1,5})?/?$'

type EndpointKind = 'rest' | 'stream'
const URL_KEY = {rest: 'restUrl', stream: 'streamUrl'} as const
const HOST_KEY = {rest: 'restHost', stream: 'streamHost'} as const

/**
 * Where a sector's connector goes in a mode: `restUrl`/`streamUrl` when set, else
 * `https://<restHost>`/`https://<streamHost>` (older configs), else OANDA's hosts for the mode.
 * Pure; throws on what check() reports as an error (an http URL off this machine, a URL and a host
 * both set, a malformed URL), so a connector can never be built on such a config.
 */
export function endpointsFor(sector: SectorConfig, mode: Mode): OandaEndpoints {
  const connection = sector.connection ?? {}
  const pick = (kind: EndpointKind): OandaEndpoint => {
    const problem = endpointProblem(connection, kind) ?? mismatch(connection, URL_KEY[kind], kind, mode) ?? mismatch(connection, HOST_KEY[kind], kind, mode)
    if (problem) throw new Error(`sector ${sector.name}: ${problem.message}`)
    const url = connection[URL_KEY[kind]]
    if (typeof url === 'string') return parseEndpoint(url)
    const host = connection[HOST_KEY[kind]]
    return parseEndpoint(`https://${typeof host === 'string' ? host : defaultHosts(mode)[HOST_KEY[kind]]}`)
  }
  return {rest: pick('rest'), stream: pick('stream')}
}

/** Parses a base URL; throws unless it is https, or http to a loopback host, without path or credentials. */
export function parseEndpoint(raw: string): OandaEndpoint {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new Error(`${JSON.stringify(raw)} is not a URL (expected e.g. https://api-fxpractice.oanda.com)`)
  }
  if (u.username !== '' || u.password !== '') throw new Error(`${u.host}: a URL must not carry credentials (the token comes from tokenEnv)`)
  if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '') throw new Error(`${raw}: give the base URL only (scheme, host and port), without a path`)
  const ssl = u.protocol === 'https:'
  if (!ssl && u.protocol !== 'http:') throw new Error(`${raw}: the scheme must be https (or http to this machine)`)
  if (!ssl && !LOOPBACK_HOSTS.includes(u.hostname)) {
    throw new Error(`${raw}: plain http is allowed only to this machine (${LOOPBACK_HOSTS.join(', ')}); the API token must never cross a network in clear text`)
  }
  const port = u.port === '' ? (ssl ? 443 : 80) : Number(u.port)
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname
  return {url: `${u.protocol}//${u.host}`, ssl, hostname, port, host: u.host}
}

/** A host or URL of OANDA's other environment than the mode's (live vs practice). */
function mismatch(connection: Record<string, unknown>, key: string, kind: EndpointKind, mode: Mode): VenueIssue | undefined {
  const value = connection[key]
  if (typeof value !== 'string') return undefined
  const expected = defaultHosts(mode)
  const wantsLive = expected === LIVE_HOSTS
  const live = value.includes('fxtrade')
  const practice = value.includes('fxpractice')
  if (!((wantsLive && practice) || (!wantsLive && live))) return undefined
  const want = expected[HOST_KEY[kind]]
  return {
    path: `/connection/${key}`,
    code: 'host-mode-mismatch',
    message: `${key} ${value} is OANDA's ${live ? 'live (fxtrade)' : 'practice (fxpractice)'} environment but the sector's mode is ${mode}`,
    expected: key === HOST_KEY[kind] ? want : `https://${want}`,
    found: value,
  }
}

function endpointProblem(connection: Record<string, unknown>, kind: EndpointKind): VenueIssue | undefined {
  const urlKey = URL_KEY[kind]
  const hostKey = HOST_KEY[kind]
  const url = connection[urlKey]
  if (url !== undefined && connection[hostKey] !== undefined) {
    return {path: `/connection/${urlKey}`, code: 'endpoint-conflict', message: `connection sets both ${urlKey} and ${hostKey}; keep one (${urlKey} is the full base URL)`, expected: `${urlKey} only`, found: `${urlKey} and ${hostKey}`}
  }
  if (typeof url !== 'string') return undefined
  try {
    parseEndpoint(url)
    return undefined
  } catch (error) {
    return {path: `/connection/${urlKey}`, code: 'endpoint-invalid', message: `${urlKey}: ${(error as Error).message}`, expected: 'https://host[:port], or http://127.0.0.1:port', found: url}
  }
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
    restUrl: {
      type: 'string',
      pattern: URL_PATTERN,
      description: 'REST base URL, e.g. https://api-fxpractice.oanda.com (http only to 127.0.0.1, localhost or [::1], e.g. a simulator). Default: OANDA\'s practice host for observe/paper/practice, its live (fxtrade) host for canary/live.',
    },
    streamUrl: {
      type: 'string',
      pattern: URL_PATTERN,
      description: 'Streaming base URL, e.g. https://stream-fxpractice.oanda.com (http only to this machine). Default: the stream host of the mode\'s environment.',
    },
    restHost: {
      type: 'string',
      pattern: HOSTNAME_PATTERN,
      description: 'REST host without scheme (https; older form of restUrl). Default: api-fxpractice.oanda.com for observe/paper/practice, api-fxtrade.oanda.com for canary/live.',
    },
    streamHost: {
      type: 'string',
      pattern: HOSTNAME_PATTERN,
      description: 'Streaming host without scheme (https; older form of streamUrl). Default: stream-fxpractice.oanda.com for observe/paper/practice, stream-fxtrade.oanda.com for canary/live.',
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
  for (const kind of ['rest', 'stream'] as const) {
    const problem = endpointProblem(connection, kind)
    if (problem) issues.push(problem)
  }
  // Pointing a live sector at the practice servers (or the reverse) sends orders to the wrong account.
  for (const kind of ['rest', 'stream'] as const) {
    for (const key of [HOST_KEY[kind], URL_KEY[kind]]) {
      const issue = mismatch(connection, key, kind, sector.mode)
      if (issue) issues.push(issue)
    }
  }
  return issues
}
