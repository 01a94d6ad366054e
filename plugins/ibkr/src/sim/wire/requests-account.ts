// Account requests: reqPositions/cancelPositions, reqAccountSummary/cancelAccountSummary,
// reqAccountUpdates, reqManagedAccts.
import type {SimContract} from '../seam.js'
import type {RequestContext} from './context.js'
import {decodeReqAccountSummary, decodeReqAccountUpdates, decodeVersionOnly} from './decode-account.js'
import {decodeVersionAndReqId} from './decode-data.js'
import {
  encodeAccountDownloadEnd, encodeAccountSummary, encodeAccountSummaryEnd, encodeAccountTime, encodeAccountValue, encodePosition,
  encodePositionEnd,
} from './encode-account.js'
import {encodeManagedAccounts} from './encode-session.js'
import type {FieldReader} from './fields.js'

/** The tags TWS knows for reqAccountSummary (`All` and `$LEDGER[:CCY]` expand in the broker). */
export const ALL_ACCOUNT_TAGS = [
  'AccountType', 'NetLiquidation', 'TotalCashValue', 'SettledCash', 'AccruedCash', 'BuyingPower', 'EquityWithLoanValue',
  'PreviousDayEquityWithLoanValue', 'GrossPositionValue', 'RegTEquity', 'RegTMargin', 'SMA', 'InitMarginReq', 'MaintMarginReq',
  'AvailableFunds', 'ExcessLiquidity', 'Cushion', 'FullInitMarginReq', 'FullMaintMarginReq', 'FullAvailableFunds',
  'FullExcessLiquidity', 'LookAheadNextChange', 'LookAheadInitMarginReq', 'LookAheadMaintMarginReq', 'LookAheadAvailableFunds',
  'LookAheadExcessLiquidity', 'HighestSeverity', 'DayTradesRemaining', 'Leverage',
] as const

/** TWS allows two account summary subscriptions at a time. */
const MAX_ACCOUNT_SUMMARIES = 2

export function reqPositions(ctx: RequestContext, r: FieldReader): void {
  decodeVersionOnly(r)
  if (ctx.refused(-1)) return
  ctx.positionsSubscribed = true
  for (const p of ctx.broker.positions()) ctx.send(encodePosition(p))
  ctx.send(encodePositionEnd())
}

export function cancelPositions(ctx: RequestContext, r: FieldReader): void {
  decodeVersionOnly(r)
  ctx.positionsSubscribed = false
}

/** While subscribed, TWS sends a position again when it changes: after an execution in that contract. */
export function positionChanged(ctx: RequestContext, contract: SimContract): void {
  if (!ctx.positionsSubscribed) return
  const p = ctx.broker.positions().find((x) => x.contract.conId === contract.conId)
  ctx.send(encodePosition(p ?? {account: ctx.broker.account, contract, pos: '0', avgCost: 0}))
}

export function reqAccountSummary(ctx: RequestContext, r: FieldReader): void {
  const req = decodeReqAccountSummary(r)
  if (ctx.accountSummaries.has(req.reqId)) {
    ctx.error(req.reqId, 322, 'Error processing request.-\'\' : cause - Duplicate ticker id')
    return
  }
  if (ctx.accountSummaries.size >= MAX_ACCOUNT_SUMMARIES) {
    ctx.error(req.reqId, 322, 'Error processing request.-\'\' : cause - Maximum number of account summary requests exceeded')
    return
  }
  if (ctx.refused(req.reqId)) return
  const tags = req.tags.includes('All') ? [...ALL_ACCOUNT_TAGS, ...req.tags.filter((t) => t !== 'All')] : req.tags
  ctx.accountSummaries.set(req.reqId, tags)
  for (const value of ctx.broker.accountSummary(tags)) ctx.send(encodeAccountSummary(req.reqId, ctx.broker.account, value))
  ctx.send(encodeAccountSummaryEnd(req.reqId))
}

export function cancelAccountSummary(ctx: RequestContext, r: FieldReader): void {
  ctx.accountSummaries.delete(decodeVersionAndReqId(r))
}

/**
 * reqAccountUpdates: the account's values, its time and the download end. Portfolio lines
 * (updatePortfolio) need market value and P&L the seam does not carry, so none are sent.
 */
export function reqAccountUpdates(ctx: RequestContext, r: FieldReader): void {
  const req = decodeReqAccountUpdates(r)
  ctx.accountUpdates = req.subscribe
  if (!req.subscribe || ctx.refused(-1)) return
  const account = ctx.broker.account
  for (const value of ctx.broker.accountSummary([...ALL_ACCOUNT_TAGS])) ctx.send(encodeAccountValue(account, value))
  ctx.send(encodeAccountTime(ctx.broker.now()))
  ctx.send(encodeAccountDownloadEnd(account))
}

export function reqManagedAccts(ctx: RequestContext, r: FieldReader): void {
  decodeVersionOnly(r)
  ctx.send(encodeManagedAccounts([ctx.broker.account]))
}
