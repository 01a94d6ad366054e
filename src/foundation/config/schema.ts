// The JSON Schema of config/trading_sectors.yaml. The core schema knows everything but the
// venue-specific parts (`connection`, the shape of one instrument), which each sector plugin
// supplies; validation checks those per sector in a second stage. The schema for editors
// (`rick config schema`) splices the venues' fragments in with if/then so that autocompletion
// knows them too.
import {WEEKDAYS, MODES, PROFILE_NAMES, NOTIFY_KINDS, NOTIFY_STYLES, type Mode} from './types.js'
import {EXPECTED_KEYWORD} from './ajv.js'
import type {JsonSchema, VenueRules} from './venue-rules.js'
import {paperSchema} from './paper-schema.js'

export const SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#'
export const NAME_PATTERN = '^[a-z][a-z0-9-]*$'
export const ENV_VAR_NAME_PATTERN = '^[A-Z_][A-Z0-9_]*$'
export const HHMM_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$'
// Relative, inside the project: no leading `/`, `\`, `~` or drive letter.
const RELATIVE_PATH_PATTERN = '^(?![/\\\\~]|[A-Za-z]:)'

/** What the schema needs from a venue (a SectorDefinition has all of it). */
export type VenueSchemaParts = Pick<VenueRules, 'venue' | 'connectionSchema' | 'instrumentSchema'> & {
  modes?: readonly Mode[]
  description?: string
}

const positiveAmount = (description: string): JsonSchema => ({
  type: 'number',
  exclusiveMinimum: 0,
  description,
  [EXPECTED_KEYWORD]: 'a number greater than 0 (account currency)',
})
const positiveCount = (description: string): JsonSchema => ({
  type: 'integer',
  minimum: 1,
  description,
  [EXPECTED_KEYWORD]: 'a whole number, 1 or more',
})
const hhmm = (description: string): JsonSchema => ({
  type: 'string',
  pattern: HHMM_PATTERN,
  description,
  [EXPECTED_KEYWORD]: 'a time "HH:MM", 24-hour, quoted (e.g. "09:30")',
})

const riskSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: "Per-sector overrides of the profile's limits; each key replaces one value of the profile. The charter's hard limits still cap the result.",
  properties: {
    maxOrderNotional: positiveAmount('Largest notional value of a single order, in account currency.'),
    maxPositionNotional: positiveAmount('Largest notional value of the open position per instrument, in account currency.'),
    maxOpenOrders: positiveCount('Most orders that may be working at the venue at the same time.'),
    dailyLossCap: positiveAmount('Realised plus unrealised loss in one session day at which the sector halts (only cancels) until the next session day, in account currency.'),
    maxDrawdownPct: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 100,
      description: "Drop from the session day's highest equity, in percent, at which trading halts until resumed.",
      [EXPECTED_KEYWORD]: 'a percentage greater than 0 and at most 100',
    },
    consecutiveLossHalt: positiveCount('Number of losing trades in a row after which trading halts.'),
    maxTradesPerDay: positiveCount('Most trades (filled orders) per trading day.'),
    maxOrdersPerMinute: positiveCount('Most orders sent per minute (order rate limit).'),
  },
}

const canarySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['maxOrderNotional', 'maxPositions', 'dailyLossCap'],
  description: 'Caps for canary mode: real orders at the venue, but tiny. Required when mode is canary; must lie within the profile limits.',
  properties: {
    maxOrderNotional: positiveAmount('Largest notional value of one canary order, in account currency.'),
    maxPositions: positiveCount('Most positions open at the same time in canary mode.'),
    dailyLossCap: positiveAmount('Loss for the day at which canary trading stops, in account currency.'),
  },
}

const windowSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['days', 'start', 'end'],
  description: 'A trading window: on these days, from start to end (in the session timezone).',
  properties: {
    days: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      description: 'Days on which the window opens (the day of the start time).',
      items: {type: 'string', enum: [...WEEKDAYS], description: 'A weekday: mon, tue, wed, thu, fri, sat or sun.'},
    },
    start: hhmm('Time the window opens, "HH:MM".'),
    end: hhmm('Time the window closes, "HH:MM"; earlier than start means it closes the next day.'),
  },
}

const sessionSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['timezone', 'windows'],
  description: 'When the sector may trade. Without a session it may trade at any time.',
  properties: {
    timezone: {
      type: 'string',
      minLength: 1,
      description: 'IANA time zone of the window times, e.g. America/New_York, Europe/London, UTC.',
      [EXPECTED_KEYWORD]: 'an IANA time zone name such as America/New_York or UTC',
    },
    windows: {type: 'array', minItems: 1, description: 'Trading windows; orders are allowed only inside one of them.', items: windowSchema},
    flattenAt: hhmm('Time of day ("HH:MM") at which open positions are closed, each trading day.'),
  },
}

const strategySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  description: 'The strategy that trades this sector.',
  properties: {
    name: {
      type: 'string',
      pattern: NAME_PATTERN,
      description: 'Strategy name (a file under strategies/ or a built-in), e.g. sma-crossover.',
      [EXPECTED_KEYWORD]: 'a lower-case name like sma-crossover (letters, digits, dashes)',
    },
    params: {type: 'object', default: {}, description: 'Parameters passed to the strategy; their meaning is up to the strategy.'},
    budget: {
      type: 'object',
      additionalProperties: false,
      description: 'What the strategy may use in its sandbox; past either, it is stopped and the sector HALTED (a backtest ends with exit 1).',
      properties: {
        callMs: {type: 'integer', minimum: 10, maximum: 10000, default: 250, description: 'Longest one call into the strategy (onBar, onFill…) may take, in ms of wall-clock time (default 250).'},
        memoryMb: {type: 'integer', minimum: 16, maximum: 4096, default: 256, description: 'The strategy’s heap, in MB (default 256).'},
      },
    },
  },
}

/** Bar lengths a sector can trade on, shortest first (barPeriodMs() gives their length). */
export const BAR_PERIODS = ['5s', '15s', '1m', '5m', '15m', '1h', '1d'] as const
/** `500ms`, `15s`, `2m`, `1h`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,6}(ms|s|m|h)$'

function sectorSchema(venueNames?: readonly string[]): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['venue', 'mode', 'instruments', 'strategy', 'connection'],
    description: 'One trading sector: one venue, one account, one strategy.',
    properties: {
      venue: {
        type: 'string',
        pattern: NAME_PATTERN,
        ...(venueNames && venueNames.length > 0 ? {enum: [...venueNames]} : {}),
        description: 'Which sector plugin runs this sector (see `rick sectors list`), e.g. oanda, coinbase, ibkr.',
        [EXPECTED_KEYWORD]: 'the name of a registered venue, e.g. oanda',
      },
      enabled: {type: 'boolean', default: true, description: 'Whether the sector runs; a disabled sector is still validated.'},
      mode: {
        type: 'string',
        enum: [...MODES],
        description: 'observe: journal intents only; paper: simulated fills; practice: the venue’s demo account; canary: real money, canary caps; live: real money.',
      },
      profile: {type: 'string', enum: [...PROFILE_NAMES], default: 'Balanced', description: 'Named set of risk limits: Conservative, Balanced (default) or Aggressive.'},
      risk: riskSchema,
      instruments: {
        type: 'array',
        minItems: 1,
        description: "What the sector trades, in the venue's own format (EUR_USD for OANDA, BTC-USD for Coinbase, contract objects for IBKR).",
        items: {type: ['string', 'object'], description: "One instrument in the venue's format."},
      },
      strategy: strategySchema,
      session: sessionSchema,
      canary: canarySchema,
      paper: paperSchema,
      barPeriod: {
        type: 'string',
        enum: [...BAR_PERIODS],
        default: '1m',
        description: 'Length of the bars the strategy sees, in backtests and live runs alike: 5s, 15s, 1m (default), 5m, 15m, 1h or 1d. Live, a bar closes on the venue’s clock even when no price arrived in it.',
      },
      live: {
        type: 'object',
        additionalProperties: false,
        description: 'How a run at the venue watches it (practice, canary, live, --sim).',
        properties: {
          warmupBars: {type: 'integer', minimum: 0, maximum: 5000, default: 200, description: 'Bars of the venue’s history the strategy sees before the first live bar (default 200).'},
          staleAfter: {type: 'string', pattern: DURATION_PATTERN, default: '9s', description: 'No price and no heartbeat for this long → DATA_STALE: only cancels and reductions until data flows (default 9s: a heartbeat may be late, two missed mean the data stopped).', [EXPECTED_KEYWORD]: 'a duration like 15s, 500ms or 2m'},
          reconcileEvery: {type: 'string', pattern: DURATION_PATTERN, default: '60s', description: 'How often the account is reconciled with the venue while running, besides at start and after every reconnect (default 60s).', [EXPECTED_KEYWORD]: 'a duration like 60s or 5m'},
        },
      },
      connection: {
        type: 'object',
        description: 'Venue-specific connection settings. Secrets are never written here: keys ending in Env hold the NAME of the environment variable that holds the secret.',
      },
      secretsFiles: {
        type: 'array',
        default: [],
        description: 'dotenv-style files (relative to the project) that hold this sector’s secrets; they must not be readable by group or others.',
        items: {
          type: 'string',
          minLength: 1,
          pattern: RELATIVE_PATH_PATTERN,
          description: 'A file path relative to the project root, e.g. .env.oanda.',
          [EXPECTED_KEYWORD]: 'a path relative to the project root, e.g. .env.oanda',
        },
      },
    },
  }
}

const envName = (description: string): JsonSchema => ({
  type: 'string',
  pattern: ENV_VAR_NAME_PATTERN,
  description,
  [EXPECTED_KEYWORD]: 'the NAME of an environment variable in capitals, e.g. TELEGRAM_BOT_TOKEN',
})

const notifySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['endpoints'],
  description: 'Where rick tells people what happened in a run (halts, rejects, stale data…). Sent from a queue beside the engine: a slow or failing endpoint never delays an order or the journal. Test with `rick notify test`.',
  properties: {
    endpoints: {
      type: 'object',
      minProperties: 1,
      description: 'The endpoints, by name (the name is shown by `rick notify test`).',
      propertyNames: {pattern: NAME_PATTERN, [EXPECTED_KEYWORD]: 'a lower-case name (letters, digits, dashes), starting with a letter'},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['style'],
        description: 'One endpoint. Secrets are never written here: urlEnv and tokenEnv hold the NAME of the environment variable that holds them.',
        properties: {
          style: {type: 'string', enum: [...NOTIFY_STYLES], description: 'webhook: POST of a JSON object; slack: {"text": …}; discord: {"content": …}; telegram: the Bot API sendMessage.'},
          url: {
            type: 'string',
            pattern: '^https?://',
            description: 'Where to POST (telegram: the API base, default https://api.telegram.org). A URL that holds a secret (a Slack or Discord webhook) belongs in an environment variable: use urlEnv.',
            [EXPECTED_KEYWORD]: 'an http:// or https:// URL',
          },
          urlEnv: envName('Name of the environment variable that holds the URL (for URLs that hold a secret).'),
          tokenEnv: envName('telegram: name of the environment variable that holds the bot token.'),
          chatId: {type: ['string', 'integer'], description: 'telegram: the chat to send to (a number, or @channelname).', [EXPECTED_KEYWORD]: 'a chat id such as -1001234567890 or "@mychannel"'},
          events: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            description: `What to send: ${NOTIFY_KINDS.join(', ')} (default: all but fill).`,
            items: {type: 'string', enum: [...NOTIFY_KINDS]},
          },
          timeout: {type: 'string', pattern: DURATION_PATTERN, default: '5s', description: 'Longest one request may take (default 5s).', [EXPECTED_KEYWORD]: 'a duration like 5s or 1500ms'},
          queue: {type: 'integer', minimum: 1, maximum: 10000, default: 200, description: 'Messages held for this endpoint while it is down; past this the oldest are dropped and counted (default 200).'},
        },
      },
    },
  },
}

function topSchema(sector: JsonSchema): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['version', 'sectors'],
    description: 'rick trading sectors: which sectors exist and how each may trade.',
    properties: {
      version: {type: 'integer', const: 1, description: 'Format version of this file; currently 1.'},
      sectors: {
        type: 'object',
        minProperties: 1,
        description: 'The sectors, by name. The name is used on the command line (rick charter check oanda).',
        propertyNames: {pattern: NAME_PATTERN, [EXPECTED_KEYWORD]: 'a lower-case name (letters, digits, dashes), starting with a letter'},
        additionalProperties: sector,
      },
      notify: notifySchema,
    },
  }
}

let core: JsonSchema | undefined
/** The schema validation runs first: everything except the venue-specific fragments. Built once. */
export function coreConfigSchema(): JsonSchema {
  core ??= {$schema: SCHEMA_DRAFT, ...topSchema(sectorSchema())}
  return core
}

/**
 * The complete schema for editors: the core plus, per registered venue, `if venue is X then
 * connection/instruments/mode follow X's rules`.
 */
export function buildConfigSchema(venues: readonly VenueSchemaParts[]): JsonSchema {
  const sorted = [...venues].sort((a, b) => a.venue.localeCompare(b.venue))
  const sector = sectorSchema(sorted.map((v) => v.venue))
  if (sorted.length > 0) {
    sector.allOf = sorted.map((v) => ({
      if: {properties: {venue: {const: v.venue}}, required: ['venue']},
      then: {
        ...(v.description ? {description: v.description} : {}),
        properties: {
          ...(v.modes ? {mode: {enum: [...v.modes]}} : {}),
          connection: v.connectionSchema,
          instruments: {items: v.instrumentSchema},
        },
      },
    }))
  }
  return {
    $schema: SCHEMA_DRAFT,
    title: 'rick trading sectors (config/trading_sectors.yaml)',
    ...topSchema(sector),
  }
}
