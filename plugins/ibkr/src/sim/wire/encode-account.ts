// Positions, account summary and account updates as TWS writes them (EDecoder.processPositionMsg,
// processAccountSummaryMsg, processAcctValueMsg…).
import type {SimAccountValue, SimPosition} from '../seam.js'
import {FieldWriter} from './fields.js'
import {IN} from './versions.js'

export function encodePosition(p: SimPosition): string[] {
  const c = p.contract
  return new FieldWriter()
    .int(IN.POSITION).int(3).str(p.account)
    .int(c.conId).str(c.symbol).str(c.secType).str(c.lastTradeDateOrContractMonth).double(c.strike).str(c.right)
    .str(c.multiplier).str(c.exchange).str(c.currency).str(c.localSymbol).str(c.tradingClass)
    .decimal(p.pos).double(p.avgCost)
    .fields
}

export function encodePositionEnd(): string[] {
  return new FieldWriter().int(IN.POSITION_END).int(1).fields
}

export function encodeAccountSummary(reqId: number, account: string, a: SimAccountValue): string[] {
  return new FieldWriter().int(IN.ACCOUNT_SUMMARY).int(1).int(reqId).str(account).str(a.tag).str(a.value).str(a.currency).fields
}

export function encodeAccountSummaryEnd(reqId: number): string[] {
  return new FieldWriter().int(IN.ACCOUNT_SUMMARY_END).int(1).int(reqId).fields
}

export function encodeAccountValue(account: string, a: SimAccountValue): string[] {
  return new FieldWriter().int(IN.ACCT_VALUE).int(2).str(a.tag).str(a.value).str(a.currency).str(account).fields
}

/** updateAccountTime: `HH:mm` of the sim's clock (UTC). */
export function encodeAccountTime(ms: number): string[] {
  const d = new Date(ms)
  const hhmm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
  return new FieldWriter().int(IN.ACCT_UPDATE_TIME).int(1).str(hhmm).fields
}

export function encodeAccountDownloadEnd(account: string): string[] {
  return new FieldWriter().int(IN.ACCT_DOWNLOAD_END).int(1).str(account).fields
}
