// The HTTP front of the Coinbase simulator. Every request goes through the same steps:
//   1. /__sim/* : the fault control endpoint (faults.ts); nothing else applies;
//   2. faults http429 / http5xx: Coinbase's 429 body, or a 503, nothing executed;
//   3. the route (404 unknown path, 405 known path with another method);
//   4. private routes: `Authorization: Bearer <JWT>` verified as jwt.ts says (or revokeKey), else
//      Coinbase's bare `401 Unauthorized`;
//   5. a POST body must be JSON (else 400 INVALID_ARGUMENT); v3 query parameters and body keys are
//      read under their proto names whichever way they were spelt (names.ts);
//   6. the handler's JSON answer, latencyMs (wall) late; an order create under submitTimeout is
//      executed and never answered (the connection is cut after submitTimeoutHoldMs).
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {CoinbaseSimContext, Route} from './context.js'
import type {Outcome} from './exchange.js'
import {RATE_LIMIT_BODY, UNAUTHORIZED_TEXT, UNAVAILABLE_BODY} from './faults.js'
import {verifyJwt} from './jwt.js'
import {protoBody, protoQuery} from './names.js'

const ORDER_CREATE = '/api/v3/brokerage/orders'
const V3 = '/api/v3/'

export class CoinbaseApi {
  constructor(
    private readonly c: CoinbaseSimContext,
    private readonly routes: Route[],
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim')
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname
    if (path.startsWith('/__sim/')) return this.control(req, res, path)
    const faults = this.c.faults
    if (faults.take('http429')) return this.send(res, {status: 429, body: RATE_LIMIT_BODY})
    if (faults.take('http5xx')) return this.send(res, {status: 503, body: UNAVAILABLE_BODY})
    const method = req.method ?? 'GET'
    let route: Route | undefined
    let params: string[] = []
    let pathMatched = false
    for (const r of this.routes) {
      const m = r.pattern.exec(path)
      if (m === null) continue
      pathMatched = true
      if (r.method !== method) continue
      route = r
      params = m.slice(1).map((p) => decodeURIComponent(p))
      break
    }
    if (route === undefined) return this.send(res, pathMatched ? {status: 405, body: {error: 'METHOD_NOT_ALLOWED', error_details: 'method not allowed', message: 'method not allowed'}} : {status: 404, body: {error: 'NOT_FOUND', error_details: 'Not Found', message: 'Not Found'}})
    if (route.auth && !this.authorized(req, method, path)) return this.unauthorized(res)
    let body: unknown
    if (method === 'POST') {
      const text = await this.c.core.sim.readBody(req).catch(() => undefined)
      if (text === undefined) return this.send(res, {status: 400, body: {error: 'INVALID_ARGUMENT', error_details: 'unable to read the request body', message: 'unable to read the request body'}})
      try {
        body = text.trim() === '' ? {} : JSON.parse(text)
      } catch {
        return this.send(res, {status: 400, body: {error: 'INVALID_ARGUMENT', error_details: 'invalid JSON in the request body', message: 'invalid JSON in the request body'}})
      }
    }
    const v3 = path.startsWith(V3)
    const query = v3 ? protoQuery(url.searchParams) : url.searchParams
    if (v3) body = protoBody(body)
    const now = this.c.sync()
    const outcome = route.handler({params, query, body, now})
    if (method === 'POST' && path === ORDER_CREATE && faults.take('submitTimeout')) {
      // Executed, never answered: the client cannot know whether the order exists.
      this.c.clock.wall.setTimeout(() => res.socket?.destroy(), faults.value('submitTimeoutHoldMs'))
      return
    }
    this.send(res, outcome)
  }

  private authorized(req: IncomingMessage, method: string, path: string): boolean {
    if (this.c.faults.value('revokeKey')) return false
    const header = req.headers.authorization
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false
    const host = req.headers.host ?? ''
    return verifyJwt(header.slice('Bearer '.length).trim(), this.c.key, this.c.clock.wall.now(), {method, host, path}).ok
  }

  private unauthorized(res: ServerResponse): void {
    this.later(() => {
      if (res.destroyed || res.writableEnded) return
      res.writeHead(401, {'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(UNAUTHORIZED_TEXT))})
      res.end(UNAUTHORIZED_TEXT)
    })
  }

  private send(res: ServerResponse, outcome: Outcome): void {
    const text = JSON.stringify(outcome.body)
    this.later(() => this.c.core.sim.sendJsonText(res, outcome.status, text))
  }

  private later(fn: () => void): void {
    const latency = this.c.faults.value('latencyMs')
    if (latency > 0) this.c.clock.wall.setTimeout(fn, latency)
    else fn()
  }

  /** The fault control endpoint (see faults.ts). */
  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const reply = (status: number, body: unknown): void => this.c.core.sim.sendJsonText(res, status, JSON.stringify(body))
    const faults = this.c.faults
    let args: Record<string, unknown> = {}
    if (req.method === 'POST') {
      try {
        const text = await this.c.core.sim.readBody(req)
        const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text)
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return reply(400, {error: 'the body must be a JSON object'})
        args = parsed as Record<string, unknown>
      } catch {
        return reply(400, {error: 'the body must be a JSON object'})
      }
    }
    if (path === '/__sim/faults') {
      if (req.method === 'GET') return reply(200, {switches: faults.get(), actions: faults.actionNames})
      if (req.method !== 'POST') return reply(405, {error: 'method not allowed'})
      try {
        faults.set(args)
      } catch (error) {
        return reply(400, {error: (error as Error).message})
      }
      return reply(200, {switches: faults.get()})
    }
    const action = /^\/__sim\/actions\/([A-Za-z]+)$/.exec(path)?.[1]
    if (action === undefined) return reply(404, {error: 'unknown control path'})
    if (req.method !== 'POST') return reply(405, {error: 'method not allowed'})
    if (!faults.actionNames.includes(action)) return reply(404, {error: `unknown fault action '${action}' (known: ${faults.actionNames.join(', ')})`})
    try {
      return reply(200, {result: await faults.act(action, args)})
    } catch (error) {
      return reply(400, {error: (error as Error).message})
    }
  }
}
