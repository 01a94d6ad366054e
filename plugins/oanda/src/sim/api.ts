// The HTTP front of the OANDA simulator. Every request, REST or stream, goes through the same steps:
//   1. /__sim/* on the REST port: the fault control endpoint (faults.ts), nothing else applies;
//   2. a RequestID (response header, and requestID of the transactions the request makes);
//   3. faults http429 / http5xx: 429 or 503 with an OANDA-style body, nothing executed;
//   4. Accept-Datetime-Format: RFC3339 (default) or UNIX, else 400;
//   5. Authorization: Bearer <token>, else (or revokeToken) 401
//      {"errorMessage":"Insufficient authorization to perform request."};
//   6. the account in the path: malformed → 400, not this token's → 403;
//   7. the route (404 unknown path, 405 known path with another method), its JSON answer with
//      Content-Type application/json, 201 answers with a Location header; REST answers come
//      latencyMs late, and an order POST under submitTimeout is executed and never answered.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {Outcome} from './broker.js'
import type {OandaSimContext, Route} from './context.js'
import {RATE_LIMIT_BODY, UNAUTHORIZED_BODY, UNAVAILABLE_BODY} from './faults.js'
import {type OandaStreams, STREAM_HEADERS, streamSerializer} from './streams.js'
import {type DateTimeFormat, toWire} from './wire.js'

const ACCOUNT_PATH = /^\/v3\/accounts\/([^/]+)/
const ACCOUNT_ID = /^\d{3}-\d{3}-\d{1,10}-\d{3}$/
const ORDER_POST = /^\/v3\/accounts\/[^/]+\/orders\/?$/
const PRICING_STREAM = /^\/v3\/accounts\/([^/]+)\/pricing\/stream$/
const TRANSACTIONS_STREAM = /^\/v3\/accounts\/([^/]+)\/transactions\/stream$/

export class OandaApi {
  private requestSeq = 0n
  private readonly requestBase: bigint

  constructor(
    private readonly c: OandaSimContext,
    private readonly routes: Route[],
    private readonly streams: OandaStreams,
    seed: number,
  ) {
    // OANDA's request ids are large decimal numbers; these are deterministic per seed.
    this.requestBase = 10n ** 16n + BigInt(seed >>> 0) * 1_000_000n
  }

  /** The REST port. */
  async rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    if (url.pathname.startsWith('/__sim/')) return this.control(req, res, url)
    const pre = this.preamble(req, res, url, true)
    if (pre === undefined) return
    let body: unknown
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      const text = await this.c.core.sim.readBody(req).catch(() => undefined)
      if (text === undefined) return this.send(res, pre, {status: 400, body: {errorMessage: 'Unable to read the request body'}}, true)
      try {
        body = text.trim() === '' ? {} : JSON.parse(text)
      } catch {
        return this.send(res, pre, {status: 400, body: {errorMessage: 'Invalid JSON in the request body'}}, true)
      }
    }
    const outcome = this.route(req.method ?? 'GET', url, body, pre)
    if (req.method === 'POST' && ORDER_POST.test(url.pathname) && this.c.faults.take('submitTimeout')) {
      // Executed, never answered: the client cannot know whether the order exists.
      this.c.clock.wall.setTimeout(() => res.socket?.destroy(), this.c.faults.value('submitTimeoutHoldMs'))
      return
    }
    this.send(res, pre, outcome, true)
  }

  /** The stream port. */
  stream(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://sim')
    const pre = this.preamble(req, res, url, false)
    if (pre === undefined) return
    const pricing = PRICING_STREAM.test(url.pathname)
    if (!pricing && !TRANSACTIONS_STREAM.test(url.pathname)) return this.send(res, pre, {status: 404, body: {errorMessage: 'The requested resource was not found'}})
    if (req.method !== 'GET') return this.send(res, pre, {status: 405, body: {errorMessage: 'Method not allowed'}})
    const error = this.streams.check(pricing ? 'pricing' : 'transactions', url.searchParams)
    if (error !== undefined) return this.send(res, pre, error)
    const stream = this.streams.hub.add(new this.c.core.sim.NdjsonStream(res, {headers: {...STREAM_HEADERS, RequestID: pre.requestID}, serialize: streamSerializer(pre.format)}))
    if (pricing) this.streams.openPricing(stream, url.searchParams, this.c.sync())
    else this.streams.openTransactions(stream)
  }

  /** Steps 2-6; undefined when it has answered already. */
  private preamble(req: IncomingMessage, res: ServerResponse, url: URL, rest: boolean): {requestID: string; format: DateTimeFormat} | undefined {
    const requestID = (this.requestBase + ++this.requestSeq).toString()
    const early = {requestID, format: 'RFC3339' as DateTimeFormat}
    if (this.c.faults.take('http429')) return void this.send(res, early, {status: 429, body: RATE_LIMIT_BODY}, rest)
    if (this.c.faults.take('http5xx')) return void this.send(res, early, {status: 503, body: UNAVAILABLE_BODY}, rest)
    const header = req.headers['accept-datetime-format']
    const format: DateTimeFormat | undefined = header === undefined ? 'RFC3339' : header === 'RFC3339' || header === 'UNIX' ? header : undefined
    if (format === undefined) return void this.send(res, early, {status: 400, body: {errorMessage: "Invalid value specified for 'Accept-Datetime-Format'"}}, rest)
    const pre = {requestID, format}
    if (this.c.faults.value('revokeToken') || req.headers.authorization !== `Bearer ${this.c.token}`) return void this.send(res, pre, {status: 401, body: UNAUTHORIZED_BODY}, rest)
    const account = ACCOUNT_PATH.exec(url.pathname)?.[1]
    if (account !== undefined && account !== this.c.accountID) {
      if (!ACCOUNT_ID.test(account)) return void this.send(res, pre, {status: 400, body: {errorMessage: "Invalid value specified for 'accountID'"}}, rest)
      return void this.send(res, pre, {status: 403, body: {errorMessage: 'The provided request was forbidden.'}}, rest)
    }
    return pre
  }

  private route(method: string, url: URL, body: unknown, pre: {requestID: string; format: DateTimeFormat}): Outcome {
    let pathMatched = false
    for (const r of this.routes) {
      const m = r.pattern.exec(url.pathname)
      if (m === null) continue
      pathMatched = true
      if (r.method !== method) continue
      const now = this.c.sync()
      return r.handler({params: m.slice(1).map((p) => decodeURIComponent(p)), query: url.searchParams, body, now, requestID: pre.requestID, format: pre.format})
    }
    return pathMatched ? {status: 405, body: {errorMessage: 'Method not allowed'}} : {status: 404, body: {errorMessage: 'The requested resource was not found'}}
  }

  /** Writes an answer; a REST answer comes latencyMs (wall) late. */
  private send(res: ServerResponse, pre: {requestID: string; format: DateTimeFormat}, outcome: Outcome, rest = false): void {
    const headers: Record<string, string> = {RequestID: pre.requestID}
    if (outcome.location !== undefined) headers.Location = `${this.c.restUrl()}${outcome.location}`
    const text = toWire(outcome.body, pre.format)
    const latency = rest ? this.c.faults.value('latencyMs') : 0
    if (latency > 0) this.c.clock.wall.setTimeout(() => this.c.core.sim.sendJsonText(res, outcome.status, text, headers), latency)
    else this.c.core.sim.sendJsonText(res, outcome.status, text, headers)
  }

  /** The fault control endpoint (see faults.ts). */
  private async control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const reply = (status: number, body: unknown): void => this.c.core.sim.sendJsonText(res, status, toWire(body, 'RFC3339'))
    const faults = this.c.faults
    let args: Record<string, unknown> = {}
    if (req.method === 'POST') {
      try {
        const text = await this.c.core.sim.readBody(req)
        const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text)
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return reply(400, {errorMessage: 'the body must be a JSON object'})
        args = parsed as Record<string, unknown>
      } catch {
        return reply(400, {errorMessage: 'the body must be a JSON object'})
      }
    }
    if (url.pathname === '/__sim/faults') {
      if (req.method === 'GET') return reply(200, {switches: faults.get(), actions: faults.actionNames})
      if (req.method !== 'POST') return reply(405, {errorMessage: 'Method not allowed'})
      try {
        faults.set(args)
      } catch (error) {
        return reply(400, {errorMessage: (error as Error).message})
      }
      return reply(200, {switches: faults.get()})
    }
    const action = /^\/__sim\/actions\/([A-Za-z]+)$/.exec(url.pathname)?.[1]
    if (action === undefined) return reply(404, {errorMessage: 'unknown control path'})
    if (req.method !== 'POST') return reply(405, {errorMessage: 'Method not allowed'})
    if (!faults.actionNames.includes(action)) return reply(404, {errorMessage: `unknown fault action '${action}' (known: ${faults.actionNames.join(', ')})`})
    try {
      return reply(200, {result: await faults.act(action, args)})
    } catch (error) {
      return reply(400, {errorMessage: (error as Error).message})
    }
  }
}
