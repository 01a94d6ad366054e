// Starting the OANDA simulator in a test: on a free port, with a ManualWall (time moves only when
// the test says, so prices are fixed between two advances), and the real @oanda/v20 SDK pointed at it.
import {request} from 'node:http'
import {createRequire} from 'node:module'

import {type OandaSimulatorOptions, startOandaSimulator} from '../../../../plugins/oanda/src/sim/index.js'
import {coreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../../../src/sectors/definition.js'
import {ManualWall} from '../../../../src/sectors/sim/clock.js'

/** A Tuesday, 14:00 UTC (the market is open; no day boundary for a while). */
export const T0 = Date.UTC(2024, 2, 5, 14, 0, 0)

/** What the SDK hands its response handler. */
export interface SdkResponse {
  statusCode: string
  contentType: string
  rawBody: string
  // The SDK's parsed objects (its own Definition classes).
  body: any
}

export interface SdkContext {
  setToken(token: string): void
  [entity: string]: any
}

const require = createRequire(import.meta.url)
const {Context} = require('@oanda/v20/context') as {Context: new (host: string, port: number, ssl: boolean, app: string) => SdkContext}

export function sdkFor(url: string, token: string | undefined): SdkContext {
  const ctx = new Context('127.0.0.1', Number(new URL(url).port), false, 'rick-test')
  if (token !== undefined) ctx.setToken(token)
  return ctx
}

/** Calls an SDK method (entity.method(...args, handler)) and resolves with its response. */
export function sdk(ctx: SdkContext, path: string, ...args: unknown[]): Promise<SdkResponse> {
  const [entity, method] = path.split('.') as [string, string]
  const target = ctx[entity]
  return new Promise((resolve) => target[method](...args, (r: SdkResponse) => resolve(r)))
}

export interface Harness {
  sim: RunningSimulator
  wall: ManualWall
  api: SdkContext
  account: string
  token: string
  rest: string
  stream: string
  close(): Promise<void>
}

export async function startSim(o: Partial<OandaSimulatorOptions> = {}): Promise<Harness> {
  const wall = new ManualWall(0)
  const sim = await startOandaSimulator({core: coreRuntime, seed: 7, speed: 60, wall, startTs: T0, ...o})
  const token = sim.credentials.token as string
  return {sim, wall, api: sdkFor(sim.endpoints.rest as string, token), account: sim.accountId, token, rest: sim.endpoints.rest as string, stream: sim.endpoints.stream as string, close: () => sim.close()}
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
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
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

export interface StreamClient {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed lines so far. */
  lines: any[]
  /** Raw chunks as they came. */
  chunks: string[]
  /** 'end' for a clean end, 'aborted' or 'error' for a cut connection. */
  ended: Promise<'end' | 'aborted' | 'error'>
  close(): void
}

/** Opens a stream and collects its NDJSON lines (a line split across chunks is joined). */
export function openStream(url: string, headers: Record<string, string>): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, {headers}, (res) => {
      let buf = ''
      let settle: (v: 'end' | 'aborted' | 'error') => void = () => {}
      const client: StreamClient = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        lines: [],
        chunks: [],
        ended: new Promise((r) => (settle = r)),
        close: () => req.destroy(),
      }
      res.on('data', (d: Buffer) => {
        const s = d.toString()
        client.chunks.push(s)
        buf += s
        const parts = buf.split('\n')
        buf = parts.pop() ?? ''
        for (const p of parts) if (p !== '') client.lines.push(JSON.parse(p))
      })
      res.on('end', () => settle('end'))
      res.on('aborted', () => settle('aborted'))
      res.on('error', () => settle('error'))
      resolve(client)
    })
    req.on('error', reject)
    req.end()
  })
}

/** Waits (bounded) until `cond` holds, letting I/O run; never sleeps a fixed time. */
export async function until(cond: () => boolean, what = 'condition', ms = 4_000): Promise<void> {
  const end = performance.now() + ms
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

export const auth = (token: string): Record<string, string> => ({Authorization: `Bearer ${token}`})
