// Reference and market data requests: reqContractDetails, reqMktData/cancelMktData,
// reqRealTimeBars/cancelRealTimeBars, reqHistoricalData/cancelHistoricalData, reqMarketDataType,
// reqCurrentTime.
import type {SimQuote} from '../seam.js'
import {NO_SECURITY_DEFINITION, type RequestContext} from './context.js'
import {decodeVersionAndInt, decodeVersionOnly} from './decode-account.js'
import {decodeReqContractDetails, decodeReqHistoricalData, decodeReqMktData, decodeReqRealTimeBars, decodeVersionAndReqId} from './decode-data.js'
import {encodeContractData, encodeContractDataEnd} from './encode-contract.js'
import {
  encodeHistoricalData, encodeMarketDataType, encodeRealTimeBar, encodeTickPrice, encodeTickReqParams, encodeTickSize,
  encodeTickSnapshotEnd, TICK,
} from './encode-market.js'
import {encodeCurrentTime} from './encode-session.js'
import type {FieldReader} from './fields.js'
import {parseBarSize, parseDuration, parseTwsDateTime} from './time-format.js'

/** TWS ends a snapshot after at most 11 seconds, whatever arrived. */
const SNAPSHOT_DEADLINE_MS = 11_000
const REAL_TIME_BAR_SOURCES = new Set(['TRADES', 'MIDPOINT', 'BID', 'ASK'])

function validationError(ctx: RequestContext, reqId: number, cause: string): void {
  ctx.error(reqId, 321, `Error validating request.-'' : cause - ${cause}`)
}

export function reqContractDetails(ctx: RequestContext, r: FieldReader): void {
  const req = decodeReqContractDetails(r, ctx.version)
  if (ctx.refused(req.reqId)) return
  const found = ctx.broker.contractDetails(req.contract)
  if (found.length === 0) {
    ctx.error(req.reqId, 200, NO_SECURITY_DEFINITION)
    return
  }
  for (const d of found) ctx.send(encodeContractData(req.reqId, d, ctx.version))
  ctx.send(encodeContractDataEnd(req.reqId))
}

/** Sends what changed in a quote since the last one, as TWS streams top of book. */
function quoteTicks(ctx: RequestContext, tickerId: number, prev: SimQuote | undefined, q: SimQuote): void {
  const sides: Array<[number, number, number, keyof SimQuote, keyof SimQuote]> = [
    [TICK.BID, TICK.BID_SIZE, q.bid, 'bid', 'bidSize'],
    [TICK.ASK, TICK.ASK_SIZE, q.ask, 'ask', 'askSize'],
    [TICK.LAST, TICK.LAST_SIZE, q.last, 'last', 'lastSize'],
  ]
  for (const [priceTick, sizeTick, price, priceKey, sizeKey] of sides) {
    const size = q[sizeKey] as string
    if (prev === undefined || prev[priceKey] !== price) ctx.send(encodeTickPrice(tickerId, priceTick, price, size))
    else if (prev[sizeKey] !== size) ctx.send(encodeTickSize(tickerId, sizeTick, size))
  }
}

export function reqMktData(ctx: RequestContext, r: FieldReader): void {
  const req = decodeReqMktData(r, ctx.version)
  const key = `mkt:${req.reqId}`
  if (ctx.subscriptions.has(key)) {
    ctx.error(req.reqId, 322, 'Error processing request.-\'\' : cause - Duplicate ticker id')
    return
  }
  if (ctx.refused(req.reqId)) return
  const details = ctx.broker.contractDetails(req.contract)
  const d = details.length === 1 ? details[0] : undefined
  if (d === undefined) {
    ctx.error(req.reqId, 200, NO_SECURITY_DEFINITION)
    return
  }
  if (ctx.marketDataType !== null) ctx.send(encodeMarketDataType(req.reqId, 1))
  ctx.send(encodeTickReqParams(req.reqId, d.minTick, '', 3))
  let prev: SimQuote | undefined
  let done = false
  const finishSnapshot = (): void => {
    if (done) return
    done = true
    ctx.subscriptions.get(key)?.()
    ctx.subscriptions.delete(key)
    ctx.send(encodeTickSnapshotEnd(req.reqId))
  }
  const unsubscribe = ctx.broker.subscribeQuotes(d.contract.conId, (q) => {
    if (done) return
    quoteTicks(ctx, req.reqId, prev, q)
    prev = q
    if (req.snapshot || req.regulatorySnapshot) queueMicrotask(finishSnapshot)
  })
  ctx.subscriptions.set(key, unsubscribe)
  if (req.snapshot || req.regulatorySnapshot) ctx.setTimer(finishSnapshot, SNAPSHOT_DEADLINE_MS)
}

function cancelSubscription(ctx: RequestContext, kind: string, reqId: number): void {
  const key = `${kind}:${reqId}`
  const unsubscribe = ctx.subscriptions.get(key)
  if (unsubscribe === undefined) {
    ctx.error(reqId, 300, `Can't find EId with tickerId:${reqId}`)
    return
  }
  unsubscribe()
  ctx.subscriptions.delete(key)
}

export function cancelMktData(ctx: RequestContext, r: FieldReader): void {
  cancelSubscription(ctx, 'mkt', decodeVersionAndReqId(r))
}

export function reqRealTimeBars(ctx: RequestContext, r: FieldReader): void {
  const req = decodeReqRealTimeBars(r)
  const key = `rtb:${req.reqId}`
  if (ctx.subscriptions.has(key)) {
    ctx.error(req.reqId, 322, 'Error processing request.-\'\' : cause - Duplicate ticker id')
    return
  }
  if (!REAL_TIME_BAR_SOURCES.has(req.whatToShow.toUpperCase())) {
    validationError(ctx, req.reqId, `Invalid whatToShow ${JSON.stringify(req.whatToShow)} for real-time bars`)
    return
  }
  if (ctx.refused(req.reqId)) return
  const details = ctx.broker.contractDetails(req.contract)
  const conId = details.length === 1 ? details[0]?.contract.conId : undefined
  if (conId === undefined) {
    ctx.error(req.reqId, 200, NO_SECURITY_DEFINITION)
    return
  }
  ctx.subscriptions.set(key, ctx.broker.subscribeRealTimeBars(conId, (bar) => ctx.send(encodeRealTimeBar(req.reqId, bar))))
}

export function cancelRealTimeBars(ctx: RequestContext, r: FieldReader): void {
  cancelSubscription(ctx, 'rtb', decodeVersionAndReqId(r))
}

export function reqHistoricalData(ctx: RequestContext, r: FieldReader): void {
  const req = decodeReqHistoricalData(r, ctx.version)
  if (req.keepUpToDate && req.endDateTime.trim() !== '') {
    validationError(ctx, req.reqId, 'End date not supported with live updates')
    return
  }
  const endTs = req.endDateTime.trim() === '' ? ctx.broker.now() : parseTwsDateTime(req.endDateTime)
  const durationSec = parseDuration(req.durationStr)
  const barSizeSec = parseBarSize(req.barSizeSetting)
  if (endTs === null) return validationError(ctx, req.reqId, `Invalid end date/time ${JSON.stringify(req.endDateTime)}`)
  if (durationSec === null) return validationError(ctx, req.reqId, `Historical data request duration format is invalid: ${JSON.stringify(req.durationStr)}`)
  if (barSizeSec === null) return validationError(ctx, req.reqId, `Invalid bar size ${JSON.stringify(req.barSizeSetting)}`)
  if (req.formatDate !== 1 && req.formatDate !== 2) return validationError(ctx, req.reqId, `Invalid formatDate ${req.formatDate}`)
  if (ctx.refused(req.reqId)) return
  const details = ctx.broker.contractDetails(req.contract)
  const conId = details.length === 1 ? details[0]?.contract.conId : undefined
  if (conId === undefined) return ctx.error(req.reqId, 200, NO_SECURITY_DEFINITION)
  const bars = ctx.broker.historicalBars({conId, endTs, durationSec, barSizeSec, whatToShow: req.whatToShow, useRth: req.useRth})
  if (!Array.isArray(bars)) return ctx.error(req.reqId, bars.code, bars.message)
  // keepUpToDate's later updates (historicalDataUpdate) are not simulated: the answer is the history alone.
  if (req.keepUpToDate) ctx.log(`historical request ${req.reqId}: keepUpToDate updates are not simulated`)
  ctx.send(encodeHistoricalData(req.reqId, endTs - durationSec * 1000, endTs, bars, req.formatDate, barSizeSec, ctx.version))
}

/** cancelHistoricalData: answers are sent whole at once, so there is nothing left to stop. */
export function cancelHistoricalData(_ctx: RequestContext, r: FieldReader): void {
  decodeVersionAndReqId(r)
}

export function reqMarketDataType(ctx: RequestContext, r: FieldReader): void {
  const type = decodeVersionAndInt(r)
  if (type < 1 || type > 4) return validationError(ctx, -1, `Invalid market data type ${type}`)
  ctx.marketDataType = type
}

export function reqCurrentTime(ctx: RequestContext, r: FieldReader): void {
  decodeVersionOnly(r)
  ctx.send(encodeCurrentTime(Math.floor(ctx.broker.now() / 1000)))
}
