// rick's Connector for Interactive Brokers: the TWS API socket through @stoqey/ib (one client per
// connection, connector-session.ts), payloads through parsing*.ts, TWS's codes through errors.ts,
// each order's events folded once by connector-orders.ts, executions joined with their commissions
// by connector-fills.ts, prices from real-time bars (connector-market.ts), history paged by
// connector-history.ts, order ids from ids.ts (persisted before they are sent).
//
// - connect(): the socket up to nextValidId; the account (managedAccounts, or the sector's
//   accountEnv when the login has several); every configured contract qualified with
//   reqContractDetails (conId, minTick → tick, multiplier, trading hours); then, as on every
//   (re)connect: reqOpenOrders, reqPositions, reqAccountSummary and reqExecutions last (the fills
//   made while away come out as events, each once), market data (re)subscribed, then `connected`.
// - Connectivity (errors.ts): 1100 → disconnected on 'prices' and 'events' (orders refused until it
//   comes back); 1102 → the reconnect reads again, then connected; 1101 → market data asked again as
//   well; a closed socket, 502/504 or the watchdog → disconnected and reconnect with backoff; 326 →
//   fatal naming connection.clientId.
// - submit(): ids reserved and persisted, then placeOrder (a bracket: parent, take-profit, stop; the
//   stop transmits the group). It resolves at the parent's first answer; a refusal before it is a
//   thrown BrokerError (no event); no answer in time is a NetworkError: the order keeps its id and is
//   recognised when TWS speaks of it (openOrder, reqExecutions by orderRef) — never sent again.
// - close() stops the socket and every timer, fails what waits with NetworkError; it stays closed.
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import type {AccountSnapshot, Fill, OrderRequest, OrderState, Position, VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {Connector, ConnectorCapabilities, ConnectorInfo, ConnectorStatus, HistoryRequest, Subscription, Tick} from '../../../src/sectors/connector.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'
import {contractMultiplier} from './connector-account.js'
import {pickAccount, qualifyAll} from './connector-contracts.js'
import {Inbox} from './connector-inbox.js'
import {LOOKUP_WINDOW_MS, TwsReads} from './connector-reads.js'
import {FillJoiner} from './connector-fills.js'
import {historyBars} from './connector-history.js'
import {Listeners} from './connector-listeners.js'
import {MarketFeed} from './connector-market.js'
import {OrderTracker, type TrackedOrder} from './connector-orders.js'
import {Requests} from './connector-requests.js'
import {DEFAULT_BACKOFF, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEARTBEAT, systemTimers, TwsSession, type Backoff, type Timers} from './connector-session.js'
import {clientIdInUse} from './errors.js'
import type {OrderIdBook} from './ids.js'
import {bracketChildren, ibOrders, isClientId, OrderSpecError, orderContract, statusOf} from './parsing-orders.js'
import {idOfContract, type IbkrInstrument} from './parsing.js'
import type {TwsClient, TwsClientFactory} from './tws-client.js'

export interface IbkrConnectorOptions extends IbkrTimings {
  venue: string
  environment: string
  sector: string
  host: string
  port: number
  clientId: number
  /** The account to trade when the login has several (the sector's accountEnv secret). */
  account?: string
  /** The configured instruments with the contract each stands for. */
  instruments: ReadonlyArray<{base: Instrument; spec: Record<string, unknown>}>
  isOurs(clientOrderId: string): boolean
  clock: {now(): number}
  core: Pick<CoreRuntime, 'BrokerError' | 'NetworkError' | 'seededRandom' | 'toMicro'>
  log(message: string): void
  sdk: {package: string; version: string}
  factory: TwsClientFactory
  ids: OrderIdBook
}

/** The connector's timings and seed: defaults in production, a test's own values through the factory's tuning. */
export interface IbkrTimings {
  /** Timers of the watchdog and the reconnects (a test's manual clock); request deadlines stay real. */
  timers?: Timers
  seed?: number
  backoff?: Backoff
  heartbeat?: {everyMs: number; timeoutMs: number}
  connectTimeoutMs?: number
  /** Deadline of reads (real time). */
  requestTimeoutMs?: number
  /** How long a submit waits for TWS's first answer before its outcome is unknown (real time). */
  submitTimeoutMs?: number
  commissionWaitMs?: number
}

type State = 'new' | 'connecting' | 'connected' | 'fatal' | 'closed'


export class IbkrConnector implements Connector {
  readonly venue: string
  readonly environment: string
  readonly capabilities: ConnectorCapabilities = {brackets: true, stopOrders: true, stopLimitOrders: true, streaming: true, fractionalQty: false, shortSelling: true, spotHoldings: false}
  readonly info: ConnectorInfo

  private readonly o: IbkrConnectorOptions
  private state: State = 'new'
  private linkLost = false
  private accountId: string | undefined
  private specs = new Map<string, IbkrInstrument>()
  private readonly byConId = new Map<number, string>()
  private readonly session: TwsSession
  private readonly requests: Requests
  private readonly tracker: OrderTracker
  private readonly joiner: FillJoiner
  private readonly market: MarketFeed
  private readonly listeners: Listeners
  private readonly reads: TwsReads
  private readonly inbox: Inbox
  private readonly cancelling = new Map<string, Promise<void>>()
  /** Client order ids of submits between their checks and their tracking. */
  private readonly claimed = new Set<string>()
  private startError: Error | undefined
  /** Said once, at the first submit: a connector that never orders (data download) has nothing to say about ids. */
  private idsNoted = false
  private fatalMessage: string | undefined

  constructor(o: IbkrConnectorOptions) {
    this.o = o
    this.venue = o.venue
    this.environment = o.environment
    this.info = {name: 'ibkr-tws', sdk: {...o.sdk}, endpoints: [`${o.host}:${o.port}`]}
    this.listeners = new Listeners({log: o.log, closed: () => this.state === 'closed'})
    this.requests = new Requests(o.core, o.requestTimeoutMs ?? 5_000)
    this.tracker = new OrderTracker({clientId: () => o.clientId, isOurs: (r) => o.isOurs(r), instrumentOf: (c) => idOfContract(c, this.byConId), emit: (e) => this.listeners.event(e), now: () => o.clock.now(), log: o.log})
    this.joiner = new FillJoiner({waitMs: o.commissionWaitMs ?? 1_500, toMicro: (a) => o.core.toMicro(a), emit: (x) => this.inbox.joined(x), log: o.log})
    this.market = new MarketFeed({
      newId: () => this.requests.id(),
      client: () => this.session.current,
      spec: (id) => this.specs.get(id),
      onTick: (t) => this.listeners.tick(t),
      onBarEnd: (ts) => this.status({kind: 'heartbeat', stream: 'prices', ts}),
      log: o.log,
    })
    this.reads = new TwsReads({
      requests: this.requests,
      tracker: this.tracker,
      joiner: this.joiner,
      client: (duringOpen) => this.client(duringOpen),
      current: () => this.session.current,
      accountId: () => this.accountId,
      instrumentOf: (k) => idOfContract(k, this.byConId),
      multiplierOf: (k) => this.specs.get(idOfContract(k, this.byConId))?.multiplier ?? contractMultiplier(k),
      clientId: o.clientId,
      isOurs: (r) => o.isOurs(r),
      now: () => o.clock.now(),
      unknown: (message) => new o.core.NetworkError('Timeout', message),
    })
    this.inbox = new Inbox({
      requests: this.requests,
      tracker: this.tracker,
      joiner: this.joiner,
      market: this.market,
      core: o.core,
      accountId: () => this.accountId,
      instrumentOf: (k) => idOfContract(k, this.byConId),
      execTime: (e) => this.reads.execTime(e),
      now: () => o.clock.now(),
      log: o.log,
    })
    const timers = o.timers ?? systemTimers
    this.session = new TwsSession({
      factory: o.factory,
      host: o.host,
      port: o.port,
      clientId: o.clientId,
      sector: o.sector,
      timers,
      random: o.core.seededRandom(o.seed ?? 0x1b4e),
      backoff: o.backoff ?? DEFAULT_BACKOFF,
      heartbeat: o.heartbeat ?? DEFAULT_HEARTBEAT,
      connectTimeoutMs: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      handlers: {
        opened: (c, id, accounts) => this.opened(c, id, accounts),
        down: (reason, retryInMs) => this.down(reason, retryInMs),
        fatal: (code, message) => this.fatal(code, message),
        link: (change, message) => void this.link(change, message),
        heartbeat: (ts) => this.heartbeat(ts),
        message: (event, args) => this.inbox.route(event, args),
        idError: (id, code, message) => this.inbox.idError(id, code, message),
        log: o.log,
      },
    })
  }

  // ---- lifecycle

  async connect(): Promise<void> {
    if (this.state === 'connected' || this.state === 'connecting') return
    if (this.state !== 'new') throw new Error(`ibkr connector is ${this.state}; make a new one`)
    this.state = 'connecting'
    try {
      await this.session.start()
      if (this.state !== 'connecting') throw new this.o.core.NetworkError('Disconnected', `ibkr connector is ${this.state}`)
      this.state = 'connected'
    } catch (error) {
      const {BrokerError, NetworkError} = this.o.core
      if (this.state === 'connecting') this.state = 'new'
      if (this.fatalMessage !== undefined) throw new BrokerError('AuthFailed', this.fatalMessage, {venueCode: '326'})
      if (this.startError !== undefined) {
        const e = this.startError
        this.startError = undefined
        this.session.close()
        throw e
      }
      if (error instanceof BrokerError || error instanceof NetworkError) throw error
      throw new NetworkError('Disconnected', `IBKR: ${(error as Error).message}`, {cause: error})
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.market.stop()
    this.session.close()
    this.stopWaiting('the connector was closed')
    this.tracker.stop()
    this.joiner.stop()
  }

  /** Resolves once TWS has answered everything asked so far and the executions got their commissions (tests' settle). */
  async settled(): Promise<void> {
    if (this.session.isUp) await this.session.roundTrip(this.o.requestTimeoutMs ?? 5_000).catch(() => undefined)
    await this.joiner.idle()
  }

  // ---- reads

  async instruments(): Promise<Instrument[]> {
    if (this.specs.size > 0) return [...this.specs.values()].map((i) => structuredClone(i))
    return this.o.instruments.map((i) => ({...i.base}))
  }

  async account(): Promise<AccountSnapshot> {
    return this.reads.account()
  }

  async positions(): Promise<Position[]> {
    return this.reads.positions()
  }

  async openOrders(): Promise<OrderState[]> {
    return this.reads.openOrders()
  }

  async orderByClientId(clientOrderId: string): Promise<OrderState | undefined> {
    return this.reads.order(clientOrderId)
  }

  async recentFills(sinceTs: number): Promise<Fill[]> {
    return this.reads.recentFills(sinceTs)
  }

  async orderFills(order: OrderState): Promise<Fill[]> {
    return (await this.recentFills(order.updatedAt - LOOKUP_WINDOW_MS)).filter((f) => f.clientOrderId === order.clientOrderId)
  }

  async history(request: HistoryRequest): Promise<Bar[]> {
    const spec = this.specs.get(request.instrument)
    if (spec === undefined) throw new this.o.core.BrokerError('InvalidOrder', `IBKR: ${request.instrument} is not an instrument of this sector`)
    const now = await this.session.roundTrip(this.o.requestTimeoutMs ?? 5_000).catch(() => this.o.clock.now())
    return historyBars({fetch: (s, end, duration, size) => this.historicalPage(s, end, duration, size)}, spec, request, now)
  }

  // ---- orders

  async submit(order: OrderRequest): Promise<void> {
    const {BrokerError, NetworkError} = this.o.core
    this.ready(true)
    const spec = this.specs.get(order.instrument)
    if (spec === undefined) throw new BrokerError('InvalidOrder', `IBKR: ${order.instrument} is not an instrument of this sector (${[...this.specs.keys()].join(', ')})`)
    const count = order.bracket === undefined ? 1 : 3
    this.validate(order, spec, count)
    const cids = [order.clientOrderId, ...bracketChildren(order).map((c) => c.clientOrderId)]
    if (cids.some((id) => this.tracker.get(id) !== undefined || this.claimed.has(id))) throw new BrokerError('InvalidOrder', `IBKR: client order id ${order.clientOrderId} was used already; an order is never sent twice`)
    // Claimed at once: a second submit of the same id while this one awaits is refused too.
    for (const id of cids) this.claimed.add(id)
    let ids: number[]
    if (!this.idsNoted && !this.o.ids.durable) this.o.log('no state directory: order ids used are kept in memory only (a restart relies on TWS\'s nextValidId)')
    this.idsNoted = true
    try {
      if (order.reduceOnly === true) await this.checkReduces(order)
      try {
        ids = await this.o.ids.take(count)
      } catch (error) {
        throw new BrokerError('InvalidOrder', `IBKR: the order id could not be recorded before sending (${(error as Error).message}); nothing was sent`, {cause: error})
      }
      const up = this.session.current !== undefined && this.session.isUp && !this.linkLost && this.state === 'connected'
      if (!up) throw new NetworkError('Disconnected', 'IBKR: the connection went before the order was sent; nothing was sent')
    } finally {
      for (const id of cids) this.claimed.delete(id)
    }
    const c = this.session.current as TwsClient
    const orders = ibOrders(order, spec, ids, this.accountId)
    const parent = this.tracker.track(order, ids[0] as number)
    const children = bracketChildren(order).map((child, i) => this.tracker.track(child, ids[i + 1] as number))
    const answered = this.tracker.answer(parent)
    const sentAt = this.o.clock.now()
    const contract = orderContract(spec)
    for (const ib of orders) c.placeOrder(ib.orderId as number, contract, ib)
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NetworkError('Timeout', `IBKR placeOrder ${order.clientOrderId} (order id ${ids[0]}): no answer from TWS within ${this.o.submitTimeoutMs ?? 5_000} ms (outcome unknown; rick looks for it by its orderRef and never sends it again)`)), this.o.submitTimeoutMs ?? 5_000)
    })
    try {
      await Promise.race([answered, deadline])
    } catch (error) {
      if (error instanceof BrokerError || parent.refused) {
        for (const t of children) if (!t.acked) this.tracker.refuse(t)
      } else {
        for (const t of [parent, ...children]) if (!t.acked && !t.refused) this.tracker.unknown(t, sentAt)
      }
      throw error
    } finally {
      clearTimeout(timer)
    }
  }

  async cancel(clientOrderId: string): Promise<void> {
    const {BrokerError} = this.o.core
    this.ready(true)
    const notFound = (why: string): never => {
      throw new BrokerError('OrderNotFound', `IBKR: cannot cancel ${JSON.stringify(clientOrderId)}: ${why}`)
    }
    if (!isClientId(clientOrderId)) notFound('not a client order id')
    const inFlight = this.cancelling.get(clientOrderId)
    if (inFlight !== undefined) return inFlight
    let t = this.tracker.get(clientOrderId)
    if (t === undefined || (!t.acked && !t.refused)) {
      await this.orderByClientId(clientOrderId)
      t = this.tracker.get(clientOrderId)
    }
    if (t === undefined || t.refused) return notFound('IBKR has no such order')
    if (OrderTracker.isFinal(t)) return notFound(`it is ${statusOf(t.ib, t.filled, t.request.qty)}`)
    const p = this.cancelOrder(t).finally(() => this.cancelling.delete(clientOrderId))
    this.cancelling.set(clientOrderId, p)
    return p
  }

  // ---- subscriptions

  subscribe(): Subscription {
    throw new this.o.core.BrokerError('Unsupported', 'IBKR streams prices, not bars: use subscribeTicks() (the engine builds bars from ticks) or history()')
  }

  subscribeTicks(instruments: readonly string[], onTick: (tick: Tick) => void): Subscription {
    const off = this.listeners.onTicks(instruments, onTick)
    this.updatePrices()
    return {
      close: () => {
        off()
        this.updatePrices()
      },
    }
  }

  onEvent(listener: (event: VenueEvent) => void): () => void {
    return this.listeners.onEvent(listener)
  }

  onStatus(listener: (status: ConnectorStatus) => void): () => void {
    return this.listeners.onStatus(listener)
  }

  // ---- internals: connection

  /** A connection opened: the account, the contracts (first time), then the reconnect reads. */
  private async opened(c: TwsClient, nextValidId: number, accounts: string[]): Promise<void> {
    this.o.ids.sync(nextValidId)
    try {
      this.accountId = pickAccount(this.o.core, accounts, this.o.account, this.o.sector)
      this.info.account = this.accountId
      if (this.specs.size === 0) {
        this.specs = await qualifyAll({requests: this.requests, core: this.o.core, now: () => this.o.clock.now(), log: this.o.log}, c, this.o.instruments)
        for (const q of this.specs.values()) this.byConId.set(q.ibkr.conId, q.id)
      }
    } catch (error) {
      this.startError = error as Error
      throw error
    }
    await this.reads.reread()
    this.market.resubscribe(false)
    this.updatePrices()
    this.linkLost = false
    this.up()
  }

  private up(): void {
    const ts = this.o.clock.now()
    this.status({kind: 'connected', stream: 'events', ts})
    this.status({kind: 'connected', stream: 'prices', ts})
  }

  private down(reason: string, retryInMs: number): void {
    this.linkLost = false
    this.stopWaiting(`the TWS connection went (${reason})`)
    this.market.lost()
    this.o.log(`disconnected (${reason}); reconnecting in ${retryInMs} ms`)
    const ts = this.o.clock.now()
    for (const stream of ['events', 'prices'] as const) this.status({kind: 'disconnected', stream, reason, ts, retryInMs})
  }

  private async link(change: 'lost' | 'restored' | 'restored-data-lost', message: string): Promise<void> {
    this.o.log(`TWS ${message}`)
    if (change === 'lost') {
      if (this.linkLost) return
      this.linkLost = true
      const ts = this.o.clock.now()
      for (const stream of ['events', 'prices'] as const) this.status({kind: 'disconnected', stream, reason: `TWS ${message}`, ts})
      return
    }
    if (change === 'restored-data-lost') this.market.resubscribe(true)
    try {
      await this.reads.reread()
    } catch (error) {
      this.o.log(`reading the account after ${message} failed (${(error as Error).message}); reconnecting`)
      this.session.restart(`reading after ${message} failed`)
      return
    }
    if (!this.linkLost) return
    this.linkLost = false
    this.up()
  }

  private fatal(code: string, message: string): void {
    if (this.state === 'closed') return
    this.fatalMessage = message
    this.state = 'fatal'
    this.market.stop()
    this.stopWaiting(message)
    this.o.log(`FATAL ${code}: ${message}`)
    this.status({kind: 'fatal', code, message, ts: this.o.clock.now()})
  }

  private heartbeat(ts: number): void {
    this.status({kind: 'heartbeat', stream: 'events', ts})
    if (!this.linkLost) this.status({kind: 'heartbeat', stream: 'prices', ts})
  }

  private stopWaiting(why: string): void {
    const e = new this.o.core.NetworkError('Disconnected', `IBKR: ${why} (outcome unknown)`)
    this.requests.failAll(e)
    this.tracker.failWaiters(e)
  }

  // ---- internals: requests

  private client(duringOpen = false): TwsClient {
    const c = this.session.current
    if (c !== undefined && (duringOpen || this.state === 'connected' || this.state === 'connecting')) return c
    throw new this.o.core.NetworkError('Disconnected', `IBKR: not connected to TWS (${this.state})`)
  }

  private historicalPage(spec: IbkrInstrument, end: string, duration: string, size: string): Promise<unknown[][]> {
    const c = this.client()
    return this.requests.byRequestId(`reqHistoricalData ${spec.id}`, (id) => c.reqHistoricalData(id, orderContract(spec), end, duration, size, spec.ibkr.whatToShow, 0, 2, false), Math.max(this.o.requestTimeoutMs ?? 5_000, 10_000)).done
  }

  private async cancelOrder(t: TrackedOrder): Promise<void> {
    const {BrokerError, NetworkError} = this.o.core
    const confirmed = this.tracker.awaitCancel(t)
    this.client().cancelOrder(t.orderId)
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NetworkError('Timeout', `IBKR cancelOrder ${t.clientOrderId}: no answer from TWS within ${this.o.submitTimeoutMs ?? 5_000} ms`)), this.o.submitTimeoutMs ?? 5_000)
    })
    try {
      await Promise.race([confirmed, deadline])
    } catch (error) {
      if ((error as {twsSaidNotFound?: boolean}).twsSaidNotFound !== true && (error as {filled?: boolean}).filled !== true) throw error
      // TWS could not cancel it (10147, 161…): ask what became of it rather than assume.
      await this.reads.lookUp(t.updatedAt)
      const now = this.tracker.get(t.clientOrderId)
      if (now !== undefined && now.ib.endsWith('Cancelled') && now.finalEmitted) return
      throw new BrokerError('OrderNotFound', `IBKR: cannot cancel ${t.clientOrderId}: it is ${now === undefined ? 'unknown' : statusOf(now.ib || 'PendingSubmit', now.filled, now.request.qty)} (${(error as Error).message})`)
    } finally {
      clearTimeout(timer)
    }
  }

  // ---- internals: checks

  private validate(order: OrderRequest, spec: IbkrInstrument, count: number): void {
    try {
      ibOrders(order, spec, Array.from({length: count}, () => 0))
    } catch (error) {
      if (error instanceof OrderSpecError) throw new this.o.core.BrokerError(error.kind, `IBKR: ${error.message}`)
      throw error
    }
  }

  /** TWS has no reduce-only flag: a reduce-only order must shrink the venue's position, or it is refused. */
  private async checkReduces(order: OrderRequest): Promise<void> {
    const held = (await this.reads.positions(false, true)).filter((p) => p.instrument === order.instrument).reduce((s, p) => s + p.qty, 0)
    const signed = order.side === 'buy' ? order.qty : -order.qty
    if (held === 0 || Math.sign(held) === Math.sign(signed) || order.qty > Math.abs(held) + 1e-9) {
      throw new this.o.core.BrokerError('InvalidOrder', `IBKR: reduce-only ${order.side} of ${order.qty} ${order.instrument} would not reduce the position at IBKR (${held}); TWS has no reduce-only flag, so rick refuses it`)
    }
  }

  private ready(orders: boolean): void {
    const {BrokerError, NetworkError} = this.o.core
    if (this.state === 'fatal') throw new BrokerError('AuthFailed', this.fatalMessage ?? clientIdInUse(this.o.sector, this.o.clientId))
    if (this.state !== 'connected' || !this.session.isUp) throw new NetworkError('Disconnected', `IBKR connector is ${this.state === 'connected' ? 'reconnecting to TWS' : this.state}${this.state === 'new' ? ': connect() first' : ''}`)
    if (orders && this.linkLost) throw new NetworkError('Disconnected', 'IBKR: TWS has lost its connection to IB (1100); orders wait until it is restored')
  }

  private updatePrices(): void {
    if (this.state === 'closed' || this.state === 'fatal') return
    this.market.want(this.listeners.priced())
  }

  private status(s: ConnectorStatus): void {
    this.listeners.status(s)
  }
}
