// The account as the reconciler reads it, from reqAccountSummary and reqPositions:
// - cash is TotalCashValue, equity NetLiquidation, buying power BuyingPower, in the account's base
//   currency (the currency TWS gives those tags), as micro units read exactly from TWS's decimal
//   text (parsing.ts decimalToMicro);
// - a position is TWS's signed quantity of a contract in the account. Its average price is the
//   entry price of the open quantity: TWS's avgCost includes the multiplier AND the opening
//   commissions (MES bought at 5000.25: avgCost 25001.87), so the price is replayed from the
//   account's executions TWS still lists (average-cost method, as TWS averages); when they do not
//   explain the whole position (it is older than TWS's execution history) it is avgCost over the
//   multiplier, commissions included.
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

/** The entry price of each instrument's open quantity, replayed from executions (execDetails argument lists). */
export function entryPrices(items: readonly unknown[][], account: string | undefined, idOf: (contract: unknown) => string, timeOf: (execution: Record<string, unknown>) => number): Map<string, {qty: number; avgPrice: number}> {
  const rows = items
    .map(([, contract, execution]) => ({contract, e: rec(execution)}))
    .filter(({e}) => account === undefined || str(e.acctNumber) === '' || str(e.acctNumber) === account)
    .map(({contract, e}) => ({id: idOf(contract), ts: timeOf(e), execId: str(e.execId), signed: (str(e.side) === 'SLD' ? -1 : 1) * num(e.shares), price: num(e.price)}))
    .filter((r) => Number.isFinite(r.signed) && r.signed !== 0 && r.price > 0)
    .sort((a, b) => a.ts - b.ts || a.execId.localeCompare(b.execId))
  const out = new Map<string, {qty: number; avgPrice: number}>()
  const seen = new Set<string>()
  for (const r of rows) {
    if (seen.has(r.execId)) continue
    seen.add(r.execId)
    const h = out.get(r.id) ?? {qty: 0, avgPrice: 0}
    const qty = h.qty + r.signed
    if (h.qty === 0 || Math.sign(h.qty) === Math.sign(r.signed)) h.avgPrice = (h.avgPrice * Math.abs(h.qty) + r.price * Math.abs(r.signed)) / Math.abs(qty)
    else if (Math.sign(qty) !== Math.sign(h.qty) && qty !== 0) h.avgPrice = r.price
    h.qty = Math.abs(qty) < 1e-9 ? 0 : qty
    if (h.qty === 0) h.avgPrice = 0
    out.set(r.id, h)
  }
  return out
}
