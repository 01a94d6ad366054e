// What the conformance suite needs to know about one venue: a "venue fixture". A new venue plugs
// into the suite with one of these (see paper-fixture.ts and oanda-fixture.ts) and a test file of
// a few lines calling conformanceSuite(fixture). For a broker: start its simulator (port 0, a
// ManualWall), open the connector through the plugin's factory, make step() advance the wall and
// settle() wait for a stream heartbeat stamped after now, read quotes and the order record through
// the simulator's own REST API, and map the fault hooks onto its fault switches. Everything the suite checks, it checks against
// facts it gathers itself (the events it heard, its own sums, the venue's own records through
// `faults.ordersAtVenue`), never against what the connector says about itself alone.
import type {Micro} from '../../src/foundation/domain/money.js'
import type {Fill, OrderType} from '../../src/foundation/domain/orders.js'
import type {Instrument} from '../../src/foundation/domain/instrument.js'
import type {Connector, ConnectorCapabilities} from '../../src/sectors/connector.js'

export interface VenueFixture {
  /** Shown in the test names. */
  name: string
  /** What the connector must say it is (Connector.venue, .environment, .capabilities). */
  venue: string
  environment: string
  capabilities: ConnectorCapabilities
  /** The instruments the connector is configured with. */
  instruments: readonly string[]
  /** The instrument the cases trade (quoted in the account's currency), and a normal order size on it. */
  instrument: string
  qty: number
  /** Order types the venue takes natively (others must be refused with BrokerError Unsupported). */
  orderTypes: readonly OrderType[]
  /**
   * How cash moves on a fill. `spot`: cash pays the notional of a buy and receives that of a sell,
   * minus fees (the paper venue). `margin`: opening moves nothing but fees; cash moves by the
   * realized P&L of what a fill closes, minus fees (OANDA's balance).
   */
  accounting: 'spot' | 'margin'
  /** The venue's documented fee of one fill (Micro), computed by the fixture on its own. */
  fee(fill: Fill, spec: Instrument): Micro
  /** How far (Micro per fill) the venue's money rounding may be from exact micro arithmetic. */
  moneyTolerancePerFill: Micro
  /** A relative price move the market makes within a few dozen steps (bracket exits are put this far). */
  nearMove: number
  /** What cancel() of an order that is no longer working does: throw OrderNotFound, or nothing. */
  cancelFinished: 'OrderNotFound' | 'no-op'
  /**
   * connect() after close(): `refused` (rejects; the connector stays closed and submits throw) or
   * `reconnects` (works again). The contract leaves it open; each fixture states which.
   */
  afterClose: 'refused' | 'reconnects'
  /**
   * What a listener that throws does: `isolated` (the connector carries on; the other listeners hear
   * the event, submit's outcome is unchanged) or `propagates` (the throw comes out of submit() or the
   * step that emitted the event). The contract does not say; a live connector must isolate.
   */
  listenerErrors: 'isolated' | 'propagates'
  /** Whether sessions of this venue offer fault injection (VenueSession.faults). */
  faultInjection: boolean
  /** A fresh venue (its own simulator, account and port) for one test. */
  start(): Promise<VenueSession>
}

export interface VenueSession {
  /** A connector to this venue, connected and ready (streams up). Call once per session. */
  open(): Promise<Connector>
  /** Moves the market on by one step (a bar, a slice of simulated time): orders that can fill, do;
   *  resolves once what the step caused has reached the listeners. */
  step(): Promise<void>
  /** Resolves once every event of what the venue has done so far has reached the listeners. */
  settle(): Promise<void>
  /** The venue's current quote of an instrument, read from the venue itself, not through the connector. */
  quote(instrument: string): Promise<{bid: number; ask: number}>
  /** Credentials of this session: they must never show in ConnectorInfo. */
  secrets: readonly string[]
  faults?: VenueFaults
  /** Stops the venue (and the connector, if open). */
  close(): Promise<void>
}

/** Faults the venue can inject, and its own record of orders (read without the connector). */
export interface VenueFaults {
  /** Order requests the venue recorded under a client order id: accepted (an order exists) and refused. */
  ordersAtVenue(clientOrderId: string): Promise<{accepted: number; refused: number}>
  /** The next submit is executed at the venue but never answered (the connector times out). */
  submitUnanswered(): void
  /** The next request answers a server error (5xx) without being executed. */
  serverError(): void
  /** Every request is refused as unauthorized until the returned function is called. */
  revokeAuth(): () => void
  /** Answers to requests from now on are held (the requests are executed); the returned function stops holding new ones. */
  holdAnswers(): () => void
}

/** A deadline for one wait; every test stays well under CASE_MS. */
export const WAIT_MS = 3_000
export const CASE_MS = 5_000

/**
 * Waits until `cond` holds, letting I/O run (a macrotask) each round. With a `venue`, a round first
 * lets what the venue already did reach the connector (settle), and only then moves the market on
 * (step): a condition that was merely in flight is never overtaken by a market move. Never a fixed
 * sleep: it returns as soon as the condition holds.
 */
export async function until(what: string, cond: () => boolean | Promise<boolean>, o: {venue?: Pick<VenueSession, 'step' | 'settle'>; ms?: number} = {}): Promise<void> {
  const end = performance.now() + (o.ms ?? WAIT_MS)
  for (;;) {
    if (await cond()) return
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    if (o.venue) {
      await o.venue.settle()
      if (await cond()) return
      await o.venue.step()
    }
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** Resources the process keeps alive that a connector could leak (ref'd timers and sockets). */
export function liveResources(): {timers: number; sockets: number} {
  const info = process.getActiveResourcesInfo()
  return {timers: info.filter((r) => r === 'Timeout').length, sockets: info.filter((r) => r === 'TCPSocketWrap').length}
}
