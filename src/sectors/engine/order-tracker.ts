// The engine's in-flight order tracker: every order from its intent to a final state, including
// the ones whose outcome is unknown (a submit that timed out, an order an earlier run left in
// flight), and the fill ids that were applied, so a venue that repeats itself (a fill in the REST
// answer and again on the stream, or after a reconnect) moves the books once.
//
// It only keeps the books of orders; what to journal and when to ask the venue is the engine's
// (engine.ts: settleUnconfirmed, adoptVenueState). It sits on the per-bar path — the engine asks
// `unconfirmed` and `size` every bar — so it keeps plain fields and arrays, no per-call allocation.
import type {Fill, OrderRequest} from '../../foundation/domain/orders.js'
import {bracketExit, bracketParentId, type WorkingOrder} from './order-planner.js'
import type {RecoveredOrder} from './recovery.js'

export interface TrackedOrder extends WorkingOrder {
  /** The venue has said something about it (ack, fill…); false while unconfirmed. */
  confirmed: boolean
  /** The submit's outcome is unknown (timeout, crash): the venue is asked until it says. */
  uncertain: boolean
  /** Times orderByClientId answered "unknown" for an uncertain order. */
  unknownAnswers: number
  filled: number
  /** Fill ids already applied (a venue may repeat a fill; it counts once); made at the first fill. */
  fillIds: string[] | undefined
}

/** Fill ids of finished orders remembered for de-duplication (a repeat comes soon after, if at all). */
const RECENT_FILLS = 1024

export class OrderTracker {
  private readonly orders = new Map<string, TrackedOrder>()
  /** Orders with a bracket, until the venue has acknowledged their exits. */
  private readonly bracketParents = new Map<string, OrderRequest>()
  /** Fill ids of orders no longer tracked (a ring of the last RECENT_FILLS), with their orders. */
  private readonly recentRing: string[] = []
  private readonly recentOrders: string[] = []
  private recentNext = 0
  /** Orders whose outcome is unknown (kept as a count: the engine asks every bar). */
  private uncertainCount = 0

  get size(): number {
    return this.orders.size
  }

  /** Orders whose submit had no known outcome, still to be settled with the venue. */
  get unconfirmed(): number {
    return this.uncertainCount
  }

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.orders.get(clientOrderId)
  }

  has(clientOrderId: string): boolean {
    return this.orders.has(clientOrderId)
  }

  ids(): string[] {
    return [...this.orders.keys()]
  }

  values(): IterableIterator<TrackedOrder> {
    return this.orders.values()
  }

  /** A copy of the entries: the caller may settle (and so remove) orders while it walks them. */
  entries(): Array<[string, TrackedOrder]> {
    return [...this.orders]
  }

  /** A new order the engine is about to send. */
  track(order: OrderRequest): TrackedOrder {
    const tracked: TrackedOrder = {order, remaining: order.qty, protective: order.parentId !== undefined, confirmed: false, uncertain: false, unknownAnswers: 0, filled: 0, fillIds: undefined}
    this.orders.set(order.clientOrderId, tracked)
    if (order.bracket) this.bracketParents.set(order.clientOrderId, order)
    return tracked
  }

  /** An order an earlier run left open or in flight: every one is asked about (it may have filled). */
  adoptRecovered(r: RecoveredOrder): void {
    this.orders.set(r.order.clientOrderId, {
      order: r.order,
      remaining: Math.max(0, r.order.qty - r.filled),
      protective: r.order.parentId !== undefined,
      // Acked before the restart: no second ack.
      confirmed: r.acked,
      uncertain: true,
      unknownAnswers: 0,
      filled: r.filled,
      fillIds: [...r.fillIds],
    })
    this.uncertainCount++
    if (r.order.bracket) this.bracketParents.set(r.order.clientOrderId, r.order)
  }

  /**
   * A bracket's exits are created by the venue when the entry fills (`<entry>-sl`, `<entry>-tp`):
   * tracked from their ack on as protective working orders (cancelled on a halt or a new target).
   */
  adoptBracketExit(clientOrderId: string): TrackedOrder | undefined {
    const parentId = bracketParentId(clientOrderId)
    const parent = parentId === undefined ? undefined : this.bracketParents.get(parentId)
    const order = parent === undefined ? undefined : bracketExit(parent, clientOrderId)
    if (parent === undefined || order === undefined) return undefined
    const tracked: TrackedOrder = {order, remaining: order.qty, protective: true, confirmed: false, uncertain: false, unknownAnswers: 0, filled: 0, fillIds: undefined}
    this.orders.set(clientOrderId, tracked)
    if (this.orders.has(`${parent.clientOrderId}-sl`) && this.orders.has(`${parent.clientOrderId}-tp`)) this.bracketParents.delete(parent.clientOrderId)
    return tracked
  }

  /** The venue said something about the order: it is known there. */
  confirm(o: TrackedOrder): void {
    o.confirmed = true
    this.settled(o)
  }

  /** The order's outcome is unknown until the venue says (a timeout, a reconciliation's question). */
  markUncertain(o: TrackedOrder): void {
    if (o.uncertain) return
    o.uncertain = true
    this.uncertainCount++
  }

  settled(o: TrackedOrder): void {
    if (!o.uncertain) return
    o.uncertain = false
    this.uncertainCount--
  }

  /** Whether this fill was applied already: the same order, the same venue fill id. */
  isRepeat(fill: Fill): boolean {
    const o = this.orders.get(fill.clientOrderId)
    return o ? o.fillIds?.includes(fill.fillId) === true : this.recentlyFilled(fill.clientOrderId, fill.fillId)
  }

  /** Records a fill as applied (for an order no longer tracked: in the ring of recent fills). */
  noteFill(fill: Fill): TrackedOrder | undefined {
    const o = this.orders.get(fill.clientOrderId)
    if (o === undefined) {
      this.rememberFill(fill.clientOrderId, fill.fillId)
      return undefined
    }
    if (o.fillIds === undefined) o.fillIds = [fill.fillId]
    else o.fillIds.push(fill.fillId)
    return o
  }

  /** Stops tracking an order, keeping its fill ids for de-duplication of late repeats. */
  forget(clientOrderId: string): void {
    const o = this.orders.get(clientOrderId)
    if (!o) return
    this.settled(o)
    this.orders.delete(clientOrderId)
    if (o.fillIds !== undefined) for (const id of o.fillIds) this.rememberFill(clientOrderId, id)
  }

  /** The order is final (rejected, cancelled, expired): no exits will come for it. */
  close(clientOrderId: string): void {
    this.forget(clientOrderId)
    this.bracketParents.delete(clientOrderId)
  }

  /** Flat instruments other than `except` with a working order that would open a position. */
  pendingOpens(except: string, positions: ReadonlyMap<string, number>): number {
    const seen = new Set<string>()
    for (const o of this.orders.values()) {
      const id = o.order.instrument
      if (id === except || o.protective || o.order.reduceOnly === true || (positions.get(id) ?? 0) !== 0) continue
      seen.add(id)
    }
    return seen.size
  }

  /** Orders that could add exposure (entries): what entering REDUCING cancels. */
  addingOrderIds(): string[] {
    const out: string[] = []
    for (const [id, o] of this.orders) if (!o.protective && o.order.reduceOnly !== true) out.push(id)
    return out
  }

  private recentlyFilled(clientOrderId: string, fillId: string): boolean {
    const ring = this.recentRing
    for (let i = 0; i < ring.length; i++) if (ring[i] === fillId && this.recentOrders[i] === clientOrderId) return true
    return false
  }

  private rememberFill(clientOrderId: string, fillId: string): void {
    // A ring only: it is searched on the rare path (a fill for an order no longer tracked), and
    // written on every finished order, where a Set's hashing of each new id would cost more.
    if (this.recentRing.length < RECENT_FILLS) {
      this.recentRing.push(fillId)
      this.recentOrders.push(clientOrderId)
    } else {
      this.recentRing[this.recentNext] = fillId
      this.recentOrders[this.recentNext] = clientOrderId
      this.recentNext = (this.recentNext + 1) % RECENT_FILLS
    }
  }
}
