// The SDK's traps, proven against tiny node:http servers on port 0 (not OANDA: each answers one
// way, badly): no Content-Type, a reset socket, a server that never answers, a refused port, a
// cut-off body. Every one must end as a NetworkError (or the status's BrokerError), never as an
// uncaught exception.
import {spawn} from 'node:child_process'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createRequire} from 'node:module'
import type {AddressInfo} from 'node:net'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'

import {parseEndpoint} from '../../../plugins/oanda/src/config.js'
import {importSdk, OandaRest, sdkVersion, systemTimers, type SdkModule, type Timers} from '../../../plugins/oanda/src/rest.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'

let sdk: SdkModule
const servers: Server[] = []
const clients: OandaRest[] = []
const uncaught: unknown[] = []
const onUncaught = (e: unknown): void => void uncaught.push(e)

beforeAll(async () => {
  sdk = await importSdk()
})

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => {
    s.closeAllConnections()
    s.close(() => r())
  })))
  process.off('uncaughtException', onUncaught)
  expect(uncaught.splice(0)).toEqual([])
})

interface Seen {
  method?: string
  url?: string
  headers?: IncomingMessage['headers']
  body: string
}

/** A server that answers every request with `answer`; records what it was sent. */
async function trap(answer: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{port: number; seen: Seen[]}> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const s: Seen = {method: req.method, url: req.url, headers: req.headers, body: ''}
    seen.push(s)
    req.setEncoding('utf8')
    req.on('data', (c: string) => (s.body += c))
    req.on('end', () => answer(req, res, seen.length))
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  process.on('uncaughtException', onUncaught)
  return {port: (server.address() as AddressInfo).port, seen}
}

function client(port: number, timeoutMs = 2000, timers?: Timers): OandaRest {
  const c = new OandaRest({endpoint: parseEndpoint(`http://127.0.0.1:${port}`), token: 'test-token-123', timeoutMs, core: {BrokerError, NetworkError}, clock: {now: () => Date.now()}, sdk, timers})
  clients.push(c)
  return c
}

const summary = (c: OandaRest) => c.send('summary', (ctx, done) => ctx.account.summary('101-001-1-001', done))
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, {'Content-Type': 'application/json', ...headers})
  res.end(JSON.stringify(body))
}

/** Runs the SDK's Context alone (no guard) in a child process against `port`; resolves with its exit code and stderr. */
function rawSdk(port: number): Promise<{code: number | null; stderr: string}> {
  const contextJs = createRequire(import.meta.url).resolve('@oanda/v20/context.js')
  const script = `const {Context} = require(${JSON.stringify(contextJs)}); const c = new Context('127.0.0.1', ${port}, false, 'raw'); c.account.summary('1', (r) => { console.log('answered', r.statusCode); process.exit(0) }); setTimeout(() => process.exit(3), 3000)`
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('exit', (code) => resolve({code, stderr}))
  })
}

describe('the traps are real: the SDK alone crashes its process', () => {
  it('on a reset socket (no error listener)', async () => {
    const {port} = await trap((req) => req.socket.destroy())
    const r = await rawSdk(port)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/ECONNRESET|socket hang up/)
  })
  it('on an answer without Content-Type (a TypeError in its end listener)', async () => {
    const {port} = await trap((_req, res) => {
      res.writeHead(200)
      res.end('{}')
    })
    const r = await rawSdk(port)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/TypeError: Cannot read properties of undefined \(reading 'startsWith'\)/)
  })
})

describe('OandaRest over the real @oanda/v20 SDK', () => {
  it('sends what the SDK builds: path, method, token, a byte-correct Content-Length', async () => {
    const {port, seen} = await trap((_req, res) => json(res, 201, {orderCreateTransaction: {id: '7', type: 'MARKET_ORDER'}, lastTransactionID: '7'}))
    const c = client(port)
    const order = {type: 'MARKET', instrument: 'EUR_USD', units: '100', clientExtensions: {id: 'é-1', tag: 'rick'}}
    const reply = await c.send('orders', (ctx, done) => ctx.order.create('101-001-1-001', {order}, done))
    expect(reply.status).toBe(201)
    expect(reply.body).toEqual({orderCreateTransaction: {id: '7', type: 'MARKET_ORDER'}, lastTransactionID: '7'})
    const s = seen[0] as Seen
    expect([s.method, s.url]).toEqual(['POST', '/v3/accounts/101-001-1-001/orders'])
    expect(s.headers?.authorization).toBe('Bearer test-token-123')
    expect(s.headers?.['accept-datetime-format']).toBe('RFC3339')
    expect(s.headers?.['content-type']).toBe('application/json')
    expect(Number(s.headers?.['content-length'])).toBe(Buffer.byteLength(s.body))
    expect(JSON.parse(s.body)).toEqual({order})
  })

  it('an answer without Content-Type: NetworkError for a success (outcome unknown), the status\'s error otherwise', async () => {
    const {port} = await trap((req, res, n) => {
      res.writeHead(n === 1 ? 200 : 401)
      res.end('{"account":{}}')
    })
    const c = client(port)
    const e = await summary(c).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(NetworkError)
    expect(e).toMatchObject({kind: 'Disconnected', message: expect.stringMatching(/HTTP 200 answered without Content-Type \(outcome unknown\)/)})
    const r = await summary(c)
    expect(r.status).toBe(401)
    expect(c.failure(r, 'summary')).toMatchObject({kind: 'AuthFailed'})
    await expect(c.get('summary', (ctx, done) => ctx.account.summary('101-001-1-001', done))).rejects.toMatchObject({kind: 'AuthFailed'})
  })

  it('a body that is not JSON under a JSON Content-Type: NetworkError, no crash inside the SDK', async () => {
    const {port} = await trap((_req, res) => {
      res.writeHead(200, {'Content-Type': 'application/json'})
      res.end('<html>oops</html>')
    })
    await expect(summary(client(port))).rejects.toMatchObject({kind: 'Disconnected', message: expect.stringMatching(/not a JSON object/)})
  })

  it('a proxy\'s HTML 502: the status decides (Disconnected)', async () => {
    const {port} = await trap((_req, res) => {
      res.writeHead(502, {'Content-Type': 'text/html'})
      res.end('<html>bad gateway</html>')
    })
    const c = client(port)
    const r = await summary(c)
    expect(r).toMatchObject({status: 502, body: {}})
    expect(c.failure(r, 'summary')).toMatchObject({kind: 'Disconnected'})
  })

  it('a reset socket is a NetworkError, not an uncaught exception', async () => {
    const {port} = await trap((req) => req.socket.destroy())
    await expect(summary(client(port))).rejects.toSatisfy((e: unknown) => e instanceof NetworkError && e.kind === 'Disconnected' && /outcome unknown/.test(e.message))
  })

  it('a body cut off mid-way is a NetworkError', async () => {
    const {port} = await trap((req, res) => {
      res.writeHead(200, {'Content-Type': 'application/json', 'Content-Length': '1000'})
      res.write('{"account":{"balance":"1')
      setTimeout(() => req.socket.destroy(), 20)
    })
    await expect(summary(client(port))).rejects.toMatchObject({kind: 'Disconnected'})
  })

  it('a server that never answers: Timeout after timeoutMs', async () => {
    const {port} = await trap(() => {})
    const started = Date.now()
    await expect(summary(client(port, 200))).rejects.toMatchObject({kind: 'Timeout', message: expect.stringContaining('no answer within 200 ms')})
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('headers sent, then silence: still a Timeout (not a cut-off)', async () => {
    const {port} = await trap((_req, res) => {
      res.writeHead(200, {'Content-Type': 'application/json'})
      res.write('{')
    })
    await expect(summary(client(port, 200))).rejects.toMatchObject({kind: 'Timeout'})
  })

  it('a refused connection is a NetworkError', async () => {
    const {port} = await trap(() => {})
    const s = servers.pop() as Server
    await new Promise<void>((r) => s.close(() => r()))
    await expect(summary(client(port))).rejects.toMatchObject({kind: 'Disconnected', message: expect.stringContaining('ECONNREFUSED')})
  })

  it('a GET answered 429 is retried after Retry-After; a POST is not', async () => {
    const {port, seen} = await trap((_req, res, n) => (n === 1 || n === 3 ? json(res, 429, {errorMessage: 'slow down'}, {'Retry-After': '0'}) : json(res, 200, {account: {ok: true}})))
    const c = client(port)
    await expect(c.get('summary', (ctx, done) => ctx.account.summary('101-001-1-001', done))).resolves.toEqual({account: {ok: true}})
    expect(seen.length).toBe(2)
    const post = await c.send('orders', (ctx, done) => ctx.order.create('101-001-1-001', {order: {}}, done))
    expect(post.status).toBe(429)
    expect(c.failure(post, 'orders')).toMatchObject({kind: 'RateLimited', retryAfterMs: 0})
    expect(seen.length).toBe(3)
  })

  it('a GET answered 429 without Retry-After waits 1 s, 2 s, 4 s, then gives up with RateLimited and holds the next requests 8 s', async () => {
    const {port, seen} = await trap((_req, res) => json(res, 429, {errorMessage: 'Too many requests'}))
    const waits: number[] = []
    // Records the waits asked for and runs them at once (the request timeout keeps its real delay).
    const timers: Timers = {setTimeout: (fn, ms) => (ms === 5000 ? systemTimers.setTimeout(fn, ms) : (waits.push(ms), systemTimers.setTimeout(fn, 0))), clearTimeout: (h) => systemTimers.clearTimeout(h)}
    const c = client(port, 5000, timers)
    await expect(c.get('summary', (ctx, done) => ctx.account.summary('101-001-1-001', done))).rejects.toMatchObject({kind: 'RateLimited'})
    expect(seen.length).toBe(4)
    expect(waits.filter((w) => w !== 0)).toEqual([1000, 2000, 4000, 8000])
    // 8 s is longer than a request may take: the next one is refused at once, not sent.
    await expect(summary(c)).rejects.toMatchObject({kind: 'RateLimited', message: expect.stringContaining('not sent')})
    expect(seen.length).toBe(4)
  })

  it('a long Retry-After refuses the next request at once instead of queueing it (not sent)', async () => {
    const {port, seen} = await trap((_req, res) => json(res, 429, {}, {'Retry-After': '60'}))
    const c = client(port)
    const r = await summary(c)
    expect(c.failure(r, 'summary')).toMatchObject({kind: 'RateLimited', retryAfterMs: 60_000})
    await expect(summary(c)).rejects.toMatchObject({kind: 'RateLimited', message: expect.stringContaining('not sent')})
    expect(seen.length).toBe(1)
  })

  it('close() aborts what is in flight and refuses what comes after', async () => {
    const {port} = await trap(() => {})
    const c = client(port)
    const pending = summary(c)
    await new Promise((r) => setTimeout(r, 50))
    c.close()
    await expect(pending).rejects.toMatchObject({kind: 'Disconnected', message: expect.stringContaining('closed')})
    await expect(summary(c)).rejects.toMatchObject({kind: 'Disconnected'})
  })

  it('reads the SDK\'s version from its package.json', () => {
    expect(sdkVersion()).toBe('3.0.25-0')
  })
})
