// The TWS socket over time: one @stoqey/ib client per connection, the handshake up to nextValidId
// (TWS drops what a client sends before it, and the SDK holds its queue until then), a watchdog
// (TWS sends no heartbeat), and reconnection with seeded backoff.
//
// - A connection is open at its first nextValidId; managedAccounts comes before it. The connector's
//   opened() then runs (reconciliation input) before anyone hears `connected`.
// - Watchdog: reqCurrentTime every HEARTBEAT.everyMs; no currentTime within HEARTBEAT.timeoutMs of
//   asking (a socket that is open but dead: a frozen TWS, a cable pulled without a FIN) drops the
//   connection and reconnects: a dead connection is noticed within everyMs + timeoutMs (5 s).
//   Each answer is also the venue's time (epoch seconds), handed to the connector as a heartbeat.
// - The socket closing (TWS restart, the nightly restart, 1300, a network cut), error 502 / 504 or the
//   watchdog: `down` with the delay of the next attempt: backoff from backoff.baseMs doubling to
//   backoff.maxMs, each delay drawn in [½, 1] of it from the seeded generator (two sectors cut
//   together do not reconnect in step), reset by a connection that opens.
// - 326 (client id in use) is fatal: no retry, the message names connection.clientId.
import {classify, clientIdInUse, type LinkChange} from './errors.js'
import type {TwsClient, TwsClientFactory} from './tws-client.js'

export interface Timers {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

export interface Backoff {
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: Backoff = {baseMs: 500, maxMs: 30_000}
export const DEFAULT_HEARTBEAT = {everyMs: 2_000, timeoutMs: 3_000}
/** From the TCP connect to nextValidId. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000
/** Messages a second the SDK lets out: under TWS's 50, with room for the watchdog. */
export const MAX_REQ_PER_SEC = 40

export interface SessionHandlers {
  /** A connection opened (nextValidId). Resolves when the connector is ready to say `connected`. */
  opened(client: TwsClient, nextValidId: number, accounts: string[]): Promise<void>
  /** The connection went; the next attempt is in `retryInMs`. */
  down(reason: string, retryInMs: number): void
  fatal(code: string, message: string): void
  /** 1100 / 1101 / 1102 while the socket stays up. */
  link(change: Exclude<LinkChange, 'socket' | 'socket-reset'>, message: string): void
  /** The venue's time (epoch ms) from a watchdog answer. */
  heartbeat(venueTs: number): void
  /** Every other message of the SDK (openOrder, orderStatus, execDetails, …) with its arguments. */
  message(event: string, args: unknown[]): void
  /** An `error` with an id ≥ 0 (an order's or a request's). */
  idError(id: number, code: number, message: string): void
  log(message: string): void
}

export interface SessionOptions {
  factory: TwsClientFactory
  host: string
  port: number
  clientId: number
  sector: string
  timers: Timers
  random: {next(): number}
  backoff: Backoff
  heartbeat: {everyMs: number; timeoutMs: number}
  connectTimeoutMs: number
  handlers: SessionHandlers
}

/** Events forwarded to handlers.message. */
const FORWARDED = ['openOrder', 'openOrderEnd', 'orderStatus', 'execDetails', 'execDetailsEnd', 'commissionReport', 'position', 'positionEnd', 'accountSummary', 'accountSummaryEnd', 'contractDetails', 'contractDetailsEnd', 'historicalData', 'realtimeBar', 'tickPrice', 'completedOrder', 'completedOrdersEnd']

type Phase = 'idle' | 'connecting' | 'opening' | 'up' | 'waiting' | 'fatal' | 'closed'

export class TwsSession {
  private phase: Phase = 'idle'
  private client: TwsClient | undefined
  private attempt = 0
  private retryTimer: unknown
  private beatTimer: unknown
  private connectTimer: ReturnType<typeof setTimeout> | undefined
  /** When the unanswered reqCurrentTime was sent (NaN: none outstanding). */
  private askedAt = Number.NaN
  private accounts: string[] = []
  private accountWaiters: Array<(accounts: string[]) => void> = []
  /** reqCurrentTime sent and answered on this connection (answers come in order: a round trip). */
  private asked = 0
  private answered = 0
  private lastTime = Number.NaN
  private trips: Array<{seq: number; resolve(ts: number): void; reject(e: Error): void}> = []
  private firstOpen: {resolve(): void; reject(e: Error): void} | undefined

  constructor(private readonly o: SessionOptions) {}

  get isUp(): boolean {
    return this.phase === 'up'
  }

  /** The client of the open connection (undefined while down). */
  get current(): TwsClient | undefined {
    return this.phase === 'up' || this.phase === 'opening' ? this.client : undefined
  }

  /** The first connection: resolves once it is open and opened() ran; rejects when it fails. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstOpen = {resolve, reject}
      this.open()
    })
  }

  close(): void {
    this.phase = 'closed'
    this.stopTimers()
    this.drop()
    const first = this.firstOpen
    this.firstOpen = undefined
    first?.reject(new Error('the connector was closed while connecting'))
  }

  /**
   * A reqCurrentTime round trip: resolves with TWS's time (epoch ms) once everything TWS sent
   * before it answered has been handled (the socket is ordered). Rejects when the connection goes.
   */
  roundTrip(timeoutMs: number): Promise<number> {
    const c = this.current
    if (c === undefined) return Promise.reject(new Error('not connected to TWS'))
    const seq = ++this.asked
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.trips = this.trips.filter((t) => t.seq !== seq)
        reject(new Error(`no answer to reqCurrentTime within ${timeoutMs} ms`))
      }, timeoutMs)
      this.trips.push({seq, resolve: (ts) => (clearTimeout(timer), resolve(ts)), reject: (e) => (clearTimeout(timer), reject(e))})
      c.reqCurrentTime()
    })
  }

  /** Drops the connection on purpose (a dead watchdog, 1300, pacing): it reconnects. */
  restart(reason: string): void {
    if (this.phase !== 'up' && this.phase !== 'opening' && this.phase !== 'connecting') return
    this.lost(reason)
  }

  private open(): void {
    if (this.phase === 'closed' || this.phase === 'fatal') return
    this.phase = 'connecting'
    this.accounts = []
    this.asked = 0
    this.answered = 0
    const c = this.o.factory({host: this.o.host, port: this.o.port, clientId: this.o.clientId, maxReqPerSec: MAX_REQ_PER_SEC})
    this.client = c
    const mine = (fn: (...args: unknown[]) => void) => (...args: unknown[]) => {
      if (this.client === c) fn(...args)
    }
    c.on('nextValidId', mine((id) => this.nextValidId(c, Number(id))))
    c.on('managedAccounts', mine((list) => {
      this.accounts = String(list ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '')
      for (const w of this.accountWaiters.splice(0)) w(this.accounts)
    }))
    c.on('currentTime', mine((t) => this.currentTime(Number(t))))
    c.on('disconnected', mine(() => this.lost('the TWS socket closed')))
    c.on('info', mine((message, code) => this.info(Number(code), String(message ?? ''))))
    c.on('error', mine((error, code, id) => this.error(Number(code), error instanceof Error ? error.message : String(error ?? ''), Number(id ?? -1))))
    for (const event of FORWARDED) c.on(event, mine((...args) => this.o.handlers.message(event, args)))
    this.connectTimer = setTimeout(() => this.lost(`no nextValidId from TWS within ${this.o.connectTimeoutMs} ms of connecting`), this.o.connectTimeoutMs)
    c.connect(this.o.clientId)
  }

  private nextValidId(c: TwsClient, id: number): void {
    if (this.phase !== 'connecting') return // an answer to reqIds, or a repeat
    clearTimeout(this.connectTimer)
    this.phase = 'opening'
    void this.managedAccounts(c)
      .then((accounts) => {
        if (this.client !== c || this.phase !== 'opening') throw new Error('the connection went while opening')
        return this.o.handlers.opened(c, id, accounts)
      })
      .then(
      () => {
        if (this.client !== c || this.phase !== 'opening') return
        this.phase = 'up'
        this.attempt = 0
        this.askedAt = Number.NaN
        this.scheduleBeat()
        const first = this.firstOpen
        this.firstOpen = undefined
        first?.resolve()
      },
      (error: unknown) => {
        if (this.client !== c) return
        this.lost(`reading the account after connecting failed: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
  }

  /**
   * The login's accounts. TWS sends managedAccounts right after nextValidId; when it has not come
   * by the next turn of the event loop it is asked for (reqManagedAccts), and after the connect
   * timeout the connection goes on without (no account filter: a login with one account).
   */
  private managedAccounts(c: TwsClient): Promise<string[]> {
    if (this.accounts.length > 0) return Promise.resolve(this.accounts)
    return new Promise((resolve) => {
      const asked = setTimeout(() => {
        if (this.client === c) c.reqManagedAccts()
      }, 50)
      const giveUp = setTimeout(() => done([]), this.o.connectTimeoutMs)
      const done = (accounts: string[]): void => {
        clearTimeout(asked)
        clearTimeout(giveUp)
        this.accountWaiters = this.accountWaiters.filter((w) => w !== done)
        resolve(accounts)
      }
      this.accountWaiters.push(done)
    })
  }

  private info(code: number, message: string): void {
    const c = classify(code, message)
    if (c.kind === 'fatal') return this.fatal(c.code, clientIdInUse(this.o.sector, this.o.clientId))
    if (c.kind === 'link') {
      if (c.change === 'socket' || c.change === 'socket-reset') return this.lost(`TWS ${code}: ${message}`)
      return this.o.handlers.link(c.change, `${code} ${message}`)
    }
    if (c.kind === 'rate-limited') {
      this.o.handlers.log(`TWS ${code}: ${message} (TWS disconnects a client that keeps sending above 50 messages a second)`)
      return
    }
    this.o.handlers.log(`TWS ${code}: ${message}`)
  }

  private error(code: number, message: string, id: number): void {
    if (id >= 0) return this.o.handlers.idError(id, code, message)
    // The SDK's own errors (502 could not connect, 504 not connected, a socket error) and TWS's
    // messages without an id that the SDK sent as errors.
    const c = classify(code, message)
    if (c.kind === 'fatal') return this.fatal(c.code, clientIdInUse(this.o.sector, this.o.clientId))
    if (c.kind === 'link' && (c.change === 'socket' || c.change === 'socket-reset')) return this.lost(`${code} ${message}`)
    this.info(code, message)
  }

  private fatal(code: string, message: string): void {
    if (this.phase === 'closed' || this.phase === 'fatal') return
    this.phase = 'fatal'
    this.stopTimers()
    this.drop()
    const first = this.firstOpen
    this.firstOpen = undefined
    this.o.handlers.fatal(code, message)
    first?.reject(Object.assign(new Error(message), {code}))
  }

  /** The connection is gone (or given up on): down, and the next attempt scheduled. */
  private lost(reason: string): void {
    if (this.phase === 'closed' || this.phase === 'fatal' || this.phase === 'waiting' || this.phase === 'idle') return
    this.stopTimers()
    this.drop()
    const first = this.firstOpen
    if (first !== undefined) {
      // The first connect fails at once (the caller decides); later ones retry on their own.
      this.firstOpen = undefined
      this.phase = 'idle'
      first.reject(new Error(`cannot reach TWS/IB Gateway at ${this.o.host}:${this.o.port} (${reason}). Is TWS or IB Gateway running and logged in, with Configure → API → Settings → "Enable ActiveX and Socket Clients" on and its socket port set to ${this.o.port} (7497 TWS paper, 4002 IB Gateway paper, 7496 / 4001 live)?`))
      return
    }
    this.phase = 'waiting'
    const ceiling = Math.min(this.o.backoff.maxMs, this.o.backoff.baseMs * 2 ** Math.min(this.attempt, 20))
    this.attempt++
    const delay = Math.round(ceiling * (0.5 + 0.5 * this.o.random.next()))
    this.o.handlers.down(reason, delay)
    this.retryTimer = this.o.timers.setTimeout(() => {
      this.retryTimer = undefined
      if (this.phase === 'waiting') this.open()
    }, delay)
  }

  private drop(): void {
    const c = this.client
    this.client = undefined
    const trips = this.trips.splice(0)
    for (const t of trips) t.reject(new Error('the TWS connection went'))
    for (const w of this.accountWaiters.splice(0)) w([])
    if (c === undefined) return
    c.removeAllListeners()
    try {
      c.disconnect()
    } catch {
      // already closed
    }
  }

  private scheduleBeat(): void {
    this.beatTimer = this.o.timers.setTimeout(() => this.beat(), this.o.heartbeat.everyMs)
  }

  private beat(): void {
    this.beatTimer = undefined
    if (this.phase !== 'up' || this.client === undefined) return
    if (!Number.isNaN(this.askedAt)) {
      if (this.o.timers.now() - this.askedAt >= this.o.heartbeat.timeoutMs) return this.lost(`no answer to reqCurrentTime within ${this.o.heartbeat.timeoutMs} ms: the connection is dead`)
    } else {
      this.askedAt = this.o.timers.now()
      this.asked++
      this.client.reqCurrentTime()
    }
    const wait = Number.isNaN(this.askedAt) ? this.o.heartbeat.everyMs : Math.min(this.o.heartbeat.everyMs, Math.max(1, this.askedAt + this.o.heartbeat.timeoutMs - this.o.timers.now()))
    this.beatTimer = this.o.timers.setTimeout(() => this.beat(), wait)
  }

  private currentTime(seconds: number): void {
    this.askedAt = Number.NaN
    this.answered++
    if (Number.isFinite(seconds) && seconds > 0) {
      this.lastTime = seconds * 1000
      this.o.handlers.heartbeat(this.lastTime)
    }
    const due = this.trips.filter((t) => t.seq <= this.answered)
    this.trips = this.trips.filter((t) => t.seq > this.answered)
    for (const t of due) t.resolve(this.lastTime)
  }

  private stopTimers(): void {
    clearTimeout(this.connectTimer)
    this.connectTimer = undefined
    if (this.retryTimer !== undefined) this.o.timers.clearTimeout(this.retryTimer)
    if (this.beatTimer !== undefined) this.o.timers.clearTimeout(this.beatTimer)
    this.retryTimer = undefined
    this.beatTimer = undefined
  }
}
