// The `paper:` block of a sector: how the paper venue simulates this sector's fills. It lives in
// foundation because the config schema does; src/sectors/paper/fees.ts applies it.

const INSTRUMENT_KINDS = ['fx', 'crypto', 'stock', 'etf', 'future', 'option', 'index', 'cfd'] as const

const SCHEDULE_PROPERTIES = {
  makerBps: {type: 'number', minimum: 0, maximum: 1000, description: 'Basis points of notional on resting (maker) fills.'},
  takerBps: {type: 'number', minimum: 0, maximum: 1000, description: 'Basis points of notional on taking fills (market, stop, marketable limit).'},
  perUnit: {type: 'number', minimum: 0, description: 'Commission per share or contract, in account currency.'},
  minPerFill: {type: 'number', minimum: 0, description: 'Minimum commission per fill, in account currency.'},
  maxBps: {type: 'number', minimum: 0, description: 'Cap on the commission, in basis points of notional.'},
} as const

/** JSON Schema of a fee model as a sector config may give it. */
export const feeModelSchema = {
  type: 'object',
  additionalProperties: false,
  description: "Fees the paper venue charges; omitted fields take the venue's defaults.",
  properties: {
    ...SCHEDULE_PROPERTIES,
    byKind: {
      type: 'object',
      description: 'Schedules replacing the default one for some kinds of instrument (e.g. future, stock).',
      propertyNames: {enum: [...INSTRUMENT_KINDS]},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['makerBps', 'takerBps'],
        description: 'The fee schedule for this kind of instrument.',
        properties: SCHEDULE_PROPERTIES,
      },
    },
  },
} as const

export const paperSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'How the paper venue simulates this sector (paper mode, backtests, and any fallback to paper).',
  properties: {
    fees: feeModelSchema,
    slippageBps: {type: 'number', minimum: 0, maximum: 1000, description: 'Adverse slippage on market and stop fills, in basis points (default: per venue).'},
    startingCash: {type: 'number', exclusiveMinimum: 0, description: 'Cash the paper account starts with, in account currency (default 100000).'},
  },
} as const
