// Market data answers as TWS writes them: ticks (processTickPriceMsg, processTickSizeMsg,
// processTickReqParamsMsg), real-time bars, historical bars, the market data type.
import type {SimBar} from '../seam.js'
import {FieldWriter} from './fields.js'
import {twsDate, twsDateTime} from './time-format.js'
import {IN, V} from './versions.js'

/** TickType ids of the reference client. */
export const TICK = {BID_SIZE: 0, BID: 1, ASK: 2, ASK_SIZE: 3, LAST: 4, LAST_SIZE: 5} as const

/** tickPrice, version 6: the size rides along (clients derive the matching size tick from it); attrMask 0. */
export function encodeTickPrice(tickerId: number, tickType: number, price: number, size: string): string[] {
  return new FieldWriter().int(IN.TICK_PRICE).int(6).int(tickerId).int(tickType).double(price).decimal(size).int(0).fields
}

export function encodeTickSize(tickerId: number, tickType: number, size: string): string[] {
  return new FieldWriter().int(IN.TICK_SIZE).int(6).int(tickerId).int(tickType).decimal(size).fields
}

/** tickReqParams: sent once at the start of a reqMktData subscription. */
export function encodeTickReqParams(tickerId: number, minTick: number, bboExchange: string, snapshotPermissions: number): string[] {
  return new FieldWriter().int(IN.TICK_REQ_PARAMS).int(tickerId).double(minTick).str(bboExchange).int(snapshotPermissions).fields
}

export function encodeTickSnapshotEnd(tickerId: number): string[] {
  return new FieldWriter().int(IN.TICK_SNAPSHOT_END).int(1).int(tickerId).fields
}

export function encodeMarketDataType(reqId: number, type: number): string[] {
  return new FieldWriter().int(IN.MARKET_DATA_TYPE).int(1).int(reqId).int(type).fields
}

/** realtimeBar, version 3: time is the bar's open in epoch seconds. */
export function encodeRealTimeBar(reqId: number, b: SimBar): string[] {
  return new FieldWriter()
    .int(IN.REAL_TIME_BARS).int(3).int(reqId).int(b.time)
    .double(b.open).double(b.high).double(b.low).double(b.close).decimal(b.volume).double(b.wap).int(b.count)
    .fields
}

/** A bar time as reqHistoricalData's formatDate asks: 2 epoch seconds; 1 text (a date alone for daily and longer bars). */
export function formatBarTime(timeSec: number, formatDate: number, barSizeSec: number): string {
  if (formatDate === 2) return String(timeSec)
  return barSizeSec >= 86_400 ? twsDate(timeSec * 1000) : twsDateTime(timeSec * 1000)
}

/** historicalData: the whole answer in one message, its range first (before HISTORICAL_DATA_END split it off). */
export function encodeHistoricalData(
  reqId: number, startMs: number, endMs: number, bars: readonly SimBar[], formatDate: number, barSizeSec: number, v: number,
): string[] {
  const w = new FieldWriter().int(IN.HISTORICAL_DATA)
  if (v < V.SYNT_REALTIME_BARS) w.int(3)
  w.int(reqId).str(twsDateTime(startMs)).str(twsDateTime(endMs)).int(bars.length)
  for (const b of bars) {
    w.str(formatBarTime(b.time, formatDate, barSizeSec)).double(b.open).double(b.high).double(b.low).double(b.close)
    w.decimal(b.volume).double(b.wap)
    if (v < V.SYNT_REALTIME_BARS) w.str('false') // hasGaps
    w.int(b.count)
  }
  return w.fields
}
