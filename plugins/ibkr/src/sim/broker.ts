// The broker half of the simulated TWS (seam.ts's SimBroker): what TWS and IB's servers keep for
// one paper account — contracts, market, orders, the account, executions, ids — and what the
// fault switches do to it. The wire calls it on its turn; everything later (fills, status changes)
// goes out through onEvent. Time is the sim clock's; randomness is seeded.
import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import {Account} from './account.js'
import {openOrderOf, statusOf, type WorkingOrder} from './book.js'
import {Catalogue} from './catalogue.js'
import {Executions} from './executions.js'
import {DEFAULT_REJECT_REASON, READ_ONLY_REFUSAL} from './faults.js'
import {Feeds} from './feeds.js'
import {accountId, ExecIds, OrderIds, PermIds} from './ids.js'
import {Market} from './market.js'
import {RecordKeeper, type IbkrVenueRecords} from './records.js'
import type {SimAccountValue, SimBar, SimBroker, SimCommissionReport, SimContract, SimContractDetails, SimEvent, SimExecution, SimExecutionFilter, SimHistoricalRequest, SimCompletedOrder, SimOpenOrder, SimOrder, SimOrderStatus, SimPosition, SimQuote, SimRefusal} from './seam.js'
import {Trading} from './trading.js'

export interface BrokerOptions {
  core: CoreRuntime
  seed: number
  /** Sim time, epoch ms. */
  now(): number
  /** USD (default 1,000,000, what an IBKR paper account starts with). */
  startingCash?: number
  log?(message: string): void
  /** The reject fault's count (faults.ts): true when this placement must be refused. */
  takeReject?(): boolean
  /** The silentOrders fault's count: true when this placement's messages must never reach the client. */
  takeSilent?(): boolean
  /** The unreachableOrders fault's count: true when this order request meets a TWS cut from IB. */
  takeUnreachable?(): boolean
  /** The readOnlyApi switch: TWS's "Read-Only API" setting. */
  readOnly?(): boolean
}

/** TWS's connectivity messages (reqId -1). */
export const CONNECTIVITY = {
  lost: {code: 1100, message: 'Connectivity between IB and Trader Workstation has been lost.'},
  restoredDataLost: {code: 1101, message: 'Connectivity between IB and Trader Workstation has been restored - data lost.'},
  restoredDataKept: {code: 1102, message: 'Connectivity between IB and Trader Workstation has been restored - data maintained.'},
} as const

const ORDER_EVENTS = new Set<SimEvent['kind']>(['openOrder', 'orderStatus', 'execution', 'commission'])

export class IbkrBroker implements SimBroker {
  readonly account: string
  readonly catalogue: Catalogue
  readonly market: Market
  readonly ledger: Account
  readonly trading: Trading
  readonly records = new RecordKeeper()
  private readonly executionLog = new Executions()
  private readonly ids = new OrderIds()
  private readonly feeds: Feeds
  private readonly listeners = new Set<(event: SimEvent) => void>()
  private readonly sessions = new Map<number, number>()
  private readonly log: (message: string) => void
  /** 1100 until 1101/1102: requests refused, data stopped, order events withheld. */
  private lost = false
  /** The fillWhileAway fault at work: order events reach no one. */
  private away = false
  private rejection: {code: number; reason: string} = {code: 201, reason: DEFAULT_REJECT_REASON}
  /** Orders (`clientId:orderId`) of the silentOrders fault, and their executions: never told live. */
  private readonly silent = new Set<string>()
  private readonly silentExecs = new Set<string>()
  private externalSeq = 0

  constructor(private readonly o: BrokerOptions) {
    const start = o.now()
    this.log = o.log ?? (() => {})
    this.account = accountId(o.core.seededRandom((o.seed ^ 0x1b4c0de) >>> 0))
    this.catalogue = new Catalogue(start)
    this.market = new Market(o.core, this.catalogue, o.seed, start)
    this.ledger = new Account(this.account, o.startingCash ?? 1_000_000, (conId) => {
      const q = this.market.quote(conId, this.now())
      return q === undefined ? undefined : (q.bid + q.ask) / 2
    })
    this.feeds = new Feeds(this.market, this.log)
    const ids = o.core.seededRandom((o.seed ^ 0x9e3779b9) >>> 0)
    this.trading = new Trading({
      catalogue: this.catalogue,
      market: this.market,
      account: this.ledger,
      executions: this.executionLog,
      ids: this.ids,
      permIds: new PermIds(ids),
      execIds: new ExecIds(ids),
      records: this.records,
      now: () => this.now(),
      emit: (event) => this.emit(event),
      rejectDue: () => this.rejectDue(),
    })
  }

  now(): number {
    return this.o.now()
  }

  nextValidId(): number {
    return this.ids.nextValidId()
  }

  /** reqIds: TWS answers the next valid id whatever the count asked (the count is unused). */
  reserveIds(_count: number): number {
    return this.ids.nextValidId()
  }

  refusal(): SimRefusal | undefined {
    return this.lost ? {...CONNECTIVITY.lost} : undefined
  }

  contractDetails(query: SimContract): SimContractDetails[] {
    return this.catalogue.details(query, this.now())
  }

  placeOrder(contract: SimContract, order: SimOrder): void {
    this.sync()
    if (this.refuseOrderRequest(order.clientId, order.orderId)) return
    if (this.o.takeSilent?.() === true) this.silent.add(`${order.clientId}:${order.orderId}`)
    this.trading.place(contract, order)
  }

  cancelOrder(clientId: number, orderId: number): void {
    this.sync()
    if (this.refuseOrderRequest(clientId, orderId)) return
    this.trading.cancelByClient(clientId, orderId)
  }

  /**
   * TWS's own refusals of an order request, before anything reaches IB: "Read-Only API" (321), then
   * the moment TWS has lost IB (1100). Answered on the order id; nothing placed, nothing recorded.
   */
  private refuseOrderRequest(clientId: number, orderId: number): boolean {
    const r = this.o.readOnly?.() === true ? READ_ONLY_REFUSAL : this.o.takeUnreachable?.() === true ? CONNECTIVITY.lost : undefined
    if (r === undefined) return false
    this.emit({kind: 'error', clientId, reqId: orderId, code: r.code, message: r.message})
    return true
  }

  openOrders(clientId: number | undefined): Array<{open: SimOpenOrder; status: SimOrderStatus}> {
    this.sync()
    return this.trading.book
      .open()
      .filter((w) => !w.held && (clientId === undefined || w.order.clientId === clientId))
      .map((w) => ({open: openOrderOf(w), status: statusOf(w)}))
  }

  /**
   * The finished orders, oldest first (TWS keeps the day's; the simulator all of its run). apiOnly
   * leaves out the orders placed by hand in TWS (client 0 here). completedStatus is TWS's free
   * text; the simulator writes the status word.
   */
  completedOrders(apiOnly: boolean): SimCompletedOrder[] {
    this.sync()
    const book = this.trading.book
    return book
      .all()
      .filter((w) => (w.status === 'Filled' || w.status === 'Cancelled') && !(apiOnly && w.order.clientId === 0))
      .sort((a, b) => (a.completedTs ?? 0) - (b.completedTs ?? 0) || a.seq - b.seq)
      .map((w) => ({...openOrderOf(w), filledQuantity: String(w.filled), completedTs: w.completedTs ?? this.now(), completedStatus: w.status, parentPermId: book.parentOf(w)?.order.permId ?? 0}))
  }

  positions(): SimPosition[] {
    this.sync()
    return this.ledger.positions()
  }

  accountSummary(tags: readonly string[]): SimAccountValue[] {
    this.sync()
    return this.ledger.accountSummary(tags)
  }

  executions(filter: SimExecutionFilter): Array<{execution: SimExecution; report: SimCommissionReport}> {
    this.sync()
    return this.executionLog.filter(filter, this.now())
  }

  historicalBars(request: SimHistoricalRequest): SimBar[] | SimRefusal {
    return this.market.historical(request, this.now())
  }

  subscribeRealTimeBars(conId: number, listener: (bar: SimBar) => void): () => void {
    return this.feeds.subscribeBars(conId, listener, this.now())
  }

  subscribeQuotes(conId: number, listener: (quote: SimQuote) => void): () => void {
    return this.feeds.subscribeQuotes(conId, listener)
  }

  onEvent(listener: (event: SimEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  sessionOpened(clientId: number): void {
    this.sessions.set(clientId, (this.sessions.get(clientId) ?? 0) + 1)
  }

  sessionClosed(clientId: number): void {
    const n = (this.sessions.get(clientId) ?? 0) - 1
    if (n > 0) this.sessions.set(clientId, n)
    else this.sessions.delete(clientId)
  }

  /** Client ids with a session open now. */
  connectedClients(): number[] {
    return [...this.sessions.keys()]
  }

  /** The market moves, orders work, market data goes out (index.ts's pulse). */
  pulse(): void {
    const now = this.now()
    this.trading.work(now)
    this.feeds.pulse(now, !this.lost)
  }

  /** Works the orders up to now before answering (a request between two pulses sees the present). */
  private sync(): void {
    this.trading.work(this.now())
  }

  private emit(event: SimEvent): void {
    if ((this.lost || this.away) && ORDER_EVENTS.has(event.kind)) return
    if (this.silent.size > 0 && this.isSilent(event)) return
    for (const fn of [...this.listeners]) {
      try {
        fn(event)
      } catch (error) {
        this.log(`ibkr sim: an event listener threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }

  /** Whether an event is about an order of the silentOrders fault (its commissions by their execId). */
  private isSilent(ev: SimEvent): boolean {
    const key = (orderId: number): boolean => this.silent.has(`${ev.clientId}:${orderId}`)
    switch (ev.kind) {
      case 'openOrder':
        return key(ev.open.order.orderId)
      case 'orderStatus':
        return key(ev.status.orderId)
      case 'execution':
        if (!key(ev.execution.orderId)) return false
        this.silentExecs.add(ev.execution.execId)
        return true
      case 'commission':
        return this.silentExecs.has(ev.report.execId)
      case 'error':
        return ev.reqId >= 0 && key(ev.reqId)
    }
  }

  private rejectDue(): SimRefusal | undefined {
    if (this.o.takeReject?.() !== true) return undefined
    const {code, reason} = this.rejection
    return {code, message: code === 201 ? `Order rejected - reason:${reason}` : reason}
  }

  // ---- what the fault switches do (faults.ts) ----

  /** 1100: broadcast by the caller; from now on requests are refused and data and order events stop. */
  loseConnectivity(): void {
    this.lost = true
  }

  /** 1101 (dataLost: every market data subscription is gone) or 1102. */
  restoreConnectivity(dataLost: boolean): void {
    this.lost = false
    if (dataLost) this.feeds.dropAll()
    this.sync()
  }

  get connectivityLost(): boolean {
    return this.lost
  }

  /** What the reject fault's refusals say (201: "Order rejected - reason:" + reason). */
  setRejection(code: number, reason: string): void {
    this.rejection = {code, reason}
  }

  /** A Gateway restart: ids forgotten and rolled back, subscriptions gone. → the new nextValidId. */
  restart(rollbackIds: number): number {
    this.feeds.dropAll()
    this.trading.book.forgetFinished()
    return this.ids.restart(rollbackIds)
  }

  /** Fills a working order (the one named, else the oldest that can fill) at the touch, telling no client. */
  fillUnseen(clientId?: number, orderId?: number): SimExecution {
    this.sync()
    const open = this.trading.book.open().filter((w) => !w.held && (this.trading.book.parentOf(w)?.status ?? 'Filled') === 'Filled')
    const w: WorkingOrder | undefined = orderId === undefined ? open[0] : open.find((o) => o.order.orderId === orderId && (clientId === undefined || o.order.clientId === clientId))
    if (w === undefined) throw new Error(orderId === undefined ? 'no working order to fill' : `no working order ${orderId} to fill`)
    const q = this.market.quote(w.product.contract.conId, this.now())
    if (q === undefined) throw new Error('no price to fill at')
    this.away = true
    try {
      this.trading.fill(w, w.order.action === 'BUY' ? q.ask : q.bid, q.ts)
    } finally {
      this.away = false
    }
    const done = this.executionLog.all().filter((r) => r.execution.permId === w.order.permId)
    return (done[done.length - 1] as {execution: SimExecution}).execution
  }

  /** An order placed by hand in TWS (clientId 0, a negative order id as TWS numbers them). */
  placeExternal(contract: SimContract, order: Omit<SimOrder, 'orderId' | 'clientId' | 'permId' | 'account'>): {orderId: number; status: string} {
    this.sync()
    const orderId = -++this.externalSeq
    this.trading.place(contract, {...order, orderId, clientId: 0, permId: 0, account: this.account}, true)
    const w = this.trading.book.get(0, orderId)
    return {orderId, status: w?.status ?? 'Refused'}
  }

  set frozen(on: boolean) {
    this.market.frozenAt = on ? this.now() : undefined
  }

  readonly venueRecords: IbkrVenueRecords = {
    byOrderRef: (ref) => this.records.get(ref),
    orderRefs: () => this.records.all(),
    idReuses: () => this.records.reuses.map((r) => ({...r})),
    executions: () => this.executionLog.all().map((r) => r.execution),
    positions: () => this.ledger.positions(),
    openOrders: () => this.trading.book.open().filter((w) => !w.held).map(openOrderOf),
  }
}
