// CoinbaseRest over ccxt's coinbase class against a bare HTTP server on 127.0.0.1: what goes on the
// wire (paths, queries, bodies, the ES256 JWT ccxt signs with the checked key) and how every kind
// of answer comes back.
import {createPublicKey, generateKeyPairSync, verify} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {checkCdpKey} from '../../../plugins/coinbase/src/keys.js'
import {CoinbaseRest, importCcxtCoinbase} from '../../../plugins/coinbase/src/rest.js'
import {systemTimers} from '../../../plugins/coinbase/src/ws-stream.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import {seededRandom} from '../../../src/foundation/random.js'

const core = {BrokerError, NetworkError}
const NAME = 'organizations/00000000-0000-4000-8000-000000000001/apiKeys/00000000-0000-4000-8000-000000000002'

interface Seen {
  method: string
  url: string
  auth: string
  body: string
}
type Handler = (req: Seen, res: ServerResponse) => void

const open: Array<{server: Server; rest?: CoinbaseRest}> = []
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.rest?.close()
    o.server.closeAllConnections()
    await new Promise((r) => o.server.close(r))
  }
})

async function serve(handler: Handler, o: {timeoutMs?: number} = {}) {
  const pem = String(generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).privateKey.export({format: 'pem', type: 'sec1'}))
  const key = checkCdpKey(core, {keyEnv: 'K', secretEnv: 'S'}, NAME, pem.trim().replace(/\n/g, '\\n'))
  const seen: Seen[] = []
  const server = createServer((req: IncomingMessage, res) => {
    let body = ''
    req.on('data', (d: Buffer) => (body += d.toString('utf8')))
    req.on('end', () => {
      const s = {method: req.method ?? '', url: req.url ?? '', auth: String(req.headers.authorization ?? ''), body}
      seen.push(s)
      handler(s, res)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const rest = new CoinbaseRest({ccxt: await importCcxtCoinbase(), restUrl: `http://127.0.0.1:${port}`, keyName: key.keyName, privateKeyPem: key.privateKeyPem, timeoutMs: o.timeoutMs ?? 2_000, core, clock: {now: () => Date.now()}, timers: systemTimers, random: seededRandom(3), ccxtRateLimit: false, rateLimitBackoff: {initialMs: 20, maxMs: 40}})
  open.push({server, rest})
  return {rest, seen, port, publicKey: createPublicKey(key.privateKeyPem)}
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, {'Content-Type': 'application/json', ...headers})
  res.end(typeof body === 'string' ? body : JSON.stringify(body))
}

const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

describe('CoinbaseRest', () => {
  it('ccxt alone reports its version; a request carries an ES256 JWT of the key, verifiable with its public key', async () => {
    const {version} = await importCcxtCoinbase()
    expect(version).toMatch(/^4\.\d+\.\d+$/)
    const s = await serve((_r, res) => json(res, 200, {accounts: [], has_next: false}))
    expect(await s.rest.call('GET', 'brokerage/accounts', {limit: 250})).toEqual({accounts: [], has_next: false})
    const req = s.seen[0] as Seen
    expect(req).toMatchObject({method: 'GET', url: '/api/v3/brokerage/accounts?limit=250'})
    const [head, claims, sig] = req.auth.replace(/^Bearer /, '').split('.') as [string, string, string]
    const h = JSON.parse(Buffer.from(head, 'base64url').toString()) as Record<string, unknown>
    const c = JSON.parse(Buffer.from(claims, 'base64url').toString()) as Record<string, unknown>
    expect(h).toMatchObject({alg: 'ES256', kid: NAME})
    expect(c).toMatchObject({sub: NAME})
    expect(String(c.uri)).toMatch(new RegExp(`^GET (http://)?127\\.0\\.0\\.1:${s.port}/api/v3/brokerage/accounts$`))
    expect((c.exp as number) - (c.nbf as number)).toBe(120)
    expect(verify('sha256', Buffer.from(`${head}.${claims}`), {key: s.publicKey, dsaEncoding: 'ieee-p1363'}, Buffer.from(sig, 'base64url'))).toBe(true)
    expect(typeof s.rest.wsJwt()).toBe('string')
  })

  it('a POST sends the body as given (client_order_id raw); path templates and repeated query keys', async () => {
    const s = await serve((_r, res) => json(res, 200, {success: false, error_response: {error: 'INSUFFICIENT_FUND'}}))
    const body = {client_order_id: 'sector-run-000001', product_id: 'BTC-USD', side: 'BUY', order_configuration: {market_market_ioc: {base_size: '0.01000000'}}}
    // A refusal is HTTP 200: it comes back as JSON for the connector to read.
    expect(await s.rest.call('POST', 'brokerage/orders', body)).toMatchObject({success: false})
    expect(JSON.parse((s.seen[0] as Seen).body)).toEqual(body)
    await s.rest.read('brokerage/orders/historical/{order_id}', {order_id: 'ab-12'})
    await s.rest.read('brokerage/orders/historical/batch', {order_ids: ['a', 'b'], limit: 2})
    expect(s.seen.slice(1).map((x) => x.url)).toEqual(['/api/v3/brokerage/orders/historical/ab-12', '/api/v3/brokerage/orders/historical/batch?order_ids=a&order_ids=b&limit=2'])
  })

  it('a read waits out 429s (Retry-After, else backoff) and succeeds; a write is never retried', async () => {
    let n = 0
    const s = await serve((req, res) => {
      if (req.method === 'GET' && n++ < 2) return json(res, 429, {errors: [{id: 'rate_limit_exceeded', message: 'Too many requests'}]}, n === 1 ? {'Retry-After': '0.1'} : {})
      if (req.method === 'POST') return json(res, 429, {errors: [{id: 'rate_limit_exceeded', message: 'Too many requests'}]})
      json(res, 200, {ok: true})
    })
    const t0 = performance.now()
    expect(await s.rest.read('brokerage/accounts')).toEqual({ok: true})
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100)
    expect(s.seen.filter((x) => x.method === 'GET')).toHaveLength(3)
    const e = await outcome(s.rest.call('POST', 'brokerage/orders', {a: 1}))
    expect(e).toBeInstanceOf(NetworkError)
    expect(e).toMatchObject({kind: 'RateLimited'})
    expect(s.seen.filter((x) => x.method === 'POST')).toHaveLength(1)
  })

  it('every other answer classified: 401 AuthFailed, 404 OrderNotFound, 503 and a broken 200 unknown, a reset Disconnected, silence Timeout', async () => {
    const s = await serve(
      (req, res) => {
        if (req.url.includes('auth')) return void (res.writeHead(401, {'Content-Type': 'text/plain'}), res.end('Unauthorized\n'))
        if (req.url.includes('missing')) return json(res, 404, {error: 'NOT_FOUND', error_details: 'order not found', message: 'order not found'})
        if (req.url.includes('down')) return json(res, 503, {error: 'UNAVAILABLE'})
        if (req.url.includes('html')) return void (res.writeHead(200, {'Content-Type': 'text/html'}), res.end('<html>'))
        if (req.url.includes('reset')) return void res.socket?.destroy()
        // 'slow': never answered
      },
      {timeoutMs: 300},
    )
    expect(await outcome(s.rest.read('auth'))).toMatchObject({kind: 'AuthFailed', venueCode: 'HTTP_401'})
    expect(await outcome(s.rest.read('missing'))).toMatchObject({kind: 'OrderNotFound', venueCode: 'NOT_FOUND'})
    expect(await outcome(s.rest.call('POST', 'down', {}))).toMatchObject({kind: 'Disconnected'})
    expect(await outcome(s.rest.read('html'))).toMatchObject({kind: 'Disconnected'})
    const reset = await outcome(s.rest.call('POST', 'reset', {}))
    expect(reset).toBeInstanceOf(NetworkError)
    expect(reset).toMatchObject({kind: 'Disconnected'})
    expect(await outcome(s.rest.call('POST', 'slow', {}))).toMatchObject({kind: 'Timeout'})
  })

  it('close() settles a request in flight at once with a NetworkError, and refuses new ones', async () => {
    const s = await serve(() => {})
    const pending = outcome(s.rest.call('POST', 'brokerage/orders', {a: 1}))
    await new Promise((r) => setTimeout(r, 50))
    const t0 = performance.now()
    await s.rest.close()
    const e = await pending
    expect(performance.now() - t0).toBeLessThan(200)
    expect(e).toBeInstanceOf(NetworkError)
    expect((e as Error).message).toMatch(/outcome unknown/)
    expect(await outcome(s.rest.read('x'))).toMatchObject({kind: 'Disconnected'})
  })
})
