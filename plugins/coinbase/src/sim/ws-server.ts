// The Coinbase simulator's websocket feed: Advanced Trade's protocol on 127.0.0.1, any path, plain
// ws. One port serves both of Coinbase's hosts (advanced-trade-ws for market data,
// advanced-trade-ws-user for the user channel): they speak the same protocol.
//
// Time: heartbeats come every wall second and ticker_batch every fifth, on one schedule fixed
// from the server's start (a connection's first heartbeat comes within a second of subscribing);
// message timestamps are sim time (the feed's clock). A connection that has not subscribed to
// anything 5 wall seconds after it opened is closed, with a close frame (code 1000), as Coinbase
// disconnects "if no subscribe has been received within 5 seconds"; a subscription that was
// refused does not count. A subscribed connection without heartbeats that has been sent nothing
// for 60 wall seconds is closed the same way ("most channels close within 60-90 seconds if no
// updates are sent"). Candles are sent each second when they changed ("updates every second").
//
// Faults, read when they apply: `wsQuiet` — nothing at all is sent (sockets stay open; no pong
// either, and the 5-second close of an idle connection still happens);
// `heartbeats` false — no heartbeats messages; `missUserUpdate` — the next N order changes are not
// sent on user (one taken per change, whoever listens); cutAll() (the `dropStreams` action) drops
// every socket without a close frame.
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {type RawData, type WebSocket, WebSocketServer} from 'ws'
import type {TimerId, WallClock} from '../../../../src/sectors/sim/index.js'
import {type ChannelContext, sendSnapshot, subscriptionKeys, tickerKey, wants} from './ws-channels.js'
import type {CoinbaseWsFeed, FeedOrder, FeedQuote, FeedTrade} from './ws-feed.js'
import {WsMarket} from './ws-market.js'
import {type ClientRequest, parseRequest} from './ws-protocol.js'
import {WsSession} from './ws-session.js'
import {candleKey, candleView, goTimeString, type JsonObject, l2View, tickerView, tradeView, userOrderView} from './ws-wire.js'

export const HEARTBEAT_WALL_MS = 1_000
export const TICKER_BATCH_EVERY = 5
export const SUBSCRIBE_DEADLINE_WALL_MS = 5_000
export const IDLE_CLOSE_WALL_MS = 60_000
/** Subscribe messages are small; a megabyte of JSON is not a subscription. */
const MAX_MESSAGE_BYTES = 64 * 1024

/** The fault switches the websocket reads (FaultSwitches has these two methods). */
export interface CoinbaseWsFaults {
  value(name: string): boolean | number
  take(name: string): boolean
}

export interface CoinbaseWsOptions {
  feed: CoinbaseWsFeed
  /** 0 or absent: a free port. */
  port?: number
  faults: CoinbaseWsFaults
  wall: WallClock
  log?(m: string): void
}

export interface CoinbaseWsServer {
  /** ws://127.0.0.1:PORT */
  url: string
  /** Destroys every socket without a close frame; returns how many there were. */
  cutAll(): number
  close(): Promise<void>
}

export async function startCoinbaseWs(o: CoinbaseWsOptions): Promise<CoinbaseWsServer> {
  const server = new CoinbaseWsRuntime(o)
  return server.listen(o.port ?? 0)
}

class CoinbaseWsRuntime {
  private readonly http = createServer((_req: IncomingMessage, res: ServerResponse) => {
    // A plain HTTP request to a websocket endpoint: what `ws` itself answers.
    res.writeHead(426, {'Content-Type': 'text/plain'})
    res.end('Upgrade Required')
  })
  // Pongs are answered by hand: a feed gone quiet answers no ping either.
  private readonly wss = new WebSocketServer({noServer: true, maxPayload: MAX_MESSAGE_BYTES, autoPong: false})
  private readonly sockets = new Set<Socket>()
  private readonly sessions = new Map<WebSocket, WsSession>()
  private readonly deadlines = new Map<WsSession, TimerId>()
  private readonly ctx: ChannelContext
  private readonly unsubscribe: Array<() => void> = []
  private readonly startWall: number
  private tick: TimerId | undefined
  private ticks = 0
  private nextId = 1
  private closed = false

  constructor(private readonly o: CoinbaseWsOptions) {
    this.ctx = {feed: o.feed, market: new WsMarket()}
    this.startWall = o.wall.now()
  }

  async listen(port: number): Promise<CoinbaseWsServer> {
    this.http.on('connection', (s: Socket) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    this.http.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws))
    })
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject)
      this.http.listen(port, '127.0.0.1', () => {
        this.http.off('error', reject)
        resolve()
      })
    })
    this.unsubscribe.push(this.o.feed.onMarket((q, t) => this.guard('market change', () => this.onMarket(q, t))))
    this.unsubscribe.push(this.o.feed.onOrder((order) => this.guard('order change', () => this.onOrder(order))))
    this.armTick()
    const {port: bound} = this.http.address() as AddressInfo
    return {url: `ws://127.0.0.1:${bound}`, cutAll: () => this.cutAll(), close: () => this.close()}
  }

  /** A fault in formatting one event is logged and costs that event only, never the server. */
  private guard(what: string, fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.o.log?.(`coinbase sim ws: ${what} not sent: ${(error as Error).message}`)
    }
  }

  private quiet = (): boolean => this.o.faults.value('wsQuiet') === true

  private onConnection(ws: WebSocket): void {
    if (this.closed) {
      ws.terminate()
      return
    }
    const session = new WsSession(this.nextId++, ws, this.quiet, () => this.o.wall.now())
    this.sessions.set(ws, session)
    this.deadlines.set(
      session,
      this.o.wall.setTimeout(() => {
        this.deadlines.delete(session)
        if (session.subscribed || !session.open) return
        this.o.log?.(`coinbase sim ws: connection ${session.id} subscribed to nothing in 5 s, closing it`)
        ws.close(1000)
      }, SUBSCRIBE_DEADLINE_WALL_MS),
    )
    ws.on('message', (data: RawData) => this.guard('request', () => this.onMessage(session, data)))
    ws.on('ping', (data: Buffer) => {
      if (!this.quiet()) ws.pong(data)
    })
    ws.on('error', (err) => this.o.log?.(`coinbase sim ws: connection ${session.id}: ${err.message}`))
    ws.on('close', () => {
      this.sessions.delete(ws)
      const t = this.deadlines.get(session)
      if (t !== undefined) this.o.wall.clearTimeout(t)
      this.deadlines.delete(session)
    })
  }

  private onMessage(session: WsSession, data: RawData): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)
    const parsed = parseRequest(bytes.toString('utf8'), this.o.feed)
    if (!parsed.ok) {
      session.sendError(parsed.message)
      return
    }
    const req = parsed.request
    const keys = subscriptionKeys(req, this.ctx)
    if (req.kind === 'subscribe') this.subscribe(session, req, keys)
    else session.remove(req.channel, keys)
    session.send('subscriptions', this.o.feed.now(), [session.acknowledgement()])
  }

  private subscribe(session: WsSession, req: ClientRequest, keys: string[]): void {
    if (req.channel === 'user' && req.userId !== undefined) session.userKey = req.userId
    session.add(req.channel, keys)
    const t = this.deadlines.get(session)
    if (t !== undefined) this.o.wall.clearTimeout(t)
    this.deadlines.delete(session)
    sendSnapshot(session, req, keys, this.ctx)
  }

  private onMarket(q: FeedQuote, trade: FeedTrade | undefined): void {
    const id = q.productId
    let book = false
    for (const s of this.sessions.values()) if ((book = wants(s, 'level2', id))) break
    const change = this.ctx.market.apply(q, trade, book)
    if (this.sessions.size === 0) return
    const now = this.o.feed.now()
    for (const s of this.sessions.values()) {
      if (wants(s, 'ticker', id)) s.send('ticker', now, [{type: 'update', tickers: [tickerView(q, this.ctx.market.extremes(q), false)]}])
      if (change.trade !== undefined && wants(s, 'market_trades', id)) s.send('market_trades', now, [{type: 'update', trades: [tradeView(change.trade)]}])
      if (change.book.length > 0 && wants(s, 'level2', id)) s.send('level2', now, [{type: 'update', product_id: id, updates: change.book.map((l) => l2View(l, q.ts))}])
    }
  }

  private onOrder(order: FeedOrder): void {
    if (this.o.faults.take('missUserUpdate')) {
      this.o.log?.(`coinbase sim ws: fault missUserUpdate: order ${order.orderId} ${order.status} not sent on user`)
      return
    }
    const now = this.o.feed.now()
    for (const s of this.sessions.values()) if (wants(s, 'user', order.productId)) s.send('user', now, [{type: 'update', orders: [userOrderView(order)]}])
  }

  /** One schedule for the whole server, fixed from its start so it does not drift. */
  private armTick(): void {
    const due = this.startWall + (this.ticks + 1) * HEARTBEAT_WALL_MS
    this.tick = this.o.wall.setTimeout(() => this.onTick(), Math.max(0, due - this.o.wall.now()))
  }

  private onTick(): void {
    this.tick = undefined
    if (this.closed) return
    // A stalled process skips the beats it missed instead of sending them in a burst.
    this.ticks = Math.max(this.ticks + 1, Math.floor((this.o.wall.now() - this.startWall) / HEARTBEAT_WALL_MS))
    this.armTick()
    if (this.o.faults.value('heartbeats') !== false) this.guard('heartbeat', () => this.sendHeartbeats())
    this.guard('candles', () => this.sendCandles())
    if (this.ticks % TICKER_BATCH_EVERY === 0) this.guard('ticker_batch', () => this.sendTickerBatches())
    this.closeIdle()
  }

  private sendHeartbeats(): void {
    const now = this.o.feed.now()
    const mono = this.o.wall.now() - this.startWall
    // The counter is the server's, as on Coinbase (its seconds since start, the m=+ reading).
    const event = {current_time: goTimeString(now, mono), heartbeat_counter: Math.floor(mono / 1000)}
    for (const s of this.sessions.values()) if (s.keys('heartbeats').length > 0) s.send('heartbeats', now, [event])
  }

  private sendTickerBatches(): void {
    this.sendChanged('ticker_batch', 'tickers', (s) => s.batchSent, (id) => {
      const q = this.o.feed.quote(id)
      return q === undefined ? undefined : {key: tickerKey(q), view: () => tickerView(q, this.ctx.market.extremes(q), true)}
    })
  }

  private sendCandles(): void {
    this.sendChanged('candles', 'candles', (s) => s.candleSent, (id) => {
      const c = this.ctx.market.latestCandle(id)
      return c === undefined ? undefined : {key: candleKey(c), view: () => candleView(c)}
    })
  }

  /** The periodic channels: to each subscriber, one update with what changed since its last one. */
  private sendChanged(
    channel: 'ticker_batch' | 'candles',
    field: string,
    sentOf: (s: WsSession) => Map<string, string>,
    current: (productId: string) => {key: string; view: () => JsonObject} | undefined,
  ): void {
    const now = this.o.feed.now()
    for (const s of this.sessions.values()) {
      const sent = sentOf(s)
      const views: JsonObject[] = []
      for (const id of s.keys(channel)) {
        const item = current(id)
        if (item === undefined || sent.get(id) === item.key) continue
        sent.set(id, item.key)
        views.push(item.view())
      }
      if (views.length > 0) s.send(channel, now, [{type: 'update', [field]: views}])
    }
  }

  /**
   * "Most channels close within 60-90 seconds if no updates are sent": a subscribed connection
   * without heartbeats that was sent nothing for 60 wall seconds (the early end, the harder case
   * for a client) is closed. Heartbeats keep it open, also while the feed is quiet.
   */
  private closeIdle(): void {
    const now = this.o.wall.now()
    for (const [ws, s] of this.sessions) {
      if (!s.subscribed || s.keys('heartbeats').length > 0 || now - s.lastSentWall < IDLE_CLOSE_WALL_MS || !s.open) continue
      this.o.log?.(`coinbase sim ws: connection ${s.id} sent nothing for 60 s and has no heartbeats, closing it`)
      ws.close(1000)
    }
  }

  private cutAll(): number {
    const n = this.sessions.size
    for (const ws of this.sessions.keys()) ws.terminate()
    if (n > 0) this.o.log?.(`coinbase sim ws: cut ${n} connection(s) without a close frame`)
    return n
  }

  private async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.tick !== undefined) this.o.wall.clearTimeout(this.tick)
    this.tick = undefined
    for (const t of this.deadlines.values()) this.o.wall.clearTimeout(t)
    this.deadlines.clear()
    for (const off of this.unsubscribe.splice(0)) off()
    for (const ws of this.sessions.keys()) ws.terminate()
    this.sessions.clear()
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
    await new Promise<void>((resolve) => this.http.close(() => resolve()))
  }
}
