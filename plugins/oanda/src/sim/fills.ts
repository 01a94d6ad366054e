// Filling an order, as OANDA does on a non-hedging USD account. A fill happens at the ask (buy) or
// the bid (sell) of the moment; before it, these cancel the order instead (ORDER_CANCEL, reason):
//   MARKET_HALTED        the market is halted (the marketHalted fault)
//   BOUNDS_VIOLATION     the price is worse than the order's priceBound
//   POSITION_CLOSEOUT_FAILED  positionFill REDUCE_ONLY with nothing to reduce (OANDA names no reason
//                        for this case; the simulator's choice)
//   FIFO_VIOLATION       positionFill OPEN_ONLY while an opposite position exists (likewise a choice)
//   TAKE_PROFIT_ON_FILL_LOSS / STOP_LOSS_ON_FILL_LOSS  the dependent order would lose at once
//   INSUFFICIENT_MARGIN  the units it opens need more margin than is available
// The fill reduces opposite trades oldest first (or the one trade a trade close names), opens a trade
// with the rest (its id is the fill's transaction id), realizes P&L into the balance, writes one
// ORDER_FILL (tradeOpened / tradesClosed / tradeReduced), creates the TP/SL the order asked for on
// the new trade, and cancels the TP/SL of trades it closed (LINKED_TRADE_CLOSED).
import type {Quote} from '../../../../src/sectors/sim/index.js'
import type {Ledger} from './ledger.js'
import type {OnFill, SimOrder, SimTrade} from './model.js'
import type {Batch, TransactionLog, WireTransaction} from './transactions.js'
import {money, orderCreateFields, unitsText, type ViewContext} from './views.js'

export const REDUCE_ONLY_NOTHING_TO_REDUCE = 'POSITION_CLOSEOUT_FAILED'
export const OPEN_ONLY_WOULD_REDUCE = 'FIFO_VIOLATION'

export interface FillTarget {
  /** Close (part of) this trade only (trade close, TP, SL). */
  trade?: SimTrade
  /** Close these trades oldest first (position closeout). */
  closeout?: SimTrade[]
  /** Units to close of `trade` / `closeout` (all when undefined). */
  units?: number
}

export interface FillResult {
  fill?: WireTransaction
  cancel?: WireTransaction
}

export interface FillDeps {
  view: ViewContext
  ledger: Ledger
  log: TransactionLog
  /** The missFill fault: true when this fill must not reach the transactions stream. */
  hideFill(): boolean
  /** Registers an order the fill created (TP/SL on fill). */
  addOrder(order: SimOrder): void
}

const sign = (n: number): number => (n > 0 ? 1 : -1)

export class Filler {
  constructor(private readonly d: FillDeps) {}

  /** Cancels a pending order in `batch` (ORDER_CANCEL) and unlinks a TP/SL from its trade. */
  cancel(order: SimOrder, batch: Batch, reason: string, replacedByOrderID?: string): WireTransaction {
    const tx = batch.add({type: 'ORDER_CANCEL', orderID: order.id, ...(order.clientExtensions?.id === undefined ? {} : {clientOrderID: order.clientExtensions.id}), reason, ...(replacedByOrderID === undefined ? {} : {replacedByOrderID})})
    order.state = 'CANCELLED'
    order.cancellingTransactionID = tx.id
    order.cancelledTime = batch.now
    this.unlink(order)
    return tx
  }

  /** Fills `order` (all of it: OANDA fills market, triggered and marketable orders whole) or cancels it. */
  fill(order: SimOrder, batch: Batch, q: Quote, reason: string, target: FillTarget = {}): FillResult {
    const {ledger, view} = this.d
    const now = batch.now
    if (view.market.halted) return {cancel: this.cancel(order, batch, 'MARKET_HALTED')}
    const buy = order.units > 0
    const price = buy ? q.askTicks : q.bidTicks
    if (order.priceBoundTicks !== undefined && (buy ? price > order.priceBoundTicks : price < order.priceBoundTicks)) return {cancel: this.cancel(order, batch, 'BOUNDS_VIOLATION')}

    const plan = this.plan(order, target)
    if (typeof plan === 'string') return {cancel: this.cancel(order, batch, plan)}
    const {reductions, open} = plan
    if (open !== 0) {
      const loss = this.onFillLoss(order, buy, price, q)
      if (loss !== undefined) return {cancel: this.cancel(order, batch, loss)}
      // Reducing first frees the margin of what it closes.
      let freed = 0
      for (const r of reductions) freed += ledger.marginFor(order.instrument, r.units, now)
      if (ledger.marginFor(order.instrument, open, now) > ledger.state(now).marginAvailable + freed) return {cancel: this.cancel(order, batch, 'INSUFFICIENT_MARGIN')}
    }
    return {fill: this.apply(order, batch, q, price, reason, reductions, open)}
  }

  /** What a fill of the order would close and open, or the reason it cannot. */
  private plan(order: SimOrder, target: FillTarget): {reductions: Array<{trade: SimTrade; units: number}>; open: number} | string {
    const want = Math.abs(order.units)
    const take = (trades: SimTrade[], limit: number): Array<{trade: SimTrade; units: number}> => {
      const out: Array<{trade: SimTrade; units: number}> = []
      let left = limit
      for (const trade of trades) {
        if (left <= 0) break
        const units = Math.min(left, Math.abs(trade.currentUnits))
        out.push({trade, units})
        left -= units
      }
      return out
    }
    if (target.trade !== undefined) return {reductions: take([target.trade], target.units ?? want), open: 0}
    if (target.closeout !== undefined) return {reductions: take(target.closeout, target.units ?? want), open: 0}
    const opposite = this.d.ledger.openTrades(order.instrument).filter((t) => sign(t.currentUnits) !== sign(order.units))
    const reducible = opposite.reduce((n, t) => n + Math.abs(t.currentUnits), 0)
    switch (order.positionFill) {
      case 'REDUCE_ONLY':
        if (reducible === 0) return REDUCE_ONLY_NOTHING_TO_REDUCE
        return {reductions: take(opposite, Math.min(want, reducible)), open: 0}
      case 'OPEN_ONLY':
        if (reducible > 0) return OPEN_ONLY_WOULD_REDUCE
        return {reductions: [], open: order.units}
      default: {
        const reduced = Math.min(want, reducible)
        return {reductions: take(opposite, reduced), open: sign(order.units) * (want - reduced)}
      }
    }
  }

  /** A take profit that would close at a loss, or a stop loss already crossed, cancels the order. */
  private onFillLoss(order: SimOrder, buy: boolean, price: number, q: Quote): string | undefined {
    const tp = order.takeProfitOnFill?.priceTicks
    if (tp !== undefined && (buy ? tp <= price : tp >= price)) return 'TAKE_PROFIT_ON_FILL_LOSS'
    const sl = order.stopLossOnFill
    if (sl !== undefined) {
      const at = this.stopLossPrice(sl, buy, price)
      if (buy ? at >= q.bidTicks : at <= q.askTicks) return 'STOP_LOSS_ON_FILL_LOSS'
    }
    return undefined
  }

  private stopLossPrice(sl: OnFill, buy: boolean, fillPrice: number): number {
    return sl.priceTicks ?? (buy ? fillPrice - (sl.distanceTicks ?? 0) : fillPrice + (sl.distanceTicks ?? 0))
  }

  private apply(order: SimOrder, batch: Batch, q: Quote, price: number, reason: string, reductions: Array<{trade: SimTrade; units: number}>, open: number): WireTransaction {
    const {ledger, view, log} = this.d
    const now = batch.now
    const instrument = order.instrument
    const fillID = log.nextID
    const home = view.market.quoteHome(instrument, now)
    const i = view.market.instrument(instrument)
    const priceText = view.market.priceText(instrument, price)
    // Half the spread on each unit, a cost: converted with the loss factor.
    const halfSpread = (units: number): number => ledger.money(units * i.spreadTicks, i.displayPrecision, ['0.5', home.lossText])
    let pl = 0
    let quoteSteps = 0
    let spreadCost = 0
    let filled = 0
    const tradesClosed: Record<string, unknown>[] = []
    let tradeReduced: Record<string, unknown> | undefined
    const closedTrades: SimTrade[] = []
    for (const {trade, units} of reductions) {
      const s = sign(trade.currentUnits)
      const part = -s * units
      const realized = ledger.realize(instrument, s * units, trade.priceTicks, price, now)
      const cost = halfSpread(units)
      quoteSteps += s * units * (price - trade.priceTicks)
      trade.currentUnits += part
      trade.realizedPL += realized
      trade.closedUnits += units
      trade.closedTicksSum += units * price
      trade.closingTransactionIDs.push(fillID)
      const book = ledger.book(instrument)
      if (s > 0) book.longPL += realized
      else book.shortPL += realized
      const entry = {
        tradeID: trade.id,
        ...(trade.clientExtensions?.id === undefined ? {} : {clientTradeID: trade.clientExtensions.id}),
        units: unitsText(view, part),
        price: priceText,
        realizedPL: money(view, realized),
        financing: '0.0000',
        baseFinancing: '0',
        guaranteedExecutionFee: '0.0000',
        quoteGuaranteedExecutionFee: '0',
        halfSpreadCost: money(view, cost),
      }
      if (trade.currentUnits === 0) {
        trade.state = 'CLOSED'
        trade.closeTime = now
        tradesClosed.push(entry)
        closedTrades.push(trade)
      } else {
        tradeReduced = entry
      }
      pl += realized
      spreadCost += cost
      filled += part
    }
    let tradeOpened: Record<string, unknown> | undefined
    let opened: SimTrade | undefined
    if (open !== 0) {
      const cost = halfSpread(Math.abs(open))
      const margin = ledger.marginFor(instrument, open, now)
      opened = {id: fillID, instrument, priceTicks: price, openTime: now, initialUnits: open, currentUnits: open, initialMarginRequired: margin, realizedPL: 0, state: 'OPEN', closedUnits: 0, closedTicksSum: 0, closingTransactionIDs: [], ...(order.tradeClientExtensions === undefined ? {} : {clientExtensions: {...order.tradeClientExtensions}})}
      ledger.trades.set(fillID, opened)
      tradeOpened = {
        tradeID: fillID,
        units: unitsText(view, open),
        price: priceText,
        guaranteedExecutionFee: '0.0000',
        quoteGuaranteedExecutionFee: '0',
        halfSpreadCost: money(view, cost),
        initialMarginRequired: money(view, margin),
        ...(order.tradeClientExtensions === undefined ? {} : {clientExtensions: {...order.tradeClientExtensions}}),
      }
      spreadCost += cost
      filled += open
    }
    ledger.balance += pl
    ledger.pl += pl
    ledger.lastOrderFillTime = now
    const base = view.market.instrument(instrument).base
    const baseHome = view.market.has(`${base}_USD`) || view.market.has(`USD_${base}`) || base === 'USD' ? view.market.toHome(base, now) : undefined
    const fill = batch.add(
      {
        type: 'ORDER_FILL',
        orderID: order.id,
        ...(order.clientExtensions?.id === undefined ? {} : {clientOrderID: order.clientExtensions.id}),
        instrument,
        units: unitsText(view, filled),
        requestedUnits: unitsText(view, order.units),
        price: priceText,
        fullVWAP: priceText,
        fullPrice: view.market.fullPrice(instrument, q),
        reason,
        pl: money(view, pl),
        quotePL: trimZeros(view.sim.formatScaled(quoteSteps, i.displayPrecision)),
        financing: '0.0000',
        baseFinancing: '0',
        commission: '0.0000',
        guaranteedExecutionFee: '0.0000',
        quoteGuaranteedExecutionFee: '0',
        accountBalance: money(view, ledger.balance),
        gainQuoteHomeConversionFactor: home.gainText,
        lossQuoteHomeConversionFactor: home.lossText,
        homeConversionFactors: {
          gainQuoteHome: {factor: home.gainText},
          lossQuoteHome: {factor: home.lossText},
          ...(baseHome === undefined ? {} : {gainBaseHome: {factor: baseHome.gainText}, lossBaseHome: {factor: baseHome.lossText}}),
        },
        halfSpreadCost: money(view, spreadCost),
        ...(tradeOpened === undefined ? {} : {tradeOpened}),
        ...(tradesClosed.length === 0 ? {} : {tradesClosed}),
        ...(tradeReduced === undefined ? {} : {tradeReduced}),
      },
      {hiddenFromStream: this.d.hideFill()},
    )
    order.state = 'FILLED'
    order.fillingTransactionID = fill.id
    order.filledTime = now
    if (opened !== undefined) order.tradeOpenedID = opened.id
    if (tradeReduced !== undefined) order.tradeReducedID = tradeReduced.tradeID as string
    if (closedTrades.length > 0) order.tradeClosedIDs = closedTrades.map((t) => t.id)
    this.unlink(order)
    if (opened !== undefined) this.dependentsOnFill(order, opened, batch, fill.id)
    for (const t of closedTrades) this.cancelDependents(t, batch, order.id)
    return fill
  }

  /** takeProfitOnFill / stopLossOnFill become TAKE_PROFIT / STOP_LOSS orders on the new trade. */
  private dependentsOnFill(order: SimOrder, trade: SimTrade, batch: Batch, fillID: string): void {
    const make = (type: 'TAKE_PROFIT' | 'STOP_LOSS', d: OnFill): void => {
      const o: SimOrder = {
        id: this.d.log.nextID,
        type,
        state: 'PENDING',
        createTime: batch.now,
        instrument: trade.instrument,
        units: -trade.currentUnits,
        timeInForce: d.timeInForce,
        positionFill: 'REDUCE_ONLY',
        triggerCondition: 'DEFAULT',
        tradeID: trade.id,
        reason: 'ON_FILL',
        ...(d.gtdTime === undefined ? {} : {gtdTime: d.gtdTime}),
        ...(d.clientExtensions === undefined ? {} : {clientExtensions: {...d.clientExtensions}}),
      }
      if (type === 'TAKE_PROFIT') o.priceTicks = d.priceTicks
      else o.priceTicks = this.stopLossPrice(d, trade.currentUnits > 0, trade.priceTicks)
      if (type === 'STOP_LOSS' && d.distanceTicks !== undefined) o.distanceTicks = d.distanceTicks
      batch.add(orderCreateFields(this.d.view, o, {orderFillTransactionID: fillID}))
      this.d.addOrder(o)
      if (type === 'TAKE_PROFIT') trade.takeProfitOrderID = o.id
      else trade.stopLossOrderID = o.id
    }
    if (order.takeProfitOnFill !== undefined) make('TAKE_PROFIT', order.takeProfitOnFill)
    if (order.stopLossOnFill !== undefined) make('STOP_LOSS', order.stopLossOnFill)
  }

  /** A closed trade's pending TP/SL are cancelled (all but the order that closed it). */
  private cancelDependents(trade: SimTrade, batch: Batch, except: string): void {
    for (const id of [trade.takeProfitOrderID, trade.stopLossOrderID]) {
      const o = id === undefined ? undefined : this.d.view.orders.get(id)
      if (o !== undefined && o.state === 'PENDING' && o.id !== except) this.cancel(o, batch, 'LINKED_TRADE_CLOSED')
    }
  }

  private unlink(order: SimOrder): void {
    if (order.tradeID === undefined) return
    const trade = this.d.ledger.trades.get(order.tradeID)
    if (trade === undefined) return
    if (trade.takeProfitOrderID === order.id) trade.takeProfitOrderID = undefined
    if (trade.stopLossOrderID === order.id) trade.stopLossOrderID = undefined
  }
}

/** "-14.000" → "-14", "0.50000" → "0.5" (OANDA writes quotePL without padding). */
function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text
}
