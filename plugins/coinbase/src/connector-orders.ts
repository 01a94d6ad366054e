// Where what Coinbase says about an order becomes rick's events, each once and in order (ack, then
// fills, then cancel / expire / reject). An order's news reaches the connector four ways: the answer
// to its create, the user channel, REST polling, and lookups (orderByClientId, openOrders). They
// can come late, twice, out of order or not at all, so each is folded the same way (sync):
// - the first sign of life gives the ack (with the venue order id, kept from then on: Coinbase
//   cannot look an order up by client id);
// - when the venue's filled size is beyond what was emitted, the order's fills are read from the
//   fills endpoint and each fill not emitted yet goes out (fill ids are Coinbase's, the same ids
//   recentFills() lists; a fill heard by polling is never emitted again by the stream);
// - a final status goes out once, after the fills that make up its filled size.
// One sync per order runs at a time (a queue per order), so two sources never race on one order.
import type {Fill, VenueEvent} from '../../../src/foundation/domain/orders.js'
import {isFinal, type CoinbaseFill, type CoinbaseOrder} from './parsing.js'

export interface TrackedOrder {
  clientOrderId: string
  instrument: string
  orderId?: string
  /** The create is in flight: news from other sources waits for its answer (the ack goes first). */
  inflight: boolean
  held: CoinbaseOrder[]
  /** The create got no answer: the order may or may not exist. Venue time of the create. */
  unknownSince?: number
  /** The same moment on the wall (how long the poll keeps looking for it). */
  unknownWall?: number
  /** The create was refused (success:false): no order exists. */
  refused: boolean
  acked: boolean
  /** Base quantity of the fills emitted. */
  emittedQty: number
  /** The venue's last known status (PENDING, OPEN, FILLED…). */
  status?: string
  finalEmitted: boolean
  /** The filled size the venue reported that the fills endpoint did not cover yet (a retry is due). */
  behind: boolean
  queue: Promise<void>
}

/** Quantities closer than this are equal (float dust of summed fills). */
const EPSILON = 1e-9
/** Fill ids kept for dedupe; the oldest are dropped in halves past this. */
const FILLS_KEPT = 100_000

export interface OrderTrackerOptions {
  emit(event: VenueEvent): void
  /** The order's fills at the venue (all of them, any order). */
  fillsOf(orderId: string): Promise<CoinbaseFill[]>
  problem(message: string): void
}

export class OrderTracker {
  private readonly byClient = new Map<string, TrackedOrder>()
  private readonly byOrder = new Map<string, TrackedOrder>()
  private seenFills = new Set<string>()
  private syncing = 0
  private idleWaiters: Array<() => void> = []

  constructor(private readonly o: OrderTrackerOptions) {}

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.byClient.get(clientOrderId)
  }

  byVenueId(orderId: string): TrackedOrder | undefined {
    return this.byOrder.get(orderId)
  }

  /** Orders that are not final and not refused (polling looks at them). */
  live(): TrackedOrder[] {
    return [...this.byClient.values()].filter((t) => !t.refused && !t.finalEmitted)
  }

  /** Starts tracking an order about to be sent (or learned from a lookup). */
  track(clientOrderId: string, instrument: string): TrackedOrder {
    const existing = this.byClient.get(clientOrderId)
    if (existing !== undefined) return existing
    const t: TrackedOrder = {clientOrderId, instrument, inflight: false, held: [], refused: false, acked: false, emittedQty: 0, finalEmitted: false, behind: false, queue: Promise.resolve()}
    this.byClient.set(clientOrderId, t)
    return t
  }

  /** The create is going out: what other sources say about the order waits for its answer. */
  sending(t: TrackedOrder): void {
    t.inflight = true
  }

  /** The create's answer: the venue order id. Emits the ack, then what waited. */
  created(t: TrackedOrder, orderId: string, ts: number): void {
    this.link(t, orderId)
    delete t.unknownSince
    delete t.unknownWall
    this.enqueue(t, async () => this.ack(t, ts))
    this.release(t)
  }

  /** The create was refused: no order, no event (submit throws the BrokerError). */
  refused(t: TrackedOrder): void {
    t.refused = true
    t.finalEmitted = true
    t.inflight = false
    t.held = []
  }

  /** The create got no answer: what waited goes out now (the venue has the order after all). */
  unknown(t: TrackedOrder, since: number, wall: number = since): void {
    t.unknownSince = since
    t.unknownWall = wall
    this.release(t)
  }

  private release(t: TrackedOrder): void {
    t.inflight = false
    for (const order of t.held.splice(0)) void this.observe(order)
  }

  /**
   * News about an order from any source. Orders rick does not track are ignored unless `adopt`
   * (an order of this sector learned from the venue, e.g. left open by an earlier run).
   */
  observe(order: CoinbaseOrder, adopt = false): Promise<void> {
    let t = this.byOrder.get(order.orderId) ?? this.byClient.get(order.clientOrderId)
    if (t === undefined) {
      if (!adopt) return Promise.resolve()
      t = this.track(order.clientOrderId, order.productId)
    }
    if (t.inflight) {
      t.held.push(order)
      return Promise.resolve()
    }
    if (t.orderId === undefined) {
      this.link(t, order.orderId)
      delete t.unknownSince
      delete t.unknownWall
    } else if (t.orderId !== order.orderId) {
      // Another order under the same client id (a person reused it): not this one.
      this.o.problem(`order ${order.orderId} carries client id ${order.clientOrderId}, which belongs to order ${t.orderId}: ignored`)
      return Promise.resolve()
    }
    const tracked = t
    return this.enqueue(tracked, () => this.sync(tracked, order))
  }

  /** Resolves when no sync is running or queued. */
  idle(): Promise<void> {
    if (this.syncing === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private link(t: TrackedOrder, orderId: string): void {
    t.orderId = orderId
    this.byOrder.set(orderId, t)
  }

  private enqueue(t: TrackedOrder, work: () => Promise<void>): Promise<void> {
    this.syncing++
    const run = t.queue.then(work).catch((error: unknown) => {
      this.o.problem(`order ${t.clientOrderId}: ${error instanceof Error ? error.message : String(error)}`)
    })
    t.queue = run.finally(() => {
      this.syncing--
      if (this.syncing === 0) for (const w of this.idleWaiters.splice(0)) w()
    })
    return t.queue
  }

  private ack(t: TrackedOrder, ts: number): void {
    if (t.acked || t.orderId === undefined || t.refused) return
    t.acked = true
    this.o.emit({kind: 'ack', clientOrderId: t.clientOrderId, venueOrderId: t.orderId, ts})
  }

  private async sync(t: TrackedOrder, order: CoinbaseOrder): Promise<void> {
    if (t.finalEmitted) return
    t.status = order.status
    if (order.status === 'FAILED' && !t.acked) {
      t.finalEmitted = true
      return this.o.emit({kind: 'reject', clientOrderId: t.clientOrderId, code: 'InvalidOrder', reason: order.rejectReason ?? 'Coinbase failed the order', ts: order.updatedTs})
    }
    this.ack(t, order.createdTs)
    if (order.filledSize > t.emittedQty + EPSILON) await this.fills(t)
    t.behind = order.filledSize > t.emittedQty + EPSILON
    if (t.behind || !isFinal(order.status)) return
    t.finalEmitted = true
    if (order.status === 'CANCELLED') this.o.emit({kind: 'cancel', clientOrderId: t.clientOrderId, reason: order.cancelReason ?? 'cancelled at Coinbase', ts: order.updatedTs})
    else if (order.status === 'EXPIRED') this.o.emit({kind: 'expire', clientOrderId: t.clientOrderId, ts: order.updatedTs})
    else if (order.status === 'FAILED') this.o.emit({kind: 'cancel', clientOrderId: t.clientOrderId, reason: `failed at Coinbase: ${order.rejectReason ?? 'no reason given'}`, ts: order.updatedTs})
  }

  private async fills(t: TrackedOrder): Promise<void> {
    const orderId = t.orderId as string
    const fills = (await this.o.fillsOf(orderId)).filter((f) => f.orderId === orderId).sort((a, b) => a.seq - b.seq || a.fill.ts - b.fill.ts)
    for (const f of fills) {
      if (this.seenFills.has(f.fill.fillId)) continue
      this.markFill(f.fill.fillId)
      t.emittedQty += f.fill.qty
      const fill: Fill = {...f.fill, clientOrderId: t.clientOrderId}
      this.o.emit({kind: 'fill', fill})
    }
  }

  private markFill(id: string): void {
    this.seenFills.add(id)
    if (this.seenFills.size > FILLS_KEPT) this.seenFills = new Set([...this.seenFills].slice(FILLS_KEPT / 2))
  }
}
