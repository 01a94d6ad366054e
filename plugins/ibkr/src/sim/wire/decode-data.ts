// Market-data and reference-data requests as EClient writes them (versions >= 100).
import type {SimContract} from '../seam.js'
import {readContract, skipShortComboLegs, skipTagValueText} from './decode-contract.js'
import type {FieldReader} from './fields.js'
import {V} from './versions.js'

export interface ContractDetailsRequest {
  reqId: number
  contract: SimContract
  includeExpired: boolean
}

export function decodeReqContractDetails(r: FieldReader, v: number): ContractDetailsRequest {
  r.int() // message version (8)
  const reqId = r.int()
  const contract = readContract(r)
  const includeExpired = r.bool()
  r.str() // secIdType
  r.str() // secId
  if (v >= V.BOND_ISSUERID) r.str() // issuerId
  return {reqId, contract, includeExpired}
}

export interface MktDataRequest {
  reqId: number
  contract: SimContract
  genericTickList: string
  snapshot: boolean
  regulatorySnapshot: boolean
}

export function decodeReqMktData(r: FieldReader, v: number): MktDataRequest {
  r.int() // message version (11)
  const reqId = r.int()
  const contract = readContract(r)
  skipShortComboLegs(r, contract)
  if (r.bool()) {
    r.int() // deltaNeutralContract conId
    r.double() // delta
    r.double() // price
  }
  const genericTickList = r.str()
  const snapshot = r.bool()
  const regulatorySnapshot = v >= V.REQ_SMART_COMPONENTS ? r.bool() : false
  skipTagValueText(r) // mktDataOptions
  return {reqId, contract, genericTickList, snapshot, regulatorySnapshot}
}

export interface RealTimeBarsRequest {
  reqId: number
  contract: SimContract
  barSize: number
  whatToShow: string
  useRth: boolean
}

export function decodeReqRealTimeBars(r: FieldReader): RealTimeBarsRequest {
  r.int() // message version (3)
  const reqId = r.int()
  const contract = readContract(r)
  const barSize = r.int()
  const whatToShow = r.str()
  const useRth = r.bool()
  skipTagValueText(r) // realTimeBarsOptions
  return {reqId, contract, barSize, whatToShow, useRth}
}

export interface HistoricalDataRequest {
  reqId: number
  contract: SimContract
  endDateTime: string
  barSizeSetting: string
  durationStr: string
  useRth: boolean
  whatToShow: string
  /** 1: text dates, 2: epoch seconds. */
  formatDate: number
  keepUpToDate: boolean
}

export function decodeReqHistoricalData(r: FieldReader, v: number): HistoricalDataRequest {
  if (v < V.SYNT_REALTIME_BARS) r.int() // message version (6)
  const reqId = r.int()
  const contract = readContract(r)
  r.bool() // includeExpired
  const endDateTime = r.str()
  const barSizeSetting = r.str()
  const durationStr = r.str()
  const useRth = r.bool()
  const whatToShow = r.str()
  const formatDate = r.int()
  skipShortComboLegs(r, contract)
  const keepUpToDate = v >= V.SYNT_REALTIME_BARS ? r.bool() : false
  skipTagValueText(r) // chartOptions
  return {reqId, contract, endDateTime, barSizeSetting, durationStr, useRth, whatToShow, formatDate, keepUpToDate}
}

/** Requests of the form `id, version, reqId` (cancelMktData, cancelRealTimeBars, cancelHistoricalData, cancelAccountSummary). */
export function decodeVersionAndReqId(r: FieldReader): number {
  r.int()
  return r.int()
}
