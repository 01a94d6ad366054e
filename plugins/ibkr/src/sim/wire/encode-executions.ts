// execDetails, execDetailsEnd and commissionReport as TWS writes them (EDecoder.processExecutionDataMsg,
// processCommissionReportMsg) at the negotiated version.
import type {SimCommissionReport, SimExecution} from '../seam.js'
import {FieldWriter} from './fields.js'
import {twsUtcDateTime} from './time-format.js'
import {IN, V} from './versions.js'

/** reqId -1: an execution as it happens; a request's id: an answer to reqExecutions. */
export function encodeExecDetails(reqId: number, e: SimExecution, v: number): string[] {
  const c = e.contract
  const w = new FieldWriter().int(IN.EXECUTION_DATA)
  if (v < V.LAST_LIQUIDITY) w.int(10)
  w.int(reqId).int(e.orderId)
  w.int(c.conId).str(c.symbol).str(c.secType).str(c.lastTradeDateOrContractMonth).double(c.strike).str(c.right)
  w.str(c.multiplier).str(c.exchange).str(c.currency).str(c.localSymbol).str(c.tradingClass)
  w.str(e.execId).str(twsUtcDateTime(e.ts)).str(e.acctNumber).str(e.exchange).str(e.side).decimal(e.shares).double(e.price)
  w.int(e.permId).int(e.clientId).int(e.liquidation).decimal(e.cumQty).double(e.avgPrice).str(e.orderRef)
  w.str('').double(0) // evRule, evMultiplier
  if (v >= V.MODELS_SUPPORT) w.str('') // modelCode
  if (v >= V.LAST_LIQUIDITY) w.int(e.lastLiquidity)
  if (v >= V.PENDING_PRICE_REVISION) w.bool(false)
  return w.fields
}

export function encodeExecDetailsEnd(reqId: number): string[] {
  return new FieldWriter().int(IN.EXECUTION_DATA_END).int(1).int(reqId).fields
}

export function encodeCommissionReport(r: SimCommissionReport): string[] {
  return new FieldWriter()
    .int(IN.COMMISSION_REPORT).int(1)
    .str(r.execId).double(r.commission).str(r.currency).doubleMax(r.realizedPNL)
    .doubleMax(null) // yield
    .int(0) // yieldRedemptionDate
    .fields
}
