// Closing trades and positions, as OANDA does it: a MARKET_ORDER made for the purpose (reason
// TRADE_CLOSE with a tradeClose, or POSITION_CLOSEOUT with a long/shortPositionCloseout; FOK,
// REDUCE_ONLY), filled at once (reasons MARKET_ORDER_TRADE_CLOSE / MARKET_ORDER_POSITION_CLOSEOUT)
// or cancelled (MARKET_HALTED). Answers:
//   PUT /trades/{spec}/close      200 {orderCreateTransaction, orderFillTransaction | orderCancelTransaction, …}
//                                 404 {orderRejectTransaction (TRADE_DOESNT_EXIST), …}
//                                 400 {orderRejectTransaction (CLOSE_TRADE_UNITS_EXCEED_TRADE_SIZE…), …}
//   PUT /positions/{inst}/close   200 {longOrderCreateTransaction, longOrderFillTransaction, short…}
//                                 400 {longOrderRejectTransaction | shortOrderRejectTransaction, …}
// A side left out of the body is not closed; a body naming neither side closes every side there is.
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import {isObject, type OandaBroker, type Outcome} from './broker.js'
import type {Ledger} from './ledger.js'
import type {SimOrder, SimTrade} from './model.js'
import {rejectMessage} from './requests.js'
import type {Batch, TransactionLog} from './transactions.js'
import {orderCreateFields, type ViewContext} from './views.js'

export interface CloseoutDeps {
  core: CoreRuntime
  broker: OandaBroker
  ledger: Ledger
  log: TransactionLog
  view: ViewContext
}

const MESSAGES: Record<string, string> = {
  TRADE_DOESNT_EXIST: 'The Trade specified does not exist',
  CLOSE_TRADE_UNITS_EXCEED_TRADE_SIZE: 'The units specified exceed the size of the Trade',
  UNITS_INVALID: 'The units specified are invalid',
  CLOSEOUT_POSITION_DOESNT_EXIST: 'The Position requested to be closed out does not exist',
  CLOSEOUT_POSITION_UNITS_EXCEED_POSITION_SIZE: 'The units specified exceed the size of the Position',
  CLOSEOUT_POSITION_INCOMPLETE_SPECIFICATION: 'The request to closeout a Position was specified incompletely',
}

export class Closeouts {
  constructor(private readonly d: CloseoutDeps) {}

  /** PUT /v3/accounts/{id}/trades/{spec}/close, body {units: "ALL" | decimal}. */
  closeTrade(spec: string, body: unknown, now: number, requestID?: string): Outcome {
    const unitsText = isObject(body) && body.units !== undefined ? String(body.units) : 'ALL'
    const trade = this.d.broker.findTrade(spec)
    const batch = this.d.log.batch(now, requestID)
    const reject = (status: number, reason: string): Outcome => {
      const tradeClose = {...(trade === undefined ? (spec.startsWith('@') ? {clientTradeID: spec.slice(1)} : {tradeID: spec}) : {tradeID: trade.id}), units: unitsText}
      const tx = batch.add({type: 'MARKET_ORDER_REJECT', timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', tradeClose, reason: 'TRADE_CLOSE', rejectReason: reason})
      return {status, body: {orderRejectTransaction: tx, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID, errorCode: reason, errorMessage: MESSAGES[reason] ?? rejectMessage(reason)}}
    }
    if (trade === undefined || trade.state !== 'OPEN') return reject(404, 'TRADE_DOESNT_EXIST')
    const size = Math.abs(trade.currentUnits)
    const units = this.units(unitsText, size)
    if (typeof units === 'string') return reject(400, units === 'EXCEEDS' ? 'CLOSE_TRADE_UNITS_EXCEED_TRADE_SIZE' : 'UNITS_INVALID')
    const order = this.marketOrder(trade.instrument, -Math.sign(trade.currentUnits) * units, now, 'TRADE_CLOSE')
    order.tradeClose = {tradeID: trade.id, ...(trade.clientExtensions?.id === undefined ? {} : {clientTradeID: trade.clientExtensions.id}), units: unitsText}
    const {create, fill, cancel} = this.run(order, batch, 'MARKET_ORDER_TRADE_CLOSE', {trade, units})
    return {status: 200, body: {orderCreateTransaction: create, ...(fill ? {orderFillTransaction: fill} : {}), ...(cancel ? {orderCancelTransaction: cancel} : {}), relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID}}
  }

  /** PUT /v3/accounts/{id}/positions/{instrument}/close, body {longUnits, shortUnits}. */
  closePosition(instrument: string, body: unknown, now: number, requestID?: string): Outcome {
    const b = isObject(body) ? body : {}
    const named = b.longUnits !== undefined || b.shortUnits !== undefined
    const trades = this.d.ledger.openTrades(instrument)
    const sides = {long: trades.filter((t) => t.currentUnits > 0), short: trades.filter((t) => t.currentUnits < 0)}
    const asked = {
      long: named ? String(b.longUnits ?? 'NONE') : sides.long.length > 0 ? 'ALL' : 'NONE',
      short: named ? String(b.shortUnits ?? 'NONE') : sides.short.length > 0 ? 'ALL' : 'NONE',
    }
    const batch = this.d.log.batch(now, requestID)
    const reject = (side: 'long' | 'short', reason: string): Outcome => {
      const tx = batch.add({type: 'MARKET_ORDER_REJECT', instrument, timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', [`${side}PositionCloseout`]: {instrument, units: asked[side]}, reason: 'POSITION_CLOSEOUT', rejectReason: reason})
      return {status: 400, body: {[`${side}OrderRejectTransaction`]: tx, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID, errorCode: reason, errorMessage: MESSAGES[reason] ?? rejectMessage(reason)}}
    }
    if (asked.long === 'NONE' && asked.short === 'NONE') return named ? reject('long', 'CLOSEOUT_POSITION_INCOMPLETE_SPECIFICATION') : reject('long', 'CLOSEOUT_POSITION_DOESNT_EXIST')
    const plans: Array<{side: 'long' | 'short'; units: number}> = []
    for (const side of ['long', 'short'] as const) {
      if (asked[side] === 'NONE') continue
      const size = sides[side].reduce((n, t) => n + Math.abs(t.currentUnits), 0)
      if (size === 0) return reject(side, 'CLOSEOUT_POSITION_DOESNT_EXIST')
      const units = this.units(asked[side], size)
      if (typeof units === 'string') return reject(side, units === 'EXCEEDS' ? 'CLOSEOUT_POSITION_UNITS_EXCEED_POSITION_SIZE' : 'CLOSEOUT_POSITION_PARTIAL_UNITS_MISSING')
      plans.push({side, units})
    }
    const out: Record<string, unknown> = {}
    for (const {side, units} of plans) {
      const order = this.marketOrder(instrument, side === 'long' ? -units : units, now, 'POSITION_CLOSEOUT')
      order[side === 'long' ? 'longPositionCloseout' : 'shortPositionCloseout'] = {instrument, units: asked[side]}
      const {create, fill, cancel} = this.run(order, batch, 'MARKET_ORDER_POSITION_CLOSEOUT', {closeout: sides[side], units})
      out[`${side}OrderCreateTransaction`] = create
      if (fill) out[`${side}OrderFillTransaction`] = fill
      if (cancel) out[`${side}OrderCancelTransaction`] = cancel
    }
    return {status: 200, body: {...out, relatedTransactionIDs: batch.ids, lastTransactionID: this.d.log.lastID}}
  }

  /** "ALL" → size; a decimal in (0, size]; else INVALID or EXCEEDS. */
  private units(text: string, size: number): number | 'INVALID' | 'EXCEEDS' {
    if (text === 'ALL') return size
    const n = this.d.core.sim.toScaled(text, 0)
    if (n === undefined || n <= 0) return 'INVALID'
    return n > size ? 'EXCEEDS' : n
  }

  private marketOrder(instrument: string, units: number, now: number, reason: string): SimOrder {
    return {id: this.d.log.nextID, type: 'MARKET', state: 'PENDING', createTime: now, instrument, units, timeInForce: 'FOK', positionFill: 'REDUCE_ONLY', triggerCondition: 'DEFAULT', reason}
  }

  private run(order: SimOrder, batch: Batch, fillReason: string, target: {trade?: SimTrade; closeout?: SimTrade[]; units: number}) {
    const create = batch.add(orderCreateFields(this.d.view, order))
    this.d.broker.add(order)
    const q = this.d.view.market.quote(order.instrument, batch.now)
    const {fill, cancel} = this.d.broker.filler.fill(order, batch, q, fillReason, target)
    return {create, fill, cancel}
  }
}
