// Order requests: placeOrder, cancelOrder, reqGlobalCancel, reqOpenOrders, reqAllOpenOrders,
// reqAutoOpenOrders, reqIds, reqExecutions, reqCompletedOrders. The wire decodes and hands over; the broker decides
// and answers through its events (openOrder, orderStatus, error 201/202/10147…).
import type {RequestContext} from './context.js'
import {decodeReqExecutions, decodeReqIds, decodeVersionAndInt, decodeVersionOnly} from './decode-account.js'
import {decodeCancelOrder, decodeGlobalCancel, decodePlaceOrder} from './decode-order.js'
import {encodeCommissionReport, encodeExecDetails, encodeExecDetailsEnd} from './encode-executions.js'
import {encodeCompletedOrder, encodeCompletedOrdersEnd, encodeOpenOrder, encodeOpenOrderEnd, encodeOrderStatus} from './encode-orders.js'
import {encodeNextValidId} from './encode-session.js'
import type {FieldReader} from './fields.js'
import {OUT, V} from './versions.js'

export function placeOrder(ctx: RequestContext, r: FieldReader): void {
  const req = decodePlaceOrder(r, ctx.version, ctx.clientId)
  if (ctx.refused(req.orderId)) return
  if (req.unsupported.length > 0) ctx.log(`order ${req.orderId}: attributes not simulated: ${req.unsupported.join(', ')}`)
  ctx.broker.placeOrder(req.contract, req.order)
}

export function cancelOrder(ctx: RequestContext, r: FieldReader): void {
  const orderId = decodeCancelOrder(r, ctx.version)
  if (ctx.refused(orderId)) return
  ctx.broker.cancelOrder(ctx.clientId, orderId)
}

/** reqGlobalCancel: every open order of every client, as the TWS button does. */
export function globalCancel(ctx: RequestContext, r: FieldReader): void {
  decodeGlobalCancel(r, ctx.version)
  if (ctx.refused(-1)) return
  for (const {open} of ctx.broker.openOrders(undefined)) ctx.broker.cancelOrder(open.order.clientId, open.order.orderId)
}

function sendOpenOrders(ctx: RequestContext, clientId: number | undefined): void {
  for (const {open, status} of ctx.broker.openOrders(clientId)) {
    ctx.send(encodeOpenOrder(open, ctx.version))
    ctx.send(encodeOrderStatus(status, ctx.version))
  }
  ctx.send(encodeOpenOrderEnd())
}

export function reqOpenOrders(ctx: RequestContext, r: FieldReader): void {
  decodeVersionOnly(r)
  if (ctx.refused(-1)) return
  sendOpenOrders(ctx, ctx.clientId)
}

export function reqAllOpenOrders(ctx: RequestContext, r: FieldReader): void {
  decodeVersionOnly(r)
  if (ctx.refused(-1)) return
  sendOpenOrders(ctx, undefined)
}

/**
 * reqCompletedOrders (EClient: message id and apiOnly, no version, no request id): the finished
 * orders of the account TWS keeps, every client's, then completedOrdersEnd. Asked below
 * MIN_SERVER_VER_COMPLETED_ORDERS the request does not exist: TWS answers it as unknown.
 */
export function reqCompletedOrders(ctx: RequestContext, r: FieldReader): void {
  if (ctx.version < V.REQ_COMPLETED_ORDERS) return ctx.error(-1, 321, `Error validating request.-'' : cause - Unsupported message id "${OUT.REQ_COMPLETED_ORDERS}"`)
  const apiOnly = r.bool()
  if (ctx.refused(-1)) return
  for (const o of ctx.broker.completedOrders?.(apiOnly) ?? []) ctx.send(encodeCompletedOrder(o, ctx.version))
  ctx.send(encodeCompletedOrdersEnd())
}

/** reqAutoOpenOrders: only client 0 may bind TWS's manual orders; others get TWS's refusal. */
export function reqAutoOpenOrders(ctx: RequestContext, r: FieldReader): void {
  decodeVersionAndInt(r)
  if (ctx.clientId !== 0) ctx.error(-1, 321, 'Error validating request.-\'bk\' : cause - The reqAutoOpenOrders request is only supported for client id 0')
}

export function reqIds(ctx: RequestContext, r: FieldReader): void {
  const count = decodeReqIds(r)
  ctx.send(encodeNextValidId(ctx.broker.reserveIds(Math.max(1, count))))
}

export function reqExecutions(ctx: RequestContext, r: FieldReader): void {
  const req = decodeReqExecutions(r)
  if (ctx.refused(req.reqId)) return
  for (const {execution, report} of ctx.broker.executions(req.filter)) {
    ctx.send(encodeExecDetails(req.reqId, execution, ctx.version))
    ctx.send(encodeCommissionReport(report))
  }
  ctx.send(encodeExecDetailsEnd(req.reqId))
}
