// The requests the simulated TWS serves, by EClient message id. An id not in this table is
// answered with an error (never silence): the client learns at once that it asked for more than
// the simulator offers.
import type {RequestContext} from './context.js'
import type {FieldReader} from './fields.js'
import {cancelAccountSummary, cancelPositions, reqAccountSummary, reqAccountUpdates, reqManagedAccts, reqPositions} from './requests-account.js'
import {
  cancelHistoricalData, cancelMktData, cancelRealTimeBars, reqContractDetails, reqCurrentTime, reqHistoricalData, reqMarketDataType,
  reqMktData, reqRealTimeBars,
} from './requests-data.js'
import {cancelOrder, globalCancel, placeOrder, reqAllOpenOrders, reqAutoOpenOrders, reqCompletedOrders, reqExecutions, reqIds, reqOpenOrders} from './requests-orders.js'
import {OUT, V} from './versions.js'

export type RequestHandler = (ctx: RequestContext, r: FieldReader) => void

export const REQUEST_HANDLERS: ReadonlyMap<number, RequestHandler> = new Map<number, RequestHandler>([
  [OUT.REQ_MKT_DATA, reqMktData],
  [OUT.CANCEL_MKT_DATA, cancelMktData],
  [OUT.PLACE_ORDER, placeOrder],
  [OUT.CANCEL_ORDER, cancelOrder],
  [OUT.REQ_OPEN_ORDERS, reqOpenOrders],
  [OUT.REQ_ACCOUNT_DATA, reqAccountUpdates],
  [OUT.REQ_EXECUTIONS, reqExecutions],
  [OUT.REQ_IDS, reqIds],
  [OUT.REQ_CONTRACT_DATA, reqContractDetails],
  [OUT.REQ_AUTO_OPEN_ORDERS, reqAutoOpenOrders],
  [OUT.REQ_ALL_OPEN_ORDERS, reqAllOpenOrders],
  [OUT.REQ_MANAGED_ACCTS, reqManagedAccts],
  [OUT.REQ_HISTORICAL_DATA, reqHistoricalData],
  [OUT.CANCEL_HISTORICAL_DATA, cancelHistoricalData],
  [OUT.REQ_CURRENT_TIME, reqCurrentTime],
  [OUT.REQ_REAL_TIME_BARS, reqRealTimeBars],
  [OUT.CANCEL_REAL_TIME_BARS, cancelRealTimeBars],
  [OUT.REQ_GLOBAL_CANCEL, globalCancel],
  [OUT.REQ_MARKET_DATA_TYPE, reqMarketDataType],
  [OUT.REQ_POSITIONS, reqPositions],
  [OUT.REQ_ACCOUNT_SUMMARY, reqAccountSummary],
  [OUT.CANCEL_ACCOUNT_SUMMARY, cancelAccountSummary],
  [OUT.CANCEL_POSITIONS, cancelPositions],
  [OUT.REQ_COMPLETED_ORDERS, reqCompletedOrders],
])

/** The id a request names, read loosely (to address the error about a request that did not parse). */
export function guessReqId(msgId: number, fields: readonly string[], v: number): number {
  let at = 2 // id, version, reqId…
  if (msgId === OUT.PLACE_ORDER) at = v >= V.ORDER_CONTAINER ? 1 : 2
  else if (msgId === OUT.CANCEL_ORDER) at = v >= V.CME_TAGGING_FIELDS ? 1 : 2
  else if (msgId === OUT.REQ_HISTORICAL_DATA) at = v >= V.SYNT_REALTIME_BARS ? 1 : 2
  const s = fields[at]
  return s !== undefined && /^-?\d{1,10}$/.test(s) ? Number(s) : -1
}
