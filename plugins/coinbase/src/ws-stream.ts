// One Coinbase websocket connection, read by rick over the `ws` package, kept alive by rick:
// - on open it sends its subscribe messages (built afresh each time: a user-channel JWT lives two
//   minutes), always including `heartbeats`, which Coinbase sends every second on that connection;
// - a watchdog: no message for heartbeatTimeoutMs means the connection is dead even if TCP has not
//   noticed (Coinbase closes idle sockets; a socket can also go quiet without closing). It is
//   dropped (terminate: no close handshake to wait for) and reconnected;
// - reconnection with exponential backoff and "equal jitter" from a seeded generator, on injected
//   timers; ConnectorStatus events as OANDA's streams give them (connected, disconnected with
//   retryInMs, heartbeat with the venue's time, fatal);
// - fatal, no retry: an HTTP 401/403 on the upgrade, or an error message about authentication.
//
// Why not ccxt pro's websocket: Coinbase keeps a connection alive only with a heartbeats
// subscription on that same connection, and ccxt exposes no heartbeat watch, so it cannot tell a
// dead socket; its reconnection runs on its own timing (rick's must be seeded and reported); its
// ticker watch returns only the latest ticker per await (ticks arriving together are lost); and it
// sends the user channel to the market-data host (Coinbase serves it on its own host).
import type {ConnectorStatus, StreamName} from '../../../src/sectors/connector.js'

/** What rick needs of the `ws` package's WebSocket (imported lazily by the factory). */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  terminate(): void
  on(event: 'open', cb: () => void): unknown
  on(event: 'message', cb: (data: unknown) => void): unknown
  on(event: 'close', cb: (code: number, reason: unknown) => void): unknown
  on(event: 'error', cb: (err: Error) => void): unknown
  on(event: 'unexpected-response', cb: (req: unknown, res: {statusCode?: number}) => void): unknown
}

export type SocketFactory = (url: string) => SocketLike

/**
 * The wall clock the connector's own waits run on (watchdogs, backoff, polls). Its `now` is not the
 * venue's time: a simulator may run its market faster than the wall, and a silence is measured on
 * the wall.
 */
export interface Timers {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

export interface Backoff {
  /** Delay after the first failure; it doubles per failure up to maxMs. */
  initialMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: Backoff = {initialMs: 500, maxMs: 30_000}
/** Coinbase sends a heartbeat every second: five missed ones mean the connection is dead. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 5_000

/** Half of min(max, initial × 2^attempt) plus a random part of the other half: never 0, never in lockstep. */
export function backoffDelay(attempt: number, b: Backoff, random: {next(): number}): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(base / 2 + random.next() * (base / 2))
}

export interface WsStreamOptions {
  name: StreamName
  url: string
  socket: SocketFactory
  /** The subscribe messages to send on open (heartbeats included by the caller). */
  subscribes(): object[]
  timers: Timers
  random: {next(): number}
  clock: {now(): number}
  heartbeatTimeoutMs: number
  backoff: Backoff
  /** One parsed JSON message; a throw reports it as malformed and skips it. */
  onMessage(value: unknown): void
  /**
   * Whether a message is the server's acknowledgement that the subscriptions hold: until then the
   * connection is not reported `connected` (an order placed before the server took the user
   * subscription would never be reported on it). Default: open is enough.
   */
  isAck?(value: unknown): boolean
  /** Called on every (re)connection once it is `connected`. */
  onOpen?(): void
  onStatus(status: ConnectorStatus): void
  onProblem(message: string): void
}

type Phase = 'idle' | 'connecting' | 'subscribing' | 'open' | 'waiting' | 'stopped'

/** ws readyState OPEN. */
const OPEN = 1

export class WsStream {
  private phase: Phase = 'idle'
  private sock: SocketLike | undefined
  private timer: unknown
  private watchdog: unknown
  private attempt = 0
  /** Bumped at every connection, so a late callback of an old socket is ignored. */
  private generation = 0

  constructor(private readonly o: WsStreamOptions) {}

  get state(): Phase {
    return this.phase
  }

  start(): void {
    if (this.phase === 'idle') this.connect()
  }

  /** Reconnects now (the subscriptions changed), without counting a failure. */
  restart(): void {
    if (this.phase === 'stopped' || this.phase === 'idle') return
    this.drop()
    this.connect()
  }

  /** Sends a message on the open connection; false when there is none. */
  send(message: object): boolean {
    if (this.phase !== 'open' || this.sock?.readyState !== OPEN) return false
    this.sock.send(JSON.stringify(message))
    return true
  }

  /** Closes the connection and cancels every timer; nothing runs after this. */
  stop(): void {
    this.phase = 'stopped'
    this.drop()
  }

  private drop(): void {
    this.generation++
    this.o.timers.clearTimeout(this.timer)
    this.o.timers.clearTimeout(this.watchdog)
    this.timer = undefined
    this.watchdog = undefined
    const s = this.sock
    this.sock = undefined
    if (s !== undefined) {
      try {
        s.terminate()
      } catch {
        // already gone
      }
    }
  }

  private connect(): void {
    const gen = ++this.generation
    this.phase = 'connecting'
    const live = (): boolean => gen === this.generation && this.phase !== 'stopped'
    let sock: SocketLike
    try {
      sock = this.o.socket(this.o.url)
    } catch (error) {
      this.lost(`cannot open ${this.o.url}: ${(error as Error).message}`)
      return
    }
    this.sock = sock
    // Armed before the answer too: a server that never completes the handshake is caught like silence.
    this.armWatchdog()
    sock.on('open', () => {
      if (!live()) return
      this.phase = 'subscribing'
      this.armWatchdog()
      try {
        for (const m of this.o.subscribes()) sock.send(JSON.stringify(m))
      } catch (error) {
        if ((error as {kind?: unknown})?.kind === 'AuthFailed') return this.fatal('AuthFailed', `${this.o.name} stream: ${(error as Error).message}`)
        return this.lost(`subscribe failed: ${(error as Error).message}`)
      }
      if (this.o.isAck === undefined) this.opened()
    })
    sock.on('message', (data) => {
      if (!live()) return
      this.armWatchdog()
      this.attempt = 0
      this.message(data)
    })
    sock.on('unexpected-response', (_req, res) => {
      if (!live()) return
      const status = res.statusCode ?? 0
      if (status === 401 || status === 403) return this.fatal('AuthFailed', `${this.o.name} stream: HTTP ${status} on the websocket upgrade`)
      this.lost(`HTTP ${status} on the websocket upgrade`)
    })
    sock.on('error', (err) => {
      if (live()) this.lost(`connection error: ${err.message}`)
    })
    sock.on('close', (code) => {
      if (live()) this.lost(`closed by the server (code ${code})`)
    })
  }

  private opened(): void {
    this.phase = 'open'
    this.o.onStatus({kind: 'connected', stream: this.o.name, ts: this.o.clock.now()})
    this.o.onOpen?.()
  }

  private message(data: unknown): void {
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data as Buffer[]).toString('utf8') : String(data)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      this.o.onProblem(`${this.o.name} stream: malformed message skipped (not JSON): ${text.slice(0, 120)}`)
      return
    }
    const v = value as {type?: unknown; message?: unknown}
    if (v !== null && typeof v === 'object' && v.type === 'error') {
      const m = String(v.message ?? 'unknown error')
      if (/auth|jwt|unauthori[sz]ed|forbidden/i.test(m)) return this.fatal('AuthFailed', `${this.o.name} stream: Coinbase said "${m.slice(0, 200)}"`)
      return this.lost(`Coinbase said "${m.slice(0, 200)}"`)
    }
    const gen = this.generation
    if (this.phase === 'subscribing' && this.o.isAck?.(value) === true) this.opened()
    if (gen !== this.generation || this.phase === 'stopped') return
    try {
      this.o.onMessage(value)
    } catch (error) {
      this.o.onProblem(`${this.o.name} stream: malformed message skipped (${error instanceof Error ? error.message : String(error)})`)
    }
  }

  private armWatchdog(): void {
    this.o.timers.clearTimeout(this.watchdog)
    const gen = this.generation
    this.watchdog = this.o.timers.setTimeout(() => {
      if (gen !== this.generation || this.phase === 'stopped') return
      this.lost(this.phase === 'connecting' ? `no websocket handshake within ${this.o.heartbeatTimeoutMs} ms` : this.phase === 'subscribing' ? `no subscription acknowledgement within ${this.o.heartbeatTimeoutMs} ms` : `no message or heartbeat for ${this.o.heartbeatTimeoutMs} ms`)
    }, this.o.heartbeatTimeoutMs)
  }

  /** The connection is gone: report it and try again after the backoff. */
  private lost(reason: string): void {
    this.drop()
    const delay = backoffDelay(this.attempt, this.o.backoff, this.o.random)
    this.attempt++
    this.phase = 'waiting'
    this.o.onStatus({kind: 'disconnected', stream: this.o.name, reason, ts: this.o.clock.now(), retryInMs: delay})
    const gen = this.generation
    this.timer = this.o.timers.setTimeout(() => {
      if (gen === this.generation && this.phase === 'waiting') this.connect()
    }, delay)
  }

  private fatal(code: string, message: string): void {
    this.stop()
    this.o.onStatus({kind: 'fatal', code, message, ts: this.o.clock.now()})
  }
}
