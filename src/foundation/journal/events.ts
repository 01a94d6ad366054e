// The journal's event types and their payloads. The journal is the record: portfolio, orders,
// risk state and reports are projections of these events, and a run can be rebuilt from them.
import type {Fill, OrderRequest} from '../domain/orders.js'
import type {Micro} from '../domain/money.js'
import type {TradingState} from '../risk/types.js'

/** Where a run's market data came from: enough to feed the same bars again (replay). */
export type InputSource =
  | {kind: 'synthetic'; seed: number; instruments: string[]; startTs: number; periodMs: number}
  | {kind: 'dataset'; instruments: string[]; dataset: string; sha256: string; from?: number; to?: number}
  /** Bars were journaled as BAR events as they arrived (a live feed cannot be regenerated). */
  | {kind: 'recorded'; instruments: string[]}

export interface RunStartedPayload {
  /** The mode asked for and the mode that runs (paper when a sector fell back to the paper venue). */
  requestedMode: string
  effectiveMode: string
  venue: string
  /** `paper` (the paper venue) or the broker environment. */
  environment: string
  profile: string
  /** The charter's decision, as data. */
  charter: unknown
  snapshot: {id: string; commit: string; kind: 'snapshot' | 'head'} | null
  configHash: string
  strategy: {name: string; codeHash: string; params: Record<string, unknown>}
  inputs: InputSource
  seed: number
  /** Effective risk limits (profile, overrides, charter caps applied). */
  limits: Record<string, number>
  /** rick's version. */
  version: string
  /** Notices shown to the user (fallback to paper, no snapshot, …). */
  notices: string[]
  /** Set when this run continues an interrupted one (recovery after a crash). */
  resumedFrom?: string
  /** The connector that trades (a real venue's SDK and endpoint hosts; never a secret). */
  connector?: {name: string; sdk?: {package: string; version: string}; endpoints: string[]; account?: string}
}

export interface RunStoppedPayload {
  reason: 'signal' | 'data-exhausted' | 'bars-limit' | 'halted' | 'error' | 'superseded'
  detail?: string
  barsProcessed: number
  summary: {trades: number; fills: number; denials: number; realizedPnl: Micro; fees: Micro; equity: Micro}
}

export interface EventPayloads {
  RUN_STARTED: RunStartedPayload
  RUN_STOPPED: RunStoppedPayload
  BAR: {instrument: string; ts: number; open: number; high: number; low: number; close: number; volume: number}
  ORDER_INTENT: {order: OrderRequest; reason: string}
  ORDER_DENIED: {order: OrderRequest; code: string; detail: string}
  ORDER_SUBMITTED: {clientOrderId: string}
  ORDER_ACK: {clientOrderId: string; venueOrderId: string}
  ORDER_REJECTED: {clientOrderId: string; code: string; reason: string}
  /** A submit whose outcome is unknown (timeout, disconnect): the order is in flight until the venue says. */
  ORDER_UNCONFIRMED: {clientOrderId: string; error: string}
  ORDER_CANCEL_REQUESTED: {clientOrderId: string; reason: string}
  ORDER_CANCELLED: {clientOrderId: string; reason: string}
  ORDER_EXPIRED: {clientOrderId: string}
  FILL: {fill: Fill}
  RISK_STATE: {from: TradingState; to: TradingState; reason: string; code: string; until?: number}
  STRATEGY_ERROR: {message: string; stack?: string; phase: 'init' | 'onBar' | 'onFill' | 'restore' | 'output'}
  STRATEGY_CHECKPOINT: {state: unknown; barsProcessed: number}
  STRATEGY_LOG: {message: string}
  /** After a restart: what the venue and the journal said, and what was done about differences. */
  RECONCILED: {positions: Array<{instrument: string; qty: number}>; cash: Micro; notes: string[]}
  /** A live venue's stream connected, dropped or gave up (`venueTs`: the venue's clock when known). */
  CONNECTION: {stream: string; state: 'connected' | 'disconnected' | 'fatal'; reason?: string; venueTs?: number}
  /**
   * Something at the venue that rick did not do: an order placed by hand, or a position that no
   * journaled fill explains. It counts toward risk (a position is applied to the books as `qty`).
   */
  EXTERNAL: {kind: 'order' | 'position'; instrument: string; detail: string; qty?: number; price?: number; venueOrderId?: string}
}

export type EventType = keyof EventPayloads

export interface JournalEvent<T extends EventType = EventType> {
  seq: number
  /** Engine clock, epoch ms. */
  ts: number
  runId: string
  sector: string
  type: T
  payload: EventPayloads[T]
  prevHash: string
  hash: string
}

/** What a writer hands to the journal; seq and hashes are assigned by the store. */
export type NewEvent<T extends EventType = EventType> = Pick<JournalEvent<T>, 'ts' | 'runId' | 'sector' | 'type' | 'payload'>

/** Every event type, at run time (the store refuses others; commands offer them as choices). */
export const EVENT_TYPES = [
  'RUN_STARTED',
  'RUN_STOPPED',
  'BAR',
  'ORDER_INTENT',
  'ORDER_DENIED',
  'ORDER_SUBMITTED',
  'ORDER_ACK',
  'ORDER_REJECTED',
  'ORDER_UNCONFIRMED',
  'ORDER_CANCEL_REQUESTED',
  'ORDER_CANCELLED',
  'ORDER_EXPIRED',
  'FILL',
  'RISK_STATE',
  'STRATEGY_ERROR',
  'STRATEGY_CHECKPOINT',
  'STRATEGY_LOG',
  'RECONCILED',
  'CONNECTION',
  'EXTERNAL',
] as const satisfies readonly EventType[]

// Fails to compile when a type is added to EventPayloads and not to EVENT_TYPES.
type MissingEventTypes = Exclude<EventType, (typeof EVENT_TYPES)[number]>
const everyEventTypeListed: [MissingEventTypes] extends [never] ? true : MissingEventTypes = true
void everyEventTypeListed
