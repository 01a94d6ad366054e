// Account, position, execution and session requests as EClient writes them (versions >= 100).
import type {SimExecutionFilter} from '../seam.js'
import type {FieldReader} from './fields.js'
import {MalformedMessage} from './fields.js'
import {parseTwsDateTime} from './time-format.js'
import {V} from './versions.js'

export interface StartApiRequest {
  clientId: number
  optionalCapabilities: string
}

export function decodeStartApi(r: FieldReader, v: number): StartApiRequest {
  r.int() // message version (2)
  const clientId = r.int()
  const optionalCapabilities = v >= V.OPTIONAL_CAPABILITIES && r.remaining > 0 ? r.str() : ''
  return {clientId, optionalCapabilities}
}

export interface ExecutionsRequest {
  reqId: number
  filter: SimExecutionFilter
}

export function decodeReqExecutions(r: FieldReader): ExecutionsRequest {
  r.int() // message version (3)
  const reqId = r.int()
  const clientId = r.int()
  const acctCode = r.str()
  const time = r.str()
  const symbol = r.str()
  const secType = r.str()
  const exchange = r.str()
  const side = r.str()
  let sinceTs = 0
  if (time.trim() !== '') {
    const parsed = parseTwsDateTime(time)
    if (parsed === null) throw new MalformedMessage(`execution filter time ${JSON.stringify(time.slice(0, 40))} is not yyyymmdd-hh:mm:ss`)
    sinceTs = parsed
  }
  return {reqId, filter: {clientId, acctCode, sinceTs, symbol, secType, exchange, side}}
}

export interface AccountSummaryRequest {
  reqId: number
  group: string
  tags: string[]
}

export function decodeReqAccountSummary(r: FieldReader): AccountSummaryRequest {
  r.int() // message version (1)
  const reqId = r.int()
  const group = r.str()
  const tags = r.str().split(',').map((t) => t.trim()).filter((t) => t !== '')
  return {reqId, group, tags}
}

export function decodeReqAccountUpdates(r: FieldReader): {subscribe: boolean; acctCode: string} {
  r.int() // message version (2)
  const subscribe = r.bool()
  const acctCode = r.str()
  return {subscribe, acctCode}
}

/** reqIds: how many ids the client wants (TWS answers one nextValidId regardless). */
export function decodeReqIds(r: FieldReader): number {
  r.int()
  return r.int()
}

/** Requests whose only payload is a version and one integer/flag (reqMarketDataType, reqAutoOpenOrders). */
export function decodeVersionAndInt(r: FieldReader): number {
  r.int()
  return r.int()
}

/** Requests with nothing but a version (reqOpenOrders, reqAllOpenOrders, reqPositions, cancelPositions, reqCurrentTime, reqManagedAccts). */
export function decodeVersionOnly(r: FieldReader): void {
  r.int()
}
