// A small SimBroker of our own for the wire's tests: two contracts, market orders filled at the
// quote, limit orders left working, a position book, executions kept for reqExecutions, bars and
// quotes pushed by the test. It is a stand-in for the real broker (sim-broker's), not a model of it.
import type {
  SimAccountValue, SimBar, SimBroker, SimCommissionReport, SimContract, SimContractDetails, SimEvent, SimExecution, SimExecutionFilter,
  SimHistoricalRequest, SimOpenOrder, SimOrder, SimOrderStatus, SimPosition, SimQuote, SimRefusal,
} from '../../../../../plugins/ibkr/src/sim/seam.js'

export const T0 = Date.UTC(2026, 11, 8, 15, 0, 0)

export const MES: SimContract = {
  conId: 730283085, symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '20261218', strike: 0, right: '', multiplier: '5',
  exchange: 'CME', primaryExchange: '', currency: 'USD', localSymbol: 'MESZ6', tradingClass: 'MES',
}
export const SPY: SimContract = {
  conId: 756733, symbol: 'SPY', secType: 'STK', lastTradeDateOrContractMonth: '', strike: 0, right: '', multiplier: '',
  exchange: 'SMART', primaryExchange: 'ARCA', currency: 'USD', localSymbol: 'SPY', tradingClass: 'SPY',
}

function details(c: SimContract, minTick: number, longName: string, tz: string): SimContractDetails {
  return {
    contract: c, marketName: c.tradingClass, minTick, minSize: '1', sizeIncrement: '1', priceMagnifier: 1, orderTypes: 'LMT,MKT,STP,STP LMT',
    validExchanges: c.exchange, longName, contractMonth: c.secType === 'FUT' ? '202612' : '', industry: '', category: '', subcategory: '',
    timeZoneId: tz, tradingHours: '20261207:1700-20261208:1600', liquidHours: '20261208:0830-20261208:1600',
    realExpirationDate: c.secType === 'FUT' ? '20261218' : '', underConId: 0, underSymbol: '', underSecType: '', stockType: c.secType === 'STK' ? 'ETF' : '',
  }
}

export const CATALOGUE = [details(MES, 0.25, 'Micro E-Mini S&P 500 Stock Price Index', 'US/Central'), details(SPY, 0.01, 'SPDR S&P 500 ETF TRUST', 'US/Eastern')]

interface Working {
  open: SimOpenOrder
  status: SimOrderStatus
}

export class FakeBroker implements SimBroker {
  readonly account = 'DU1234567'
  t = T0
  nextId = 1
  refusing: SimRefusal | undefined
  fillPrice = 6000.25
  readonly opened: number[] = []
  readonly closed: number[] = []
  readonly placed: Array<{contract: SimContract; order: SimOrder}> = []
  readonly cancels: Array<{clientId: number; orderId: number}> = []
  readonly working = new Map<number, Working>()
  readonly positionBook = new Map<number, SimPosition>()
  readonly fills: Array<{execution: SimExecution; report: SimCommissionReport}> = []
  readonly historyRequests: SimHistoricalRequest[] = []
  readonly barListeners = new Map<number, Set<(b: SimBar) => void>>()
  readonly quoteListeners = new Map<number, Set<(q: SimQuote) => void>>()
  private readonly listeners = new Set<(e: SimEvent) => void>()
  private permId = 900_000
  private execSeq = 0

  now(): number {
    return this.t
  }
  nextValidId(): number {
    return this.nextId
  }
  reserveIds(count: number): number {
    const id = this.nextId
    this.nextId += Math.max(0, count - 1)
    return id
  }
  refusal(): SimRefusal | undefined {
    return this.refusing
  }
  contractDetails(q: SimContract): SimContractDetails[] {
    return CATALOGUE.filter((d) => (q.conId !== 0 ? d.contract.conId === q.conId : d.contract.symbol === q.symbol && (q.secType === '' || d.contract.secType === q.secType)))
  }
  emit(e: SimEvent): void {
    for (const l of this.listeners) l(e)
  }
  placeOrder(contract: SimContract, order: SimOrder): void {
    this.placed.push({contract, order})
    if (order.orderId < this.nextId) {
      this.emit({kind: 'error', clientId: order.clientId, reqId: order.orderId, code: 103, message: 'Duplicate order id'})
      return
    }
    this.nextId = order.orderId + 1
    const c = this.contractDetails(contract)[0]?.contract
    if (c === undefined) {
      this.emit({kind: 'error', clientId: order.clientId, reqId: order.orderId, code: 200, message: 'No security definition has been found for the request'})
      return
    }
    const placed: SimOrder = {...order, permId: ++this.permId, account: this.account, tif: order.tif || 'DAY'}
    const status: SimOrderStatus = {
      orderId: order.orderId, status: 'Submitted', filled: '0', remaining: order.totalQuantity, avgFillPrice: 0, permId: placed.permId,
      parentId: order.parentId, lastFillPrice: 0, clientId: order.clientId, whyHeld: '', mktCapPrice: 0,
    }
    const open: SimOpenOrder = {contract: c, order: placed, state: {status: 'Submitted', commission: null, commissionCurrency: '', warningText: ''}}
    this.emit({kind: 'openOrder', clientId: order.clientId, open})
    this.emit({kind: 'orderStatus', clientId: order.clientId, status})
    if (order.orderType !== 'MKT') {
      this.working.set(order.orderId, {open, status})
      return
    }
    const qty = order.totalQuantity
    const execution: SimExecution = {
      orderId: order.orderId, clientId: order.clientId, permId: placed.permId, execId: `0000e0d5.6576fd3a.01.${String(++this.execSeq).padStart(2, '0')}`,
      ts: this.t, acctNumber: this.account, exchange: c.exchange, side: order.action === 'BUY' ? 'BOT' : 'SLD', shares: qty, price: this.fillPrice,
      cumQty: qty, avgPrice: this.fillPrice, orderRef: order.orderRef, liquidation: 0, lastLiquidity: 2, contract: c,
    }
    const report: SimCommissionReport = {execId: execution.execId, commission: 0.62, currency: 'USD', realizedPNL: null}
    this.fills.push({execution, report})
    const signed = (order.action === 'BUY' ? 1 : -1) * Number(qty)
    const prev = Number(this.positionBook.get(c.conId)?.pos ?? '0')
    this.positionBook.set(c.conId, {account: this.account, contract: c, pos: String(prev + signed), avgCost: this.fillPrice * Number(c.multiplier || '1')})
    this.emit({kind: 'execution', clientId: order.clientId, execution})
    this.emit({kind: 'commission', clientId: order.clientId, report})
    const filled = {...status, status: 'Filled', filled: qty, remaining: '0', avgFillPrice: this.fillPrice, lastFillPrice: this.fillPrice}
    this.emit({kind: 'openOrder', clientId: order.clientId, open: {...open, state: {...open.state, status: 'Filled', commission: 0.62, commissionCurrency: 'USD'}}})
    this.emit({kind: 'orderStatus', clientId: order.clientId, status: filled})
  }
  cancelOrder(clientId: number, orderId: number): void {
    this.cancels.push({clientId, orderId})
    const w = this.working.get(orderId)
    if (w === undefined || w.open.order.clientId !== clientId) {
      this.emit({kind: 'error', clientId, reqId: orderId, code: 10147, message: `OrderId ${orderId} that needs to be cancelled is not found.`})
      return
    }
    this.working.delete(orderId)
    this.emit({kind: 'orderStatus', clientId, status: {...w.status, status: 'Cancelled'}})
    this.emit({kind: 'error', clientId, reqId: orderId, code: 202, message: 'Order Canceled - reason:'})
  }
  openOrders(clientId: number | undefined): Working[] {
    return [...this.working.values()].filter((w) => clientId === undefined || w.open.order.clientId === clientId)
  }
  positions(): SimPosition[] {
    return [...this.positionBook.values()]
  }
  accountSummary(tags: readonly string[]): SimAccountValue[] {
    const values: Record<string, string> = {NetLiquidation: '100000.00', TotalCashValue: '99000.50', BuyingPower: '400000.00', AccountType: 'INDIVIDUAL'}
    return tags.filter((t) => values[t] !== undefined).map((tag) => ({tag, value: values[tag] as string, currency: tag === 'AccountType' ? '' : 'USD'}))
  }
  executions(filter: SimExecutionFilter): Array<{execution: SimExecution; report: SimCommissionReport}> {
    return this.fills.filter((f) => (filter.clientId === 0 || f.execution.clientId === filter.clientId) && f.execution.ts >= filter.sinceTs)
  }
  historicalBars(r: SimHistoricalRequest): SimBar[] | SimRefusal {
    this.historyRequests.push(r)
    if (r.whatToShow === 'BOGUS') return {code: 162, message: 'Historical Market Data Service error message:No data of type BOGUS'}
    const bars: SimBar[] = []
    const n = Math.floor(r.durationSec / r.barSizeSec)
    const endSec = Math.floor(r.endTs / 1000 / r.barSizeSec) * r.barSizeSec
    for (let i = n; i >= 1; i--) {
      const p = 6000 + i * 0.25
      bars.push({time: endSec - i * r.barSizeSec, open: p, high: p + 0.5, low: p - 0.25, close: p + 0.25, volume: String(100 + i), wap: p + 0.125, count: 10 + i})
    }
    return bars
  }
  private sub<T>(map: Map<number, Set<(x: T) => void>>, conId: number, l: (x: T) => void): () => void {
    const set = map.get(conId) ?? new Set()
    map.set(conId, set)
    set.add(l)
    return () => set.delete(l)
  }
  subscribeRealTimeBars(conId: number, l: (b: SimBar) => void): () => void {
    return this.sub(this.barListeners, conId, l)
  }
  subscribeQuotes(conId: number, l: (q: SimQuote) => void): () => void {
    return this.sub(this.quoteListeners, conId, l)
  }
  pushBar(conId: number, b: SimBar): void {
    for (const l of this.barListeners.get(conId) ?? []) l(b)
  }
  pushQuote(conId: number, q: SimQuote): void {
    for (const l of this.quoteListeners.get(conId) ?? []) l(q)
  }
  listenerCount(map: Map<number, Set<unknown>>): number {
    let n = 0
    for (const s of map.values()) n += s.size
    return n
  }
  onEvent(l: (e: SimEvent) => void): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }
  sessionOpened(clientId: number): void {
    this.opened.push(clientId)
  }
  sessionClosed(clientId: number): void {
    this.closed.push(clientId)
  }
}
