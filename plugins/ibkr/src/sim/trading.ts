// Orders at the simulated TWS: placing, modifying (the same orderId placed again), cancelling,
// transmitting held groups, native brackets and OCA groups, and matching against the price path.
//
// Placing, in TWS's order of checks: the contract (200), a duplicate id (103) or a modify of an
// order the client has (104 filled, 105 another contract), the order's fields (validate.ts: 434, 321,
// 387, 110), the missing parent (10006), the reject fault, the margin (201). A refusal is an error
// message with the orderId as its id; the order then does not exist.
//
// Brackets: an order placed with transmit=false is held, silently, until a later order of its group
// (the parent and the children naming it in parentId) is placed with transmit=true: then the whole
// group goes, oldest first. Children stay PreSubmitted until the parent fills, then work; a child's
// fill cancels its siblings (they are one OCA group at IB), a cancelled parent takes its children
// with it. OCA groups: ocaType 1 — a fill cancels the other members; 2 and 3 — a fill reduces the
// other members by the quantity filled (cancelled when nothing is left).
//
// Matching, one step of the path at a time (1 s of sim time), oldest order first: market orders at
// the touch (ask to buy, bid to sell); limits when the touch reaches the limit, at the touch (the
// limit or better); stops trigger when the touch reaches the stop and then fill at the touch;
// stop-limits trigger the same way and then work as limits. A marketable order fills as it is
// placed, at the quote of that moment. IOC/FOK not filled at once are cancelled. DAY orders are
// cancelled at the close of their session (hours.ts). Fills are whole (no partial fills).
import type {Account} from './account.js'
import {isFinal, OrderBook, openOrderOf, statusOf, type WorkingOrder} from './book.js'
import type {Catalogue, Product} from './catalogue.js'
import {commissionMicro, MICRO} from './commissions.js'
import type {Executions} from './executions.js'
import {dayOrderExpiry} from './hours.js'
import type {ExecIds, OrderIds, PermIds} from './ids.js'
import type {Market, StepQuote} from './market.js'
import type {RecordKeeper} from './records.js'
import type {SimContract, SimEvent, SimExecution, SimOrder, SimRefusal} from './seam.js'
import {validateOrder, wholeQuantity} from './validate.js'

export interface TradingDeps {
  catalogue: Catalogue
  market: Market
  account: Account
  executions: Executions
  ids: OrderIds
  permIds: PermIds
  execIds: ExecIds
  records: RecordKeeper
  now(): number
  /** Sends an event about an order to its client (the broker withholds them while connectivity is lost). */
  emit(event: SimEvent): void
  /** The reject fault: the refusal for this placement, if one is due. */
  rejectDue(): SimRefusal | undefined
}

type CancelCause = 'client' | 'venue'

export class Trading {
  readonly book = new OrderBook()
  private lastStep: number

  constructor(private readonly d: TradingDeps) {
    this.lastStep = d.market.stepAt(d.now())
  }

  /** The contract a placeOrder names: exactly one of the catalogue. */
  resolve(c: SimContract): Product | undefined {
    const found = this.d.catalogue.find(c)
    return found.length === 1 ? found[0] : undefined
  }

  /** `external`: an order by hand in TWS (clientId 0, a negative id of TWS's making). */
  place(contract: SimContract, order: SimOrder, external = false): void {
    const refuse = (r: SimRefusal): void => {
      this.d.records.refused(order.orderRef, r.code)
      this.error(order.clientId, order.orderId, r)
    }
    if (!external && (!Number.isSafeInteger(order.orderId) || order.orderId <= 0)) return refuse({code: 321, message: `Error validating request.-'bN' : cause - Invalid order id: ${order.orderId}`})
    const product = this.resolve(contract)
    if (product === undefined) return refuse({code: 200, message: 'No security definition has been found for the request'})
    const existing = this.book.get(order.clientId, order.orderId)
    if (existing !== undefined) return this.modify(existing, product, order, refuse)
    if (!external && this.d.ids.isDuplicate(order.clientId, order.orderId)) return refuse({code: 103, message: 'Duplicate order id'})
    const invalid = validateOrder(product, order)
    if (invalid !== undefined) return refuse(invalid)
    const parent = order.parentId > 0 ? this.book.get(order.clientId, order.parentId) : undefined
    if (order.parentId > 0 && (parent === undefined || parent.status === 'Cancelled')) return refuse({code: 10006, message: 'Missing parent order.'})
    const rejected = this.d.rejectDue()
    if (rejected !== undefined) return refuse(rejected)
    const qty = wholeQuantity(order.totalQuantity) as number
    const signed = order.action === 'BUY' ? qty : -qty
    // A bracket child closes what its parent opens: its margin is its parent's.
    const margin = parent === undefined ? this.d.account.marginCheck(product, signed) : undefined
    if (margin !== undefined) return refuse({code: 201, message: `Order rejected - reason:${margin}`})

    this.d.ids.use(order.clientId, order.orderId)
    this.d.records.accepted(order.clientId, order.orderId, order.orderRef)
    const w: WorkingOrder = {
      seq: this.book.nextSeq(),
      product,
      order: {...order, orderType: order.orderType.toUpperCase(), tif: order.tif.toUpperCase() || 'DAY', permId: order.permId > 0 ? order.permId : this.d.permIds.take(), account: this.d.account.id},
      qty,
      filled: 0,
      avgFillPrice: 0,
      lastFillPrice: 0,
      status: 'PreSubmitted',
      held: !order.transmit,
      triggered: false,
      expiresTs: undefined,
      commissionMicro: 0,
    }
    this.book.add(w)
    if (order.transmit) this.transmitGroup(w)
  }

  private modify(w: WorkingOrder, product: Product, order: SimOrder, refuse: (r: SimRefusal) => void): void {
    if (w.status === 'Filled') return refuse({code: 104, message: "Can't modify a filled order."})
    if (w.status === 'Cancelled') return refuse({code: 103, message: 'Duplicate order id'})
    if (product.contract.conId !== w.product.contract.conId || order.action !== w.order.action) return refuse({code: 105, message: 'Order being modified does not match original order.'})
    const invalid = validateOrder(product, order)
    if (invalid !== undefined) return refuse(invalid)
    const qty = wholeQuantity(order.totalQuantity) as number
    if (qty > w.qty && w.order.parentId === 0) {
      const margin = this.d.account.marginCheck(product, (order.action === 'BUY' ? 1 : -1) * (qty - w.filled))
      if (margin !== undefined) return refuse({code: 201, message: `Order rejected - reason:${margin}`})
    }
    this.d.records.modified(w.order.orderRef)
    w.qty = qty
    w.order = {...w.order, totalQuantity: order.totalQuantity, orderType: order.orderType.toUpperCase(), lmtPrice: order.lmtPrice, auxPrice: order.auxPrice, tif: order.tif.toUpperCase() || 'DAY', outsideRth: order.outsideRth, orderRef: order.orderRef, transmit: order.transmit || w.order.transmit}
    if (w.held) {
      if (order.transmit) this.transmitGroup(w)
      return
    }
    if (w.order.tif === 'DAY' && w.expiresTs === undefined) w.expiresTs = this.expiry(w)
    if (w.order.tif !== 'DAY') w.expiresTs = undefined
    this.show(w)
    this.tryNow([w])
  }

  /** Sends the held orders of w's group, w included, oldest first. */
  private transmitGroup(w: WorkingOrder): void {
    const rootId = w.order.parentId > 0 ? w.order.parentId : w.order.orderId
    const root = this.book.get(w.order.clientId, rootId)
    const group = this.book.open().filter((o) => o === w || (o.held && o.order.clientId === w.order.clientId && (o === root || o.order.parentId === rootId)))
    for (const o of group) {
      o.held = false
      o.order.transmit = true
      if (o.order.tif === 'DAY') o.expiresTs = this.expiry(o)
      // TWS shows every new order PreSubmitted first, then its working status.
      o.status = 'PreSubmitted'
      this.show(o)
      const working = this.workingStatus(o)
      if (working !== o.status) {
        o.status = working
        this.show(o)
      }
    }
    this.tryNow(group)
  }

  private expiry(w: WorkingOrder): number {
    const extended = w.product.contract.secType !== 'STK' || w.order.outsideRth
    return dayOrderExpiry(w.product.session, this.d.now(), extended)
  }

  /** Where an active order rests: PreSubmitted while its parent is unfilled or IB holds a stock stop. */
  private workingStatus(w: WorkingOrder): 'PreSubmitted' | 'Submitted' {
    const parent = this.book.parentOf(w)
    if (parent !== undefined && parent.status !== 'Filled') return 'PreSubmitted'
    const stop = w.order.orderType === 'STP' || w.order.orderType === 'STP LMT'
    if (stop && !w.triggered && w.product.contract.secType === 'STK') return 'PreSubmitted'
    return 'Submitted'
  }

  /** Orders that may fill now: transmitted, not final, parent (if any) filled. */
  private active(w: WorkingOrder): boolean {
    if (w.held || isFinal(w)) return false
    const parent = this.book.parentOf(w)
    return parent === undefined || parent.status === 'Filled'
  }

  /** Matches orders at the quote of this moment; IOC/FOK that did not fill are cancelled. */
  private tryNow(orders: WorkingOrder[]): void {
    const step = this.d.market.stepAt(this.d.now())
    for (const w of orders) {
      if (!this.active(w)) continue
      const q = this.d.market.atStep(w.product.contract.conId, step)
      if (q !== undefined) this.tryFill(w, q, false)
      if (!isFinal(w) && (w.order.tif === 'IOC' || w.order.tif === 'FOK')) this.cancel(w, 'venue')
    }
  }

  cancelByClient(clientId: number, orderId: number): void {
    const w = this.book.get(clientId, orderId)
    if (w === undefined) return this.error(clientId, orderId, {code: 10147, message: `OrderId ${orderId} that needs to be cancelled is not found.`})
    if (isFinal(w)) return this.error(clientId, orderId, {code: 10148, message: `OrderId ${orderId} that needs to be cancelled can not be cancelled, state: ${w.status}.`})
    this.cancel(w, 'client')
  }

  private cancel(w: WorkingOrder, cause: CancelCause): void {
    if (isFinal(w)) return
    w.status = 'Cancelled'
    w.completedTs = this.d.now()
    w.held = false
    this.d.records.cancelled(w.order.orderRef)
    this.show(w)
    if (cause === 'client') this.error(w.order.clientId, w.order.orderId, {code: 202, message: 'Order Canceled - reason:'})
    for (const c of this.book.childrenOf(w)) if (!isFinal(c)) this.cancel(c, cause)
  }

  /** Works every step of the path from the last one worked up to `now`. */
  work(now: number): void {
    const target = this.d.market.stepAt(now)
    // After a long stall only the last day of steps is worked (what a real book would have seen
    // is lost anyway; the cap keeps one pulse bounded).
    let s = Math.max(this.lastStep + 1, target - 86_400)
    for (; s <= target; s++) {
      const ts = this.d.market.tsOfStep(s)
      for (const w of this.book.open()) {
        if (w.expiresTs !== undefined && ts >= w.expiresTs && !w.held) {
          this.cancel(w, 'venue')
          continue
        }
        if (!this.active(w)) continue
        const q = this.d.market.atStep(w.product.contract.conId, s)
        if (q !== undefined) this.tryFill(w, q, true)
      }
    }
    this.lastStep = Math.max(this.lastStep, target)
  }

  /** `resting`: the order met a later step than the one it was placed at (a limit then adds liquidity). */
  private tryFill(w: WorkingOrder, q: StepQuote, resting: boolean): void {
    const buy = w.order.action === 'BUY'
    const touch = buy ? q.askTicks : q.bidTicks
    const tick = w.product.minTick
    const ticks = (price: number | null): number => Math.round((price as number) / tick)
    const type = w.order.orderType
    if ((type === 'STP' || type === 'STP LMT') && !w.triggered) {
      const stop = ticks(w.order.auxPrice)
      if (buy ? touch < stop : touch > stop) return
      w.triggered = true
      if (w.status === 'PreSubmitted') {
        w.status = 'Submitted'
        this.show(w)
      }
    }
    if (type === 'LMT' || type === 'STP LMT') {
      const limit = ticks(w.order.lmtPrice)
      if (buy ? touch > limit : touch < limit) return
    }
    this.fill(w, buy ? q.ask : q.bid, q.ts, resting && type === 'LMT')
  }

  /** Fills what is left of `w` at `price` (also the fillWhileAway fault's way in). */
  fill(w: WorkingOrder, price: number, ts: number, addedLiquidity = false): void {
    const qty = w.qty - w.filled
    if (qty <= 0 || isFinal(w)) return
    const p = w.product
    const buy = w.order.action === 'BUY'
    const commission = commissionMicro(p, qty, price)
    const booking = this.d.account.book(p, buy ? qty : -qty, price, commission)
    w.avgFillPrice = (w.avgFillPrice * w.filled + price * qty) / (w.filled + qty)
    w.filled += qty
    w.lastFillPrice = price
    w.commissionMicro += commission
    w.status = 'Filled'
    w.completedTs = ts
    const execution: SimExecution = {
      orderId: w.order.orderId,
      clientId: w.order.clientId,
      permId: w.order.permId,
      execId: this.d.execIds.take(ts),
      ts,
      acctNumber: this.d.account.id,
      exchange: p.contract.exchange === 'SMART' ? p.contract.primaryExchange : p.contract.exchange,
      side: buy ? 'BOT' : 'SLD',
      shares: String(qty),
      price,
      cumQty: String(w.filled),
      avgPrice: w.avgFillPrice,
      orderRef: w.order.orderRef,
      liquidation: 0,
      // 1 added liquidity (a resting limit), 2 removed it.
      lastLiquidity: addedLiquidity ? 1 : 2,
      contract: {...p.contract},
    }
    const report = {execId: execution.execId, commission: commission / MICRO, currency: 'USD', realizedPNL: booking.realizedMicro === null ? null : booking.realizedMicro / MICRO}
    this.d.executions.add({execution, report})
    this.d.records.filled(w.order.orderRef)
    const clientId = w.order.clientId
    this.d.emit({kind: 'execution', clientId, execution: {...execution, contract: {...execution.contract}}})
    this.show(w)
    this.d.emit({kind: 'commission', clientId, report: {...report}})
    this.afterFill(w, qty)
  }

  private afterFill(w: WorkingOrder, qty: number): void {
    for (const c of this.book.childrenOf(w)) {
      if (c.held || isFinal(c)) continue
      const status = this.workingStatus(c)
      if (status !== c.status) {
        c.status = status
        this.show(c)
      }
    }
    const parent = this.book.parentOf(w)
    if (parent !== undefined) for (const s of this.book.childrenOf(parent)) if (s !== w && !isFinal(s)) this.cancel(s, 'venue')
    for (const peer of this.book.ocaPeers(w)) {
      if (w.order.ocaType === 1 || w.order.ocaType === 0) {
        this.cancel(peer, 'venue')
        continue
      }
      peer.qty -= Math.min(qty, peer.qty - peer.filled)
      peer.order = {...peer.order, totalQuantity: String(peer.qty)}
      if (peer.qty - peer.filled <= 0) this.cancel(peer, 'venue')
      else this.show(peer)
    }
  }

  /** openOrder and orderStatus for an order's current state. */
  private show(w: WorkingOrder): void {
    const clientId = w.order.clientId
    this.d.emit({kind: 'openOrder', clientId, open: openOrderOf(w)})
    this.d.emit({kind: 'orderStatus', clientId, status: statusOf(w)})
  }

  private error(clientId: number, orderId: number, r: SimRefusal): void {
    this.d.emit({kind: 'error', clientId, reqId: orderId, code: r.code, message: r.message})
  }
}
