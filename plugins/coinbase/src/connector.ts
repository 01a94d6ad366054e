// rick's Connector for Coinbase Advanced Trade (spot): REST through ccxt (rest.ts), the websockets
// read by rick (connector-streams.ts over ws-stream.ts), payloads through parsing.ts, errors through
// errors.ts, the events of each order folded once by connector-orders.ts, the status poll in
// connector-poll.ts, the account as the reconciler reads it in connector-account.ts.
//
// - connect(): the configured products (Coinbase's increments and minimums replace the built-in
//   ones), the fee tier (transaction_summary), then the user channel (with heartbeats) on the
//   user-channel host, and a status poll.
// - submit(): POST brokerage/orders with rick's client_order_id. success: the ack (venue order id
//   kept at once). success:false: a BrokerError, no event. No answer (timeout, reset, 5xx): a
//   NetworkError, the outcome is unknown, the order is never resent; the user channel or the
//   poll finds it by its client order id in the order list.
// - The status poll (connector-poll.ts) reads the orders rick follows over REST when the user
//   channel is quiet or down, and after each of its reconnections.
// - A 401 anywhere is fatal: a `fatal` status naming the key variables, streams stopped.
// - Spot accounting for the reconciler: connector-account.ts.
// - close() stops both sockets and every timer, settles requests in flight with a NetworkError and
//   closes ccxt's kept-alive sockets. A closed connector stays closed.
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import type {AccountSnapshot, Fill, OrderRequest, OrderState, Position, VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {Connector, ConnectorCapabilities, ConnectorInfo, ConnectorStatus, HistoryRequest, Subscription, Tick} from '../../../src/sectors/connector.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'
import {SpotAccount} from './connector-account.js'
import {ConnectorListeners} from './connector-listeners.js'
import {candleHistory, fillsSince, getOrder, listOrders, orderFills as fillsOfOrder} from './connector-history.js'
import {OrderTracker, type TrackedOrder} from './connector-orders.js'
import {DEFAULT_POLL, SEARCH_SLACK_MS, StatusPoll, type PollTiming} from './connector-poll.js'
import {CoinbaseStreams} from './connector-streams.js'
import {refusalError} from './errors.js'
import {arr, obj, optStr, parseFeeTier, parseProduct, type CoinbaseFill, type CoinbaseInstrument, type CoinbaseOrder, type FeeTier} from './parsing.js'
import {isClientId, orderRequestBody, OrderSpecError, type OrderExtras} from './parsing-orders.js'
import type {CoinbaseRest} from './rest.js'
import {DEFAULT_BACKOFF, DEFAULT_HEARTBEAT_TIMEOUT_MS, systemTimers, type Backoff, type SocketFactory, type Timers} from './ws-stream.js'

export interface CoinbaseConnectorOptions {
  venue: string
  /** `live`, or `simulator` (a loopback endpoint). */
  environment: string
  rest: CoinbaseRest
  wsUrl: string
  userWsUrl: string
  socket: SocketFactory
  /** The NAMES of the key variables, for messages. */
  keyEnv: string
  secretEnv: string
  /** The instruments as configured (refined from Coinbase at connect). */
  instruments: readonly Instrument[]
  /** Client ids of this sector's orders (an order left open by an earlier run is followed too). */
  isOurs(clientOrderId: string): boolean
  clock: {now(): number}
  core: Pick<CoreRuntime, 'BrokerError' | 'NetworkError' | 'seededRandom' | 'roundToLot' | 'roundToTick'>
  log(message: string): void
  sdk: {package: string; version: string}
  timers?: Timers
  seed?: number
  heartbeatTimeoutMs?: number
  backoff?: Backoff
  poll?: Partial<PollTiming>
}

type State = 'new' | 'connecting' | 'connected' | 'fatal' | 'closed'

export class CoinbaseConnector implements Connector {
  readonly venue: string
  readonly environment: string
  readonly capabilities: ConnectorCapabilities = {brackets: false, stopOrders: false, stopLimitOrders: true, streaming: true, fractionalQty: true, shortSelling: false, spotHoldings: true}
  readonly info: ConnectorInfo

  private readonly o: CoinbaseConnectorOptions
  private readonly timers: Timers
  private readonly random: {next(): number}
  private readonly poll: PollTiming
  private readonly tracker: OrderTracker
  private specs = new Map<string, CoinbaseInstrument>()
  private readonly configured: Instrument[]
  private tier: FeeTier | undefined
  private readonly listeners: ConnectorListeners
  private readonly streams: CoinbaseStreams
  private state: State = 'new'
  private readonly poller: StatusPoll
  private readonly spot: SpotAccount

  constructor(o: CoinbaseConnectorOptions) {
    this.o = o
    this.venue = o.venue
    this.environment = o.environment
    this.timers = o.timers ?? systemTimers
    this.random = o.core.seededRandom(o.seed ?? 0xc0b5e)
    this.poll = {...DEFAULT_POLL, ...o.poll}
    this.configured = o.instruments.map((i) => ({...i}))
    const hosts = [o.rest.host, new URL(o.wsUrl).host, new URL(o.userWsUrl).host]
    this.info = {name: 'coinbase-ccxt', sdk: {...o.sdk}, endpoints: [...new Set(hosts)]}
    this.listeners = new ConnectorListeners({log: o.log, closed: () => this.state === 'closed'})
    this.tracker = new OrderTracker({
      emit: (e) => this.emit(e),
      fillsOf: async (orderId) => (await this.guard(fillsOfOrder(o.rest, orderId, this.tier))).map((f) => this.onLot(f)),
      problem: (m) => o.log(`coinbase: ${m}`),
    })
    this.poller = new StatusPoll({
      timing: this.poll,
      timers: this.timers,
      tracker: this.tracker,
      readOrders: (orderIds) => this.guard(listOrders(o.rest, {products: [], orderIds}, (m) => o.log(`coinbase: ${m}`))),
      search: (id, since) => this.searchByClientId(id, since),
      log: o.log,
    })
    this.streams = new CoinbaseStreams({
      userWsUrl: o.userWsUrl,
      wsUrl: o.wsUrl,
      socket: o.socket,
      timers: this.timers,
      random: this.random,
      clock: o.clock,
      heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      backoff: o.backoff ?? DEFAULT_BACKOFF,
      jwt: () => o.rest.wsJwt(),
      userProducts: () => this.productIds(),
      onUser: (m) => {
        this.poller.heard()
        for (const order of m.orders) void this.tracker.observe(order, o.isOurs(order.clientOrderId))
      },
      onTick: (tick) => this.listeners.tick(tick),
      // What happened while the channel was down is read over REST now.
      onUserUp: () => this.poller.userChannel(true),
      onStatus: (st) => this.streamStatus(st),
      log: o.log,
    })
    this.spot = new SpotAccount({
      rest: o.rest,
      venue: this.venue,
      specs: () => this.specs,
      currency: () => this.quoteCurrency(),
      read: (path, params) => this.read(path, params),
      guard: (p) => this.guard(p),
      core: o.core,
    })
  }

  // ---- lifecycle

  async connect(): Promise<void> {
    if (this.state === 'connected' || this.state === 'connecting') return
    if (this.state !== 'new') throw new Error(`coinbase connector is ${this.state}; make a new one`)
    this.state = 'connecting'
    try {
      await this.loadProducts()
      this.tier = await this.loadFeeTier()
      if (this.isStopped()) return
      this.state = 'connected'
      const up = this.firstConnection()
      this.streams.startUser()
      this.poller.start()
      this.updatePrices()
      await up
    } catch (error) {
      if (this.state === 'connecting') this.state = 'new'
      throw error
    }
  }

  /**
   * Resolves at the user channel's first `connected` (its subscription acknowledged), a fatal
   * status, or after the request timeout's worth of heartbeat waits: an order sent before Coinbase
   * took the subscription would not be reported on it (the poll would find it, later).
   */
  private firstConnection(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        off()
        this.timers.clearTimeout(timer)
        resolve()
      }
      const off = this.onStatus((s) => {
        if ((s.kind === 'connected' && s.stream === 'events') || s.kind === 'fatal') done()
      })
      const timer = this.timers.setTimeout(() => {
        this.o.log('coinbase: the user channel is not up yet; order updates come from polling until it is')
        done()
      }, this.o.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS)
    })
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.stopStreams()
    await this.o.rest.close()
  }

  /** Resolves once the order events already under way have gone out (the conformance fixture's settle). */
  settled(): Promise<void> {
    return this.tracker.idle()
  }

  // ---- reads

  async instruments(): Promise<Instrument[]> {
    return this.specs.size > 0 ? [...this.specs.values()].map((i) => structuredClone(i)) : this.configured.map((i) => ({...i}))
  }

  async account(): Promise<AccountSnapshot> {
    return this.spot.snapshot()
  }

  async positions(): Promise<Position[]> {
    return this.spot.positions()
  }

  async openOrders(): Promise<OrderState[]> {
    const orders = await this.guard(listOrders(this.o.rest, {products: this.productIds(), statuses: ['OPEN']}, (m) => this.o.log(`coinbase: ${m}`)))
    const out: OrderState[] = []
    for (const order of orders) {
      if (order.state === undefined) continue
      out.push(order.state)
      if (this.o.isOurs(order.clientOrderId)) void this.tracker.observe(order, true)
    }
    return out
  }

  async orderByClientId(clientOrderId: string): Promise<OrderState | undefined> {
    if (!isClientId(clientOrderId)) return undefined
    const t = this.tracker.get(clientOrderId)
    if (t?.refused === true) return undefined
    let order: CoinbaseOrder | undefined
    if (t?.orderId !== undefined) {
      order = await this.guard(getOrder(this.o.rest, t.orderId))
      if (order !== undefined) await this.tracker.observe(order)
    } else {
      const since = t?.unknownSince !== undefined ? t.unknownSince - SEARCH_SLACK_MS : this.o.clock.now() - this.poll.lookbackMs
      order = await this.searchByClientId(clientOrderId, since)
    }
    return order?.state === undefined ? undefined : this.asEmitted(order.state)
  }

  /**
   * An order's state as far as its fill events have gone out. The events of what the venue says
   * are emitted before a lookup answers (observe() is awaited), so the engine, which books fills it
   * never heard of at the venue's average price, finds nothing missing; when the fills list lags
   * behind the order, the state says only what was emitted, and the rest comes as real fills.
   */
  private asEmitted(state: OrderState): OrderState {
    const t = this.tracker.get(state.clientOrderId)
    if (t === undefined || !t.behind || t.emittedQty >= state.filledQty) return state
    return {...state, filledQty: t.emittedQty, status: state.status === 'filled' ? 'partially-filled' : state.status}
  }

  async recentFills(sinceTs: number): Promise<Fill[]> {
    const fills = (await this.guard(fillsSince(this.o.rest, this.productIds(), sinceTs, this.tier))).map((f) => this.onLot(f))
    const out: Fill[] = []
    const clientIds = new Map<string, string>()
    for (const f of fills) {
      let client = this.tracker.byVenueId(f.orderId)?.clientOrderId ?? clientIds.get(f.orderId)
      if (client === undefined) {
        const order = await this.guard(getOrder(this.o.rest, f.orderId))
        client = order?.clientOrderId ?? `external:${f.orderId}`
        clientIds.set(f.orderId, client)
      }
      out.push({...f.fill, clientOrderId: client})
    }
    return out
  }

  /** One order's fills, by its venue id (one request, where recentFills reads every order of the window). */
  async orderFills(order: OrderState): Promise<Fill[]> {
    if (order.venueOrderId === undefined) return []
    const fills = (await this.guard(fillsOfOrder(this.o.rest, order.venueOrderId, this.tier))).map((f) => this.onLot(f))
    return fills.map((f) => ({...f.fill, clientOrderId: order.clientOrderId}))
  }

  async history(request: HistoryRequest): Promise<Bar[]> {
    const now = request.to === undefined ? await this.venueTime() : this.o.clock.now()
    return this.guard(candleHistory(this.o.rest, this.o.core, request, now))
  }

  /**
   * Coinbase's clock (GET /time): the latest bars end there. Asked with this machine's clock, a
   * venue behind it (a simulator started in the past) had no candles up to "now" and the warm-up
   * got none. This machine's clock when the venue does not say.
   */
  private async venueTime(): Promise<number> {
    try {
      const body = await this.o.rest.read('brokerage/time', {})
      const ms = Number(body.epochMillis)
      return Number.isFinite(ms) && ms > 0 ? ms : this.o.clock.now()
    } catch {
      return this.o.clock.now()
    }
  }

  // ---- orders

  async submit(order: OrderRequest): Promise<void> {
    const {BrokerError, NetworkError} = this.o.core
    this.ready()
    const spec = this.specs.get(order.instrument)
    if (spec === undefined) throw new BrokerError('InvalidOrder', `Coinbase: ${order.instrument} is not a product of this sector (${[...this.specs.keys()].join(', ')})`)
    let body
    try {
      body = orderRequestBody(order as OrderRequest & OrderExtras, spec.coinbase)
    } catch (error) {
      if (error instanceof OrderSpecError) throw new BrokerError(error.kind, `Coinbase: ${error.message}`)
      throw error
    }
    if (this.tracker.get(order.clientOrderId) !== undefined) throw new BrokerError('InvalidOrder', `Coinbase: client order id ${order.clientOrderId} was used already; an order is never sent twice`)
    const t = this.tracker.track(order.clientOrderId, order.instrument)
    this.tracker.sending(t)
    const sentAt = this.o.clock.now()
    const sentWall = this.timers.now()
    let answer: Record<string, unknown>
    try {
      answer = await this.request(() => this.o.rest.call('POST', 'brokerage/orders', {...body}))
    } catch (error) {
      const e = error as {kind?: unknown}
      // A BrokerError (a 400 or 403 before the order was taken) created nothing; anything else may have.
      if (error instanceof BrokerError) this.tracker.refused(t)
      else this.tracker.unknown(t, sentAt, sentWall)
      if (e.kind === 'RateLimited') this.o.log('coinbase: order rate limited; the order was not placed (rick does not resend it)')
      throw error
    }
    if (answer.success === true) {
      const orderId = optStr((answer.success_response as Record<string, unknown> | undefined)?.order_id) ?? optStr(answer.order_id)
      if (orderId === undefined) {
        this.tracker.unknown(t, sentAt, sentWall)
        throw new NetworkError('Disconnected', 'Coinbase POST brokerage/orders: success without an order_id (outcome unknown; rick looks the order up)')
      }
      this.tracker.created(t, orderId, this.o.clock.now())
      return
    }
    if (answer.success === false) {
      const failure = refusalError(this.o.core, 'POST brokerage/orders', answer.error_response)
      if (failure instanceof BrokerError) this.tracker.refused(t)
      else this.tracker.unknown(t, sentAt, sentWall)
      throw failure
    }
    this.tracker.unknown(t, sentAt, sentWall)
    throw new NetworkError('Disconnected', 'Coinbase POST brokerage/orders: an answer without `success` (outcome unknown; rick looks the order up)')
  }

  async cancel(clientOrderId: string): Promise<void> {
    const {BrokerError} = this.o.core
    this.ready()
    const notFound = (why: string): never => {
      throw new BrokerError('OrderNotFound', `Coinbase: cannot cancel ${JSON.stringify(clientOrderId)}: ${why}`)
    }
    if (!isClientId(clientOrderId)) notFound('not a client order id')
    let t = this.tracker.get(clientOrderId)
    if (t?.orderId === undefined && t?.refused !== true) {
      await this.orderByClientId(clientOrderId)
      t = this.tracker.get(clientOrderId)
    }
    if (t === undefined || t.refused || t.orderId === undefined) return notFound('Coinbase has no such order')
    if (t.finalEmitted) return notFound(`it is ${t.status?.toLowerCase() ?? 'finished'}`)
    const answer = await this.request(() => this.o.rest.call('POST', 'brokerage/orders/batch_cancel', {order_ids: [t.orderId]}))
    const result = arr(answer.results, 'batch_cancel answer.results').map((r, i) => obj(r, `batch_cancel.results[${i}]`)).find((r) => r.order_id === t.orderId)
    if (result === undefined) throw new this.o.core.NetworkError('Disconnected', `Coinbase batch_cancel: no result for order ${t.orderId} (outcome unknown)`)
    const tracked = t
    if (result.success === true || result.failure_reason === 'DUPLICATE_CANCEL_REQUEST') {
      // The cancel's event comes from the user channel; read the order now too, so it does not wait for it.
      void this.refresh(tracked)
      return
    }
    const reason = optStr(result.failure_reason) ?? 'UNKNOWN_CANCEL_FAILURE_REASON'
    void this.refresh(tracked)
    if (reason === 'UNKNOWN_CANCEL_ORDER' || reason === 'INVALID_CANCEL_REQUEST' || reason === 'COMMANDER_REJECTED_CANCEL_ORDER') notFound(`${reason} (it is no longer working)`)
    throw new BrokerError('InvalidOrder', `Coinbase: cancel of ${clientOrderId} refused: ${reason}`, {venueCode: reason})
  }

  // ---- subscriptions

  subscribe(): Subscription {
    throw new this.o.core.BrokerError('Unsupported', 'Coinbase streams prices, not bars: use subscribeTicks() (the engine builds bars from ticks) or history() for candles')
  }

  subscribeTicks(instruments: readonly string[], onTick: (tick: Tick) => void): Subscription {
    const remove = this.listeners.onTicks(instruments, onTick)
    this.updatePrices()
    return {
      close: () => {
        remove()
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

  // ---- internals: venue data

  private async loadProducts(): Promise<void> {
    const ids = this.configured.map((i) => i.id)
    if (ids.length === 0) return
    const body = await this.read('brokerage/products', {product_ids: ids, limit: ids.length})
    const byId = new Map<string, unknown>()
    for (const raw of arr(body.products, 'products answer.products')) byId.set(String((raw as {product_id?: unknown})?.product_id), raw)
    const specs = new Map<string, CoinbaseInstrument>()
    for (const base of this.configured) {
      const raw = byId.get(base.id)
      if (raw === undefined) throw new this.o.core.BrokerError('InvalidOrder', `Coinbase does not list ${base.id} (it answered ${[...byId.keys()].join(', ') || 'no products'})`)
      specs.set(base.id, parseProduct(raw, this.venue, base))
    }
    this.specs = specs
  }

  /**
   * A fill's quantity on the product's base increment: a fill sized in quote (a market order by
   * quote size) gives its base as size / price, with the float's dust; the base Coinbase moved is
   * on the increment.
   */
  private onLot(f: CoinbaseFill): CoinbaseFill {
    const lot = this.specs.get(f.fill.instrument)?.lotSize
    if (lot === undefined) return f
    return {...f, fill: {...f.fill, qty: this.o.core.roundToTick(f.fill.qty, lot)}}
  }

  private async loadFeeTier(): Promise<FeeTier | undefined> {
    try {
      const tier = parseFeeTier(await this.read('brokerage/transaction_summary', {}))
      this.o.log(`coinbase: fee tier ${tier.name}: maker ${percent(tier.maker)}, taker ${percent(tier.taker)}`)
      return tier
    } catch (error) {
      if ((error as {kind?: unknown}).kind === 'AuthFailed') throw error
      this.o.log(`coinbase: the fee tier could not be read (${(error as Error).message}); fees are taken from each fill's commission`)
      return undefined
    }
  }

  private quoteCurrency(): string {
    const first = this.specs.values().next().value ?? this.configured[0]
    return first?.quoteCurrency ?? 'USD'
  }

  private productIds(): string[] {
    return this.specs.size > 0 ? [...this.specs.keys()] : this.configured.map((i) => i.id)
  }

  /** Finds an order by client id in the order list (created since `since`), and follows it. */
  private async searchByClientId(clientOrderId: string, since: number): Promise<CoinbaseOrder | undefined> {
    const orders = await this.guard(listOrders(this.o.rest, {products: this.productIds(), since, stopAt: (o) => o.clientOrderId === clientOrderId}, (m) => this.o.log(`coinbase: ${m}`)))
    const found = orders.find((o) => o.clientOrderId === clientOrderId)
    if (found === undefined) return undefined
    const t = this.tracker.get(clientOrderId)
    await this.tracker.observe(found, t !== undefined || this.o.isOurs(clientOrderId))
    return found
  }

  /** Reads one tracked order over REST and folds what it says. */
  private async refresh(t: TrackedOrder): Promise<void> {
    try {
      if (t.orderId === undefined) return
      const order = await this.guard(getOrder(this.o.rest, t.orderId))
      if (order !== undefined) await this.tracker.observe(order)
    } catch (error) {
      this.o.log(`coinbase: reading order ${t.clientOrderId} failed (${(error as Error).message}); the poll retries`)
    }
  }

  // ---- internals: streams

  private updatePrices(): void {
    if (this.state === 'connected') this.streams.setPriced(this.listeners.pricedInstruments())
  }

  private streamStatus(s: ConnectorStatus): void {
    if (s.kind === 'fatal') return this.fatal(s.code, s.code === 'AuthFailed' ? this.authMessage(s.message) : s.message)
    if (s.kind === 'disconnected') {
      if (s.stream === 'events') this.poller.userChannel(false)
      this.o.log(`coinbase: ${s.stream} stream disconnected (${s.reason}); reconnecting in ${s.retryInMs ?? 0} ms`)
    }
    this.status(s)
  }

  // ---- internals: errors and listeners

  private authMessage(detail: string): string {
    return `Coinbase refused the API key (${detail}). Check the key name in ${this.o.keyEnv} and the private key in ${this.o.secretEnv} (a CDP ECDSA key with the trade permission); rick does not retry.`
  }

  /** Gives up: one `fatal` status, streams and polls stopped, nothing retried. */
  private fatal(code: string, message: string): void {
    if (this.state === 'fatal' || this.state === 'closed') return
    this.state = 'fatal'
    this.stopStreams()
    this.o.log(`coinbase: FATAL ${code}: ${message}`)
    this.status({kind: 'fatal', code, message, ts: this.o.clock.now()})
  }

  private stopStreams(): void {
    this.streams.stop()
    this.poller.stop()
  }

  private isStopped(): boolean {
    return this.state === 'closed' || this.state === 'fatal'
  }

  private ready(): void {
    if (this.state === 'connected') return
    const {BrokerError, NetworkError} = this.o.core
    if (this.state === 'fatal') throw new BrokerError('AuthFailed', this.authMessage('the connector stopped after a fatal error'))
    throw new NetworkError('Disconnected', `Coinbase connector is ${this.state}: connect() first`)
  }

  private read(path: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.guard(this.o.rest.read(path, params))
  }

  private request(send: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
    return this.guard(send())
  }

  /** Turns a 401 into the fatal stop, with the message naming the key variables. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p
    } catch (error) {
      const e = error as {kind?: unknown; venueCode?: unknown; message?: unknown}
      if (e?.kind !== 'AuthFailed' || e.venueCode !== 'HTTP_401') throw error
      const message = this.authMessage(String(e.message))
      this.fatal('AuthFailed', message)
      throw new this.o.core.BrokerError('AuthFailed', message, {venueCode: 'HTTP_401', cause: error})
    }
  }

  private emit(event: VenueEvent): void {
    this.listeners.event(event)
  }

  private status(s: ConnectorStatus): void {
    this.listeners.status(s)
  }
}


/** A fee rate (a fraction) as a person reads it: 0.009 → "0.9%" (not 0.8999999999999999%). */
function percent(rate: number): string {
  return `${Number((rate * 100).toFixed(4))}%`
}
