// PUT /v3/accounts/{id}/trades/{spec}/orders: a trade's take profit and stop loss, set, replaced or
// cancelled in one request, as OANDA does it. Body {takeProfit?, stopLoss?, trailingStopLoss?}: a
// details object creates the order (reason CLIENT_ORDER) or replaces the pending one (the old one is
// cancelled with CLIENT_REQUEST_REPLACED and replacedByOrderID, the new one has reason REPLACEMENT
// and replacesOrderID); null cancels the pending one (CLIENT_REQUEST). An order that triggers at
// once fills at once. Answers 200 {takeProfitOrderTransaction, takeProfitOrderCancelTransaction,
// takeProfitOrderFillTransaction, stopLoss…, relatedTransactionIDs, lastTransactionID}; 400 with
// {takeProfitOrderRejectTransaction | stopLossOrderRejectTransaction, errorCode, errorMessage} and
// nothing done when a part is invalid; 404 for a trade that is not open. Trailing stops are not
// simulated: TRAILING_STOP_LOSS_ORDERS_NOT_SUPPORTED.
import {isObject, type OandaBroker, type Outcome} from './broker.js'
import type {Ledger} from './ledger.js'
import type {SimOrder} from './model.js'
import {type OrderFields, parseOrderRequest, rejectMessage} from './requests.js'
import type {TransactionLog} from './transactions.js'
import {orderCreateFields, type ViewContext} from './views.js'

const KINDS = [
  {key: 'takeProfit', type: 'TAKE_PROFIT'},
  {key: 'stopLoss', type: 'STOP_LOSS'},
] as const

export function setDependentOrders(d: {broker: OandaBroker; ledger: Ledger; log: TransactionLog; view: ViewContext}, spec: string, body: unknown, now: number, requestID?: string): Outcome {
  const trade = d.broker.findTrade(spec)
  if (trade === undefined || trade.state !== 'OPEN') return {status: 404, body: {errorCode: 'NO_SUCH_TRADE', errorMessage: 'The Trade ID specified does not exist'}}
  const b = isObject(body) ? body : {}
  const batch = d.log.batch(now, requestID)
  const reject = (key: string, type: string, raw: Record<string, unknown>, reason: string): Outcome => {
    const tx = batch.add({type: `${type}_ORDER_REJECT`, tradeID: trade.id, ...raw, reason: 'CLIENT_ORDER', rejectReason: reason})
    return {status: 400, body: {[`${key}OrderRejectTransaction`]: tx, relatedTransactionIDs: batch.ids, lastTransactionID: d.log.lastID, errorCode: reason, errorMessage: rejectMessage(reason)}}
  }
  if (b.trailingStopLoss !== undefined && b.trailingStopLoss !== null) return reject('trailingStopLoss', 'TRAILING_STOP_LOSS', isObject(b.trailingStopLoss) ? b.trailingStopLoss : {}, 'TRAILING_STOP_LOSS_ORDERS_NOT_SUPPORTED')
  // Every part is checked before anything is done.
  const plans: Array<{key: string; type: 'TAKE_PROFIT' | 'STOP_LOSS'; fields?: OrderFields}> = []
  for (const {key, type} of KINDS) {
    const raw = b[key]
    if (raw === undefined) continue
    if (raw === null) {
      plans.push({key, type})
      continue
    }
    const request = isObject(raw) ? raw : {}
    const parsed = parseOrderRequest({...request, type, tradeID: trade.id}, type, d.broker.requestContext(now, true))
    if (!parsed.ok) return reject(key, type, request, parsed.reason)
    plans.push({key, type, fields: parsed.fields})
  }
  const out: Record<string, unknown> = {}
  for (const {key, type, fields} of plans) {
    const oldID = type === 'TAKE_PROFIT' ? trade.takeProfitOrderID : trade.stopLossOrderID
    const old = oldID === undefined ? undefined : d.view.orders.get(oldID)
    const pending = old?.state === 'PENDING' ? old : undefined
    if (fields === undefined) {
      if (pending) out[`${key}OrderCancelTransaction`] = d.broker.filler.cancel(pending, batch, 'CLIENT_REQUEST')
      continue
    }
    const order: SimOrder = {...fields, id: '', type, state: 'PENDING', createTime: now, reason: pending ? 'REPLACEMENT' : 'CLIENT_ORDER'}
    if (pending) {
      // The cancel comes first; the new order is the transaction after it.
      const newID = String(Number(d.log.nextID) + 1)
      out[`${key}OrderCancelTransaction`] = d.broker.filler.cancel(pending, batch, 'CLIENT_REQUEST_REPLACED', newID)
      pending.replacedByOrderID = newID
      order.replacesOrderID = pending.id
    }
    order.id = d.log.nextID
    out[`${key}OrderTransaction`] = batch.add(orderCreateFields(d.view, order, pending ? {replacesOrderID: pending.id} : {}))
    d.broker.add(order)
    d.broker.linkDependent(order)
    const after = d.broker.afterCreate(order, batch)
    if (after.orderFillTransaction) out[`${key}OrderFillTransaction`] = after.orderFillTransaction
    if (after.orderCancelTransaction) out[`${key}OrderCreatedCancelTransaction`] = after.orderCancelTransaction
  }
  return {status: 200, body: {...out, relatedTransactionIDs: batch.ids, lastTransactionID: d.log.lastID}}
}
