// The simulated account's order side: creating orders, cancelling them, and working the open ones
// over the price path. The account trades against a deep book whose best bid and ask are the path's:
//   market          fills at once, whole, as taker at the ask (buy) or the bid (sell); a buy sized
//                   in quote spends at most quote_size, fees included (Coinbase's rule), so the base
//                   bought is floor(quote / (ask × (1 + taker)), base_increment);
//   limit           marketable when sent (buy limit ≥ ask, sell limit ≤ bid): fills at once as taker
//                   at the ask/bid, or is refused if post-only (INVALID_LIMIT_PRICE_POST_ONLY);
//                   otherwise it rests and fills whole, as maker at its limit, at the first step
//                   where the other side reaches it (core's matchLimit, touch rule); IOC/FOK that
//                   cannot fill at once are cancelled; GTD expires at end_time;
//   stop-limit      refused when the stop is already on the wrong side of the last trade; triggers
//                   at the first trade at or beyond the stop in its stop_direction (core's
//                   stopTrigger on the trade price), then works as the limit above.
// Holds: a buy holds limit × size × (1 + taker) of quote, a sell its base size; INSUFFICIENT_FUND
// when that is more than is available. Fees: notional × the maker or taker rate, unrounded, in quote.
import type {Bar} from '../../../../src/foundation/domain/bars.js'
import type {Random} from '../../../../src/foundation/random.js'
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import {seededUuid} from './credentials.js'
import type {Ledger} from './ledger.js'
import type {Market, Tick} from './market.js'
import {div, floorTo, min, mul, ONE, type Units} from './money.js'
import {isFinal, type SimFill, type SimOrder} from './model.js'
import {REFUSALS, refusalBody, type Refusal} from './refusals.js'
import {isObject, parseOrderRequest, type OrderRequest} from './requests.js'
import type {FeedSide, FeedTrade} from './ws-feed.js'

export interface Outcome {
  status: number
  body: Record<string, unknown>
}

export interface FeeRates {
  maker: Units
  taker: Units
}

export interface ExchangeDeps {
  core: CoreRuntime
  market: Market
  ledger: Ledger
  fees: FeeRates
  /** Order, fill and trade ids. */
  ids: Random
}

export class Exchange {
  readonly orders = new Map<string, SimOrder>()
  readonly fills: SimFill[] = []
  private readonly byClientId = new Map<string, SimOrder>()
  private readonly lastStep = new Map<string, number>()
  private seq = 0
  private readonly orderListeners = new Set<(o: SimOrder) => void>()
  private readonly tradeListeners = new Set<(t: FeedTrade, tick: Tick) => void>()

  constructor(private readonly d: ExchangeDeps) {}

  onOrder(fn: (o: SimOrder) => void): () => void {
    this.orderListeners.add(fn)
    return () => this.orderListeners.delete(fn)
  }

  /** The account's own fills as public trades (the websocket's market_trades show them too). */
  onTrade(fn: (t: FeedTrade, tick: Tick) => void): () => void {
    this.tradeListeners.add(fn)
    return () => this.tradeListeners.delete(fn)
  }

  openOrders(): SimOrder[] {
    return [...this.orders.values()].filter((o) => !isFinal(o.status)).sort((a, b) => a.seq - b.seq)
  }

  /**
   * POST /orders. `refuse`: the refuse fault, asked once the request is a valid new order (a
   * refused order creates nothing and takes no client id).
   */
  create(body: unknown, now: number, options: {external?: boolean; refuse?: () => Refusal | undefined} = {}): Outcome {
    // A repeated client_order_id creates nothing: Coinbase answers with the order that has it.
    const existing = isObject(body) && typeof body.client_order_id === 'string' ? this.byClientId.get(body.client_order_id) : undefined
    if (existing !== undefined) return {status: 200, body: successBody(existing)}
    const parsed = parseOrderRequest(body, (id) => (this.d.market.has(id) ? this.d.market.product(id) : undefined))
    if (!parsed.ok) return 'refusal' in parsed ? {status: 200, body: refusalBody(parsed.refusal, parsed.config)} : {status: parsed.status, body: parsed.body}
    const req = parsed.order
    const forced = options.refuse?.()
    if (forced !== undefined) return {status: 200, body: refusalBody(forced, req.config)}
    this.catchUp(req.productId, now)
    const tick = this.d.market.tick(req.productId, now)
    const check = this.admit(req, tick, now)
    if (check.refusal !== undefined) return {status: 200, body: refusalBody(check.refusal, req.config)}
    const order = this.open(req, check.hold, now, options.external === true)
    this.emit(order)
    this.firstMoment(order, tick, now)
    return {status: 200, body: successBody(order)}
  }

  /** POST /orders/batch_cancel. */
  cancel(orderIds: readonly string[], now: number): Array<{success: boolean; failure_reason: string; order_id: string}> {
    return orderIds.map((id) => {
      const order = this.orders.get(id)
      if (order === undefined) return {success: false, failure_reason: 'UNKNOWN_CANCEL_ORDER', order_id: id}
      if (isFinal(order.status)) return {success: false, failure_reason: order.status === 'CANCELLED' ? 'DUPLICATE_CANCEL_REQUEST' : 'UNKNOWN_CANCEL_ORDER', order_id: id}
      this.finish(order, 'CANCELLED', now, 'User requested cancel')
      return {success: true, failure_reason: 'UNKNOWN_CANCEL_FAILURE_REASON', order_id: id}
    })
  }

  /** Works the open orders over every step of the price path up to `now`. */
  process(now: number): void {
    for (const id of this.d.market.products.keys()) this.catchUp(id, now)
  }

  private catchUp(productId: string, now: number): void {
    const m = this.d.market
    const target = m.stepAt(productId, now)
    const from = (this.lastStep.get(productId) ?? target) + 1
    this.lastStep.set(productId, Math.max(target, from - 1))
    // Frozen prices trigger nothing; the steps pass unseen.
    if (m.frozenAt !== undefined) return
    let working = this.openOrders().filter((o) => o.productId === productId)
    for (let s = from; s <= target && working.length > 0; s++) {
      const tick = m.tickAt(productId, s)
      if (tick === undefined) continue
      const trade = m.tradeAt(productId, s)
      for (const order of working) this.step(order, tick, trade?.price)
      working = working.filter((o) => !isFinal(o.status))
    }
  }

  /** One order at one step of the path. */
  private step(order: SimOrder, tick: Tick, tradePrice: Units | undefined): void {
    if (order.endTime !== undefined && tick.ts >= order.endTime) {
      this.finish(order, 'EXPIRED', tick.ts, '')
      return
    }
    if (order.stopPrice !== undefined && !order.triggered) {
      if (tradePrice === undefined) return
      const direction = order.stopDirection === 'STOP_DIRECTION_STOP_UP' ? 'buy' : 'sell'
      if (this.d.core.matching.stopTrigger(direction, this.ticks(order, order.stopPrice), this.bar(order, tick.ts, tradePrice)) === undefined) return
      order.triggered = true
      this.emit(order)
      if (this.marketable(order, tick)) {
        this.fill(order, order.side === 'BUY' ? tick.ask : tick.bid, order.baseSize as Units, 'TAKER', tick)
        return
      }
      order.rested = true
      return
    }
    // A resting limit: hit when the other side of the book reaches it, at its own price (maker).
    const side = order.side === 'BUY' ? 'buy' : 'sell'
    const against = order.side === 'BUY' ? tick.ask : tick.bid
    const limit = order.limitPrice as Units
    if (this.d.core.matching.matchLimit(side, this.ticks(order, limit), this.bar(order, tick.ts, against), false, 'touch') !== undefined) {
      this.fill(order, limit, (order.baseSize as Units) - order.filledSize, 'MAKER', tick)
    }
  }

  /** Checks that need the market and the account; the hold the order takes. */
  private admit(req: OrderRequest, tick: Tick, now: number): {refusal?: Refusal; hold: Units} {
    const p = this.d.market.product(req.productId)
    const buy = req.side === 'BUY'
    const taker = ONE + this.d.fees.taker
    if (req.stopPrice !== undefined) {
      const last = this.d.market.lastPrice(req.productId, now)
      if (req.stopDirection === 'STOP_DIRECTION_STOP_DOWN' && req.stopPrice >= last) return {refusal: REFUSALS.STOP_PRICE_ABOVE_LAST_TRADE_PRICE, hold: 0n}
      if (req.stopDirection === 'STOP_DIRECTION_STOP_UP' && req.stopPrice <= last) return {refusal: REFUSALS.STOP_PRICE_BELOW_LAST_TRADE_PRICE, hold: 0n}
    }
    if (req.endTime !== undefined && req.endTime <= now) return {refusal: REFUSALS.INVALID_END_TIME, hold: 0n}
    if (req.postOnly && req.limitPrice !== undefined && (buy ? req.limitPrice >= tick.ask : req.limitPrice <= tick.bid)) return {refusal: REFUSALS.INVALID_LIMIT_PRICE_POST_ONLY, hold: 0n}
    let need: Units
    if (req.kind === 'market_market_ioc') {
      if (buy) need = req.quoteSize ?? mul(mul(req.baseSize as Units, tick.ask), taker)
      else need = req.baseSize ?? this.baseForQuote(req.quoteSize as Units, tick.bid, p.u.baseIncrement)
      if (!buy && need === 0n) return {refusal: REFUSALS.QUOTE_SIZE_TOO_SMALL, hold: 0n}
      if (buy && req.quoteSize !== undefined && floorTo(div(req.quoteSize, mul(tick.ask, taker)), p.u.baseIncrement) < p.u.baseMinSize) return {refusal: REFUSALS.QUOTE_SIZE_TOO_SMALL, hold: 0n}
      if (!buy && req.baseSize !== undefined && mul(req.baseSize, tick.bid) < p.u.quoteMinSize) return {refusal: REFUSALS.QUOTE_SIZE_TOO_SMALL, hold: 0n}
    } else {
      need = buy ? mul(mul(req.baseSize as Units, req.limitPrice as Units), taker) : (req.baseSize as Units)
    }
    const ccy = buy ? p.quote : p.base
    if (need > this.d.ledger.available(ccy)) return {refusal: REFUSALS.INSUFFICIENT_FUND, hold: 0n}
    return {hold: req.kind === 'market_market_ioc' ? 0n : need}
  }

  private open(req: OrderRequest, hold: Units, now: number, external: boolean): SimOrder {
    const p = this.d.market.product(req.productId)
    const holdCurrency = req.side === 'BUY' ? p.quote : p.base
    if (hold > 0n) this.d.ledger.hold(holdCurrency, hold)
    const order: SimOrder = {
      seq: ++this.seq,
      orderId: seededUuid(this.d.ids),
      clientOrderId: req.clientOrderId,
      productId: req.productId,
      side: req.side,
      kind: req.kind,
      config: req.config,
      ...(req.baseSize !== undefined ? {baseSize: req.baseSize} : {}),
      ...(req.quoteSize !== undefined ? {quoteSize: req.quoteSize} : {}),
      ...(req.limitPrice !== undefined ? {limitPrice: req.limitPrice} : {}),
      ...(req.stopPrice !== undefined ? {stopPrice: req.stopPrice} : {}),
      ...(req.stopDirection !== undefined ? {stopDirection: req.stopDirection} : {}),
      ...(req.endTime !== undefined ? {endTime: req.endTime} : {}),
      postOnly: req.postOnly,
      status: 'OPEN',
      triggered: false,
      rested: false,
      createdTs: now,
      filledSize: 0n,
      filledValue: 0n,
      totalFees: 0n,
      numberOfFills: 0,
      hold,
      holdCurrency,
      cancelMessage: '',
      external,
    }
    this.orders.set(order.orderId, order)
    this.byClientId.set(order.clientOrderId, order)
    return order
  }

  /** What happens to a new order at once. */
  private firstMoment(order: SimOrder, tick: Tick, now: number): void {
    const at = {...tick, ts: now}
    if (order.kind === 'market_market_ioc') {
      const buy = order.side === 'BUY'
      const price = buy ? tick.ask : tick.bid
      const p = this.d.market.product(order.productId)
      let size = order.baseSize
      if (size === undefined) size = buy ? floorTo(div(order.quoteSize as Units, mul(price, ONE + this.d.fees.taker)), p.u.baseIncrement) : this.baseForQuote(order.quoteSize as Units, price, p.u.baseIncrement)
      this.fill(order, price, size, 'TAKER', at, true)
      return
    }
    if (order.stopPrice !== undefined) return
    if (this.marketable(order, tick)) {
      this.fill(order, order.side === 'BUY' ? tick.ask : tick.bid, order.baseSize as Units, 'TAKER', at)
      return
    }
    if (order.kind === 'sor_limit_ioc' || order.kind === 'limit_limit_fok') {
      this.finish(order, 'CANCELLED', now, '')
      return
    }
    order.rested = true
  }

  private marketable(order: SimOrder, tick: Tick): boolean {
    const limit = order.limitPrice as Units
    return order.side === 'BUY' ? tick.ask <= limit : tick.bid >= limit
  }

  /** One fill: the money moves here and nowhere else. `whole`: the order ends with it. */
  private fill(order: SimOrder, price: Units, size: Units, liquidity: 'MAKER' | 'TAKER', tick: Tick, whole = false): void {
    const p = this.d.market.product(order.productId)
    const value = mul(size, price)
    const fee = mul(value, liquidity === 'MAKER' ? this.d.fees.maker : this.d.fees.taker)
    if (order.hold > 0n) {
      const portion = order.side === 'BUY' ? mul(mul(size, order.limitPrice as Units), ONE + this.d.fees.taker) : size
      const released = min(portion, order.hold)
      this.d.ledger.release(order.holdCurrency, released)
      order.hold -= released
    }
    if (order.side === 'BUY') this.d.ledger.settle({currency: p.quote, amount: value + fee}, {currency: p.base, amount: size})
    else this.d.ledger.settle({currency: p.base, amount: size}, {currency: p.quote, amount: value - fee})
    const fill: SimFill = {seq: this.fills.length + 1, entryId: seededUuid(this.d.ids), tradeId: seededUuid(this.d.ids), orderId: order.orderId, productId: order.productId, side: order.side, price, size, commission: fee, liquidity, ts: tick.ts, sizeInQuote: order.quoteSize !== undefined}
    this.fills.push(fill)
    order.filledSize += size
    order.filledValue += value
    order.totalFees += fee
    order.numberOfFills++
    order.lastFillTs = tick.ts
    const done = whole || (order.baseSize !== undefined && order.filledSize >= order.baseSize)
    if (done) this.finish(order, 'FILLED', tick.ts, '')
    else this.emit(order)
    const takerSide: FeedSide = liquidity === 'TAKER' ? order.side : order.side === 'BUY' ? 'SELL' : 'BUY'
    const trade: FeedTrade = {productId: order.productId, tradeId: fill.tradeId, price: this.d.market.priceText(order.productId, price), size: this.d.market.sizeText(order.productId, size), side: takerSide, ts: tick.ts}
    for (const fn of [...this.tradeListeners]) safely(() => fn(trade, tick))
  }

  /** An order becomes final; what it still holds is released. */
  private finish(order: SimOrder, status: 'FILLED' | 'CANCELLED' | 'EXPIRED', ts: number, message: string): void {
    if (order.hold > 0n) {
      this.d.ledger.release(order.holdCurrency, order.hold)
      order.hold = 0n
    }
    order.status = status
    order.endTs = ts
    order.cancelMessage = message
    this.emit(order)
  }

  private emit(order: SimOrder): void {
    for (const fn of [...this.orderListeners]) safely(() => fn(order))
  }

  private baseForQuote(quote: Units, price: Units, increment: Units): Units {
    return floorTo(div(quote, price), increment)
  }

  private ticks(order: SimOrder, price: Units): number {
    return Number(price / this.d.market.product(order.productId).u.quoteIncrement)
  }

  private bar(order: SimOrder, ts: number, price: Units): Bar {
    const t = this.ticks(order, price)
    return {instrument: order.productId, ts, open: t, high: t, low: t, close: t, volume: 0}
  }
}

function successBody(order: SimOrder): Record<string, unknown> {
  return {success: true, success_response: {order_id: order.orderId, product_id: order.productId, side: order.side, client_order_id: order.clientOrderId}, order_configuration: order.config}
}

/** A listener that throws must not undo a fill that has happened. */
function safely(fn: () => void): void {
  try {
    fn()
  } catch {
    // The websocket side reports its own failures; the exchange goes on.
  }
}
