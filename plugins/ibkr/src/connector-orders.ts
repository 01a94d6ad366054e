// Where what TWS says about rick's orders becomes rick's events, each once and in order: the ack,
// then fills, then one final event (cancel, expire or reject). TWS repeats itself — openOrder and
// orderStatus come for every change and again for every reqOpenOrders, execDetails again for every
// reqExecutions — so each change is folded into the order's state and only a change goes out.
//
// - An order is known by its TWS order id (rick picks it before sending) and by its orderRef, rick's
//   client order id (what identifies an order placed by an earlier run). A bracket's children are
//   orders of their own here, `<id>-tp` and `<id>-sl`, whose events are theirs.
// - ack: the first PreSubmitted / Submitted / PendingCancel / Filled, or a first fill.
// - fills: from the joined executions (connector-fills.ts), each execId once.
// - final: Cancelled / ApiCancelled / 202 → cancel (an OCA sibling cancelled by the venue included);
//   Inactive → reject before the ack, a cancel after it; a refusal (201, 110, 203…) before the ack →
//   the submit throws it (no event) while the submit waits, else a reject event. A final status
//   waits for the fills of its filled quantity (bounded: FINAL_WAIT_MS).
// - A submit waits for the first answer about its parent (ack or refusal); no answer: its outcome is
//   unknown (the order keeps its id and is recognised whenever TWS speaks of it).
// - Orders of an earlier run are adopted from what TWS says of them by orderRef: an open one from
//   openOrder, a done one from its executions (reqExecutions at connect: an order that filled is no
//   longer open, and its executions are all TWS says of it) — so orderByClientId answers it filled.
// - An order TWS stopped listing: after a reconnect or 1102 the complete open-order list (up to
//   openOrderEnd) is the truth for the orders sent before it was asked; an acknowledged one it lacks,
//   whose executions do not fill it, ended at the venue while its events were lost (an OCA sibling
//   cancelled during 1100): it ends here as cancelled, once (unlisted()).
import type {Fill, OrderRequest, OrderState, VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import {isFinalIb, requestOf, statusOf} from './parsing-orders.js'
import {num, rec, str} from './parsing.js'

/** How long a final status waits for the executions of its filled quantity (wall ms). */
export const FINAL_WAIT_MS = 3_000
const EPSILON = 1e-9

type Final = {kind: 'cancel'; reason: string} | {kind: 'reject'; code: string; reason: string} | {kind: 'expire'}

interface Waiter<T> {
  resolve(v: T): void
  reject(e: Error): void
}

export interface TrackedOrder {
  clientOrderId: string
  orderId: number
  request: OrderRequest
  /** TWS's last status word. */
  ib: string
  filled: number
  avgFillPrice: number
  emittedQty: number
  acked: boolean
  finalEmitted: boolean
  pendingFinal?: Final
  finalTimer?: ReturnType<typeof setTimeout>
  /** Refused before it existed: no order at TWS. */
  refused: boolean
  /** The submit got no answer: venue time it was sent. */
  unknownSince?: number
  /** The last error TWS gave for the order (the reason of an Inactive). */
  lastError?: string
  updatedAt: number
  /** Order of tracking: an open-order list asked after `seq` was tracked must contain the order. */
  seq: number
  /** Adopted from its executions (an earlier run's order no longer open): qty and price are what they show. */
  fromExecutions?: boolean
  /** TWS's completed orders were asked about it (once is enough: a finished order does not change). */
  completedChecked?: boolean
  submit?: Waiter<void>
  cancels: Array<Waiter<void>>
}

export interface OrderTrackerOptions {
  clientId(): number
  /** Whether an orderRef is a client order id of this sector (an order of an earlier run). */
  isOurs(orderRef: string): boolean
  /** rick's instrument id of a TWS contract. */
  instrumentOf(contract: unknown): string
  emit(event: VenueEvent): void
  now(): number
  log(message: string): void
}

export class OrderTracker {
  private readonly byCid = new Map<string, TrackedOrder>()
  private readonly byId = new Map<number, TrackedOrder>()
  private seqs = 0

  constructor(private readonly o: OrderTrackerOptions) {}

  get(clientOrderId: string): TrackedOrder | undefined {
    return this.byCid.get(clientOrderId)
  }

  byOrderId(orderId: number): TrackedOrder | undefined {
    return this.byId.get(orderId)
  }

  /** Orders neither final nor refused. */
  live(): TrackedOrder[] {
    return [...this.byCid.values()].filter((t) => !t.refused && !t.finalEmitted)
  }

  /** The sequence number of the last order tracked (orders tracked later have higher ones). */
  lastSeq(): number {
    return this.seqs
  }

  /** Starts following an order about to be sent. */
  track(request: OrderRequest, orderId: number): TrackedOrder {
    const t: TrackedOrder = {clientOrderId: request.clientOrderId, orderId, request, ib: '', filled: 0, avgFillPrice: 0, emittedQty: 0, acked: false, finalEmitted: false, refused: false, updatedAt: this.o.now(), seq: ++this.seqs, cancels: []}
    this.byCid.set(t.clientOrderId, t)
    this.byId.set(orderId, t)
    return t
  }

  /** Resolves at the order's first answer: its ack (or a fill); rejects with its refusal. */
  answer(t: TrackedOrder): Promise<void> {
    if (t.acked) return Promise.resolve()
    return new Promise((resolve, reject) => (t.submit = {resolve, reject}))
  }

  /** The submit of `t` ended without an answer (timeout, disconnect): outcome unknown. */
  unknown(t: TrackedOrder, since: number): void {
    t.unknownSince = since
    t.submit = undefined
  }

  /** The submit of `t` was refused before anything reached TWS, or by TWS before the ack. */
  refuse(t: TrackedOrder): void {
    t.refused = true
    t.finalEmitted = true
    t.submit = undefined
  }

  /** Resolves when the order's cancel is confirmed (its cancel event went out), rejects otherwise. */
  awaitCancel(t: TrackedOrder): Promise<void> {
    if (t.finalEmitted) return Promise.resolve()
    return new Promise((resolve, reject) => t.cancels.push({resolve, reject}))
  }

  /** Fails what waits on the orders (a submit, cancels): the connection went. */
  failWaiters(error: NetworkError): void {
    for (const t of this.byCid.values()) {
      if (t.submit !== undefined) {
        const w = t.submit
        this.unknown(t, this.o.now())
        w.reject(error)
      }
      for (const w of t.cancels.splice(0)) w.reject(error)
    }
  }

  /** Stops the timers of final events still waiting for their fills (close). */
  stop(): void {
    for (const t of this.byCid.values()) clearTimeout(t.finalTimer)
  }

  /** Fails the cancels waiting on an order (TWS said it cannot cancel it). */
  failCancels(t: TrackedOrder, error: Error): void {
    for (const w of t.cancels.splice(0)) w.reject(error)
  }

  // ---- what TWS says

  openOrder(orderId: number, contract: unknown, order: unknown, state: unknown): void {
    const t = this.find(orderId, order, contract)
    if (t === undefined) return
    const status = str(rec(state).status)
    if (status !== '') this.status(t, status)
  }

  orderStatus(args: readonly unknown[]): void {
    const [orderId, status, filled, , avgFillPrice, , , , clientId] = args
    const id = num(orderId)
    if (num(clientId) >= 0 && num(clientId) !== this.o.clientId()) return
    const t = this.byId.get(id)
    if (t === undefined) return
    const f = num(filled)
    if (Number.isFinite(f) && f >= t.filled) t.filled = f
    const avg = num(avgFillPrice)
    if (Number.isFinite(avg) && avg > 0 && avg < 1e300) t.avgFillPrice = avg
    this.status(t, str(status))
  }

  /** An `error` about one of rick's orders. `refusal` is what the submit throws (undefined: not a refusal). */
  orderError(orderId: number, code: number, message: string, refusal: BrokerError | NetworkError | undefined, cancelled: boolean): void {
    const t = this.byId.get(orderId)
    if (t === undefined) return
    t.lastError = `${code} ${message}`
    if (cancelled) return this.final(t, {kind: 'cancel', reason: `cancelled at IBKR (${code} ${message})`})
    if (refusal === undefined || t.finalEmitted) return
    if (t.submit !== undefined) {
      const w = t.submit
      this.refuse(t)
      w.reject(refusal)
      return
    }
    if (!t.acked) return this.final(t, {kind: 'reject', code: (refusal as {kind?: string}).kind ?? 'InvalidOrder', reason: refusal.message})
    this.o.log(`order ${t.clientOrderId}: ${code} ${message}`)
  }

  /** A fill (execution joined with its commission); its order is found by id or orderRef. */
  fill(fill: Omit<Fill, 'clientOrderId'>, orderRef: string, execClientId: number): Fill | undefined {
    const id = Number(fill.venueOrderId)
    const ours = execClientId === this.o.clientId()
    let t = ours ? this.byId.get(id) : undefined
    if (t === undefined) t = this.byCid.get(orderRef)
    // An order of this sector that TWS did not list as open at connect, yet executed: done at the
    // venue (filled, or partly filled and then cancelled); its executions make it known.
    if (t === undefined && ours && Number.isInteger(id) && id > 0 && this.o.isOurs(orderRef)) t = this.adoptExecuted(fill, orderRef, id)
    const cid = t?.clientOrderId ?? (this.o.isOurs(orderRef) ? orderRef : undefined)
    if (cid === undefined) return undefined
    const out: Fill = {...fill, clientOrderId: cid}
    if (t !== undefined) {
      if (t.refused) {
        this.o.log(`order ${cid} was taken as refused, yet TWS reports an execution of it (${fill.fillId}); booked`)
        t.refused = false
        t.finalEmitted = false
      }
      this.ack(t, fill.ts)
      if (t.fromExecutions === true) {
        // Volume-weighted average of the executions (TWS's own avgPrice of the order is not kept on it).
        const qty = t.emittedQty + fill.qty
        t.avgFillPrice = qty > 0 ? Number(((t.avgFillPrice * t.emittedQty + fill.price * fill.qty) / qty).toPrecision(12)) : 0
        t.request.qty = Math.max(t.request.qty, qty)
        t.updatedAt = this.o.now()
      }
      t.emittedQty += fill.qty
    }
    this.o.emit({kind: 'fill', fill: out})
    if (t !== undefined) {
      if (t.emittedQty > t.filled) t.filled = t.emittedQty
      if (t.pendingFinal !== undefined && t.emittedQty + EPSILON >= t.filled) this.releaseFinal(t)
      if (t.emittedQty + EPSILON >= t.request.qty) this.settleFilled(t)
    }
    return out
  }

  /**
   * Orders TWS's complete open-order list left out. `listed` holds the order ids and orderRefs it
   * gave; `before` is lastSeq() when it was asked (an order tracked later could not be in it);
   * `executed` gives the quantity the executions read after the list show for an order. An
   * acknowledged order missing from the list that its executions do not fill has ended at the venue
   * unheard of: it is cancelled here (after the fills of `executed`, which come from the joiner).
   */
  unlisted(listed: {ids: ReadonlySet<number>; refs: ReadonlySet<string>}, before: number, executed: (t: TrackedOrder) => number): TrackedOrder[] {
    const gone: TrackedOrder[] = []
    for (const t of this.live()) {
      if (t.seq > before || !t.acked || isFinalIb(t.ib) || t.pendingFinal !== undefined) continue
      if (listed.ids.has(t.orderId) || listed.refs.has(t.clientOrderId)) continue
      const qty = executed(t)
      if (qty + EPSILON >= t.request.qty) continue // filled: its fills settle it
      if (qty > t.filled) t.filled = qty
      this.o.log(`order ${t.clientOrderId} (id ${t.orderId}) is no longer open at TWS and its executions (${qty} of ${t.request.qty}) do not fill it: it ended at the venue while its events were lost; taken as cancelled`)
      this.final(t, {kind: 'cancel', reason: 'cancelled at IBKR (no longer listed as open by TWS; its events were lost)'})
      gone.push(t)
    }
    return gone
  }

  /**
   * What reqCompletedOrders says of a tracked order TWS no longer lists as open. One adopted from
   * its executions gets the request as it was sent (type, prices, tif, quantity) and its end (partly
   * filled, then cancelled, is cancelled); one whose submit had no answer ends as TWS says (its
   * ack, then its cancel or rejection, once).
   */
  completed(t: TrackedOrder, order: unknown, state: unknown): void {
    t.completedChecked = true
    const status = str(rec(state).status)
    if (t.fromExecutions === true) {
      const {venueOrderId: _id, ...sent} = requestOf(order, t.clientOrderId, t.request.instrument)
      if (Number.isFinite(sent.qty) && sent.qty > 0) t.request = {...t.request, ...sent, qty: Math.max(sent.qty, t.emittedQty)}
      if (status === 'Cancelled' || status === 'ApiCancelled' || status === 'Inactive') t.ib = 'Cancelled'
      return
    }
    if (!t.acked && !t.refused && isFinalIb(status) && status !== 'Filled') this.status(t, status)
  }

  /** rick's view of a tracked order. */
  state(t: TrackedOrder): OrderState {
    const status = t.refused ? 'rejected' : statusOf(t.ib || 'PendingSubmit', t.filled, t.request.qty)
    return {...t.request, status, filledQty: t.filled, avgFillPrice: t.avgFillPrice, venueOrderId: String(t.orderId), updatedAt: t.updatedAt}
  }

  // ---- internals

  /**
   * An order of an earlier run known only by an execution. Executions carry no order type, price or
   * tif: the request holds what they show (instrument, side, quantity executed) and `market`/`day`
   * for the rest — rick's journal keeps the order as it was sent; the venue's part is status,
   * filled quantity, average price and order id.
   */
  private adoptExecuted(fill: Omit<Fill, 'clientOrderId'>, orderRef: string, orderId: number): TrackedOrder {
    const t = this.track({clientOrderId: orderRef, instrument: fill.instrument, side: fill.side, type: 'market', qty: 0, tif: 'day'}, orderId)
    t.fromExecutions = true
    t.ib = 'Filled'
    this.o.log(`order ${orderRef} (id ${orderId}) of an earlier run is not open at TWS but has executions: adopted from them`)
    return t
  }

  /** The tracked order of an openOrder (adopting one of this sector's orders from an earlier run). */
  private find(orderId: number, order: unknown, contract: unknown): TrackedOrder | undefined {
    const o = rec(order)
    const ours = num(o.clientId) === this.o.clientId()
    const known = ours ? this.byId.get(orderId) : undefined
    if (known !== undefined) return known
    const ref = str(o.orderRef)
    const byRef = this.byCid.get(ref)
    if (byRef !== undefined) return byRef
    if (!ours || !this.o.isOurs(ref)) return undefined
    const base = requestOf(order, ref, this.o.instrumentOf(contract))
    const request: OrderRequest = {...base}
    delete (request as {venueOrderId?: string}).venueOrderId
    const parent = num(o.parentId)
    if (parent > 0) {
      const p = this.byId.get(parent)
      if (p !== undefined) request.parentId = p.clientOrderId
      request.reduceOnly = true
    }
    return this.track(request, orderId)
  }

  private status(t: TrackedOrder, ib: string): void {
    if (ib === '' || t.finalEmitted) return
    const changed = ib !== t.ib
    t.ib = ib
    if (changed) t.updatedAt = this.o.now()
    switch (ib) {
      case 'PreSubmitted':
      case 'Submitted':
      case 'PendingCancel':
        return this.ack(t, this.o.now())
      case 'Filled':
        this.ack(t, this.o.now())
        if (t.emittedQty + EPSILON >= t.request.qty) this.settleFilled(t)
        return
      case 'Cancelled':
      case 'ApiCancelled':
        return this.final(t, {kind: 'cancel', reason: t.lastError !== undefined ? `cancelled at IBKR (${t.lastError})` : 'cancelled at IBKR'})
      case 'Inactive':
        if (!t.acked && t.submit === undefined) return this.final(t, {kind: 'reject', code: 'InvalidOrder', reason: `inactive at IBKR${t.lastError !== undefined ? ` (${t.lastError})` : ''}`})
        if (!t.acked) return // the submit's refusal (an error) comes with it or its deadline decides
        return this.final(t, {kind: 'cancel', reason: `inactive at IBKR${t.lastError !== undefined ? ` (${t.lastError})` : ''}`})
      default:
        return
    }
  }

  private ack(t: TrackedOrder, ts: number): void {
    if (t.acked || t.refused) return
    t.acked = true
    delete t.unknownSince
    this.o.emit({kind: 'ack', clientOrderId: t.clientOrderId, venueOrderId: String(t.orderId), ts})
    const w = t.submit
    t.submit = undefined
    w?.resolve()
  }

  /** A final event, once, after the fills of the filled quantity (or FINAL_WAIT_MS). */
  private final(t: TrackedOrder, f: Final): void {
    if (t.finalEmitted || t.pendingFinal !== undefined) return
    t.pendingFinal = f
    if (t.emittedQty + EPSILON >= t.filled) return this.releaseFinal(t)
    t.finalTimer = setTimeout(() => {
      this.o.log(`order ${t.clientOrderId} is ${t.ib} with ${t.filled} filled, but executions of only ${t.emittedQty} came; its end goes out now (the rest comes with reqExecutions)`)
      this.releaseFinal(t)
    }, FINAL_WAIT_MS)
  }

  private releaseFinal(t: TrackedOrder): void {
    const f = t.pendingFinal
    if (f === undefined || t.finalEmitted) return
    clearTimeout(t.finalTimer)
    t.finalEmitted = true
    t.pendingFinal = undefined
    t.updatedAt = this.o.now()
    const ts = this.o.now()
    if (f.kind === 'reject') {
      t.ib = 'Inactive'
      this.o.emit({kind: 'reject', clientOrderId: t.clientOrderId, code: f.code, reason: f.reason, ts})
    } else if (f.kind === 'expire') {
      this.o.emit({kind: 'expire', clientOrderId: t.clientOrderId, ts})
    } else {
      if (t.ib !== 'Cancelled' && t.ib !== 'ApiCancelled' && t.ib !== 'Inactive') t.ib = 'Cancelled'
      this.ack(t, ts)
      this.o.emit({kind: 'cancel', clientOrderId: t.clientOrderId, reason: f.reason, ts})
    }
    for (const w of t.cancels.splice(0)) w.resolve()
  }

  /** A fully filled order: nothing more comes; a cancel waiting on it learns it is gone. */
  private settleFilled(t: TrackedOrder): void {
    if (t.finalEmitted) return
    t.finalEmitted = true
    t.ib = 'Filled'
    for (const w of t.cancels.splice(0)) w.reject(Object.assign(new Error(`order ${t.clientOrderId} is filled`), {filled: true}))
  }

  /** Whether the status word is final (TWS says nothing more of the order). */
  static isFinal(t: TrackedOrder): boolean {
    return t.finalEmitted || isFinalIb(t.ib)
  }
}
