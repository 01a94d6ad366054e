// What the connector reads from TWS: the account, positions, open orders, executions, and the
// sequence every (re)connect runs — reqOpenOrders, reqPositions, reqAccountSummary, then
// reqExecutions last, so that the fills made while away are known (and emitted, once) before the
// engine reconciles.
import type {AccountSnapshot, Fill, OrderState, Position} from '../../../src/foundation/domain/orders.js'
import {entryPrices, positionsOf, SUMMARY_TAGS, summaryOf} from './connector-account.js'
import type {FillJoiner} from './connector-fills.js'
import {OrderTracker} from './connector-orders.js'
import type {Requests} from './connector-requests.js'
import {fillOf, isClientId, requestOf, statusOf} from './parsing-orders.js'
import {formatUtc, num, parseTwsTime, rec, str} from './parsing.js'
import type {TwsClient} from './tws-client.js'

/** MIN_SERVER_VER_REQ_COMPLETED_ORDERS: below it TWS has no completed-orders request. */
export const COMPLETED_ORDERS_VERSION = 150
/** How far before `sinceTs` reqExecutions looks (TWS's filter is by the second, in its clock). */
const EXEC_SLACK_MS = 2_000
/** Executions looked up for an order of unknown outcome: the last day (TWS keeps a day or a week). */
export const LOOKUP_WINDOW_MS = 24 * 3_600_000

export interface ReadsDeps {
  requests: Requests
  tracker: OrderTracker
  joiner: FillJoiner
  /** The open connection's client; throws NetworkError when there is none (duringOpen: while opening too). */
  client(duringOpen?: boolean): TwsClient
  current(): TwsClient | undefined
  accountId(): string | undefined
  instrumentOf(contract: unknown): string
  multiplierOf(contract: unknown): number
  clientId: number
  isOurs(orderRef: string): boolean
  now(): number
  /** The error of an answer TWS cannot give (a NetworkError: unknown, never a refusal). */
  unknown(message: string): Error
}

export class TwsReads {
  constructor(private readonly d: ReadsDeps) {}

  async account(): Promise<AccountSnapshot> {
    const c = this.d.client()
    const {reqId, done} = this.d.requests.byRequestId('reqAccountSummary', (id) => c.reqAccountSummary(id, 'All', SUMMARY_TAGS))
    try {
      return summaryOf(await done, this.d.accountId())
    } finally {
      this.d.current()?.cancelAccountSummary(reqId)
    }
  }

  /**
   * Positions with their entry prices. `quantitiesOnly` skips the prices: they replay the day's
   * executions (46 ms p50 over ~130 of them in the bench, growing with every fill), which the
   * reduce-only check before an order has no use for — it would hold every exit back by as much.
   */
  async positions(duringOpen = false, quantitiesOnly = false): Promise<Position[]> {
    const c = this.d.client(duringOpen)
    const items = await this.d.requests.single('positions', () => c.reqPositions())
    this.d.current()?.cancelPositions()
    const held = positionsOf(items, this.d.accountId(), (k) => this.d.instrumentOf(k), (k) => this.d.multiplierOf(k))
    if (held.length === 0 || duringOpen || quantitiesOnly) return held
    const entries = entryPrices(await this.executions(0), this.d.accountId(), (k) => this.d.instrumentOf(k), (e) => this.execTime(e))
    for (const p of held) {
      const e = entries.get(p.instrument)
      if (e !== undefined && Math.abs(e.qty - p.qty) < 1e-9 && e.avgPrice > 0) p.avgPrice = Number(e.avgPrice.toPrecision(12))
    }
    return held
  }

  async openOrders(): Promise<OrderState[]> {
    const c = this.d.client()
    const items = await this.d.requests.single('allOpenOrders', () => c.reqAllOpenOrders(), 'openOrders')
    const out = new Map<string, OrderState>()
    for (const [orderId, contract, order, state] of items) {
      const ib = str(rec(state).status)
      const o = rec(order)
      const t = num(o.clientId) === this.d.clientId ? this.d.tracker.byOrderId(num(orderId)) : this.d.tracker.get(str(o.orderRef))
      if (t !== undefined) {
        if (!OrderTracker.isFinal(t)) out.set(t.clientOrderId, this.d.tracker.state(t))
        continue
      }
      if (ib === 'Filled' || ib === 'Cancelled' || ib === 'ApiCancelled' || ib === 'Inactive') continue
      // Orders of other clients or placed by hand: listed so the reconciler reports them, never touched.
      const id = `external:${num(o.permId) || num(orderId)}`
      out.set(id, {...requestOf(order, id, this.d.instrumentOf(contract)), status: statusOf(ib, 0, num(o.totalQuantity)), filledQty: 0, avgFillPrice: 0, updatedAt: this.d.now()})
    }
    return [...out.values()]
  }

  async recentFills(sinceTs: number): Promise<Fill[]> {
    const items = await this.executions(sinceTs)
    await this.d.joiner.idle()
    const account = this.d.accountId()
    const out: Fill[] = []
    for (const [, contract, execution] of items) {
      const e = rec(execution)
      if (account !== undefined && str(e.acctNumber) !== '' && str(e.acctNumber) !== account) continue
      const ts = this.execTime(e)
      if (ts < sinceTs) continue
      const ref = str(e.orderRef)
      const t = num(e.clientId) === this.d.clientId ? this.d.tracker.byOrderId(num(e.orderId)) : this.d.tracker.get(ref)
      const cid = t?.clientOrderId ?? (this.d.isOurs(ref) ? ref : `external:${num(e.permId) || num(e.orderId)}`)
      const fee = this.d.joiner.feeOf(str(e.execId)) ?? 0
      out.push(fillOf(execution, cid, this.d.instrumentOf(contract), fee, ts))
    }
    return out
  }

  /**
   * The order as TWS knows it: tracked (this run's, or an earlier run's that TWS listed as open or
   * executed); else, or when TWS's open orders and executions leave its end untold, TWS's completed
   * orders (reqCompletedOrders) by orderRef — an earlier run's order cancelled before a restart
   * answers cancelled. undefined: TWS knows no such order.
   */
  async order(clientOrderId: string): Promise<OrderState | undefined> {
    const {tracker} = this.d
    if (!isClientId(clientOrderId)) return undefined
    let t = tracker.get(clientOrderId)
    if (t?.refused === true) return undefined
    if (t === undefined || !OrderTracker.isFinal(t)) await this.lookUp(t?.unknownSince)
    t = tracker.get(clientOrderId)
    if (t?.refused === true) return undefined
    const untold = t === undefined || (t.completedChecked !== true && (t.fromExecutions === true || (!t.acked && !OrderTracker.isFinal(t))))
    if (t !== undefined && !untold) return tracker.state(t)
    const done = await this.completedOrder(clientOrderId)
    t = tracker.get(clientOrderId)
    if (t !== undefined) {
      if (done !== undefined) tracker.completed(t, done[1], done[2])
      return t.refused ? undefined : tracker.state(t)
    }
    if (done === undefined) return undefined
    // An earlier run's order TWS finished without an execution it still lists: cancelled or rejected
    // with nothing filled answers as such. One that filled (TWS keeps executions for the day,
    // completed orders longer) has no known price here: that is said, never guessed.
    const [contract, order, state] = done
    const {venueOrderId: _id, ...sent} = requestOf(order, clientOrderId, this.d.instrumentOf(contract))
    const status = str(rec(state).status) || 'Cancelled'
    const filled = num(rec(order).filledQuantity)
    if (filled > 0) throw this.d.unknown(`IBKR: ${clientOrderId} is ${status} at TWS with ${filled} filled, but TWS lists no execution of it: its fill price is unknown (the reconciler compares positions)`)
    return {...sent, status: statusOf(status, 0, sent.qty), filledQty: 0, avgFillPrice: 0, updatedAt: this.d.now()}
  }

  /**
   * TWS's record of a finished order of rick's (reqCompletedOrders, API orders only), found by its
   * orderRef in this account: [contract, order, state], or undefined (not finished, not kept, or a
   * TWS older than version 150). A completedOrder carries no order id nor client id.
   */
  async completedOrder(clientOrderId: string): Promise<unknown[] | undefined> {
    const c = this.d.client()
    if (!(c.serverVersion >= COMPLETED_ORDERS_VERSION)) return undefined
    const items = await this.d.requests.single('completedOrders', () => c.reqCompletedOrders(true))
    const account = this.d.accountId()
    // The last one: an orderRef is sent once, but the newest record says most.
    return items.filter(([, order]) => str(rec(order).orderRef) === clientOrderId && (account === undefined || str(rec(order).account) === '' || str(rec(order).account) === account)).at(-1)
  }

  /** reqExecutions since a time; each execution also goes to the joiner (its fill goes out once). */
  executions(sinceTs: number, duringOpen = false): Promise<unknown[][]> {
    const c = this.d.client(duringOpen)
    const account = this.d.accountId()
    const filter = {time: formatUtc(Math.max(0, sinceTs - EXEC_SLACK_MS)), ...(account === undefined ? {} : {acctCode: account})}
    return this.d.requests.byRequestId('reqExecutions', (id) => c.reqExecutions(id, filter)).done
  }

  /** What TWS knows of rick's orders now: open orders, then executions since `since` (their events go out). */
  async lookUp(since: number | undefined): Promise<void> {
    const c = this.d.client()
    const list = await this.openOrderList(c)
    const oldest = Math.min(since ?? this.d.now(), ...this.d.tracker.live().map((t) => t.unknownSince ?? t.updatedAt))
    const executed = await this.executions(oldest - LOOKUP_WINDOW_MS)
    this.concludeUnlisted(list, executed)
    await this.d.joiner.idle()
  }

  /** On every (re)connect: open orders, positions, the account, then executions. */
  async reread(): Promise<void> {
    const c = this.d.client(true)
    const list = await this.openOrderList(c)
    await this.positions(true)
    const {reqId, done} = this.d.requests.byRequestId('reqAccountSummary', (id) => c.reqAccountSummary(id, 'All', SUMMARY_TAGS))
    await done
    this.d.current()?.cancelAccountSummary(reqId)
    const oldest = Math.min(...this.d.tracker.live().map((t) => t.unknownSince ?? t.updatedAt), this.d.now()) - LOOKUP_WINDOW_MS
    this.concludeUnlisted(list, await this.executions(oldest, true))
  }

  /**
   * reqOpenOrders (this client's open orders, complete up to openOrderEnd), with the tracker's
   * lastSeq() at the moment it was sent: only orders tracked by then can be judged by it.
   */
  private async openOrderList(c: TwsClient): Promise<{items: unknown[][]; before: number}> {
    const {items, tag} = await this.d.requests.singleTagged(
      'openOrders',
      () => {
        const seq = this.d.tracker.lastSeq()
        c.reqOpenOrders()
        return seq
      },
      'allOpenOrders',
    )
    return {items, before: tag ?? -1}
  }

  /** The orders the open-order list left out that the executions do not fill end as cancelled (OrderTracker.unlisted). */
  private concludeUnlisted(list: {items: unknown[][]; before: number}, executions: unknown[][]): void {
    const ids = new Set<number>()
    const refs = new Set<string>()
    for (const [orderId, , order] of list.items) {
      const o = rec(order)
      if (num(o.clientId) === this.d.clientId) ids.add(num(orderId))
      else if (str(o.orderRef) !== '') refs.add(str(o.orderRef))
    }
    // TWS's cumQty is the order's quantity executed so far; the largest one seen is the latest.
    const byId = new Map<number, number>()
    const byRef = new Map<string, number>()
    for (const [, , execution] of executions) {
      const e = rec(execution)
      const cum = Math.max(num(e.cumQty), num(e.shares))
      if (!Number.isFinite(cum)) continue
      if (num(e.clientId) === this.d.clientId) byId.set(num(e.orderId), Math.max(byId.get(num(e.orderId)) ?? 0, cum))
      const ref = str(e.orderRef)
      if (ref !== '') byRef.set(ref, Math.max(byRef.get(ref) ?? 0, cum))
    }
    this.d.tracker.unlisted({ids, refs}, list.before, (t) => Math.max(byId.get(t.orderId) ?? 0, byRef.get(t.clientOrderId) ?? 0))
  }

  /** An execution's time (TWS's text), or now when it cannot be read. */
  execTime(e: Record<string, unknown>): number {
    try {
      return parseTwsTime(str(e.time), 'UTC')
    } catch {
      return this.d.now()
    }
  }
}
