// Coinbase's REST API through ccxt's `coinbase` exchange: ccxt signs every request (a CDP JWT,
// ES256, per request), sends it (undici, keep-alive), applies its rate limiter and its timeout.
// rick calls ccxt's generic request() with Advanced Trade's own paths and bodies (the v3 API), not
// its unified methods, for three reasons read in ccxt 4.5's source:
// - createOrder() replaces the client order id with its own (`ccxt-<uuid>`); rick's id must be the
//   one at Coinbase, so the body is rick's (parsing.ts), `client_order_id` raw;
// - createOrder() throws a refusal as an error class with the reason code dropped, and
//   fetchBalance() uses the retail v2 API unless told `v3`; both need loadMarkets() first, which
//   costs a dozen requests rick has no use for;
// - setSandboxMode() empties the URLs: rick sets `urls.api.rest` itself (also how it reaches the
//   simulator).
// ccxt is imported lazily and alone: only js/src/coinbase.js and what it imports, not the bundle of
// every exchange (measured: ~0.15 s and ~32 MB instead of ~0.55 s and ~86 MB).
//
// Every answer is classified by errors.ts: ccxt's handleErrors is replaced on this instance so that
// the status, body and Retry-After reach rick instead of ccxt's error classes. Reads are retried on
// 429 (backoff with jitter, or Retry-After); writes never are (an order is never sent twice).
import {readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'

import type {NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import {AuthTokens} from './auth-token.js'
import {httpError, transportError, type ErrorClasses, type VenueFailure} from './errors.js'
import {backoffDelay, type Backoff, type Timers} from './ws-stream.js'

/** The parts of ccxt's coinbase exchange rick uses. */
export interface CcxtCoinbase {
  apiKey: string
  secret: string
  timeout: number
  enableRateLimit: boolean
  urls: {api: Record<string, unknown>}
  request(path: string, api: string[], method: string, params?: Record<string, unknown>): Promise<unknown>
  handleErrors(code: number, reason: string, url: string, method: string, headers: Record<string, string>, body: string, response: unknown, requestHeaders: unknown, requestBody: unknown): unknown
  createAuthToken(seconds: number, method?: string, url?: string, useEddsa?: boolean): string
  seconds(): number
  fetchDispatcher?: {destroy(): Promise<void>}
}

export type CcxtCoinbaseClass = new (config: Record<string, unknown>) => CcxtCoinbase

export interface CcxtModule {
  Coinbase: CcxtCoinbaseClass
  version: string
}

/** ccxt's package folder, found from its CommonJS entry (its `exports` hide every other path). */
function ccxtRoot(): string {
  const entry = createRequire(import.meta.url).resolve('ccxt')
  return dirname(dirname(entry))
}

/** Imports ccxt's coinbase class alone (not the bundle). Throws when ccxt is not installed. */
export async function importCcxtCoinbase(): Promise<CcxtModule> {
  const root = ccxtRoot()
  const mod = (await import(pathToFileURL(join(root, 'js', 'src', 'coinbase.js')).href)) as {default: CcxtCoinbaseClass}
  return {Coinbase: mod.default, version: ccxtVersion(root)}
}

function ccxtVersion(root: string): string {
  try {
    const v = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version?: unknown}).version
    return typeof v === 'string' ? v : 'unknown'
  } catch {
    return 'unknown'
  }
}

/** An HTTP answer ccxt received, carried out of ccxt unclassified (rick classifies it). */
class HttpAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfter: string | undefined,
  ) {
    super(`HTTP ${status}`)
  }
}

export interface RestOptions {
  ccxt: CcxtModule
  restUrl: string
  keyName: string
  /** SEC1 PEM. Never logged. */
  privateKeyPem: string
  timeoutMs: number
  core: ErrorClasses
  clock: {now(): number}
  timers: Timers
  random: {next(): number}
  /** Reads retried after a 429: this many more attempts. */
  readRetries?: number
  rateLimitBackoff?: Backoff
  /** ccxt's own request spacing (on by default; tests with many requests may turn it off). */
  ccxtRateLimit?: boolean
}

export type Method = 'GET' | 'POST'

export class CoinbaseRest {
  readonly host: string
  private readonly ex: CcxtCoinbase
  private readonly pending = new Set<(e: NetworkError) => void>()
  private closed = false

  constructor(private readonly o: RestOptions) {
    this.host = new URL(o.restUrl).host
    // ccxt's default leaky bucket refills only while a request waits: every request after a quiet
    // moment waited its whole rateLimit (~34 ms). A rolling window of one second keeps Coinbase's
    // ~30 private requests a second without delaying the one order a bar.
    const ex = new o.ccxt.Coinbase({apiKey: o.keyName, secret: o.privateKeyPem, timeout: o.timeoutMs, enableRateLimit: o.ccxtRateLimit ?? true, rateLimiterAlgorithm: 'rollingWindow', rollingWindowSize: 1000})
    ex.urls.api = {...ex.urls.api, rest: o.restUrl}
    const tokens = new AuthTokens(o.keyName, o.privateKeyPem)
    ex.createAuthToken = (seconds, method, url) => tokens.token(seconds, method, url)
    // Every answer comes out to rick as it is: a success as its JSON, anything else as HttpAnswerError.
    ex.handleErrors = (code, _reason, _url, _method, headers, body, response) => {
      if (code >= 200 && code < 300 && typeof response === 'object' && response !== null) return true
      throw new HttpAnswerError(code, typeof body === 'string' ? body : '', headerValue(headers, 'retry-after'))
    }
    this.ex = ex
  }

  /** A websocket subscription's JWT (no uri claim), signed with the key pair. */
  wsJwt(): string {
    return this.ex.createAuthToken(this.ex.seconds())
  }

  /**
   * One request. Resolves with the JSON of a 2xx answer; rejects with a BrokerError or NetworkError
   * (errors.ts), or a NetworkError Disconnected at once when close() comes first.
   */
  async call(method: Method, path: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const context = `${method} /api/v3/${path}`
    const {NetworkError} = this.o.core
    if (this.closed) throw new NetworkError('Disconnected', `Coinbase ${context}: the connector is closed`)
    let cancel: ((e: NetworkError) => void) | undefined
    const aborted = new Promise<never>((_, reject) => {
      cancel = reject
    })
    const abort = cancel as (e: NetworkError) => void
    this.pending.add(abort)
    try {
      const answer = await Promise.race([this.ex.request(path, ['v3', 'private'], method, params), aborted])
      return answer as Record<string, unknown>
    } catch (error) {
      throw this.classify(context, error)
    } finally {
      this.pending.delete(abort)
    }
  }

  /** call() for a read: a 429 is retried after Retry-After or a backoff with jitter. */
  async read(path: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const retries = this.o.readRetries ?? 3
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call('GET', path, params)
      } catch (error) {
        const e = error as {kind?: unknown; retryAfterMs?: number}
        if (e.kind !== 'RateLimited' || attempt >= retries || this.closed) throw error
        const wait = Math.max(e.retryAfterMs ?? 0, backoffDelay(attempt, this.o.rateLimitBackoff ?? {initialMs: 250, maxMs: 8_000}, this.o.random))
        await this.sleep(wait)
      }
    }
  }

  /** Settles every request in flight with a NetworkError and closes ccxt's kept-alive sockets. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const e = new this.o.core.NetworkError('Disconnected', 'Coinbase: the connector closed with this request in flight (outcome unknown)')
    for (const reject of [...this.pending]) reject(e)
    this.pending.clear()
    try {
      await this.ex.fetchDispatcher?.destroy()
    } catch {
      // already closed
    }
  }

  private classify(context: string, error: unknown): VenueFailure {
    if (error instanceof HttpAnswerError) return httpError(this.o.core, {status: error.status, context, body: error.body, retryAfter: error.retryAfter, now: this.o.clock.now()})
    const e = error as {kind?: unknown}
    if (e instanceof this.o.core.BrokerError || e instanceof this.o.core.NetworkError) return e
    return transportError(this.o.core, context, error)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const handle = this.o.timers.setTimeout(() => {
        this.pending.delete(stop)
        resolve()
      }, ms)
      const stop = (e: NetworkError): void => {
        this.o.timers.clearTimeout(handle)
        reject(e)
      }
      this.pending.add(stop)
    })
  }
}

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v)
  return undefined
}
