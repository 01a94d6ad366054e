// contractData and contractDataEnd as TWS writes them (EDecoder.processContractDataMsg) at the
// negotiated version.
import type {SimContractDetails} from '../seam.js'
import {FieldWriter} from './fields.js'
import {IN, V} from './versions.js'

/** Fund attributes (FUND_DATA_FIELDS) the simulator has none of: 7 texts, 3 flags, 7 texts. */
function writeEmptyFundFields(w: FieldWriter): void {
  w.blanks(7).bool(false).bool(false).bool(false).blanks(7)
}

export function encodeContractData(reqId: number, d: SimContractDetails, v: number): string[] {
  const c = d.contract
  const w = new FieldWriter().int(IN.CONTRACT_DATA)
  if (v < V.SIZE_RULES) w.int(8)
  w.int(reqId).str(c.symbol).str(c.secType).str(c.lastTradeDateOrContractMonth)
  if (v >= V.LAST_TRADE_DATE) w.str(/^\d{8}$/.test(c.lastTradeDateOrContractMonth) ? c.lastTradeDateOrContractMonth : d.realExpirationDate)
  w.double(c.strike).str(c.right).str(c.exchange).str(c.currency).str(c.localSymbol)
  w.str(d.marketName).str(c.tradingClass).int(c.conId).double(d.minTick)
  if (v >= V.MD_SIZE_MULTIPLIER && v < V.SIZE_RULES) w.int(1) // mdSizeMultiplier
  w.str(c.multiplier).str(d.orderTypes).str(d.validExchanges).int(d.priceMagnifier).int(d.underConId)
  w.str(d.longName).str(c.primaryExchange)
  w.str(d.contractMonth).str(d.industry).str(d.category).str(d.subcategory).str(d.timeZoneId).str(d.tradingHours).str(d.liquidHours)
  w.str('').double(0) // evRule, evMultiplier
  w.int(0) // secIdList
  if (v >= V.AGG_GROUP) w.intMax(null)
  if (v >= V.UNDERLYING_INFO) w.str(d.underSymbol).str(d.underSecType)
  if (v >= V.MARKET_RULES) w.str('') // marketRuleIds
  if (v >= V.REAL_EXPIRATION_DATE) w.str(d.realExpirationDate)
  if (v >= V.STOCK_TYPE) w.str(d.stockType)
  if (v >= V.FRACTIONAL_SIZE_SUPPORT && v < V.SIZE_RULES) w.decimal(d.sizeIncrement) // sizeMinTick
  if (v >= V.SIZE_RULES) w.decimal(d.minSize).decimal(d.sizeIncrement).decimal(d.sizeIncrement) // suggestedSizeIncrement
  if (v >= V.FUND_DATA_FIELDS && c.secType === 'FUND') writeEmptyFundFields(w)
  if (v >= V.INELIGIBILITY_REASONS) w.int(0)
  return w.fields
}

export function encodeContractDataEnd(reqId: number): string[] {
  return new FieldWriter().int(IN.CONTRACT_DATA_END).int(1).int(reqId).fields
}
