// placeOrder as EClient.placeOrder writes it, field by field, at the negotiated version (>= 100,
// so every condition below 100 holds). The simulator acts on a handful of fields (SimOrder); the
// others are read to keep the message aligned and to refuse one that does not parse.
import type {SimContract, SimOrder} from '../seam.js'
import {readContract, readCount} from './decode-contract.js'
import {type FieldReader, MalformedMessage} from './fields.js'
import {V} from './versions.js'

export interface PlaceOrderRequest {
  orderId: number
  contract: SimContract
  order: SimOrder
  /** Attributes TWS would act on that the simulator does not implement (the broker may refuse). */
  unsupported: string[]
}

const CONDITION_FIELDS: Record<number, Array<'int' | 'str' | 'bool' | 'double'>> = {
  1: ['bool', 'str', 'int', 'str', 'int'], // Price: isMore, value, conId, exchange, triggerMethod
  3: ['bool', 'str'], // Time: isMore, value
  4: ['bool', 'str'], // Margin: isMore, value
  5: ['str', 'str', 'str'], // Execution: secType, exchange, symbol
  6: ['bool', 'str', 'int', 'str'], // Volume: isMore, value, conId, exchange
  7: ['bool', 'str', 'int', 'str'], // PercentChange: isMore, value, conId, exchange
}

function skip(r: FieldReader, kinds: ReadonlyArray<'int' | 'str' | 'bool' | 'double'>): void {
  for (const k of kinds) {
    if (k === 'int') r.int()
    else if (k === 'bool') r.bool()
    else if (k === 'double') r.doubleMax()
    else r.str()
  }
}

const isType = (t: string, spaced: string): boolean => t === spaced || t === spaced.replace(' ', '')

export function decodePlaceOrder(r: FieldReader, v: number, clientId: number): PlaceOrderRequest {
  if (v < V.ORDER_CONTAINER) r.int() // message version
  const orderId = r.int()
  const contract = readContract(r)
  r.str() // secIdType
  r.str() // secId
  const action = r.str()
  const totalQuantity = v >= V.FRACTIONAL_POSITIONS ? r.decimal() : String(r.int())
  const orderType = r.str()
  const lmtPrice = r.doubleMax()
  const auxPrice = r.doubleMax()
  const tif = r.str()
  const ocaGroup = r.str()
  const account = r.str()
  r.str() // openClose
  r.int() // origin
  const orderRef = r.str()
  const transmit = r.bool()
  const parentId = r.int()
  r.bool() // blockOrder
  r.bool() // sweepToFill
  r.intMax() // displaySize
  r.int() // triggerMethod
  const outsideRth = r.bool()
  const hidden = r.bool()
  const unsupported: string[] = []
  if (hidden) unsupported.push('hidden')
  if (contract.secType.toUpperCase() === 'BAG') {
    const legs = readCount(r, 'combo legs')
    for (let i = 0; i < legs; i++) skip(r, ['int', 'int', 'str', 'str', 'int', 'int', 'str', 'int'])
    const prices = readCount(r, 'order combo legs')
    for (let i = 0; i < prices; i++) r.doubleMax()
    const params = readCount(r, 'smart combo routing params')
    for (let i = 0; i < params; i++) skip(r, ['str', 'str'])
  }
  r.str() // deprecated sharesAllocation
  r.double() // discretionaryAmt
  r.str() // goodAfterTime
  r.str() // goodTillDate
  skip(r, ['str', 'str', 'str']) // faGroup, faMethod, faPercentage
  if (v < V.FA_PROFILE_DESUPPORT) r.str() // faProfile
  if (v >= V.MODELS_SUPPORT) r.str() // modelCode
  r.int() // shortSaleSlot
  r.str() // designatedLocation
  r.int() // exemptCode
  const ocaType = r.int()
  r.str() // rule80A
  r.str() // settlingFirm
  r.bool() // allOrNone
  r.intMax() // minQty
  r.doubleMax() // percentOffset
  r.bool() // eTradeOnly (deprecated)
  r.bool() // firmQuoteOnly (deprecated)
  r.doubleMax() // nbboPriceCap (deprecated)
  r.intMax() // auctionStrategy
  skip(r, ['double', 'double', 'double', 'double', 'double']) // startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper
  r.bool() // overridePercentageConstraints
  r.doubleMax() // volatility
  r.intMax() // volatilityType
  const dnOrderType = r.str()
  r.doubleMax() // deltaNeutralAuxPrice
  if (dnOrderType !== '') {
    skip(r, ['int', 'str', 'str', 'str']) // deltaNeutral conId, settlingFirm, clearingAccount, clearingIntent
    skip(r, ['str', 'bool', 'int', 'str']) // deltaNeutral openClose, shortSale, shortSaleSlot, designatedLocation
  }
  r.int() // continuousUpdate
  r.intMax() // referencePriceType
  r.doubleMax() // trailStopPrice
  r.doubleMax() // trailingPercent
  r.intMax() // scaleInitLevelSize
  r.intMax() // scaleSubsLevelSize
  const scalePriceIncrement = r.doubleMax()
  if (scalePriceIncrement !== null && scalePriceIncrement > 0) {
    skip(r, ['double', 'int', 'double', 'bool', 'int', 'int', 'bool'])
    unsupported.push('scale')
  }
  skip(r, ['str', 'str', 'str']) // scaleTable, activeStartTime, activeStopTime
  const hedgeType = r.str()
  if (hedgeType !== '') {
    r.str() // hedgeParam
    unsupported.push('hedge')
  }
  r.bool() // optOutSmartRouting
  r.str() // clearingAccount
  r.str() // clearingIntent
  r.bool() // notHeld
  if (r.bool()) skip(r, ['int', 'double', 'double']) // deltaNeutralContract conId, delta, price
  const algoStrategy = r.str()
  if (algoStrategy !== '') {
    const n = readCount(r, 'algo params')
    for (let i = 0; i < n; i++) skip(r, ['str', 'str'])
    unsupported.push('algo')
  }
  r.str() // algoId
  if (r.bool()) unsupported.push('whatIf')
  r.str() // orderMiscOptions
  r.bool() // solicited
  r.bool() // randomizeSize
  r.bool() // randomizePrice
  if (v >= V.PEGGED_TO_BENCHMARK) {
    if (isType(orderType, 'PEG BENCH')) skip(r, ['int', 'bool', 'double', 'double', 'str'])
    const conditions = readCount(r, 'conditions')
    for (let i = 0; i < conditions; i++) {
      const type = r.int()
      r.str() // conjunctionConnection
      const fields = CONDITION_FIELDS[type]
      if (fields === undefined) throw new MalformedMessage(`unknown order condition type ${type}`)
      skip(r, fields)
    }
    if (conditions > 0) {
      r.bool() // conditionsIgnoreRth
      r.bool() // conditionsCancelOrder
      unsupported.push('conditions')
    }
    r.str() // adjustedOrderType
    skip(r, ['double', 'double', 'double', 'double', 'double']) // triggerPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount
    r.int() // adjustableTrailingUnit
  }
  if (v >= V.EXT_OPERATOR) r.str()
  if (v >= V.SOFT_DOLLAR_TIER) skip(r, ['str', 'str'])
  if (v >= V.CASH_QTY) r.doubleMax()
  if (v >= V.DECISION_MAKER) skip(r, ['str', 'str'])
  if (v >= V.MIFID_EXECUTION) skip(r, ['str', 'str'])
  if (v >= V.AUTO_PRICE_FOR_HEDGE) r.bool()
  if (v >= V.ORDER_CONTAINER) r.bool()
  if (v >= V.D_PEG_ORDERS) r.bool()
  if (v >= V.PRICE_MGMT_ALGO) r.str() // usePriceMgmtAlgo: '' (default), 0 or 1
  if (v >= V.DURATION) r.intMax()
  if (v >= V.POST_TO_ATS) r.intMax()
  if (v >= V.AUTO_CANCEL_PARENT) r.bool()
  if (v >= V.ADVANCED_ORDER_REJECT) r.str() // advancedErrorOverride
  if (v >= V.MANUAL_ORDER_TIME) r.str() // manualOrderTime
  if (v >= V.PEGBEST_PEGMID_OFFSETS) {
    let midOffsets = false
    if (contract.exchange === 'IBKRATS') r.intMax() // minTradeQty
    if (isType(orderType, 'PEG BEST')) {
      r.intMax() // minCompeteSize
      const compete = r.str() // competeAgainstBestOffset; "Infinity" = up to mid
      if (compete === 'Infinity') midOffsets = true
    } else if (isType(orderType, 'PEG MID')) midOffsets = true
    if (midOffsets) skip(r, ['double', 'double'])
  }
  if (v >= V.CUSTOMER_ACCOUNT) r.str()
  if (v >= V.PROFESSIONAL_CUSTOMER) r.bool()
  if (v >= V.RFQ_FIELDS && v < V.UNDO_RFQ_FIELDS) {
    r.str() // externalUserId
    r.intMax() // manualOrderIndicator
  }
  if (v >= V.INCLUDE_OVERNIGHT) r.bool()
  if (v >= V.CME_TAGGING_FIELDS) r.intMax() // manualOrderIndicator
  if (action !== 'BUY' && action !== 'SELL') throw new MalformedMessage(`order action ${JSON.stringify(action)} is not BUY or SELL`)
  return {
    orderId,
    contract,
    unsupported,
    order: {
      orderId, clientId, permId: 0, action, totalQuantity: totalQuantity ?? '0', orderType, lmtPrice, auxPrice, tif,
      ocaGroup, ocaType, orderRef, transmit, parentId, outsideRth, account,
    },
  }
}

/** cancelOrder: the order id (the manual-cancel and CME tagging fields are read and ignored). */
export function decodeCancelOrder(r: FieldReader, v: number): number {
  if (v < V.CME_TAGGING_FIELDS) r.int() // message version
  const orderId = r.int()
  if (v >= V.MANUAL_ORDER_TIME) r.str() // manualOrderCancelTime
  if (v >= V.RFQ_FIELDS && v < V.UNDO_RFQ_FIELDS) skip(r, ['str', 'str', 'int'])
  if (v >= V.CME_TAGGING_FIELDS) skip(r, ['str', 'int'])
  return orderId
}

/** reqGlobalCancel: nothing but the version, or the CME tagging fields. */
export function decodeGlobalCancel(r: FieldReader, v: number): void {
  if (v < V.CME_TAGGING_FIELDS) r.int()
  else skip(r, ['str', 'int'])
}
