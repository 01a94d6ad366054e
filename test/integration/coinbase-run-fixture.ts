// Shared by the Coinbase end-to-end tests: the built CLI in a throwaway git project, the sector's
// real connector (ccxt) against rick's Coinbase simulator, started here in the test process so the
// test can read the venue's own records and switch faults while `rick run` trades. The venue's
// records are read over its REST API with a JWT signed here (node:crypto, ES256), not through
// ccxt or rick's connector: two independent accounts of the same facts.
import {spawn, type ChildProcess} from 'node:child_process'
import {createPrivateKey, randomBytes, sign} from 'node:crypto'
import {copyFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'vitest'

import {startCoinbaseSimulator} from '../../plugins/coinbase/src/sim/index.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../src/sectors/definition.js'
import {REPO_ROOT, RICK_BIN} from '../helpers/cli.js'
import {charterProject, cliIn, type CharterProject} from '../sectors/charter-fixture.js'

export const KEY_ENV = 'COINBASE_API_KEY'
export const SECRET_ENV = 'COINBASE_API_SECRET'
export const PIN = 'canary-pin-8642'

/** A canary sector on BTC-USD pointed at the simulator; sma-crossover trades often with short averages. */
export function canaryConfig(sim: RunningSimulator, o: {notional?: number; maxOrderNotional?: number} = {}): string {
  return `version: 1
sectors:
  crypto:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: sma-crossover, params: {fast: 2, slow: 4, size: 0.0001, notional: ${o.notional ?? 20}}}
    canary: {maxOrderNotional: ${o.maxOrderNotional ?? 25}, maxPositions: 1, dailyLossCap: 10}
    live: {warmupBars: 10, staleAfter: 3s, reconcileEvery: 1s}
    connection: {apiKeyEnv: ${KEY_ENV}, apiSecretEnv: ${SECRET_ENV}, restUrl: "${sim.endpoints.rest}", wsUrl: "${sim.endpoints.ws}", timeoutMs: 2000}
`
}

export interface CanaryProject {
  sim: RunningSimulator
  p: CharterProject
  env: NodeJS.ProcessEnv
  journal: string
  cli: (args: string[], input?: string) => ReturnType<ReturnType<typeof cliIn>>
}

const open: CanaryProject[] = []
const children: ChildProcess[] = []

/** For afterEach: kills runs still going, closes simulators. Projects are temp dirs the OS reaps. */
export async function cleanupCanary(): Promise<void> {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const l of open.splice(0)) await l.sim.close()
}

/** A git project with the canary sector, its strategy committed, and the simulator's keys in the environment. */
export async function canaryProject(speed = 1200, config: {notional?: number; maxOrderNotional?: number} = {}): Promise<CanaryProject> {
  // Noon UTC: a run of an hour of venue time stays inside one day (the daily counters).
  const startTs = Date.UTC(2026, 11, 7, 12)
  const sim = await startCoinbaseSimulator({core: coreRuntime, seed: 11, speed, instruments: ['BTC-USD', 'ETH-USD'], startTs})
  const p = charterProject('rick-coinbase-canary-')
  writeFileSync(join(p.root, 'config', 'trading_sectors.yaml'), canaryConfig(sim, config))
  copyFileSync(join(REPO_ROOT, 'strategies', 'sma-crossover.ts'), join(p.root, 'strategies', 'sma-crossover.ts'))
  p.git('add', '-A')
  p.git('commit', '-q', '-m', 'canary sector')
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(RICK_|COINBASE_|OANDA_|IBKR_)/.test(k)) env[k] = v
  Object.assign(env, {RICK_PROJECT: p.root, RICK_HOME: p.home, RICK_CONFIG: '', NO_COLOR: '1', [KEY_ENV]: String(sim.credentials.apiKey), [SECRET_ENV]: String(sim.credentials.apiSecret)})
  const base = cliIn(p)
  const cli = (args: string[], input?: string) => base(args, input)
  const l = {sim, p, env, journal: join(p.home, 'journal.db'), cli}
  open.push(l)
  return l
}

/** Starts `rick run crypto …` in the background with the keys set; resolves its exit. */
export function startRun(l: CanaryProject, args: string[]): {child: ChildProcess; exited: Promise<{code: number | null; stdout: string; stderr: string}>} {
  const child = spawn(process.execPath, [RICK_BIN, 'run', 'crypto', ...args], {cwd: l.p.root, env: l.env, stdio: ['ignore', 'pipe', 'pipe']})
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()))
  const exited = new Promise<{code: number | null; stdout: string; stderr: string}>((resolve) => child.on('exit', (code) => resolve({code, stdout, stderr})))
  return {child, exited}
}

/** A CDP JWT for one REST request (ES256 over the simulator's key), as Coinbase documents it. */
export function restJwt(sim: RunningSimulator, method: string, path: string): string {
  const keyName = String(sim.credentials.apiKey)
  const host = new URL(sim.endpoints.rest!).host
  const now = Math.floor(Date.now() / 1000)
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')
  const head = b64({alg: 'ES256', typ: 'JWT', kid: keyName, nonce: randomBytes(16).toString('hex')})
  const body = b64({sub: keyName, iss: 'cdp', nbf: now, exp: now + 120, uri: `${method} ${host}${path}`})
  const key = createPrivateKey(String(sim.credentials.apiSecret))
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), {key, dsaEncoding: 'ieee-p1363'}).toString('base64url')
  return `${head}.${body}.${signature}`
}

/** GET of the simulator's REST API, authenticated as any Coinbase client would be. */
export async function venueGet(sim: RunningSimulator, path: string, query = ''): Promise<Record<string, unknown>> {
  const r = await fetch(`${sim.endpoints.rest}${path}${query}`, {headers: {Authorization: `Bearer ${restJwt(sim, 'GET', path)}`}})
  expect(r.status, `${path}${query}`).toBe(200)
  return (await r.json()) as Record<string, unknown>
}

export interface VenueOrder {
  order_id: string
  client_order_id: string
  product_id: string
  side: 'BUY' | 'SELL'
  status: string
  filled_size: string
  total_fees: string
}

/** Every order the venue holds (all statuses), following the cursor. */
export async function ordersAtVenue(sim: RunningSimulator): Promise<VenueOrder[]> {
  const out: VenueOrder[] = []
  let cursor = ''
  for (let page = 0; page < 100; page++) {
    const body = await venueGet(sim, '/api/v3/brokerage/orders/historical/batch', `?limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    out.push(...(body.orders as VenueOrder[]))
    if (body.has_next !== true) return out
    cursor = String(body.cursor)
  }
  throw new Error('more than 100 pages of orders')
}

/** The account's balance of one currency at the venue (available + hold), as a number. */
export async function balanceAtVenue(sim: RunningSimulator, currency: string): Promise<number> {
  const body = await venueGet(sim, '/api/v3/brokerage/accounts', '?limit=250')
  const account = (body.accounts as Array<{currency: string; available_balance: {value: string}; hold: {value: string}}>).find((a) => a.currency === currency)
  return account === undefined ? 0 : Number(account.available_balance.value) + Number(account.hold.value)
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
