// OANDA's REST API through the real @oanda/v20 SDK, behind a guard. The SDK builds every request
// (paths, query strings, headers, JSON bodies) and reads every answer through its own handlers; the
// guard is the transport under it. Why a guard: the SDK's Context.request
// - registers no 'error' listener: a refused or reset connection is an uncaught exception that
//   kills the process;
// - has no timeout: a server that never answers leaves the call pending forever;
// - calls `response.contentType.startsWith(...)` and `JSON.parse(rawBody)` inside the response's
//   'end' listener: an answer without Content-Type, or with a body that is not JSON, throws there,
//   again uncaught;
// - sends Content-Length as the body's UTF-16 length, wrong for any non-ASCII byte.
// So the Context's `http` module is replaced by one whose requests have an error listener, a
// timeout and a correct length, and which hands the SDK a finished response whose 'data' and 'end'
// are emitted inside a try/catch. Every failure becomes a NetworkError (no usable answer: outcome
// unknown) or, through errors.ts, a BrokerError; nothing escapes as an uncaught exception.
//
// Answers are read from their raw JSON by parsing.ts (the wire layout OANDA documents): the SDK's
// classes keep the same field names but drop fields its 3.0.25 release does not know.
import type {ClientRequest, IncomingHttpHeaders, IncomingMessage} from 'node:http'
import {EventEmitter} from 'node:events'
import {readFileSync} from 'node:fs'
import {Agent as HttpAgent, request as httpRequest} from 'node:http'
import {Agent as HttpsAgent, request as httpsRequest} from 'node:https'
import {createRequire} from 'node:module'

import type {OandaEndpoint} from './config.js'
import {httpError, parseRetryAfter, timeoutCause, transportError, type ErrorClasses, type VenueFailure} from './errors.js'
import {SDK_ENTRY, SDK_PACKAGE} from './sdk.js'

/** Timers, injectable so tests drive time (and so nothing reads the wall clock behind our back). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
}

// ---- the parts of @oanda/v20 rick uses (it ships no types)

/** The SDK's Response as its handlers pass it on. */
export interface SdkResponse {
  statusCode: string
  rawBody: string
  contentType?: string
}

export type SdkHandler = (response: SdkResponse) => void
type Query = Record<string, string | number | boolean>

export interface SdkContext {
  http: unknown
  setToken(token: string): void
  account: {summary(accountID: string, h: SdkHandler): void; instruments(accountID: string, query: Query, h: SdkHandler): void}
  order: {
    create(accountID: string, body: {order: unknown}, h: SdkHandler): void
    cancel(accountID: string, orderSpecifier: string, h: SdkHandler): void
    get(accountID: string, orderSpecifier: string, h: SdkHandler): void
    listPending(accountID: string, h: SdkHandler): void
  }
  position: {listOpen(accountID: string, h: SdkHandler): void}
  trade: {get(accountID: string, tradeSpecifier: string, h: SdkHandler): void}
  transaction: {
    get(accountID: string, transactionID: string, h: SdkHandler): void
    list(accountID: string, query: Query, h: SdkHandler): void
    range(accountID: string, query: Query, h: SdkHandler): void
    since(accountID: string, query: Query, h: SdkHandler): void
  }
  instrument: {candles(instrument: string, query: Query, h: SdkHandler): void}
  pricing: {get(accountID: string, query: Query, h: SdkHandler): void}
}

export interface SdkModule {
  Context: new (hostname: string, port: number, ssl: boolean, application: string) => SdkContext
}

/** Imports @oanda/v20's context module (CommonJS; no main entry) through a variable specifier. */
export async function importSdk(): Promise<SdkModule> {
  const entry: string = SDK_ENTRY
  const mod = (await import(entry)) as Partial<SdkModule> & {default?: Partial<SdkModule>}
  const Context = mod.Context ?? mod.default?.Context
  if (typeof Context !== 'function') throw new Error(`${SDK_ENTRY} has no Context class`)
  return {Context}
}

/** The installed SDK's version, from its package.json (for ConnectorInfo). */
export function sdkVersion(): string {
  const file = createRequire(import.meta.url).resolve(`${SDK_PACKAGE}/package.json`)
  const v = (JSON.parse(readFileSync(file, 'utf8')) as {version?: unknown}).version
  return typeof v === 'string' ? v : 'unknown'
}

// ---- the guarded client

export interface RestOptions {
  endpoint: OandaEndpoint
  token: string
  /** Per request, from sending to the end of the answer. */
  timeoutMs: number
  core: ErrorClasses
  clock: {now(): number}
  sdk: SdkModule
  timers?: Timers
  /** Retries of a GET answered 429 (never of a POST or PUT: an order is never sent twice). */
  rateLimitRetries?: number
}

/** An HTTP answer with a JSON object body (error statuses included: their body says why). */
export interface RestReply {
  status: number
  body: Record<string, unknown>
  headers: IncomingHttpHeaders
}

/** One SDK call in flight: what the guard needs to answer it. */
interface Call {
  context: string
  settle(result: {reply: RestReply} | {error: VenueFailure}): void
  sdkAnswered: boolean
  started: boolean
}

/** The largest answer read (a page of 1000 transactions or 5000 candles is well under). */
const MAX_BODY_BYTES = 64 * 1024 * 1024

export class OandaRest {
  private readonly ctx: SdkContext
  private readonly agent: HttpAgent
  private readonly timers: Timers
  private current: Call | undefined
  private readonly live = new Set<{abort(): void}>()
  private closed = false
  /**
   * After a 429, requests wait for this gate (opened by a timer after Retry-After), or are refused
   * at once when the wait is longer than a request may take. Timers, not the clock: the engine's
   * clock may follow a simulator's faster time, while OANDA's limits are in real time.
   */
  /** Consecutive 429 answers. */
  private rateLimited = 0
  private gate: {opens: Promise<void>; open(): void; ms: number; timer: unknown} | undefined

  constructor(private readonly o: RestOptions) {
    this.timers = o.timers ?? systemTimers
    const e = o.endpoint
    this.ctx = new o.sdk.Context(e.hostname, e.port, e.ssl, 'rick')
    this.ctx.setToken(o.token)
    // Persistent connections, as OANDA asks (new connections are throttled to 2/s).
    this.agent = e.ssl ? new HttpsAgent({keepAlive: true, maxSockets: 8}) : new HttpAgent({keepAlive: true, maxSockets: 8})
    this.ctx.http = {request: (options: SdkRequestOptions, onResponse: (res: EventEmitter) => void) => this.transport(options, onResponse)}
  }

  /** `host[:port]` of the REST endpoint. */
  get host(): string {
    return this.o.endpoint.host
  }

  /**
   * Runs one SDK call and resolves with OANDA's answer, whatever its status (see failure()).
   * Rejects with a NetworkError when there is no usable answer: no connection, a reset, a timeout,
   * an answer that cannot be read (for a POST: the order may exist; never resend it).
   */
  send(context: string, invoke: (ctx: SdkContext, done: SdkHandler) => void): Promise<RestReply> {
    // Without a rate-limit gate the request is built and handed to the socket in this very call:
    // the engine journals ORDER_SUBMITTED ("the request has left") once submit() returns, and an
    // await here would make that untrue and delay every order by the journal's write.
    if (this.gate === undefined) return this.sendNow(context, invoke)
    return this.waitForRateLimit(context).then(() => this.sendNow(context, invoke))
  }

  private sendNow(context: string, invoke: (ctx: SdkContext, done: SdkHandler) => void): Promise<RestReply> {
    return new Promise<RestReply>((resolve, reject) => {
      let settled = false
      const call: Call = {
        context,
        sdkAnswered: false,
        started: false,
        settle: (r) => {
          if (settled) return
          settled = true
          if ('reply' in r) resolve(this.noteRateLimit(r.reply))
          else reject(r.error)
        },
      }
      if (this.closed) return call.settle({error: transportError(this.o.core, context, new Error('the connector is closed'))})
      this.current = call
      try {
        invoke(this.ctx, () => {
          call.sdkAnswered = true
        })
      } catch (error) {
        call.settle({error: transportError(this.o.core, context, error)})
      } finally {
        this.current = undefined
      }
      if (!call.started) call.settle({error: transportError(this.o.core, context, new Error('the SDK sent no request'))})
    })
  }

  /** send() for reads: a non-2xx answer throws its BrokerError/NetworkError; a 429 is retried after Retry-After. */
  async get(context: string, invoke: (ctx: SdkContext, done: SdkHandler) => void): Promise<Record<string, unknown>> {
    const tries = (this.o.rateLimitRetries ?? 3) + 1
    for (let attempt = 1; ; attempt++) {
      const reply = await this.send(context, invoke)
      if (reply.status >= 200 && reply.status < 300) return reply.body
      const error = this.failure(reply, context)
      if (reply.status !== 429 || attempt >= tries || this.closed) throw error
    }
  }

  /** The BrokerError or NetworkError an answer stands for (errors.ts). */
  failure(reply: RestReply, context: string): VenueFailure {
    const b = reply.body
    const reject = Object.values(b).find((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && typeof (v as {rejectReason?: unknown}).rejectReason === 'string')
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
    const retry = reply.headers['retry-after']
    const error = httpError(this.o.core, {
      status: reply.status,
      context,
      errorCode: text(b.errorCode),
      errorMessage: text(b.errorMessage),
      rejectReason: text(reject?.rejectReason),
      retryAfter: Array.isArray(retry) ? retry[0] : retry,
      now: this.o.clock.now(),
    })
    return error
  }

  /** Aborts what is in flight (NetworkError Disconnected) and closes the kept-alive sockets. */
  close(): void {
    this.closed = true
    // Waiters go on and meet `closed`.
    if (this.gate !== undefined) {
      this.timers.clearTimeout(this.gate.timer)
      this.gate.open()
    }
    this.gate = undefined
    for (const r of [...this.live]) r.abort()
    this.agent.destroy()
  }

  /**
   * A 429 holds every request: for its Retry-After, else for 1 s, 2 s, 4 s… (to 30 s) over
   * consecutive 429s. Any other answer resets the doubling.
   */
  private noteRateLimit(reply: RestReply): RestReply {
    if (reply.status !== 429) {
      this.rateLimited = 0
      return reply
    }
    this.rateLimited++
    const retry = reply.headers['retry-after']
    const after = parseRetryAfter(Array.isArray(retry) ? retry[0] : retry, this.o.clock.now())
    this.block(after ?? Math.min(30_000, 1000 * 2 ** (this.rateLimited - 1)))
    return reply
  }

  /** Holds every request for `ms` (the longest of overlapping 429s wins). */
  private block(ms: number): void {
    if (this.gate !== undefined && this.gate.ms >= ms) return
    if (this.gate !== undefined) this.timers.clearTimeout(this.gate.timer)
    let open!: () => void
    const opens = new Promise<void>((resolve) => (open = resolve))
    const gate = {opens, open, ms, timer: undefined as unknown}
    gate.timer = this.timers.setTimeout(() => {
      if (this.gate === gate) this.gate = undefined
      open()
    }, ms)
    this.gate = gate
  }

  private async waitForRateLimit(context: string): Promise<void> {
    const gate = this.gate
    if (gate === undefined) return
    // A wait longer than a request may take is refused rather than queued: the caller learns now.
    if (gate.ms > this.o.timeoutMs) throw new this.o.core.NetworkError('RateLimited', `OANDA ${context}: rate limited for up to ${gate.ms} ms (not sent)`, {retryAfterMs: gate.ms})
    await gate.opens
    if (this.closed) throw transportError(this.o.core, context, new Error('the connector is closed'))
  }

  /** What the SDK gets as `http.request(options, onResponse)`: a request that sends on end(). */
  private transport(options: SdkRequestOptions, onResponse: (res: EventEmitter) => void): {write(data: string): void; end(): void} {
    const call = this.current
    if (call === undefined) throw new Error('an SDK request outside OandaRest.send()')
    call.started = true
    let body = ''
    return {
      write: (data: string) => {
        body += data
      },
      end: () => this.perform(call, options, body, onResponse),
    }
  }

  private perform(call: Call, options: SdkRequestOptions, body: string, onResponse: (res: EventEmitter) => void): void {
    const {core} = this.o
    const e = this.o.endpoint
    const headers: Record<string, string | number> = {...options.headers, 'Accept-Datetime-Format': 'RFC3339'}
    if (body.length > 0) headers['Content-Length'] = Buffer.byteLength(body)
    else delete headers['Content-Length']
    let timer: unknown
    let req: ClientRequest | undefined
    // Settled first, then destroyed: once an answer has begun, destroying the request reports a
    // cut-off answer, and a timeout must stay a Timeout.
    const handle = {
      abort: () => {
        fail(new Error('the connector closed'))
        req?.destroy()
      },
    }
    const done = (r: {reply: RestReply} | {error: VenueFailure}): void => {
      this.timers.clearTimeout(timer)
      this.live.delete(handle)
      call.settle(r)
    }
    const fail = (cause: unknown): void => done({error: transportError(core, call.context, cause)})
    try {
      const send = e.ssl ? httpsRequest : httpRequest
      req = send({hostname: e.hostname, port: e.port, method: options.method, path: options.path, headers, agent: this.agent}, (res) => this.receive(call, res, onResponse, done, fail))
    } catch (error) {
      fail(error)
      return
    }
    this.live.add(handle)
    req.on('error', fail)
    timer = this.timers.setTimeout(() => {
      fail(timeoutCause(this.o.timeoutMs))
      req?.destroy()
    }, this.o.timeoutMs)
    req.end(body.length > 0 ? body : undefined)
  }

  private receive(call: Call, res: IncomingMessage, onResponse: (res: EventEmitter) => void, done: (r: {reply: RestReply} | {error: VenueFailure}) => void, fail: (cause: unknown) => void): void {
    const {core} = this.o
    const status = res.statusCode ?? 0
    let text = ''
    let bytes = 0
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      bytes += Buffer.byteLength(chunk)
      if (bytes > MAX_BODY_BYTES) res.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`))
      else text += chunk
    })
    res.on('error', fail)
    res.on('aborted', () => fail(new Error('the answer was cut off')))
    res.on('end', () => {
      if (!res.complete) return fail(new Error('the answer was cut off'))
      // The SDK reads the answer; whatever it throws is caught here instead of crashing the process.
      let sdkProblem: unknown
      try {
        const fake = Object.assign(new EventEmitter(), {statusCode: status, statusMessage: res.statusMessage, headers: res.headers})
        onResponse(fake)
        fake.emit('data', text)
        fake.emit('end')
      } catch (error) {
        sdkProblem = error
      }
      const parsed = parseJsonObject(text)
      const contentType = res.headers['content-type']
      const ok = status >= 200 && status < 300
      if (ok && (parsed === undefined || sdkProblem !== undefined || !call.sdkAnswered)) {
        const why = contentType === undefined ? 'without Content-Type' : parsed === undefined ? 'with a body that is not a JSON object' : `that the SDK could not read (${errorText(sdkProblem)})`
        return done({error: new core.NetworkError('Disconnected', `OANDA ${call.context}: HTTP ${status} answered ${why} (outcome unknown)`, {cause: sdkProblem})})
      }
      done({reply: {status, body: parsed ?? {}, headers: res.headers}})
    })
  }
}

interface SdkRequestOptions {
  method: string
  path: string
  headers: Record<string, string | number>
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
