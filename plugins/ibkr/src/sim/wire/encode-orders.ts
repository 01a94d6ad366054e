// openOrder, orderStatus and openOrderEnd as TWS writes them at the negotiated version — the
// field order of EDecoder.processOpenOrderMsg / EOrderDecoder. Attributes the simulator never
// sets go out at TWS's defaults: 0/false, '' for text, Double.MAX_VALUE / Integer.MAX_VALUE
// where TWS sends "unset".
import type {SimCompletedOrder, SimOpenOrder, SimOrderStatus} from '../seam.js'
import {FieldWriter} from './fields.js'
import {twsDateTime} from './time-format.js'
import {IN, V} from './versions.js'

export function encodeOpenOrder(o: SimOpenOrder, v: number): string[] {
  const {contract: c, order, state} = o
  const w = new FieldWriter().int(IN.OPEN_ORDER)
  // Below ORDER_CONTAINER the message carries its own version. We write the server version
  // there: every "version >= N" test of the reference decoders then agrees with the
  // "serverVersion >= N" tests the newer ones use, so each client reads the same field list.
  if (v < V.ORDER_CONTAINER) w.int(v)
  w.int(order.orderId)
  contractFields(w, c)
  w.str(order.action).decimal(order.totalQuantity).str(order.orderType).doubleMax(order.lmtPrice).doubleMax(order.auxPrice)
  w.str(order.tif).str(order.ocaGroup).str(order.account).str('') // openClose
  w.int(0) // origin: customer
  w.str(order.orderRef).int(order.clientId).int(order.permId).bool(order.outsideRth)
  w.int(0) // hidden
  w.double(0) // discretionaryAmt
  w.str('') // goodAfterTime
  w.str('') // deprecated sharesAllocation
  advisorToShortSale(w, v)
  w.int(0) // auctionStrategy
  boxRangeDisplay(w)
  w.bool(false).bool(false).bool(false) // blockOrder, sweepToFill, allOrNone
  w.intMax(null) // minQty
  w.int(order.ocaType)
  w.bool(false).bool(false) // eTradeOnly, firmQuoteOnly
  w.doubleMax(null) // nbboPriceCap
  w.int(order.parentId)
  volatilityAndTrail(w)
  w.doubleMax(null).intMax(null) // basisPoints, basisPointsType
  combosScaleHedge(w)
  w.bool(false) // optOutSmartRouting
  w.str('').str('') // clearingAccount, clearingIntent
  w.bool(false) // notHeld
  w.bool(false) // deltaNeutralContract
  w.str('') // algoStrategy
  w.bool(false) // solicited
  w.bool(false) // whatIf
  w.str(state.status)
  if (v >= V.WHAT_IF_EXT_FIELDS) w.doubleMax(null).doubleMax(null).doubleMax(null).doubleMax(null).doubleMax(null).doubleMax(null)
  w.doubleMax(null).doubleMax(null).doubleMax(null) // initMarginAfter, maintMarginAfter, equityWithLoanAfter
  w.doubleMax(state.commission).doubleMax(null).doubleMax(null) // commission, minCommission, maxCommission
  w.str(state.commissionCurrency).str(state.warningText)
  w.bool(false).bool(false) // randomizeSize, randomizePrice
  if (v >= V.PEGGED_TO_BENCHMARK) {
    w.int(0) // conditions
    w.str('') // adjustedOrderType
    w.doubleMax(null) // triggerPrice
    w.doubleMax(null).doubleMax(null) // trailStopPrice, lmtPriceOffset
    w.doubleMax(null).doubleMax(null).doubleMax(null) // adjustedStopPrice, adjustedStopLimitPrice, adjustedTrailingAmount
    w.int(0) // adjustableTrailingUnit
  }
  if (v >= V.SOFT_DOLLAR_TIER) w.blanks(3)
  if (v >= V.CASH_QTY) w.doubleMax(null)
  if (v >= V.AUTO_PRICE_FOR_HEDGE) w.bool(false)
  if (v >= V.ORDER_CONTAINER) w.bool(false)
  if (v >= V.D_PEG_ORDERS) w.bool(false)
  if (v >= V.PRICE_MGMT_ALGO) w.bool(false)
  if (v >= V.DURATION) w.intMax(null)
  if (v >= V.POST_TO_ATS) w.intMax(null)
  if (v >= V.AUTO_CANCEL_PARENT) w.bool(false)
  if (v >= V.PEGBEST_PEGMID_OFFSETS) w.intMax(null).intMax(null).doubleMax(null).doubleMax(null).doubleMax(null)
  if (v >= V.CUSTOMER_ACCOUNT) w.str('')
  if (v >= V.PROFESSIONAL_CUSTOMER) w.bool(false)
  if (v >= V.BOND_ACCRUED_INTEREST) w.str('')
  if (v >= V.INCLUDE_OVERNIGHT) w.bool(false)
  if (v >= V.CME_TAGGING_FIELDS_IN_OPEN_ORDER) w.str('').intMax(null)
  return w.fields
}

export function encodeOrderStatus(s: SimOrderStatus, v: number): string[] {
  const w = new FieldWriter().int(IN.ORDER_STATUS)
  if (v < V.MARKET_CAP_PRICE) w.int(6)
  w.int(s.orderId).str(s.status).decimal(s.filled).decimal(s.remaining).double(s.avgFillPrice)
  w.int(s.permId).int(s.parentId).double(s.lastFillPrice).int(s.clientId).str(s.whyHeld)
  if (v >= V.MARKET_CAP_PRICE) w.double(s.mktCapPrice)
  return w.fields
}

export function encodeOpenOrderEnd(): string[] {
  return new FieldWriter().int(IN.OPEN_ORDER_END).int(1).fields
}


/**
 * completedOrder (EDecoder.processCompletedOrderMsg, from MIN_SERVER_VER_COMPLETED_ORDERS 150): no
 * message version, no order id and no client id — a finished order is known by its permId and
 * orderRef. EOrderDecoder reads it at version "unset" (every `version >= N` test passes) and the
 * negotiated server version for the `serverVersion >= N` tests; the attributes the simulator never
 * sets go out at TWS's defaults, as in openOrder.
 */
export function encodeCompletedOrder(o: SimCompletedOrder, v: number): string[] {
  const {contract: c, order, state} = o
  const w = new FieldWriter().int(IN.COMPLETED_ORDER)
  contractFields(w, c)
  w.str(order.action).decimal(order.totalQuantity).str(order.orderType).doubleMax(order.lmtPrice).doubleMax(order.auxPrice)
  w.str(order.tif).str(order.ocaGroup).str(order.account).str('') // openClose
  w.int(0) // origin: customer
  w.str(order.orderRef).int(order.permId).bool(order.outsideRth)
  w.int(0) // hidden
  w.double(0) // discretionaryAmt
  w.str('') // goodAfterTime
  advisorToShortSale(w, v)
  boxRangeDisplay(w)
  w.bool(false).bool(false) // sweepToFill, allOrNone
  w.intMax(null) // minQty
  w.int(order.ocaType)
  volatilityAndTrail(w)
  combosScaleHedge(w)
  w.str('').str('') // clearingAccount, clearingIntent
  w.bool(false) // notHeld
  w.bool(false) // deltaNeutralContract
  w.str('') // algoStrategy
  w.bool(false) // solicited
  w.str(state.status)
  w.bool(false).bool(false) // randomizeSize, randomizePrice
  if (v >= V.PEGGED_TO_BENCHMARK) w.int(0) // conditions
  w.doubleMax(null).doubleMax(null) // trailStopPrice, lmtPriceOffset
  if (v >= V.CASH_QTY) w.doubleMax(null)
  if (v >= V.AUTO_PRICE_FOR_HEDGE) w.bool(false)
  if (v >= V.ORDER_CONTAINER) w.bool(false)
  w.str('') // autoCancelDate
  w.decimal(o.filledQuantity)
  w.int(0) // refFuturesConId
  w.bool(false) // autoCancelParent
  w.str('') // shareholder
  w.bool(false).bool(false) // imbalanceOnly, routeMarketableToBbo
  w.int(o.parentPermId)
  w.str(twsDateTime(o.completedTs)).str(o.completedStatus)
  if (v >= V.PEGBEST_PEGMID_OFFSETS) w.intMax(null).intMax(null).doubleMax(null).doubleMax(null).doubleMax(null)
  if (v >= V.CUSTOMER_ACCOUNT) w.str('')
  if (v >= V.PROFESSIONAL_CUSTOMER) w.bool(false)
  return w.fields
}

/** completedOrdersEnd: the message id alone. */
export function encodeCompletedOrdersEnd(): string[] {
  return new FieldWriter().int(IN.COMPLETED_ORDERS_END).fields
}

// The runs of fields openOrder and completedOrder share (EOrderDecoder's read order), at TWS's
// defaults where the simulator sets nothing.

function contractFields(w: FieldWriter, c: SimOpenOrder['contract']): void {
  w.int(c.conId).str(c.symbol).str(c.secType).str(c.lastTradeDateOrContractMonth).double(c.strike).str(c.right)
  w.str(c.multiplier).str(c.exchange).str(c.currency).str(c.localSymbol).str(c.tradingClass)
}

function advisorToShortSale(w: FieldWriter, v: number): void {
  w.blanks(3) // faGroup, faMethod, faPercentage
  if (v < V.FA_PROFILE_DESUPPORT) w.str('') // faProfile
  if (v >= V.MODELS_SUPPORT) w.str('') // modelCode
  w.str('') // goodTillDate
  w.str('') // rule80A
  w.doubleMax(null) // percentOffset
  w.str('') // settlingFirm
  w.int(0).str('').int(-1) // shortSaleSlot, designatedLocation, exemptCode
}

function boxRangeDisplay(w: FieldWriter): void {
  w.doubleMax(null).doubleMax(null).doubleMax(null) // startingPrice, stockRefPrice, delta
  w.doubleMax(null).doubleMax(null) // stockRangeLower, stockRangeUpper
  w.intMax(null) // displaySize
}

function volatilityAndTrail(w: FieldWriter): void {
  w.int(0) // triggerMethod
  w.doubleMax(null).int(0) // volatility, volatilityType
  w.str('') // deltaNeutralOrderType: none, so no delta-neutral block follows
  w.doubleMax(null) // deltaNeutralAuxPrice
  w.int(0).int(0) // continuousUpdate, referencePriceType
  w.doubleMax(null).doubleMax(null) // trailStopPrice, trailingPercent
}

function combosScaleHedge(w: FieldWriter): void {
  w.str('') // comboLegsDescrip
  w.int(0).int(0) // comboLegs, orderComboLegs
  w.int(0) // smartComboRoutingParams
  w.intMax(null).intMax(null).doubleMax(null) // scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement
  w.str('') // hedgeType
}
