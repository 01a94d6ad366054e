// rick's Connector for OANDA v20: REST through the @oanda/v20 SDK (rest.ts), the two streams read
// by rick (streams.ts), payloads through parsing.ts, errors through errors.ts.
//
// - connect(): the account summary (its lastTransactionID is where events start), the account's
//   instruments (OANDA's precisions replace the built-in tick and lot), then the transaction stream,
//   caught up from that id so nothing between the summary and the stream is lost.
// - submit(): POST …/orders. 201: the events in the answer go out (ack, fill, cancel), the stream's
//   copies are dropped. 400/404 with a reject: a BrokerError is thrown and no reject event is
//   emitted (the engine records the thrown error; the stream's copy is dropped). No answer (timeout,
//   reset, 5xx, unreadable): NetworkError, the outcome is unknown, and the order is never resent;
//   its events come from the stream, or the engine asks orderByClientId.
// - A 401 anywhere (REST or stream) is fatal: a `fatal` status naming the token's variable, the
//   streams stop, nothing retries. A 429 is retried after Retry-After for reads only.
// - close() stops both streams, aborts requests in flight and closes the kept-alive sockets: no
//   timer or socket outlives it.
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import type {AccountSnapshot, Fill, OrderRequest, OrderState, Position, VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {Connector, ConnectorCapabilities, ConnectorInfo, ConnectorStatus, HistoryRequest, Subscription, Tick} from '../../../src/sectors/connector.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'
import type {OandaEndpoint} from './config.js'
import {EventRouter} from './connector-events.js'
import {candleHistory, fillsSince} from './connector-history.js'
import type {VenueFailure} from './errors.js'
import {
  isClientId,
  linkedTradeId,
  isRickOrder,
  orderRequestBody,
  orderState,
  OrderSpecError,
  parseAccountSummary,
  parseFill,
  parseInstrument,
  parsePosition,
  parsePricingLine,
  parseTrade,
  parseTransaction,
  type OandaInstrument,
  type OandaTransaction,
  type TradeInfo,
} from './parsing.js'
import type {OandaRest, RestReply, Timers} from './rest.js'
import {systemTimers} from './rest.js'
import {DEFAULT_BACKOFF, DEFAULT_HEARTBEAT_TIMEOUT_MS, httpStreamOpener, ReconnectingStream, TransactionFeed, type Backoff, type StreamOpener} from './streams.js'

export interface OandaConnectorOptions {
  venue: string
  accountId: string
  /** `practice`, `live`, or `simulator` (a loopback endpoint). */
  environment: string
  rest: OandaRest
  stream: OandaEndpoint
  /** For the streams' Authorization header. Never logged. */
  token: string
  /** The NAME of the token's variable, for messages. */
  tokenEnv: string
  /** The instruments as configured (refined from OANDA at connect). */
  instruments: readonly Instrument[]
  clock: {now(): number}
  core: Pick<CoreRuntime, 'BrokerError' | 'NetworkError' | 'seededRandom'>
  log(message: string): void
  sdk: {package: string; version: string}
  timers?: Timers
  opener?: StreamOpener
  /** Seed of the reconnect jitter. */
  seed?: number
  heartbeatTimeoutMs?: number
  backoff?: Backoff
}

export class OandaConnector implements Connector {
  readonly venue: string
  readonly environment: string
  readonly capabilities: ConnectorCapabilities
  readonly info: ConnectorInfo

  private readonly o: OandaConnectorOptions
  private readonly timers: Timers
  private readonly random: {next(): number}
  private specs = new Map<string, OandaInstrument>()
  private configured: Instrument[]
  private readonly router: EventRouter
  private eventListeners: Array<(e: VenueEvent) => void> = []
  private statusListeners: Array<(s: ConnectorStatus) => void> = []
  private tickSubs: Array<{instruments: ReadonlySet<string>; onTick: (t: Tick) => void}> = []
  private feed: TransactionFeed | undefined
  private prices: ReconnectingStream | undefined
  private pricedInstruments = ''
  private state: 'new' | 'connecting' | 'connected' | 'fatal' | 'closed' = 'new'

  constructor(o: OandaConnectorOptions) {
    this.o = o
    this.venue = o.venue
    this.environment = o.environment
    this.timers = o.timers ?? systemTimers
    this.random = o.core.seededRandom(o.seed ?? 0x0a4da)
    this.configured = o.instruments.map((i) => ({...i}))
    this.capabilities = {brackets: true, stopOrders: true, stopLimitOrders: false, streaming: true, fractionalQty: this.configured.some((i) => i.lotSize < 1), shortSelling: true, spotHoldings: false}
    this.info = {name: 'oanda-v20', sdk: {...o.sdk}, endpoints: [o.rest.host, o.stream.host], account: o.accountId}
    this.router = new EventRouter(
      (e) => this.emit(e),
      (m) => o.log(`oanda: ${m}`),
    )
  }

  // ---- lifecycle

  async connect(): Promise<void> {
    if (this.state === 'connected' || this.state === 'connecting') return
    if (this.state !== 'new') throw new Error(`oanda connector is ${this.state}; make a new one`)
    this.state = 'connecting'
    try {
      const summary = parseAccountSummary((await this.read('summary', (c, d) => c.account.summary(this.o.accountId, d))).account)
      await this.loadInstruments()
      if (this.isStopped()) return
      this.state = 'connected'
      this.feed = new TransactionFeed({
        ...this.streamBase(),
        target: () => ({endpoint: this.o.stream, path: `/v3/accounts/${this.o.accountId}/transactions/stream`, headers: this.authHeaders()}),
        after: summary.lastTransactionID,
        fetchSince: (id) => this.sinceId(id),
        onTransaction: (tx) => this.router.fromStream(tx),
        onHeartbeat: (ts) => this.status({kind: 'heartbeat', stream: 'events', ts}),
      })
      this.feed.start()
      this.updatePrices()
    } catch (error) {
      if (this.state === 'connecting') this.state = 'new'
      throw error
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    this.state = 'closed'
    this.stopStreams()
    this.o.rest.close()
  }

  // ---- reads

  async instruments(): Promise<Instrument[]> {
    return this.specs.size > 0 ? [...this.specs.values()].map((i) => structuredClone(i)) : this.configured.map((i) => ({...i}))
  }

  async account(): Promise<AccountSnapshot> {
    const body = await this.read('summary', (c, d) => c.account.summary(this.o.accountId, d))
    return parseAccountSummary(body.account).snapshot
  }

  /**
   * OANDA's own conversion of each instrument's quote currency into the account's (its pricing
   * endpoint's homeConversions, the positionValue factor: the mid rate it values positions at).
   */
  async conversionFactors(instruments: readonly string[]): Promise<Map<string, number>> {
    const body = await this.read('pricing', (c, d) => c.pricing.get(this.o.accountId, {instruments: instruments.join(','), includeHomeConversions: true}, d))
    const byCurrency = new Map<string, number>()
    for (const h of Array.isArray(body.homeConversions) ? (body.homeConversions as Array<Record<string, unknown>>) : []) {
      const factor = Number(h.positionValue)
      if (typeof h.currency === 'string' && Number.isFinite(factor) && factor > 0) byCurrency.set(h.currency, factor)
    }
    const out = new Map<string, number>()
    for (const id of instruments) {
      const quote = this.specs.get(id)?.quoteCurrency ?? id.split('_')[1]
      const factor = quote === undefined ? undefined : byCurrency.get(quote)
      if (factor !== undefined) out.set(id, factor)
    }
    return out
  }

  async positions(): Promise<Position[]> {
    const body = await this.read('openPositions', (c, d) => c.position.listOpen(this.o.accountId, d))
    if (!Array.isArray(body.positions)) throw new Error('OANDA openPositions: the answer has no positions list')
    return body.positions.map((p) => parsePosition(p)).filter((p): p is Position => p !== undefined)
  }

  async openOrders(): Promise<OrderState[]> {
    const body = await this.read('pendingOrders', (c, d) => c.order.listPending(this.o.accountId, d))
    if (!Array.isArray(body.orders)) throw new Error('OANDA pendingOrders: the answer has no orders list')
    const trades = new Map<string, TradeInfo>()
    const out: OrderState[] = []
    for (const order of body.orders as unknown[]) {
      // Orders placed outside rick are listed too, under `external:<OANDA id>`: reconciliation
      // reports them (EXTERNAL) and never touches them. Exits of trades made by hand are not
      // orders of their own for rick: the position they protect is what it counts.
      const raw = isRickOrder(order) ? order : asExternal(order)
      if (raw === undefined) continue
      const state = orderState(raw, {trade: await this.tradeFor(raw, trades)})
      if (state !== undefined) out.push(state)
    }
    return out
  }

  async orderByClientId(clientOrderId: string): Promise<OrderState | undefined> {
    if (!isClientId(clientOrderId)) return undefined
    const reply = await this.request(`orders/@${clientOrderId}`, (c, d) => c.order.get(this.o.accountId, `@${clientOrderId}`, d))
    if (reply.status === 404) return undefined
    if (!ok(reply)) throw this.failed(reply, `orders/@${clientOrderId}`)
    const raw = reply.body.order
    let fill: Fill | undefined
    const fillId = (raw as {fillingTransactionID?: unknown} | undefined)?.fillingTransactionID
    if (typeof fillId === 'string') {
      const tx = await this.read(`transactions/${fillId}`, (c, d) => c.transaction.get(this.o.accountId, fillId, d))
      fill = parseFill(parseTransaction(tx.transaction))
    }
    return orderState(raw, {fill, trade: await this.tradeFor(raw, new Map())})
  }

  async recentFills(sinceTs: number): Promise<Fill[]> {
    return this.guard(fillsSince(this.o.rest, this.o.accountId, sinceTs))
  }

  async history(request: HistoryRequest): Promise<Bar[]> {
    return this.guard(candleHistory(this.o.rest, this.o.core, request))
  }

  // ---- orders

  async submit(order: OrderRequest): Promise<void> {
    const {BrokerError, NetworkError} = this.o.core
    this.ready()
    const spec = this.specs.get(order.instrument)
    if (spec === undefined) throw new BrokerError('InvalidOrder', `OANDA: ${order.instrument} is not an instrument of this sector (${[...this.specs.keys()].join(', ')})`)
    let body
    try {
      body = orderRequestBody(order, spec.oanda)
    } catch (error) {
      if (error instanceof OrderSpecError) throw new BrokerError(error.kind, `OANDA: ${error.message}`)
      throw error
    }
    const id = order.clientOrderId
    const context = 'orders'
    this.router.begin(id)
    let reply: RestReply
    try {
      reply = await this.request(context, (c, d) => c.order.create(this.o.accountId, {order: body}, d))
    } catch (error) {
      this.router.abandon(id)
      throw error
    }
    if (ok(reply)) {
      let txs: OandaTransaction[]
      try {
        txs = answerTransactions(reply.body, ['orderCreateTransaction', 'orderFillTransaction', 'orderCancelTransaction', 'orderReissueTransaction', 'orderReissueRejectTransaction'])
        if (!txs.some((t) => t.raw === reply.body.orderCreateTransaction)) throw new Error('no orderCreateTransaction')
      } catch (error) {
        this.router.abandon(id)
        throw new NetworkError('Disconnected', `OANDA POST orders answered ${reply.status} with an unreadable body (${(error as Error).message}): outcome unknown`, {cause: error})
      }
      this.router.settle(id, txs)
      return
    }
    const failure = this.failed(reply, context)
    const rejects = safeTransactions(reply.body, ['orderRejectTransaction'])
    this.router.settle(id, rejects, new Set(rejects.map((t) => t.id)))
    throw failure
  }

  async cancel(clientOrderId: string): Promise<void> {
    this.ready()
    if (!isClientId(clientOrderId)) throw new this.o.core.BrokerError('OrderNotFound', `OANDA: no order ${JSON.stringify(clientOrderId)}`)
    const context = `orders/@${clientOrderId}/cancel`
    this.router.begin(clientOrderId)
    let reply: RestReply
    try {
      reply = await this.request(context, (c, d) => c.order.cancel(this.o.accountId, `@${clientOrderId}`, d))
    } catch (error) {
      this.router.abandon(clientOrderId)
      throw error
    }
    if (ok(reply)) {
      this.router.settle(clientOrderId, safeTransactions(reply.body, ['orderCancelTransaction']))
      return
    }
    this.router.abandon(clientOrderId)
    throw this.failed(reply, context)
  }

  // ---- subscriptions

  subscribe(): Subscription {
    throw new this.o.core.BrokerError('Unsupported', 'OANDA streams prices, not bars: use subscribeTicks() (the engine builds bars from ticks) or history() for candles')
  }

  subscribeTicks(instruments: readonly string[], onTick: (tick: Tick) => void): Subscription {
    const sub = {instruments: new Set(instruments), onTick}
    this.tickSubs = [...this.tickSubs, sub]
    this.updatePrices()
    return {
      close: () => {
        this.tickSubs = this.tickSubs.filter((s) => s !== sub)
        this.updatePrices()
      },
    }
  }

  onEvent(listener: (event: VenueEvent) => void): () => void {
    this.eventListeners = [...this.eventListeners, listener]
    return () => void (this.eventListeners = this.eventListeners.filter((l) => l !== listener))
  }

  onStatus(listener: (status: ConnectorStatus) => void): () => void {
    this.statusListeners = [...this.statusListeners, listener]
    return () => void (this.statusListeners = this.statusListeners.filter((l) => l !== listener))
  }

  // ---- internals

  private async loadInstruments(): Promise<void> {
    const names = this.configured.map((i) => i.id)
    if (names.length === 0) return
    const body = await this.read('instruments', (c, d) => c.account.instruments(this.o.accountId, {instruments: names.join(',')}, d))
    if (!Array.isArray(body.instruments)) throw new Error('OANDA instruments: the answer has no instruments list')
    const byName = new Map<string, unknown>()
    for (const raw of body.instruments) byName.set(String((raw as {name?: unknown})?.name), raw)
    const specs = new Map<string, OandaInstrument>()
    for (const base of this.configured) {
      const raw = byName.get(base.id)
      if (raw === undefined) throw new this.o.core.BrokerError('InvalidOrder', `OANDA account ${this.o.accountId} does not trade ${base.id} (it answered ${[...byName.keys()].join(', ') || 'no instruments'})`)
      specs.set(base.id, parseInstrument(raw, this.venue, base))
    }
    this.specs = specs
    this.capabilities.fractionalQty = [...specs.values()].some((i) => i.lotSize < 1)
  }

  private async sinceId(id: string): Promise<{transactions: unknown[]; lastTransactionID: string}> {
    const body = await this.read('transactions/sinceid', (c, d) => c.transaction.since(this.o.accountId, {id}, d))
    if (!Array.isArray(body.transactions) || typeof body.lastTransactionID !== 'string') throw new Error('OANDA transactions/sinceid: the answer has no transactions or lastTransactionID')
    return {transactions: body.transactions, lastTransactionID: body.lastTransactionID}
  }

  /** The trade a TAKE_PROFIT/STOP_LOSS order closes (cached per call in `cache`). */
  private async tradeFor(raw: unknown, cache: Map<string, TradeInfo>): Promise<TradeInfo | undefined> {
    const tradeId = linkedTradeId(raw)
    if (tradeId === undefined) return undefined
    let t = cache.get(tradeId)
    if (t === undefined) {
      t = parseTrade((await this.read(`trades/${tradeId}`, (c, d) => c.trade.get(this.o.accountId, tradeId, d))).trade)
      cache.set(tradeId, t)
    }
    return t
  }

  private updatePrices(): void {
    if (this.state !== 'connected') return
    const wanted = [...new Set(this.tickSubs.flatMap((s) => [...s.instruments]))].sort().join(',')
    if (wanted === this.pricedInstruments) return
    this.pricedInstruments = wanted
    this.prices?.stop()
    this.prices = undefined
    if (wanted === '') return
    this.prices = new ReconnectingStream({
      ...this.streamBase(),
      name: 'prices',
      target: () => ({endpoint: this.o.stream, path: `/v3/accounts/${this.o.accountId}/pricing/stream?instruments=${wanted}&snapshot=true`, headers: this.authHeaders()}),
      onLine: (v) => this.priceLine(v),
    })
    this.prices.start()
  }

  private priceLine(value: unknown): void {
    const line = parsePricingLine(value)
    if (line.kind === 'heartbeat') return this.status({kind: 'heartbeat', stream: 'prices', ts: line.ts})
    const tick = line.tick
    if (tick === undefined) return
    this.notify(this.tickSubs.filter((s) => s.instruments.has(tick.instrument)).map((s) => s.onTick), tick, 'a tick listener')
  }

  private streamBase(): {opener: StreamOpener; timers: Timers; random: {next(): number}; clock: {now(): number}; heartbeatTimeoutMs: number; backoff: Backoff; onStatus(s: ConnectorStatus): void; onProblem(m: string): void} {
    return {
      opener: this.o.opener ?? httpStreamOpener,
      timers: this.timers,
      random: this.random,
      clock: this.o.clock,
      heartbeatTimeoutMs: this.o.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
      backoff: this.o.backoff ?? DEFAULT_BACKOFF,
      onStatus: (s) => this.streamStatus(s),
      onProblem: (m) => this.o.log(`oanda: ${m}`),
    }
  }

  private streamStatus(s: ConnectorStatus): void {
    if (s.kind === 'fatal') return this.fatal(s.code, s.code === 'AuthFailed' ? this.authMessage(s.message) : s.message)
    if (s.kind === 'disconnected') this.o.log(`oanda: ${s.stream} stream disconnected (${s.reason}); reconnecting in ${s.retryInMs ?? 0} ms`)
    this.status(s)
  }

  private authHeaders(): Record<string, string> {
    return {Authorization: `Bearer ${this.o.token}`}
  }

  private authMessage(detail: string): string {
    return `OANDA refused the API token (${detail}). Check the token in ${this.o.tokenEnv} (and that it belongs to account ${this.o.accountId} in the ${this.environment} environment); rick does not retry.`
  }

  /** Gives up: one `fatal` status, streams stopped, nothing retried. */
  private fatal(code: string, message: string): void {
    if (this.state === 'fatal' || this.state === 'closed') return
    this.state = 'fatal'
    this.stopStreams()
    this.o.log(`oanda: FATAL ${code}: ${message}`)
    this.status({kind: 'fatal', code, message, ts: this.o.clock.now()})
  }

  private stopStreams(): void {
    this.feed?.stop()
    this.prices?.stop()
    this.feed = undefined
    this.prices = undefined
    this.pricedInstruments = ''
  }

  private isStopped(): boolean {
    return this.state === 'closed' || this.state === 'fatal'
  }

  private ready(): void {
    if (this.state === 'connected') return
    const {BrokerError, NetworkError} = this.o.core
    if (this.state === 'fatal') throw new BrokerError('AuthFailed', this.authMessage('the connector stopped after a fatal error'))
    throw new NetworkError('Disconnected', `OANDA connector is ${this.state}: connect() first`)
  }

  /** One SDK call; any answer comes back (see rest.send). A 401 is fatal. */
  private async request(what: string, invoke: Parameters<OandaRest['send']>[1]): Promise<RestReply> {
    const reply = await this.o.rest.send(this.context(what), invoke)
    if (reply.status === 401) throw this.failed(reply, what)
    return reply
  }

  /** A read: the body of a 2xx answer, else its error (a 429 retried by rest.get). */
  private read(what: string, invoke: Parameters<OandaRest['send']>[1]): Promise<Record<string, unknown>> {
    return this.guard(this.o.rest.get(this.context(what), invoke))
  }

  /** Turns an AuthFailed of a 401/403 into the fatal stop, with the message naming the token's variable. */
  private async guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p
    } catch (error) {
      throw this.authCheck(error)
    }
  }

  private failed(reply: RestReply, what: string): VenueFailure {
    return this.authCheck(this.o.rest.failure(reply, this.context(what))) as VenueFailure
  }

  private authCheck(error: unknown): unknown {
    const e = error as {kind?: unknown; venueCode?: unknown; message?: unknown}
    if (e?.kind !== 'AuthFailed' || (e.venueCode !== 'HTTP_401' && !String(e.message).includes('HTTP 401'))) return error
    const message = this.authMessage(String(e.message))
    this.fatal('AuthFailed', message)
    return new this.o.core.BrokerError('AuthFailed', message, {venueCode: 'HTTP_401', cause: error})
  }

  private context(what: string): string {
    return `/v3/accounts/${this.o.accountId}/${what}`
  }

  private emit(event: VenueEvent): void {
    this.notify(this.eventListeners, event, 'an event listener')
  }

  private status(s: ConnectorStatus): void {
    this.notify(this.statusListeners, s, 'a status listener')
  }

  /** Calls each listener; one that throws is reported and does not stop the others (or the stream). */
  private notify<T>(listeners: ReadonlyArray<(v: T) => void>, value: T, who: string): void {
    // After close(), a request it aborted may still settle: nothing is reported any more.
    if (this.state === 'closed') return
    for (const l of listeners) {
      try {
        l(value)
      } catch (error) {
        this.o.log(`oanda: ${who} threw: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
}

function ok(reply: RestReply): boolean {
  return reply.status >= 200 && reply.status < 300
}

/** The named transactions of an answer, parsed (a malformed one throws). */
function answerTransactions(body: Record<string, unknown>, keys: readonly string[]): OandaTransaction[] {
  return keys.filter((k) => body[k] !== undefined).map((k) => parseTransaction(body[k]))
}

/** answerTransactions() for an answer whose transactions only prevent duplicates: a malformed one is left to the stream. */
function safeTransactions(body: Record<string, unknown>, keys: readonly string[]): OandaTransaction[] {
  const out: OandaTransaction[] = []
  for (const k of keys) {
    try {
      out.push(...answerTransactions(body, [k]))
    } catch {
      // the stream delivers it
    }
  }
  return out
}

/** An order placed outside rick, named `external:<OANDA id>`; undefined for a trade's exits. */
function asExternal(order: unknown): unknown {
  if (typeof order !== 'object' || order === null) return undefined
  const o = order as Record<string, unknown>
  if (o.type === 'TAKE_PROFIT' || o.type === 'STOP_LOSS' || o.type === 'TRAILING_STOP_LOSS' || o.type === 'GUARANTEED_STOP_LOSS') return undefined
  return {...o, clientExtensions: {id: `external:${String(o.id)}`}}
}
