// The simulated account's order side: creating orders (POST /orders), cancelling them, their client
// extensions, and the pending orders that the price path triggers. OANDA's answers:
//   201 {orderCreateTransaction, orderFillTransaction | orderCancelTransaction?, relatedTransactionIDs,
//        lastTransactionID}, with a Location header;
//   400 {orderRejectTransaction, relatedTransactionIDs, lastTransactionID, errorCode, errorMessage}
//       when the request is invalid (requests.ts has the reasons), 404 the same for a TP/SL whose trade
//       does not exist; a body that is not an order at all: 400 {errorMessage} and no transaction.
// Pending orders (LIMIT, STOP, MARKET_IF_TOUCHED, TAKE_PROFIT, STOP_LOSS) are checked at every step of
// the price path, with the paper venue's matching rules on a one-price bar: a limit (and a take
// profit) fills when the price touches it, at the market price then (never worse than its price);
// a stop (and a stop loss) when the price reaches it, at the market price then. DEFAULT triggers on
// the ask for a buy and the bid for a sell. GTD orders expire at their time, GFD at 17:00 New York.
import type {Quote} from '../../../../src/sectors/sim/index.js'
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {Bar} from '../../../../src/foundation/domain/bars.js'
import {tradingDayEnd} from './candles.js'
import {Filler} from './fills.js'
import type {Ledger} from './ledger.js'
import type {OandaMarket} from './market.js'
import type {ClientExtensions, OrderType, SimOrder, SimTrade} from './model.js'
import {ORDER_TYPES, parseOrderRequest, rejectMessage, type RequestContext} from './requests.js'
import type {Batch, TransactionLog, WireTransaction} from './transactions.js'
import {orderCreateFields, type ViewContext} from './views.js'

export interface Outcome {
  status: number
  body: Record<string, unknown>
  /** Path of a created order (the Location header). */
  location?: string
}

export interface BrokerDeps {
  core: CoreRuntime
  market: OandaMarket
  ledger: Ledger
  log: TransactionLog
  view: ViewContext
  orders: Map<string, SimOrder>
  hideFill(): boolean
}

const NOT_AN_ORDER = (field: string): Outcome => ({status: 400, body: {errorMessage: `Invalid value specified for '${field}'`}})

export class OandaBroker {
  readonly filler: Filler
  private lastStep = Number.NEGATIVE_INFINITY

  constructor(private readonly d: BrokerDeps) {
    this.filler = new Filler({view: d.view, ledger: d.ledger, log: d.log, hideFill: d.hideFill, addOrder: (o) => this.add(o)})
  }

  add(order: SimOrder): void {
    this.d.orders.set(order.id, order)
  }

  /** An order by id or by `@clientOrderID` (the latest with that id). */
  findOrder(spec: string): SimOrder | undefined {
    if (spec.startsWith('@')) {
      const id = spec.slice(1)
      let found: SimOrder | undefined
      for (const o of this.d.orders.values()) if (o.clientExtensions?.id === id) found = o
      return found
    }
    return this.d.orders.get(spec)
  }

  /** A trade by id or by `@clientTradeID` (an open one first). */
  findTrade(spec: string): SimTrade | undefined {
    if (spec.startsWith('@')) {
      const id = spec.slice(1)
      let found: SimTrade | undefined
      for (const t of this.d.ledger.trades.values()) if (t.clientExtensions?.id === id && (found === undefined || t.state === 'OPEN')) found = t
      return found
    }
    return this.d.ledger.trades.get(spec)
  }

  clientOrderIdTaken(id: string): boolean {
    for (const o of this.d.orders.values()) if (o.clientExtensions?.id === id) return true
    return false
  }

  clientTradeIdTaken(id: string): boolean {
    for (const t of this.d.ledger.openTrades()) if (t.clientExtensions?.id === id) return true
    return false
  }

  pendingOrders(): SimOrder[] {
    return [...this.d.orders.values()].filter((o) => o.state === 'PENDING').sort((a, b) => Number(a.id) - Number(b.id))
  }

  /** POST /v3/accounts/{id}/orders. */
  createOrder(body: unknown, now: number, requestID?: string): Outcome {
    const raw = isObject(body) ? body.order : undefined
    if (!isObject(raw)) return NOT_AN_ORDER('order')
    if (!ORDER_TYPES.includes(raw.type as OrderType)) return NOT_AN_ORDER('order.type')
    const type = raw.type as OrderType
    const parsed = parseOrderRequest(raw, type, this.requestContext(now))
    const batch = this.d.log.batch(now, requestID)
    if (!parsed.ok) {
      const reject = batch.add({type: `${type}_ORDER_REJECT`, ...echo(raw), reason: 'CLIENT_ORDER', rejectReason: parsed.reason})
      const status = parsed.reason === 'TRADE_DOESNT_EXIST' ? 404 : 400
      return {status, body: {orderRejectTransaction: reject, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID, errorCode: parsed.reason, errorMessage: rejectMessage(parsed.reason)}}
    }
    const order: SimOrder = {...parsed.fields, id: this.d.log.nextID, type, state: 'PENDING', createTime: now, reason: 'CLIENT_ORDER'}
    if (type === 'MARKET_IF_TOUCHED') {
      const q = this.d.market.quote(order.instrument, now)
      order.initialMarketPriceTicks = order.units > 0 ? q.askTicks : q.bidTicks
    }
    const create = batch.add(orderCreateFields(this.d.view, order))
    this.add(order)
    this.linkDependent(order)
    const result = this.afterCreate(order, batch)
    return {
      status: 201,
      location: `/v3/accounts/${this.d.log.accountID}/orders/${order.id}`,
      body: {orderCreateTransaction: create, ...result, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID},
    }
  }

  /** A new order's first moment: a market order fills (or is cancelled) now; a pending order that is
   *  already marketable fills now; FOK/IOC that cannot fill now are cancelled. */
  afterCreate(order: SimOrder, batch: Batch): {orderFillTransaction?: WireTransaction; orderCancelTransaction?: WireTransaction} {
    const q = this.d.market.quote(order.instrument, batch.now)
    let result: {fill?: WireTransaction; cancel?: WireTransaction} | undefined
    if (order.type === 'MARKET') result = this.filler.fill(order, batch, q, 'MARKET_ORDER')
    else if (!this.d.market.halted && this.triggers(order, q)) result = this.fillPending(order, batch, q)
    else if (order.timeInForce === 'FOK' || order.timeInForce === 'IOC') result = {cancel: this.filler.cancel(order, batch, 'TIME_IN_FORCE_EXPIRED')}
    return {...(result?.fill ? {orderFillTransaction: result.fill} : {}), ...(result?.cancel ? {orderCancelTransaction: result.cancel} : {})}
  }

  /** Makes a TP/SL order its trade's. */
  linkDependent(order: SimOrder): void {
    if (order.tradeID === undefined) return
    const trade = this.d.ledger.trades.get(order.tradeID)
    if (trade === undefined) return
    if (order.type === 'STOP_LOSS' && order.priceTicks === undefined && order.distanceTicks !== undefined) {
      // A distance is measured from the trade's price, on the losing side.
      order.priceTicks = trade.currentUnits > 0 ? trade.priceTicks - order.distanceTicks : trade.priceTicks + order.distanceTicks
    }
    if (order.type === 'TAKE_PROFIT') trade.takeProfitOrderID = order.id
    if (order.type === 'STOP_LOSS') trade.stopLossOrderID = order.id
  }

  /** PUT /orders/{spec}/cancel: 200 with ORDER_CANCEL, or 404 with ORDER_CANCEL_REJECT. */
  cancelOrder(spec: string, now: number, requestID?: string): Outcome {
    const order = this.findOrder(spec)
    const batch = this.d.log.batch(now, requestID)
    if (order === undefined || order.state !== 'PENDING') {
      const reject = batch.add({type: 'ORDER_CANCEL_REJECT', ...specFields(spec, order), rejectReason: 'ORDER_DOESNT_EXIST'})
      return {status: 404, body: {orderCancelRejectTransaction: reject, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID, errorCode: 'ORDER_DOESNT_EXIST', errorMessage: 'The Order specified does not exist'}}
    }
    const cancel = this.filler.cancel(order, batch, 'CLIENT_REQUEST')
    return {status: 200, body: {orderCancelTransaction: cancel, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID}}
  }

  /** PUT /orders/{spec}/clientExtensions (pending orders). */
  setOrderClientExtensions(spec: string, body: unknown, now: number, requestID?: string): Outcome {
    const order = this.findOrder(spec)
    const batch = this.d.log.batch(now, requestID)
    const b = isObject(body) ? body : {}
    const ce = readExtensions(b.clientExtensions)
    const tce = readExtensions(b.tradeClientExtensions)
    const fields = {...(ce === undefined ? {} : {clientExtensionsModify: ce}), ...(tce === undefined ? {} : {tradeClientExtensionsModify: tce})}
    let reason: string | undefined
    if (order === undefined || order.state !== 'PENDING') reason = 'ORDER_DOESNT_EXIST'
    else if (ce === null || tce === null) reason = 'CLIENT_ORDER_ID_INVALID'
    else if (ce === undefined && tce === undefined) reason = 'CLIENT_EXTENSIONS_DATA_MISSING'
    else if (ce?.id !== undefined && ce.id !== order.clientExtensions?.id && this.clientOrderIdTaken(ce.id)) reason = 'CLIENT_ORDER_ID_ALREADY_EXISTS'
    if (reason !== undefined || order === undefined || ce === null || tce === null) {
      const r = reason ?? 'ORDER_DOESNT_EXIST'
      const reject = batch.add({type: 'ORDER_CLIENT_EXTENSIONS_MODIFY_REJECT', ...specFields(spec, order), ...fields, rejectReason: r})
      return {status: r === 'ORDER_DOESNT_EXIST' ? 404 : 400, body: {orderClientExtensionsModifyRejectTransaction: reject, lastTransactionID: this.d.log.lastID, relatedTransactionIDs: batch.ids, errorCode: r, errorMessage: rejectMessage(r)}}
    }
    if (ce !== undefined) order.clientExtensions = {...order.clientExtensions, ...ce}
    if (tce !== undefined) order.tradeClientExtensions = {...order.tradeClientExtensions, ...tce}
    const tx = batch.add({type: 'ORDER_CLIENT_EXTENSIONS_MODIFY', orderID: order.id, ...(order.clientExtensions?.id === undefined ? {} : {clientOrderID: order.clientExtensions.id}), ...fields})
    return {status: 200, body: {orderClientExtensionsModifyTransaction: tx, lastTransactionID: this.d.log.lastID, relatedTransactionIDs: batch.ids}}
  }

  /** PUT /trades/{spec}/clientExtensions (open trades): TRADE_CLIENT_EXTENSIONS_MODIFY. */
  setTradeClientExtensions(spec: string, body: unknown, now: number, requestID?: string): Outcome {
    const trade = this.findTrade(spec)
    const batch = this.d.log.batch(now, requestID)
    const ce = readExtensions(isObject(body) ? body.clientExtensions : undefined)
    let reason: string | undefined
    if (trade === undefined || trade.state !== 'OPEN') reason = 'TRADE_DOESNT_EXIST'
    else if (ce === null) reason = 'CLIENT_TRADE_ID_INVALID'
    else if (ce === undefined) reason = 'CLIENT_EXTENSIONS_DATA_MISSING'
    else if (ce.id !== undefined && ce.id !== trade.clientExtensions?.id && this.clientTradeIdTaken(ce.id)) reason = 'CLIENT_TRADE_ID_ALREADY_EXISTS'
    const ids = trade === undefined ? (spec.startsWith('@') ? {clientTradeID: spec.slice(1)} : {tradeID: spec}) : {tradeID: trade.id, ...(trade.clientExtensions?.id === undefined ? {} : {clientTradeID: trade.clientExtensions.id})}
    if (reason !== undefined || trade === undefined || ce === null || ce === undefined) {
      const r = reason ?? 'TRADE_DOESNT_EXIST'
      const reject = batch.add({type: 'TRADE_CLIENT_EXTENSIONS_MODIFY_REJECT', ...ids, ...(isObject(ce) ? {tradeClientExtensionsModify: ce} : {}), rejectReason: r})
      return {status: r === 'TRADE_DOESNT_EXIST' ? 404 : 400, body: {tradeClientExtensionsModifyRejectTransaction: reject, lastTransactionID: this.d.log.lastID, relatedTransactionIDs: batch.ids, errorCode: r, errorMessage: rejectMessage(r)}}
    }
    trade.clientExtensions = {...trade.clientExtensions, ...ce}
    const tx = batch.add({type: 'TRADE_CLIENT_EXTENSIONS_MODIFY', ...ids, tradeClientExtensionsModify: ce})
    return {status: 200, body: {tradeClientExtensionsModifyTransaction: tx, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID}}
  }

  /** Runs the pending orders over every step of the price path up to `now`. */
  process(now: number): void {
    const path = this.d.market.path(this.d.market.instruments.keys().next().value as string)
    const target = path.stepAt(now)
    if (this.lastStep === Number.NEGATIVE_INFINITY) this.lastStep = target
    let pending = this.pendingOrders()
    for (let s = this.lastStep + 1; s <= target && pending.length > 0; s++) {
      const ts = path.tsOfStep(s)
      let changed = false
      for (const order of pending) {
        if (order.state !== 'PENDING') continue
        if (this.expired(order, ts)) {
          this.filler.cancel(order, this.d.log.batch(ts), 'TIME_IN_FORCE_EXPIRED')
          changed = true
          continue
        }
        if (this.d.market.halted) continue
        const q = this.d.market.frozenAt === undefined ? this.d.market.quoteAtStep(order.instrument, s) : this.d.market.quote(order.instrument, ts)
        if (q !== undefined && this.triggers(order, q)) {
          this.fillPending(order, this.d.log.batch(ts), q)
          changed = true
        }
      }
      // A fill can add orders (TP/SL on fill) and end others.
      if (changed) pending = this.pendingOrders()
    }
    if (target > this.lastStep) this.lastStep = target
  }

  private expired(order: SimOrder, ts: number): boolean {
    if (order.timeInForce === 'GTD') return order.gtdTime !== undefined && ts >= order.gtdTime
    if (order.timeInForce === 'GFD') return ts >= tradingDayEnd(order.createTime)
    return false
  }

  /** Fills a triggered pending order; a TP/SL closes its trade. */
  private fillPending(order: SimOrder, batch: Batch, q: Quote): {fill?: WireTransaction; cancel?: WireTransaction} {
    if (order.tradeID !== undefined) {
      const trade = this.d.ledger.trades.get(order.tradeID)
      if (trade === undefined || trade.state !== 'OPEN') return {cancel: this.filler.cancel(order, batch, 'LINKED_TRADE_CLOSED')}
      order.units = -trade.currentUnits
      return this.filler.fill(order, batch, q, `${order.type}_ORDER`, {trade})
    }
    return this.filler.fill(order, batch, q, `${order.type}_ORDER`)
  }

  /** Whether the order triggers at this price (paper matching rules on a one-price bar). */
  private triggers(order: SimOrder, q: Quote): boolean {
    let units = order.units
    if (order.tradeID !== undefined) {
      const trade = this.d.ledger.trades.get(order.tradeID)
      if (trade === undefined || trade.state !== 'OPEN') return true
      units = -trade.currentUnits
    }
    const buy = units > 0
    const level = order.priceTicks
    if (level === undefined) return false
    const at = triggerPrice(order.triggerCondition, buy, q)
    const bar: Bar = {instrument: order.instrument, ts: q.ts, open: at, high: at, low: at, close: at, volume: 0}
    const side = buy ? 'buy' : 'sell'
    const market = buy ? q.askTicks : q.bidTicks
    const m = this.d.core.matching
    const asLimit = (): boolean => m.matchLimit(side, level, bar, false, 'touch') !== undefined && (buy ? market <= level : market >= level)
    const asStop = (): boolean => m.stopTrigger(side, level, bar) !== undefined
    switch (order.type) {
      case 'LIMIT':
      case 'TAKE_PROFIT':
        return asLimit()
      case 'STOP':
      case 'STOP_LOSS':
        return asStop()
      case 'MARKET_IF_TOUCHED': {
        // Below the market when placed, a buy MIT waits for the price to come down to it (a limit);
        // above, for the price to rise to it (a stop). Either way it fills at the market.
        const initial = order.initialMarketPriceTicks ?? market
        return (buy ? level <= initial : level >= initial) ? m.matchLimit(side, level, bar, false, 'touch') !== undefined : asStop()
      }
      default:
        return false
    }
  }

  /** How requests.ts checks a request against this account (`replacing`: a TP/SL may replace one). */
  requestContext(now: number, replacing = false): RequestContext {
    const {market, ledger} = this.d
    return {
      sim: this.d.core.sim,
      now,
      instrument: (name) => (market.has(name) ? market.instrument(name) : undefined),
      clientOrderIdTaken: (id) => this.clientOrderIdTaken(id),
      clientTradeIdTaken: (id) => this.clientTradeIdTaken(id),
      trade: (tradeID, clientTradeID) => {
        if (tradeID === undefined && clientTradeID === undefined) return 'TRADE_ID_UNSPECIFIED'
        const t = typeof tradeID === 'string' ? ledger.trades.get(tradeID) : typeof clientTradeID === 'string' ? this.findTrade(`@${clientTradeID}`) : undefined
        if (t === undefined || t.state !== 'OPEN') return 'TRADE_DOESNT_EXIST'
        if (typeof clientTradeID === 'string' && typeof tradeID === 'string' && t.clientExtensions?.id !== clientTradeID) return 'TRADE_IDENTIFIER_INCONSISTENCY'
        return {instrument: t.instrument, units: t.currentUnits, tradeID: t.id}
      },
      hasDependent: (tradeID, type) => {
        if (replacing) return false
        const t = ledger.trades.get(tradeID)
        const id = type === 'TAKE_PROFIT' ? t?.takeProfitOrderID : t?.stopLossOrderID
        return id !== undefined && this.d.orders.get(id)?.state === 'PENDING'
      },
    }
  }
}

/** The price a trigger condition compares with the order's price. */
function triggerPrice(condition: SimOrder['triggerCondition'], buy: boolean, q: Quote): number {
  switch (condition) {
    case 'BID':
      return q.bidTicks
    case 'ASK':
      return q.askTicks
    case 'MID':
      return (q.bidTicks + q.askTicks) / 2
    case 'INVERSE':
      return buy ? q.bidTicks : q.askTicks
    default:
      return buy ? q.askTicks : q.bidTicks
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** What a reject transaction repeats of the request: its fields as sent, minus the type. */
function echo(raw: Record<string, unknown>): Record<string, unknown> {
  const {type: _type, ...rest} = raw
  return rest
}

/** orderID / clientOrderID of a reject for an order specifier. */
function specFields(spec: string, order: SimOrder | undefined): Record<string, unknown> {
  if (order !== undefined) return {orderID: order.id, ...(order.clientExtensions?.id === undefined ? {} : {clientOrderID: order.clientExtensions.id})}
  return spec.startsWith('@') ? {clientOrderID: spec.slice(1)} : {orderID: spec}
}

/** Client extensions in a request: undefined when absent, null when malformed. */
function readExtensions(raw: unknown): ClientExtensions | undefined | null {
  if (raw === undefined) return undefined
  if (!isObject(raw)) return null
  const out: ClientExtensions = {}
  for (const key of ['id', 'tag', 'comment'] as const) {
    const v = raw[key]
    if (v === undefined) continue
    if (typeof v !== 'string' || v.length === 0 || v.length > 128) return null
    out[key] = v
  }
  return out
}
