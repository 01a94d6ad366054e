// The paper account `DU…`: USD cash, positions, realized P&L and margin, in integer micro-dollars
// (1e-6 USD) so that no float drifts into a balance. As at IBKR:
//   - a stock fill moves its whole value through cash; a future (and an IDEALPRO pair, margined the
//     same way here) moves only its commission at the open and its P&L at the close;
//   - avgCost is per share / per contract INCLUDING the multiplier and the opening commissions
//     (MES bought at 5000.25: 25001.87 = 5000.25 × 5 + 0.62);
//   - the realized P&L of a closing fill is net of the opening and the closing commissions, and an
//     opening fill has none (commissionReport's realizedPNL then is "no value");
//   - initial margin must be there for the position an order would leave (else error 201).
// Marks are the mid of the sim's quote at the time asked.
import type {Product} from './catalogue.js'
import {MICRO} from './commissions.js'
import type {SimAccountValue, SimPosition} from './seam.js'

interface Holding {
  product: Product
  /** Signed units. */
  qty: number
  /** Signed price value of the units held (qty × price × multiplier), micro-dollars. */
  valueMicro: number
  /** Opening commissions of the units held, micro-dollars. */
  commMicro: number
}

export interface FillBooking {
  /** IBKR's realizedPNL of the fill (micro-dollars), or null when it opened only. */
  realizedMicro: number | null
}

export type MarkFn = (conId: number) => number | undefined

const cents = (micro: number): string => {
  const c = Math.round(micro / 10_000)
  const neg = c < 0
  const abs = Math.abs(c)
  return `${neg ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** Price × units × multiplier in micro-dollars, exact for the catalogue's ticks. */
export function valueMicro(p: Product, qty: number, price: number): number {
  return Math.round(price * MICRO * p.multiplier) * qty
}

export class Account {
  private cashMicro: number
  private realizedMicro = 0
  private readonly holdings = new Map<number, Holding>()

  constructor(
    readonly id: string,
    startingCashUsd: number,
    private readonly mark: MarkFn,
  ) {
    this.cashMicro = Math.round(startingCashUsd * 100) * 10_000
  }

  position(conId: number): number {
    return this.holdings.get(conId)?.qty ?? 0
  }

  /** Books a fill: `signedQty` > 0 buys. */
  book(p: Product, signedQty: number, price: number, commissionMicro: number): FillBooking {
    let h = this.holdings.get(p.contract.conId)
    if (h === undefined) {
      h = {product: p, qty: 0, valueMicro: 0, commMicro: 0}
      this.holdings.set(p.contract.conId, h)
    }
    const margined = p.contract.secType !== 'STK'
    const closing = h.qty !== 0 && Math.sign(h.qty) !== Math.sign(signedQty) ? Math.min(Math.abs(h.qty), Math.abs(signedQty)) : 0
    const opening = Math.abs(signedQty) - closing
    // The fill's commission is split between the part that closes and the part that opens.
    const closeComm = Math.round((commissionMicro * closing) / Math.abs(signedQty))
    const openComm = commissionMicro - closeComm
    let realized: number | null = null
    let grossMicro = 0
    if (closing > 0) {
      const share = closing / Math.abs(h.qty)
      const basisValue = Math.round(h.valueMicro * share)
      const basisComm = Math.round(h.commMicro * share)
      const exitValue = valueMicro(p, closing, price) * Math.sign(h.qty)
      grossMicro = exitValue - basisValue
      realized = grossMicro - basisComm - closeComm
      h.valueMicro -= basisValue
      h.commMicro -= basisComm
      h.qty -= closing * Math.sign(h.qty)
      this.realizedMicro += realized
    }
    if (opening > 0) {
      const dir = Math.sign(signedQty)
      h.qty += opening * dir
      h.valueMicro += valueMicro(p, opening, price) * dir
      h.commMicro += openComm
    }
    if (margined) this.cashMicro += grossMicro - commissionMicro
    else this.cashMicro -= valueMicro(p, signedQty, price) + commissionMicro
    return {realizedMicro: realized}
  }

  /** Positions as reqPositions reports them (a position closed today stays, at 0, as at TWS). */
  positions(): SimPosition[] {
    return [...this.holdings.values()].map((h) => ({
      account: this.id,
      contract: {...h.product.contract},
      pos: String(h.qty),
      avgCost: h.qty === 0 ? 0 : (h.valueMicro + h.commMicro) / h.qty / MICRO,
    }))
  }

  private markOf(h: Holding): number {
    return this.mark(h.product.contract.conId) ?? (h.qty === 0 ? 0 : h.valueMicro / h.qty / MICRO / h.product.multiplier)
  }

  private marginOf(h: Holding, qty: number, init: boolean): number {
    const p = h.product
    const rate = init ? p.initMargin : p.maintMargin
    if (!p.marginIsRate) return Math.abs(qty) * rate * MICRO
    return Math.abs(valueMicro(p, qty, this.markOf(h))) * rate
  }

  /** Everything TWS's account summary is computed from, micro-dollars. */
  private figures(override?: {product: Product; qty: number}): {cash: number; netLiq: number; stockValue: number; unrealized: number; init: number; maint: number} {
    const holdings = [...this.holdings.values()]
    const conId = override?.product.contract.conId
    if (override !== undefined && !this.holdings.has(conId as number)) holdings.push({product: override.product, qty: 0, valueMicro: 0, commMicro: 0})
    let stockValue = 0
    let futuresPnl = 0
    let unrealized = 0
    let init = 0
    let maint = 0
    for (const h of holdings) {
      const qty = override !== undefined && conId === h.product.contract.conId ? override.qty : h.qty
      init += this.marginOf(h, qty, true)
      maint += this.marginOf(h, qty, false)
      if (h.qty === 0) continue
      const mv = valueMicro(h.product, h.qty, this.markOf(h))
      unrealized += mv - h.valueMicro - h.commMicro
      if (h.product.contract.secType === 'STK') stockValue += mv
      else futuresPnl += mv - h.valueMicro
    }
    return {cash: this.cashMicro, netLiq: this.cashMicro + stockValue + futuresPnl, stockValue, unrealized, init, maint}
  }

  /**
   * Whether the account can hold the position an order of `signedQty` leaves; the refusal text
   * is TWS's error 201 reason when not. An order that only reduces a position always passes.
   */
  marginCheck(p: Product, signedQty: number): string | undefined {
    const current = this.position(p.contract.conId)
    const after = current + signedQty
    if (Math.abs(after) <= Math.abs(current) && Math.sign(after) * Math.sign(current) >= 0) return undefined
    const f = this.figures({product: p, qty: after})
    if (f.init <= f.netLiq) return undefined
    return `YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [${cents(f.netLiq)} USD] MUST EXCEED THE INITIAL MARGIN [${cents(f.init)} USD]`
  }

  /** Every tag IBKR's account summary has for this account, with its value (USD amounts to cents). */
  summary(): Map<string, SimAccountValue> {
    const f = this.figures()
    const available = f.netLiq - f.init
    const excess = f.netLiq - f.maint
    const usd = (tag: string, micro: number): [string, SimAccountValue] => [tag, {tag, value: cents(micro), currency: 'USD'}]
    return new Map<string, SimAccountValue>([
      ['AccountType', {tag: 'AccountType', value: 'INDIVIDUAL', currency: ''}],
      usd('NetLiquidation', f.netLiq),
      usd('TotalCashValue', f.cash),
      usd('SettledCash', f.cash),
      usd('AccruedCash', 0),
      usd('BuyingPower', Math.max(0, available) * 4),
      usd('EquityWithLoanValue', f.netLiq),
      usd('PreviousDayEquityWithLoanValue', f.netLiq),
      usd('GrossPositionValue', Math.abs(f.stockValue)),
      usd('RegTEquity', f.netLiq),
      usd('RegTMargin', f.init),
      usd('SMA', Math.max(0, available)),
      usd('InitMarginReq', f.init),
      usd('MaintMarginReq', f.maint),
      usd('AvailableFunds', available),
      usd('ExcessLiquidity', excess),
      ['Cushion', {tag: 'Cushion', value: f.netLiq > 0 ? (excess / f.netLiq).toFixed(6) : '0', currency: ''}],
      usd('FullInitMarginReq', f.init),
      usd('FullMaintMarginReq', f.maint),
      usd('FullAvailableFunds', available),
      usd('FullExcessLiquidity', excess),
      ['LookAheadNextChange', {tag: 'LookAheadNextChange', value: '0', currency: ''}],
      usd('LookAheadInitMarginReq', f.init),
      usd('LookAheadMaintMarginReq', f.maint),
      usd('LookAheadAvailableFunds', available),
      usd('LookAheadExcessLiquidity', excess),
      ['HighestSeverity', {tag: 'HighestSeverity', value: '0', currency: ''}],
      ['DayTradesRemaining', {tag: 'DayTradesRemaining', value: '-1', currency: ''}],
      ['Leverage', {tag: 'Leverage', value: f.netLiq > 0 ? (Math.abs(f.stockValue) / f.netLiq).toFixed(2) : '0', currency: ''}],
      // The $LEDGER values (one currency: USD).
      usd('CashBalance', f.cash),
      usd('TotalCashBalance', f.cash),
      usd('NetLiquidationByCurrency', f.netLiq),
      usd('StockMarketValue', f.stockValue),
      usd('FuturesPNL', f.netLiq - f.cash - f.stockValue),
      usd('UnrealizedPnL', f.unrealized),
      usd('RealizedPnL', this.realizedMicro),
      ['ExchangeRate', {tag: 'ExchangeRate', value: '1.00', currency: 'USD'}],
      ['Currency', {tag: 'Currency', value: 'USD', currency: 'USD'}],
    ])
  }

  /**
   * reqAccountSummary: the tags asked, in the order asked; `$LEDGER`, `$LEDGER:USD` and
   * `$LEDGER:ALL` stand for the ledger values of the base currency (the only one here).
   */
  accountSummary(tags: readonly string[]): SimAccountValue[] {
    const all = this.summary()
    const out: SimAccountValue[] = []
    const seen = new Set<string>()
    const push = (tag: string): void => {
      const v = all.get(tag)
      if (v === undefined || seen.has(tag)) return
      seen.add(tag)
      out.push(v)
    }
    for (const raw of tags) {
      const tag = raw.trim()
      if (/^\$LEDGER(:(ALL|USD|BASE))?$/i.test(tag)) for (const t of LEDGER_TAGS) push(t)
      else push(tag)
    }
    return out
  }
}

const LEDGER_TAGS = ['Currency', 'CashBalance', 'TotalCashBalance', 'NetLiquidationByCurrency', 'StockMarketValue', 'FuturesPNL', 'UnrealizedPnL', 'RealizedPnL', 'ExchangeRate']
