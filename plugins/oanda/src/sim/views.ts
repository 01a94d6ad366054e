// The simulator's state in OANDA's JSON layouts: Order (by type), Trade / TradeSummary, Position,
// Account / AccountSummary, the *_ORDER transaction of an order. Field names and value formats
// follow OANDA's v20 definitions as the @oanda/v20 SDK reads them: units and prices as decimal
// strings, money (AccountUnits) with 4 decimals, times as SimTime (written per request format).
import type {SimFramework} from '../../../../src/sectors/sim/index.js'
import type {Ledger} from './ledger.js'
import type {OandaMarket} from './market.js'
import type {ClientExtensions, OnFill, SimOrder, SimTrade} from './model.js'
import {accountUnits, SimTime} from './wire.js'

export interface ViewContext {
  sim: Pick<SimFramework, 'formatScaled'>
  market: OandaMarket
  ledger: Ledger
  orders: ReadonlyMap<string, SimOrder>
  accountID: string
  userID: number
  createdTime: number
  lastTransactionID(): string
}

const ZERO = '0.0000'

export function money(v: ViewContext, micro: number): string {
  return accountUnits(micro, v.sim)
}

export function unitsText(v: ViewContext, units: number): string {
  return v.sim.formatScaled(units, 0)
}

function ratio(v: ViewContext, r: number): string {
  return v.sim.formatScaled(Math.round((Number.isFinite(r) ? r : 0) * 100_000), 5)
}

function ext(ce: ClientExtensions | undefined): Record<string, unknown> {
  return ce === undefined ? {} : {clientExtensions: {...ce}}
}

function onFillView(v: ViewContext, instrument: string, d: OnFill, stopLoss: boolean): Record<string, unknown> {
  return {
    ...(d.priceTicks === undefined ? {} : {price: v.market.priceText(instrument, d.priceTicks)}),
    ...(d.distanceTicks === undefined ? {} : {distance: v.market.priceText(instrument, d.distanceTicks)}),
    timeInForce: d.timeInForce,
    ...(d.gtdTime === undefined ? {} : {gtdTime: new SimTime(d.gtdTime)}),
    ...ext(d.clientExtensions),
    ...(stopLoss ? {guaranteed: false} : {}),
  }
}

/** The request part of an order: what its *_ORDER transaction and its Order view both show. */
export function orderBody(v: ViewContext, o: SimOrder): Record<string, unknown> {
  const price = (t: number | undefined, key: string): Record<string, unknown> => (t === undefined ? {} : {[key]: v.market.priceText(o.instrument, t)})
  const gtd = o.gtdTime === undefined ? {} : {gtdTime: new SimTime(o.gtdTime)}
  if (o.type === 'TAKE_PROFIT' || o.type === 'STOP_LOSS') {
    const trade = o.tradeID === undefined ? undefined : v.ledger.trades.get(o.tradeID)
    return {
      tradeID: o.tradeID,
      ...(trade?.clientExtensions?.id === undefined ? {} : {clientTradeID: trade.clientExtensions.id}),
      ...price(o.priceTicks, 'price'),
      ...price(o.distanceTicks, 'distance'),
      timeInForce: o.timeInForce,
      ...gtd,
      triggerCondition: o.triggerCondition,
      ...(o.type === 'STOP_LOSS' ? {guaranteed: false} : {}),
      ...ext(o.clientExtensions),
    }
  }
  return {
    instrument: o.instrument,
    units: unitsText(v, o.units),
    ...(o.type === 'MARKET' ? {} : price(o.priceTicks, 'price')),
    ...(o.type === 'LIMIT' ? {} : price(o.priceBoundTicks, 'priceBound')),
    timeInForce: o.timeInForce,
    ...gtd,
    positionFill: o.positionFill,
    ...(o.type === 'MARKET' ? {} : {triggerCondition: o.triggerCondition}),
    ...(o.tradeClose === undefined ? {} : {tradeClose: o.tradeClose}),
    ...(o.longPositionCloseout === undefined ? {} : {longPositionCloseout: o.longPositionCloseout}),
    ...(o.shortPositionCloseout === undefined ? {} : {shortPositionCloseout: o.shortPositionCloseout}),
    ...ext(o.clientExtensions),
    ...(o.takeProfitOnFill === undefined ? {} : {takeProfitOnFill: onFillView(v, o.instrument, o.takeProfitOnFill, false)}),
    ...(o.stopLossOnFill === undefined ? {} : {stopLossOnFill: onFillView(v, o.instrument, o.stopLossOnFill, true)}),
    ...(o.tradeClientExtensions === undefined ? {} : {tradeClientExtensions: {...o.tradeClientExtensions}}),
  }
}

/** The fields of the transaction that creates an order (MARKET_ORDER, LIMIT_ORDER…). */
export function orderCreateFields(v: ViewContext, o: SimOrder, extra: Record<string, unknown> = {}): Record<string, unknown> & {type: string} {
  return {type: `${o.type}_ORDER`, ...orderBody(v, o), reason: o.reason, ...extra}
}

/** OANDA's Order definition (GET /orders, /pendingOrders, /orders/{spec}). */
export function orderView(v: ViewContext, o: SimOrder): Record<string, unknown> {
  return {
    id: o.id,
    createTime: new SimTime(o.createTime),
    type: o.type,
    ...orderBody(v, o),
    ...(o.type === 'MARKET_IF_TOUCHED' && o.initialMarketPriceTicks !== undefined ? {initialMarketPrice: v.market.priceText(o.instrument, o.initialMarketPriceTicks)} : {}),
    state: o.state,
    ...(o.fillingTransactionID === undefined ? {} : {fillingTransactionID: o.fillingTransactionID, filledTime: new SimTime(o.filledTime ?? 0)}),
    ...(o.tradeOpenedID === undefined ? {} : {tradeOpenedID: o.tradeOpenedID}),
    ...(o.tradeReducedID === undefined ? {} : {tradeReducedID: o.tradeReducedID}),
    ...(o.tradeClosedIDs === undefined ? {} : {tradeClosedIDs: o.tradeClosedIDs}),
    ...(o.cancellingTransactionID === undefined ? {} : {cancellingTransactionID: o.cancellingTransactionID, cancelledTime: new SimTime(o.cancelledTime ?? 0)}),
    ...(o.replacesOrderID === undefined ? {} : {replacesOrderID: o.replacesOrderID}),
    ...(o.replacedByOrderID === undefined ? {} : {replacedByOrderID: o.replacedByOrderID}),
  }
}

function tradeBase(v: ViewContext, t: SimTrade, now: number): Record<string, unknown> {
  const open = t.state === 'OPEN'
  return {
    id: t.id,
    instrument: t.instrument,
    price: v.market.priceText(t.instrument, t.priceTicks),
    openTime: new SimTime(t.openTime),
    initialUnits: unitsText(v, t.initialUnits),
    initialMarginRequired: money(v, t.initialMarginRequired),
    state: t.state,
    currentUnits: unitsText(v, t.currentUnits),
    realizedPL: money(v, t.realizedPL),
    financing: ZERO,
    dividendAdjustment: ZERO,
    ...(open ? {unrealizedPL: money(v, v.ledger.unrealizedPL(t, now)), marginUsed: money(v, v.ledger.marginUsed(t, now))} : {}),
    ...(t.closedUnits > 0 ? {averageClosePrice: averagePrice(v, t.instrument, t.closedTicksSum, t.closedUnits)} : {}),
    ...(t.closingTransactionIDs.length > 0 ? {closingTransactionIDs: [...t.closingTransactionIDs]} : {}),
    ...(t.closeTime === undefined ? {} : {closeTime: new SimTime(t.closeTime)}),
    ...ext(t.clientExtensions),
  }
}

function dependent(v: ViewContext, id: string | undefined): SimOrder | undefined {
  const o = id === undefined ? undefined : v.orders.get(id)
  return o?.state === 'PENDING' ? o : undefined
}

/** OANDA's Trade (GET /trades…): its pending TP/SL as whole orders. */
export function tradeView(v: ViewContext, t: SimTrade, now: number): Record<string, unknown> {
  const tp = dependent(v, t.takeProfitOrderID)
  const sl = dependent(v, t.stopLossOrderID)
  return {...tradeBase(v, t, now), ...(tp ? {takeProfitOrder: orderView(v, tp)} : {}), ...(sl ? {stopLossOrder: orderView(v, sl)} : {})}
}

/** OANDA's TradeSummary (in the Account): its pending TP/SL by id. */
export function tradeSummaryView(v: ViewContext, t: SimTrade, now: number): Record<string, unknown> {
  const tp = dependent(v, t.takeProfitOrderID)
  const sl = dependent(v, t.stopLossOrderID)
  return {...tradeBase(v, t, now), ...(tp ? {takeProfitOrderID: tp.id} : {}), ...(sl ? {stopLossOrderID: sl.id} : {})}
}

/** A VWAP of whole ticks, exact to three more decimals than the price, trailing zeros trimmed. */
function averagePrice(v: ViewContext, instrument: string, ticksSum: number, units: number): string {
  const dp = v.market.instrument(instrument).displayPrecision
  const text = v.sim.formatScaled(Math.round((ticksSum * 1000) / units), dp + 3)
  return dp === 0 ? text.replace(/\.?0+$/, '') : text.replace(/0{1,3}$/, '')
}

/** OANDA's Position of one instrument (both sides). */
export function positionView(v: ViewContext, instrument: string, now: number): Record<string, unknown> {
  const book = v.ledger.book(instrument)
  const side = (long: boolean): Record<string, unknown> & {upl: number; margin: number} => {
    const trades = v.ledger.openTrades(instrument).filter((t) => (t.currentUnits > 0) === long)
    let units = 0
    let ticksSum = 0
    let upl = 0
    let margin = 0
    for (const t of trades) {
      units += t.currentUnits
      ticksSum += Math.abs(t.currentUnits) * t.priceTicks
      upl += v.ledger.unrealizedPL(t, now)
      margin += v.ledger.marginUsed(t, now)
    }
    const pl = long ? book.longPL : book.shortPL
    return {
      units: unitsText(v, units),
      ...(units === 0 ? {} : {averagePrice: averagePrice(v, instrument, ticksSum, Math.abs(units)), tradeIDs: trades.map((t) => t.id)}),
      pl: money(v, pl),
      resettablePL: money(v, pl),
      financing: ZERO,
      dividendAdjustment: ZERO,
      guaranteedExecutionFees: ZERO,
      unrealizedPL: money(v, upl),
      upl,
      margin,
    }
  }
  const {upl: lu, margin: lm, ...long} = side(true)
  const {upl: su, margin: sm, ...short} = side(false)
  const pl = book.longPL + book.shortPL
  return {
    instrument,
    long,
    short,
    pl: money(v, pl),
    resettablePL: money(v, pl),
    financing: ZERO,
    commission: ZERO,
    dividendAdjustment: ZERO,
    guaranteedExecutionFees: ZERO,
    unrealizedPL: money(v, lu + su),
    marginUsed: money(v, lm + sm),
  }
}

/** Instruments with a position now or ever (OANDA lists positions the account has traded). */
export function positionInstruments(v: ViewContext, openOnly: boolean): string[] {
  const names = new Set<string>()
  for (const t of v.ledger.trades.values()) if (!openOnly || t.state === 'OPEN') names.add(t.instrument)
  return [...names].sort()
}

export function accountSummaryView(v: ViewContext, now: number): Record<string, unknown> {
  const s = v.ledger.state(now)
  const pending = [...v.orders.values()].filter((o) => o.state === 'PENDING').length
  return {
    id: v.accountID,
    alias: 'Primary',
    currency: 'USD',
    balance: money(v, v.ledger.balance),
    createdByUserID: v.userID,
    createdTime: new SimTime(v.createdTime),
    guaranteedStopLossOrderMode: 'DISABLED',
    pl: money(v, v.ledger.pl),
    resettablePL: money(v, v.ledger.pl),
    resettablePLTime: '0',
    financing: ZERO,
    commission: ZERO,
    dividendAdjustment: ZERO,
    guaranteedExecutionFees: ZERO,
    openTradeCount: s.openTradeCount,
    openPositionCount: s.openPositionCount,
    pendingOrderCount: pending,
    hedgingEnabled: false,
    ...(v.ledger.lastOrderFillTime === undefined ? {} : {lastOrderFillTimestamp: new SimTime(v.ledger.lastOrderFillTime)}),
    unrealizedPL: money(v, s.unrealizedPL),
    NAV: money(v, s.NAV),
    marginUsed: money(v, s.marginUsed),
    marginAvailable: money(v, s.marginAvailable),
    positionValue: money(v, s.positionValue),
    marginCloseoutUnrealizedPL: money(v, s.closeoutUnrealizedPL),
    marginCloseoutNAV: money(v, s.closeoutNAV),
    marginCloseoutMarginUsed: money(v, s.marginUsed),
    // Margin closeout comes when the closeout NAV falls to half the margin used.
    marginCloseoutPercent: ratio(v, s.closeoutNAV > 0 ? s.marginUsed / (2 * s.closeoutNAV) : s.marginUsed > 0 ? 1 : 0),
    marginCloseoutPositionValue: money(v, s.positionValue),
    withdrawalLimit: money(v, s.marginAvailable),
    marginCallMarginUsed: money(v, s.marginUsed),
    marginCallPercent: ratio(v, s.NAV > 0 ? s.marginUsed / s.NAV : s.marginUsed > 0 ? 1 : 0),
    lastTransactionID: v.lastTransactionID(),
  }
}

export function accountView(v: ViewContext, now: number): Record<string, unknown> {
  return {
    ...accountSummaryView(v, now),
    trades: v.ledger.openTrades().map((t) => tradeSummaryView(v, t, now)),
    positions: positionInstruments(v, false).map((i) => positionView(v, i, now)),
    orders: [...v.orders.values()].filter((o) => o.state === 'PENDING').map((o) => orderView(v, o)),
  }
}

/** OANDA's Instrument definition. */
export function instrumentView(v: ViewContext, name: string): Record<string, unknown> {
  const i = v.market.instrument(name)
  const pip = 10 ** i.pipLocation
  return {
    name: i.name,
    type: i.type,
    displayName: i.displayName,
    pipLocation: i.pipLocation,
    displayPrecision: i.displayPrecision,
    tradeUnitsPrecision: i.tradeUnitsPrecision,
    minimumTradeSize: String(i.minimumTradeSize),
    maximumTrailingStopDistance: (pip * 10_000).toFixed(i.displayPrecision),
    minimumTrailingStopDistance: (pip * 5).toFixed(i.displayPrecision),
    maximumPositionSize: '0',
    maximumOrderUnits: String(i.maximumOrderUnits),
    marginRate: i.marginRate,
    guaranteedStopLossOrderMode: 'DISABLED',
    tags: [{type: 'ASSET_CLASS', name: i.type}],
    financing: {longRate: '0', shortRate: '0', financingDaysOfWeek: []},
  }
}
