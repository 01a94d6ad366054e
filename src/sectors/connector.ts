// The Connector contract: one per venue. The paper venue implements it, and so will the real
// OANDA, Coinbase and IBKR connectors. The engine only ever talks to this interface, which is
// why backtest, paper, canary and live run the same code path.
import type {Bar} from '../foundation/domain/bars.js'
import type {Instrument} from '../foundation/domain/instrument.js'
import type {AccountSnapshot, Fill, OrderRequest, OrderState, Position, VenueEvent} from '../foundation/domain/orders.js'

/** What a venue can do natively; the engine emulates what is missing (e.g. OCO brackets). */
export interface ConnectorCapabilities {
  brackets: boolean
  stopOrders: boolean
  stopLimitOrders: boolean
  streaming: boolean
  fractionalQty: boolean
  shortSelling: boolean
  /**
   * A spot venue (Coinbase): positions() are the account's coin balances, which hold the person's
   * own coins as well as what rick bought. The reconciler then counts only a shortfall against the
   * books (rick's coins sold outside rick); coins beyond the books are never adopted, so rick never
   * sells what it did not buy.
   */
  spotHoldings: boolean
}

export interface Subscription {
  close(): void
}

/**
 * One price update of a live venue. `price` is what the market-data side builds bars from (the mid
 * of bid and ask for a quoted market, the trade price for a traded one). `ts` is the VENUE's time
 * (epoch ms): live, the engine follows the venue's clock, so a simulator that runs faster than real
 * time rehearses hours in minutes.
 */
export interface Tick {
  instrument: string
  ts: number
  bid: number
  ask: number
  price: number
  /** Traded volume since the previous tick, when the venue says (0 for quotes). */
  volume: number
}

/** The streams a live connector keeps open. */
export type StreamName = 'prices' | 'events'

/**
 * What a live connector says about its connections. Every change is journaled by the engine and a
 * `disconnected` stream is reconnected by the connector itself (backoff with jitter); `fatal` means
 * it gave up (e.g. 401: the token is wrong, retrying cannot help) and the sector must stop.
 */
export type ConnectorStatus =
  | {kind: 'connected'; stream: StreamName; ts: number}
  | {kind: 'disconnected'; stream: StreamName; reason: string; ts: number; retryInMs?: number}
  /** A heartbeat of the venue on a stream; `ts` is the venue's time. */
  | {kind: 'heartbeat'; stream: StreamName; ts: number}
  | {kind: 'fatal'; code: string; message: string; ts: number}

/** Bars the venue keeps (candles), for warm-up and `rick data download`. */
export interface HistoryRequest {
  instrument: string
  /** Bar length in ms (the sector's barPeriod). */
  periodMs: number
  /** Epoch ms, inclusive (bar open times). */
  from?: number
  /** Epoch ms, exclusive. */
  to?: number
  /** At most this many bars (the most recent ones before `to` when `from` is omitted). */
  count?: number
}

/** Who the connector is, for RUN_STARTED and the first lines. Never holds a secret. */
export interface ConnectorInfo {
  /** e.g. `oanda-v20`, `paper`. */
  name: string
  sdk?: {package: string; version: string}
  /** Hosts (with port when not the default), never a URL with credentials. */
  endpoints: string[]
  /** The venue's account id (not a secret; shown so a person sees which account trades). */
  account?: string
}

export interface Connector {
  readonly venue: string
  /** `paper` for the paper venue, else the broker environment (`practice`, `live`, …). */
  readonly environment: string
  readonly capabilities: ConnectorCapabilities
  connect(): Promise<void>
  close(): Promise<void>
  instruments(): Promise<Instrument[]>
  account(): Promise<AccountSnapshot>
  positions(): Promise<Position[]>
  openOrders(): Promise<OrderState[]>
  /** What the venue knows about an order we sent; undefined when it never saw it. */
  orderByClientId(clientOrderId: string): Promise<OrderState | undefined>
  /** Sends an order. Resolves when the venue accepted the request for processing; the outcome
   *  comes as events. Throws BrokerError (refused) or NetworkError (unknown outcome). */
  submit(order: OrderRequest): Promise<void>
  cancel(clientOrderId: string): Promise<void>
  /**
   * Optional, for a venue that lives in this process (the paper venue): submit() and cancel()
   * done synchronously, their events emitted before they return, the same errors thrown. The
   * engine uses them when present, so a backtest's order path never waits on a promise; the
   * outcomes, events and their order are the same as through submit() and cancel().
   */
  submitNow?(order: OrderRequest): void
  cancelNow?(clientOrderId: string): void
  /** Bars of the given instruments as they complete. */
  subscribe(instruments: readonly string[], onBar: (bar: Bar) => void): Subscription
  /** Acks, rejects, fills, cancels. Returns an unsubscribe function. */
  onEvent(listener: (event: VenueEvent) => void): () => void
  /**
   * Optional, for a venue that lives in this process: onEvent() for an object whose
   * onVenueEvent() takes the events, in the same order as the listeners'. The engine uses it when
   * present: a venue's optimized code then calls a method of one class instead of one run's
   * closure, and a second backtest in the process does not make V8 rebuild it.
   */
  onEventSink?(sink: VenueSink): () => void

  // ---- A live venue (a broker) implements these; the paper venue does not need them.

  readonly info?: ConnectorInfo
  /** Price updates of the instruments, from the venue's stream (the engine builds bars from them). */
  subscribeTicks?(instruments: readonly string[], onTick: (tick: Tick) => void): Subscription
  /** The venue's candles (warm-up, `rick data download`), oldest first, complete bars only. */
  history?(request: HistoryRequest): Promise<Bar[]>
  /** Connection changes and heartbeats. Returns an unsubscribe function. */
  onStatus?(listener: (status: ConnectorStatus) => void): () => void
  /** Fills the venue recorded since `sinceTs` (reconciliation: fills missed while away). */
  recentFills?(sinceTs: number): Promise<Fill[]>
  /**
   * The fills of one order, where the venue lists them by order (cheaper than recentFills over a
   * window: Coinbase's fills list needs a lookup of every order in it to name rick's).
   */
  orderFills?(order: OrderState): Promise<Fill[]>
  /**
   * Per instrument, what one unit of its quote currency is worth in the account's currency now, as
   * the venue converts it (1 when they are the same). Money of an instrument quoted in another
   * currency (USD_JPY in a USD account) is counted in the account's currency with it.
   */
  conversionFactors?(instruments: readonly string[]): Promise<Map<string, number>>
}

/** Receives a venue's events by method call (Connector.onEventSink). */
export interface VenueSink {
  onVenueEvent(event: VenueEvent): void
}
