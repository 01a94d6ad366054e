// Starting the Coinbase simulator in a test: on a free port, with a ManualWall (time moves only when
// the test says), and the real ccxt coinbase exchange pointed at it over TCP. The wall starts at the
// real time because ccxt signs its JWTs with the process clock, and the simulator checks nbf/exp
// against its wall clock (jwt.ts); tests move the wall a few seconds at most and let the sim's
// speed turn those into minutes of market.
import {createPrivateKey, createSign, generateKeyPairSync, type KeyObject, randomBytes} from 'node:crypto'
import {request} from 'node:http'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {type CoinbaseSimulatorOptions, startCoinbaseSimulator} from '../../../../plugins/coinbase/src/sim/index.js'
import {coreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../../../src/sectors/definition.js'
import {ManualWall} from '../../../../src/sectors/sim/clock.js'

/** A weekday noon, UTC (sim time at start). */
export const T0 = Date.UTC(2026, 2, 3, 12, 0, 0)

/** The parts of ccxt's coinbase class the tests use. */
export interface CcxtCoinbase {
  urls: {api: Record<string, string>}
  options: Record<string, unknown>
  markets: Record<string, {id: string; precision: {amount: number; price: number}; limits: {amount: {min: number}; cost: {min: number}}; taker: number; maker: number}>
  currencies: Record<string, unknown>
  loadMarkets(): Promise<Record<string, unknown>>
  fetchBalance(params?: Record<string, unknown>): Promise<Record<string, any>>
  createOrder(symbol: string, type: string, side: string, amount: number, price?: number, params?: Record<string, unknown>): Promise<any>
  fetchOrder(id: string, symbol?: string): Promise<any>
  fetchOpenOrders(symbol?: string): Promise<any[]>
  fetchClosedOrders(symbol?: string): Promise<any[]>
  cancelOrder(id: string, symbol?: string): Promise<any>
  fetchMyTrades(symbol?: string, since?: number, limit?: number, params?: Record<string, unknown>): Promise<any[]>
  fetchOHLCV(symbol: string, timeframe?: string, since?: number, limit?: number): Promise<number[][]>
  fetchTradingFees(): Promise<Record<string, {maker: number; taker: number}>>
  fetchTicker(symbol: string): Promise<any>
  fetchTrades(symbol: string, since?: number, limit?: number): Promise<any[]>
  fetchOrderBook(symbol: string, limit?: number): Promise<any>
  fetchTime(params?: Record<string, unknown>): Promise<number>
  fetchAccounts(): Promise<any[]>
  close(): Promise<void>
}
type CcxtCoinbaseClass = new (config: Record<string, unknown>) => CcxtCoinbase

let cached: CcxtCoinbaseClass | undefined

/** ccxt's coinbase exchange alone (its module file; the package's `exports` hide the path). */
export async function ccxtCoinbase(): Promise<CcxtCoinbaseClass> {
  if (cached !== undefined) return cached
  const entry = createRequire(import.meta.url).resolve('ccxt')
  const file = join(dirname(entry), '..', 'js', 'src', 'coinbase.js')
  cached = ((await import(pathToFileURL(file).href)) as {default: CcxtCoinbaseClass}).default
  return cached
}

export interface Harness {
  sim: RunningSimulator
  wall: ManualWall
  rest: string
  apiKey: string
  apiSecret: string
  /** A ccxt client on the simulator with its credentials. */
  client(): Promise<CcxtCoinbase>
  close(): Promise<void>
}

export async function startSim(o: Partial<CoinbaseSimulatorOptions> = {}): Promise<Harness> {
  const wall = new ManualWall(Date.now())
  const sim = await startCoinbaseSimulator({core: coreRuntime, seed: 7, speed: 60, wall, startTs: T0, ...o})
  const clients: CcxtCoinbase[] = []
  const rest = sim.endpoints.rest as string
  return {
    sim,
    wall,
    rest,
    apiKey: sim.credentials.apiKey as string,
    apiSecret: sim.credentials.apiSecret as string,
    async client() {
      const Coinbase = await ccxtCoinbase()
      const ex = new Coinbase({apiKey: sim.credentials.apiKey, secret: sim.credentials.apiSecret, enableRateLimit: false, timeout: 5000})
      ex.urls.api = {...ex.urls.api, rest}
      clients.push(ex)
      return ex
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)))
      await sim.close()
    },
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: any
}

/** A plain HTTP request (headers under test control). */
export function raw(url: string, options: {method?: string; headers?: Record<string, string>; body?: unknown} = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    const req = request(url, {method: options.method ?? 'GET', headers: {...(body ? {'Content-Type': 'application/json'} : {}), ...options.headers}}, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => (text += d.toString()))
      res.on('end', () => {
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({status: res.statusCode ?? 0, headers: res.headers, text, json})
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

export interface JwtOptions {
  method?: string
  /** host/path the token is for (default: the request's). */
  uri?: string | null
  nbf?: number
  exp?: number
  iss?: string
  sub?: string
  kid?: string
  alg?: string
  /** Sign with another key. */
  signWith?: KeyObject
}

/** A CDP JWT made by hand (ES256 over header.payload, JWS r||s), for the auth tests. */
export function makeJwt(h: Harness, target: {method: string; path: string}, o: JwtOptions = {}): string {
  const now = Math.floor(h.wall.now() / 1000)
  const header = {alg: o.alg ?? 'ES256', kid: o.kid ?? h.apiKey, nonce: randomBytes(16).toString('hex'), typ: 'JWT'}
  const host = new URL(h.rest).host
  const claims: Record<string, unknown> = {sub: o.sub ?? h.apiKey, iss: o.iss ?? 'cdp', nbf: o.nbf ?? now, exp: o.exp ?? now + 120}
  const uri = o.uri === undefined ? `${target.method} ${host}${target.path}` : o.uri
  if (uri !== null) claims.uri = uri
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const data = `${enc(header)}.${enc(claims)}`
  const signer = createSign('sha256')
  signer.update(data)
  const key = o.signWith ?? createPrivateKey(h.apiSecret)
  const signature = signer.sign({key, dsaEncoding: 'ieee-p1363'}).toString('base64url')
  return `${data}.${signature}`
}

/** A signed request to a private path. */
export function signed(h: Harness, method: string, pathAndQuery: string, body?: unknown): Promise<RawResponse> {
  const path = pathAndQuery.split('?')[0] as string
  return raw(`${h.rest}${pathAndQuery}`, {method, headers: {Authorization: `Bearer ${makeJwt(h, {method, path})}`}, ...(body === undefined ? {} : {body})})
}

export function otherKey(): KeyObject {
  return generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).privateKey
}

/** Exact decimal arithmetic for the tests' own accounting (independent of the simulator's). */
export const D = 20n
export function dec(text: string): bigint {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new Error(`not a plain decimal: ${text}`)
  const [w, f = ''] = text.split('.')
  return BigInt(w as string) * 10n ** D + BigInt(f.padEnd(Number(D), '0').slice(0, Number(D)))
}
export function decMul(a: bigint, b: bigint): bigint {
  return (a * b) / 10n ** D
}
