// Session-level answers: the handshake reply, nextValidId, managedAccounts, currentTime and the
// error message (EDecoder.processErrMsgMsg) at the negotiated version.
import {FieldWriter} from './fields.js'
import {IN, V} from './versions.js'

export function encodeServerVersion(version: number, connectionTime: string): string[] {
  return [String(version), connectionTime]
}

export function encodeNextValidId(orderId: number): string[] {
  return new FieldWriter().int(IN.NEXT_VALID_ID).int(1).int(orderId).fields
}

export function encodeManagedAccounts(accounts: readonly string[]): string[] {
  return new FieldWriter().int(IN.MANAGED_ACCTS).int(1).str(accounts.join(',')).fields
}

export function encodeCurrentTime(epochSec: number): string[] {
  return new FieldWriter().int(IN.CURRENT_TIME).int(1).int(epochSec).fields
}

/** From ENCODE_MSG_ASCII7 on, TWS escapes non-ASCII text as \uXXXX (clients unescape it). */
function ascii7(text: string): string {
  let out = ''
  for (const ch of text) {
    const code = ch.codePointAt(0) as number
    if (code < 0x80) out += ch
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`
    else for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`
  }
  return out
}

/** error: reqId -1 for connectivity and farm messages, else the order or request it concerns. */
export function encodeError(reqId: number, code: number, message: string, v: number, advancedOrderRejectJson = ''): string[] {
  const w = new FieldWriter().int(IN.ERR_MSG).int(2).int(reqId).int(code)
  w.str(v >= V.ENCODE_MSG_ASCII7 ? ascii7(message) : message)
  if (v >= V.ADVANCED_ORDER_REJECT) w.str(v >= V.ENCODE_MSG_ASCII7 ? ascii7(advancedOrderRejectJson) : advancedOrderRejectJson)
  return w.fields
}
