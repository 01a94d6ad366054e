// OANDA's two streams (prices, transactions), read by rick itself over node:http/https: the SDK's
// stream reader throws on every PRICE line and on a JSON line split across chunks. Three parts:
// - LineReader: newline-delimited JSON out of arbitrary chunks (a line split across chunks, several
//   lines in one chunk, CRLF, an endless line), malformed lines reported and skipped.
// - ReconnectingStream: one long GET; a heartbeat watch (no line for heartbeatTimeoutMs means the
//   connection is dead even if TCP has not noticed); reconnection with exponential backoff and
//   jitter from a seeded generator on injected timers; ConnectorStatus events; fatal (no retry) for
//   an answer that retrying cannot change (401/403: the token; 400/404: the request).
// - TransactionFeed: the transaction stream without gaps or repeats. At every (re)connect it opens
//   the stream first, holds its lines, fetches what came after the last transaction it delivered
//   (GET …/transactions/sinceid), then releases the held lines; ids at or below the last delivered
//   one are dropped, so every transaction is delivered once, in id order.
import type {IncomingMessage} from 'node:http'
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'

import type {ConnectorStatus, StreamName} from '../../../src/sectors/connector.js'
import type {OandaEndpoint} from './config.js'
import type {Timers} from './rest.js'
import {parseTime, parseTransaction, transactionId, type OandaTransaction} from './parsing.js'

// ---- lines

/** Splits a text stream into lines; a line longer than maxLineChars is dropped (and reported). */
export class LineReader {
  private buffer = ''
  private skipping = false

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onProblem: (message: string) => void,
    private readonly maxLineChars = 1_000_000,
  ) {}

  feed(chunk: string): void {
    let start = 0
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl)
      start = nl + 1
      if (this.skipping) {
        this.skipping = false
        this.buffer = ''
        continue
      }
      const line = (this.buffer + piece).replace(/\r$/, '')
      this.buffer = ''
      if (line.trim() !== '') this.onLine(line)
    }
    if (this.skipping) return
    this.buffer += chunk.slice(start)
    if (this.buffer.length > this.maxLineChars) {
      this.onProblem(`a line longer than ${this.maxLineChars} characters was dropped`)
      this.buffer = ''
      this.skipping = true
    }
  }

  /** Forgets a partial line (the connection it came from is gone). */
  reset(): void {
    this.buffer = ''
    this.skipping = false
  }
}

// ---- one HTTP stream

export interface StreamHandlers {
  /** HTTP 200: chunks follow. */
  open(): void
  data(chunk: string): void
  /** The connection ended or failed. `failure` when the server answered another status than 200. */
  closed(reason: string, failure?: {status: number; body: string; retryAfter?: string}): void
}

export interface StreamTarget {
  endpoint: OandaEndpoint
  /** Path and query, e.g. `/v3/accounts/101-…/pricing/stream?instruments=EUR_USD`. */
  path: string
  headers: Record<string, string>
}

export interface StreamConnection {
  close(): void
}

export type StreamOpener = (target: StreamTarget, handlers: StreamHandlers) => StreamConnection

/** The largest error body read from a refused stream (its errorMessage is all we want). */
const ERROR_BODY_CHARS = 64 * 1024

/** A streaming GET over node:http(s). Every error is handled; `closed` is called exactly once. */
export const httpStreamOpener: StreamOpener = (target, handlers) => {
  const e = target.endpoint
  let ended = false
  const end = (reason: string, failure?: {status: number; body: string; retryAfter?: string}): void => {
    if (ended) return
    ended = true
    handlers.closed(reason, failure)
  }
  const send = e.ssl ? httpsRequest : httpRequest
  // No agent: a stream holds its socket for hours and must not share a pool with REST calls.
  const req = send({hostname: e.hostname, port: e.port, method: 'GET', path: target.path, headers: {...target.headers, 'Accept-Datetime-Format': 'RFC3339'}, agent: false}, (res: IncomingMessage) => {
    res.setEncoding('utf8')
    res.on('error', (err) => end(`connection error: ${err.message}`))
    if (res.statusCode !== 200) {
      let body = ''
      res.on('data', (c: string) => {
        if (body.length < ERROR_BODY_CHARS) body += c
      })
      const retry = res.headers['retry-after']
      res.on('end', () => end(`HTTP ${res.statusCode ?? 0}`, {status: res.statusCode ?? 0, body, retryAfter: Array.isArray(retry) ? retry[0] : retry}))
      res.on('close', () => end(`HTTP ${res.statusCode ?? 0}`, {status: res.statusCode ?? 0, body}))
      return
    }
    handlers.open()
    res.on('data', (chunk: string) => {
      if (!ended) handlers.data(chunk)
    })
    res.on('end', () => end('the server ended the stream'))
    res.on('close', () => end('the connection closed'))
  })
  req.on('error', (err: Error & {code?: string}) => end(`connection error: ${err.code ?? ''} ${err.message}`.replace('  ', ' ')))
  req.end()
  return {
    close: () => {
      ended = true
      req.destroy()
    },
  }
}

// ---- reconnection

export interface Backoff {
  /** Delay after the first failure; it doubles per failure up to maxMs. */
  initialMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: Backoff = {initialMs: 500, maxMs: 30_000}
/** OANDA sends a heartbeat every 5 s on both streams: two intervals of silence mean the connection is dead. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000

/**
 * The wait before reconnect attempt `attempt` (0-based): half of min(max, initial × 2^attempt)
 * plus a random part of the other half ("equal jitter"): never 0, so a fleet of sectors that lost
 * OANDA at the same moment does not reconnect at the same moment.
 */
export function backoffDelay(attempt: number, b: Backoff, random: {next(): number}): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(base / 2 + random.next() * (base / 2))
}

export interface ReconnectingStreamOptions {
  name: StreamName
  target: () => StreamTarget
  opener: StreamOpener
  timers: Timers
  random: {next(): number}
  clock: {now(): number}
  heartbeatTimeoutMs: number
  backoff: Backoff
  /** One parsed JSON line; a throw reports the line as malformed and skips it. */
  onLine(value: unknown): void
  onStatus(status: ConnectorStatus): void
  onProblem(message: string): void
  /**
   * Runs when the server has answered 200, before any line is delivered (lines wait for it): the
   * transaction feed's catch-up. A rejection drops the connection and retries; a rejection with
   * `kind: 'AuthFailed'` is fatal.
   */
  onOpen?(): Promise<void>
}

type Phase = 'idle' | 'connecting' | 'catching-up' | 'open' | 'waiting' | 'stopped'

export class ReconnectingStream {
  private phase: Phase = 'idle'
  private conn: StreamConnection | undefined
  private timer: unknown
  private watchdog: unknown
  private attempt = 0
  /** Lines received while onOpen runs. */
  private held: string[] = []
  /** Bumped at every connection, so a late callback of an old one is ignored. */
  private generation = 0
  private readonly reader: LineReader

  constructor(private readonly o: ReconnectingStreamOptions) {
    this.reader = new LineReader((line) => this.line(line), (m) => this.problem(m))
  }

  get state(): Phase {
    return this.phase
  }

  start(): void {
    if (this.phase !== 'idle' && this.phase !== 'waiting') return
    this.connect()
  }

  /** Reconnects now (e.g. the instruments changed), without counting a failure. */
  restart(): void {
    if (this.phase === 'stopped') return
    this.drop()
    this.connect()
  }

  /** Drops the connection as lost (reported, retried after the backoff). */
  fail(reason: string): void {
    if (this.phase === 'open' || this.phase === 'catching-up' || this.phase === 'connecting') this.lost(reason)
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
    this.held = []
    this.reader.reset()
    const c = this.conn
    this.conn = undefined
    c?.close()
  }

  private connect(): void {
    const gen = ++this.generation
    this.phase = 'connecting'
    const live = (): boolean => gen === this.generation && this.phase !== 'stopped'
    let target: StreamTarget
    try {
      target = this.o.target()
    } catch (error) {
      this.fatal('STREAM_TARGET', (error as Error).message)
      return
    }
    // Armed before the answer too: a connect or a server that never answers is caught like silence.
    this.armWatchdog()
    this.conn = this.o.opener(target, {
      open: () => {
        if (!live()) return
        this.armWatchdog()
        if (this.o.onOpen === undefined) return this.opened()
        this.phase = 'catching-up'
        this.o.onOpen().then(
          () => {
            if (live()) this.opened()
          },
          (error: unknown) => {
            if (!live()) return
            if ((error as {kind?: unknown})?.kind === 'AuthFailed') return this.fatal('AuthFailed', (error as Error).message)
            this.lost(`catch-up failed: ${error instanceof Error ? error.message : String(error)}`)
          },
        )
      },
      data: (chunk) => {
        if (!live()) return
        this.armWatchdog()
        this.reader.feed(chunk)
      },
      closed: (reason, failure) => {
        if (!live()) return
        if (failure === undefined) return this.lost(reason)
        const message = failureMessage(failure)
        if (failure.status === 401 || failure.status === 403) return this.fatal('AuthFailed', `${this.o.name} stream: HTTP ${failure.status} ${message}`)
        if (failure.status === 400 || failure.status === 404) return this.fatal(`HTTP_${failure.status}`, `${this.o.name} stream: HTTP ${failure.status} ${message}`)
        const retryAfterS = failure.status === 429 && failure.retryAfter !== undefined ? Number(failure.retryAfter) : Number.NaN
        this.lost(`HTTP ${failure.status} ${message}`.trim(), Number.isFinite(retryAfterS) ? retryAfterS * 1000 : undefined)
      },
    })
  }

  private opened(): void {
    this.phase = 'open'
    this.o.onStatus({kind: 'connected', stream: this.o.name, ts: this.o.clock.now()})
    const held = this.held
    this.held = []
    for (const line of held) {
      if (this.phase !== 'open') return
      this.deliver(line)
    }
  }

  private line(line: string): void {
    if (this.phase === 'catching-up') {
      this.held.push(line)
      return
    }
    if (this.phase === 'open') this.deliver(line)
  }

  private deliver(line: string): void {
    // A line after the connection came up: the connection works, the next failure starts over.
    this.attempt = 0
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      this.problem(`malformed line skipped (not JSON): ${line.slice(0, 120)}`)
      return
    }
    try {
      this.o.onLine(value)
    } catch (error) {
      this.problem(`malformed line skipped (${error instanceof Error ? error.message : String(error)})`)
    }
  }

  private armWatchdog(): void {
    this.o.timers.clearTimeout(this.watchdog)
    const gen = this.generation
    this.watchdog = this.o.timers.setTimeout(() => {
      if (gen !== this.generation || this.phase === 'stopped') return
      this.lost(this.phase === 'connecting' ? `no answer to the stream request within ${this.o.heartbeatTimeoutMs} ms` : `no data or heartbeat for ${this.o.heartbeatTimeoutMs} ms`)
    }, this.o.heartbeatTimeoutMs)
  }

  /** The connection is gone: report it and try again after the backoff. */
  private lost(reason: string, atLeastMs?: number): void {
    this.drop()
    const delay = Math.max(backoffDelay(this.attempt, this.o.backoff, this.o.random), atLeastMs ?? 0)
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

  private problem(message: string): void {
    this.o.onProblem(`${this.o.name} stream: ${message}`)
  }
}

function failureMessage(f: {body: string}): string {
  try {
    const v = JSON.parse(f.body) as {errorMessage?: unknown}
    if (typeof v.errorMessage === 'string') return v.errorMessage
  } catch {
    // not JSON: the text itself, shortened
  }
  return f.body.slice(0, 200)
}

// ---- transactions without gaps or repeats

export interface SinceIdPage {
  transactions: unknown[]
  lastTransactionID: string
}

export interface TransactionFeedOptions extends Omit<ReconnectingStreamOptions, 'name' | 'onLine' | 'onOpen'> {
  /** The last transaction already accounted for (the account summary's lastTransactionID at connect). */
  after: string
  /** GET …/transactions/sinceid?id=<id>: transactions after id, oldest first. */
  fetchSince(id: string): Promise<SinceIdPage>
  /** Each transaction once, in id order. */
  onTransaction(tx: OandaTransaction): void
  /** A heartbeat's venue time. */
  onHeartbeat(ts: number): void
}

/** A catch-up that returns this many pages without reaching the end is abandoned (and retried at the next connect). */
const MAX_CATCH_UP_PAGES = 1000

export class TransactionFeed {
  private readonly stream: ReconnectingStream
  /** The last transaction id delivered (or accounted for at start). */
  private cursor: number
  private catchingUp: Promise<void> | undefined
  /** Stream lines held while a catch-up started from the stream (a gap, a heartbeat ahead) runs. */
  private held: unknown[] | undefined

  constructor(private readonly o: TransactionFeedOptions) {
    this.cursor = Number(transactionId(o.after, 'lastTransactionID'))
    this.stream = new ReconnectingStream({...o, name: 'events', onLine: (v) => this.line(v), onOpen: () => this.catchUp()})
  }

  /** The last transaction id delivered. */
  get lastId(): string {
    return String(this.cursor)
  }

  get state(): string {
    return this.stream.state
  }

  start(): void {
    this.stream.start()
  }

  stop(): void {
    this.held = undefined
    this.stream.stop()
  }

  /** Fetches and delivers what came after the cursor. One at a time: a second caller shares the first's. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.fetchAll().finally(() => {
      this.catchingUp = undefined
    })
    return this.catchingUp
  }

  private async fetchAll(): Promise<void> {
    for (let page = 0; page < MAX_CATCH_UP_PAGES; page++) {
      const before = this.cursor
      const r = await this.o.fetchSince(String(this.cursor))
      for (const raw of r.transactions) this.deliver(parseTransaction(raw))
      const last = Number(transactionId(r.lastTransactionID, 'sinceid lastTransactionID'))
      if (r.transactions.length === 0 || this.cursor >= last || this.cursor === before) return
    }
    throw new Error(`catch-up after transaction ${this.cursor} did not end within ${MAX_CATCH_UP_PAGES} pages`)
  }

  /** A stream line. `repairs`: false for lines released after a catch-up (the venue said what there is: no second repair for them). */
  private line(value: unknown, repairs = true): void {
    if (this.held !== undefined) {
      this.held.push(value)
      return
    }
    const o = value as {type?: unknown; time?: unknown; lastTransactionID?: unknown}
    if (typeof o === 'object' && o !== null && o.type === 'HEARTBEAT') {
      const last = Number(transactionId(o.lastTransactionID, 'HEARTBEAT.lastTransactionID'))
      this.o.onHeartbeat(parseTime(o.time, 'HEARTBEAT.time'))
      // The stream is in order: a heartbeat naming a later transaction than the last delivered
      // means a line was lost (or malformed). Fetch it now rather than at the next reconnect.
      if (last > this.cursor && repairs) this.repair([])
      return
    }
    const tx = parseTransaction(value)
    // An account's transaction ids follow each other: a jump means lines were lost. The later
    // transaction waits until the missing ones are fetched (a venue whose ids skip costs a fetch).
    if (tx.seq > this.cursor + 1 && repairs) this.repair([value])
    else this.deliver(tx)
  }

  /** Holds the stream's lines, catches up, then releases them; a failed catch-up reconnects (which catches up again). */
  private repair(first: unknown[]): void {
    this.held = first
    this.catchUp().then(
      () => {
        const held = this.held ?? []
        this.held = undefined
        for (const v of held) {
          try {
            this.line(v, false)
          } catch (error) {
            this.o.onProblem(`events stream: malformed line skipped (${error instanceof Error ? error.message : String(error)})`)
          }
        }
      },
      (error: unknown) => {
        this.held = undefined
        this.stream.fail(`catch-up failed: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
  }

  private deliver(tx: OandaTransaction): void {
    if (tx.seq <= this.cursor) return
    this.cursor = tx.seq
    this.o.onTransaction(tx)
  }
}
