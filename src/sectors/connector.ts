// The Connector contract: one per venue. The paper venue implements it, and so will the real
// OANDA, Coinbase and IBKR connectors. The engine only ever talks to this interface, which is
// why backtest, paper, canary and live run the same code path.
import type {Bar} from '../foundation/domain/bars.js'
import type {Instrument} from '../foundation/domain/instrument.js'
import type {AccountSnapshot, OrderRequest, OrderState, Position, VenueEvent} from '../foundation/domain/orders.js'

/** What a venue can do natively; the engine emulates what is missing (e.g. OCO brackets). */
export interface ConnectorCapabilities {
  brackets: boolean
  stopOrders: boolean
  stopLimitOrders: boolean
  streaming: boolean
  fractionalQty: boolean
  shortSelling: boolean
}

export interface Subscription {
  close(): void
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
}

/** Receives a venue's events by method call (Connector.onEventSink). */
export interface VenueSink {
  onVenueEvent(event: VenueEvent): void
}
