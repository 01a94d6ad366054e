// The account as the reconciler reads it, from reqAccountSummary and reqPositions:
// - cash is TotalCashValue, equity NetLiquidation, buying power BuyingPower, in the account's base
//   currency (the currency TWS gives those tags), as micro units read exactly from TWS's decimal
//   text (parsing.ts decimalToMicro);
// - a position is TWS's signed quantity of a contract in the account; its average price is TWS's
//   avgCost divided by the contract's multiplier (TWS gives a future's avgCost per contract).
// A login with several accounts reports all of them: only the sector's account counts.
import type {AccountSnapshot, Position} from '../../../src/foundation/domain/orders.js'
import {positionOf} from './parsing-orders.js'
import {decimalToMicro, num, rec, str} from './parsing.js'

export const SUMMARY_TAGS = 'NetLiquidation,TotalCashValue,BuyingPower,AvailableFunds'

/** accountSummary messages (reqId, account, tag, value, currency) as rick's snapshot. */
export function summaryOf(items: readonly unknown[][], account: string | undefined): AccountSnapshot {
  const values = new Map<string, {value: string; currency: string}>()
  for (const [, acct, tag, value, currency] of items) {
    if (account !== undefined && str(acct) !== account) continue
    values.set(str(tag), {value: str(value), currency: str(currency)})
  }
  const cash = values.get('TotalCashValue')
  const equity = values.get('NetLiquidation')
  if (cash === undefined || equity === undefined) throw new Error(`TWS's account summary${account === undefined ? '' : ` of ${account}`} lacks ${cash === undefined ? 'TotalCashValue' : 'NetLiquidation'}`)
  const micro = (v: {value: string}, tag: string): number => {
    const m = decimalToMicro(v.value)
    if (!Number.isFinite(m)) throw new Error(`TWS's account summary: ${tag} ${JSON.stringify(v.value)} is not a number`)
    return m
  }
  const out: AccountSnapshot = {currency: cash.currency || equity.currency || 'USD', cash: micro(cash, 'TotalCashValue'), equity: micro(equity, 'NetLiquidation')}
  const bp = values.get('BuyingPower') ?? values.get('AvailableFunds')
  if (bp !== undefined && Number.isFinite(decimalToMicro(bp.value))) out.buyingPower = decimalToMicro(bp.value)
  return out
}

/** position messages (account, contract, pos, avgCost) as rick's positions (flat ones left out). */
export function positionsOf(items: readonly unknown[][], account: string | undefined, idOf: (contract: unknown) => string, multiplierOf: (contract: unknown) => number): Position[] {
  const out = new Map<string, Position>()
  for (const [acct, contract, pos, avgCost] of items) {
    if (account !== undefined && str(acct) !== account) continue
    const p = positionOf(pos, avgCost, multiplierOf(contract))
    const id = idOf(contract)
    if (p.qty === 0) {
      out.delete(id)
      continue
    }
    out.set(id, {instrument: id, qty: p.qty, avgPrice: p.avgPrice})
  }
  return [...out.values()]
}

/** A contract's multiplier as TWS writes it ('' or digits; 1 when absent). */
export function contractMultiplier(contract: unknown): number {
  const m = num(rec(contract).multiplier)
  return m > 0 ? m : 1
}
