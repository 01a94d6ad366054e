// Shared by the Coinbase fault tests (coinbase-live-faults*.test.ts): an approved canary sector on
// the simulator (coinbase-run-fixture.ts) with short live settings, the journal read read-only while
// `rick run` writes it, the venue's own fills over its REST API, and the one check every scenario
// ends with: the journal's books against the venue's records, order by order and fill by fill.
import {copyFileSync, existsSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'vitest'

import type {EventPayloads, JournalEvent} from '../../src/foundation/journal/events.js'
import type {RunningSimulator} from '../../src/sectors/definition.js'
import {startCoinbaseSimulator} from '../../plugins/coinbase/src/sim/index.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import {REPO_ROOT} from '../helpers/cli.js'
import {charterProject, cliIn} from '../sectors/charter-fixture.js'
import {canaryConfig, cleanupCanary, KEY_ENV, ordersAtVenue, PIN, SECRET_ENV, startRun, venueGet, type CanaryProject, type VenueOrder} from './coinbase-run-fixture.js'
import {readJournal} from './engine-fixture.js'

/**
 * The settings the fault tests change. The risk limits that end a day's trading (three losses in
 * a row, ten trades, a loss cap in fees) are lifted: a venue day passes in 72 s at 1200x, and a
 * scenario needs trading to go on through its fault.
 */
export interface FaultsSettings {
  /** Venue ms per wall ms (1m bars: 400 → 6⅔ bars a second, the default). */
  speed?: number
  /** connection.timeoutMs: how long a request may take before its outcome is unknown. */
  timeoutMs?: number
  staleAfter?: string
  reconcileEvery?: string
  /** The venue clock's start (default: the wall clock's now). */
  startTs?: number
  /** Coins the account holds before rick trades (the person's own). */
  balances?: Record<string, string>
}

/**
 * A canary sector with the settings above, committed and approved with the PIN: ready for `rick run
 * crypto --canary`. Like canaryProject (coinbase-run-fixture.ts), except that the venue's clock
 * starts at the wall clock's now: the engine's clock starts there too and never goes back, so a
 * venue behind the wall (canaryProject starts it at noon) would leave the engine's clock standing
 * at the wall's start — its 60 s order-rate window would never pass, and a sector that traded six
 * times would be denied every order after (see the report).
 */
export async function approvedCanary(s: FaultsSettings = {}): Promise<CanaryProject> {
  const sim = await startCoinbaseSimulator({core: coreRuntime, seed: 11, speed: s.speed ?? 400, instruments: ['BTC-USD', 'ETH-USD'], startTs: s.startTs ?? Date.now(), ...(s.balances ? {balances: s.balances} : {})})
  const p = charterProject('rick-coinbase-faults-')
  const base = canaryConfig(sim)
  if (!/live: \{/.test(base) || !/timeoutMs: \d+/.test(base) || !base.includes('dailyLossCap: 10}')) throw new Error(`canaryConfig has no live block or timeoutMs to set:\n${base}`)
  const yaml = base
    .replace(/live: \{[^}]*\}/, `live: {warmupBars: 10, staleAfter: ${s.staleAfter ?? '3s'}, reconcileEvery: ${s.reconcileEvery ?? '1s'}}`)
    .replace(/timeoutMs: \d+/, `timeoutMs: ${s.timeoutMs ?? 2000}`)
    .replace('dailyLossCap: 10}', 'dailyLossCap: 50}\n    risk: {consecutiveLossHalt: 1000, maxTradesPerDay: 10000, maxOrdersPerMinute: 100}')
  writeFileSync(join(p.root, 'config', 'trading_sectors.yaml'), yaml)
  copyFileSync(join(REPO_ROOT, 'strategies', 'sma-crossover.ts'), join(p.root, 'strategies', 'sma-crossover.ts'))
  p.git('add', '-A')
  p.git('commit', '-q', '-m', 'canary sector for the fault tests')
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^(RICK_|COINBASE_|OANDA_|IBKR_)/.test(k)) env[k] = v
  Object.assign(env, {RICK_PROJECT: p.root, RICK_HOME: p.home, RICK_CONFIG: '', NO_COLOR: '1', [KEY_ENV]: String(sim.credentials.apiKey), [SECRET_ENV]: String(sim.credentials.apiSecret)})
  const cli = cliIn(p)
  const l: CanaryProject = {sim, p, env, journal: join(p.home, 'journal.db'), cli}
  sims.push(sim)
  const init = await cli(['charter', 'init', '--pin-stdin'], `${PIN}\n`)
  expect(init.exitCode, init.stderr).toBe(0)
  const approve = await cli(['charter', 'approve', 'crypto', '--mode', 'canary', '--pin-stdin', '--approver', 'test'], `${PIN}\n`)
  expect(approve.exitCode, approve.stderr).toBe(0)
  return l
}

const sims: RunningSimulator[] = []

/** For afterEach: kills the runs still going (cleanupCanary), then closes the simulators. Projects are temp dirs the OS reaps. */
export async function cleanupFaults(): Promise<void> {
  await cleanupCanary()
  for (const sim of sims.splice(0)) await sim.close()
}

export interface CanaryRun extends ReturnType<typeof startRun> {
  /** stdout and stderr so far. */
  output(): string
  /** waitFor with this run's output in the error. */
  until(what: string, cond: () => boolean | Promise<boolean>, ms?: number): Promise<void>
}

/** `rick run crypto --canary …` in the background with the keys set (startRun), its output readable while it runs. */
export function startCanary(l: CanaryProject, args: string[] = ['--bars', '100000']): CanaryRun {
  const run = startRun(l, ['--canary', ...args])
  let out = ''
  run.child.stdout?.on('data', (d: Buffer) => void (out += d.toString()))
  run.child.stderr?.on('data', (d: Buffer) => void (out += d.toString()))
  return {...run, output: () => out, until: (what, cond, ms) => waitFor(l, what, cond, {output: () => out, ...(ms === undefined ? {} : {ms})})}
}

/** The journal so far, read read-only while the run writes it (empty before the run made it). */
export function events(l: CanaryProject, types?: Array<keyof EventPayloads>): JournalEvent[] {
  if (!existsSync(l.journal)) return []
  try {
    return readJournal(l.journal, types)
  } catch {
    return [] // the run is still creating it
  }
}

export function payloads<T extends keyof EventPayloads>(evs: JournalEvent[], type: T): Array<EventPayloads[T]> {
  return evs.filter((e) => e.type === type).map((e) => e.payload as EventPayloads[T])
}

export function journalFills(l: CanaryProject): Array<EventPayloads['FILL']['fill']> {
  return payloads(events(l, ['FILL']), 'FILL').map((p) => p.fill)
}

export interface VenueFill {
  entry_id: string
  trade_id: string
  order_id: string
  size: string
  price: string
  commission: string
  size_in_quote: boolean
}

/** Every fill the venue holds, following the cursor. */
export async function fillsAtVenue(sim: RunningSimulator): Promise<VenueFill[]> {
  const out: VenueFill[] = []
  let cursor = ''
  for (let page = 0; page < 100; page++) {
    const body = await venueGet(sim, '/api/v3/brokerage/orders/historical/fills', `?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    out.push(...(body.fills as VenueFill[]))
    if (body.cursor === '' || body.cursor === undefined) return out
    cursor = String(body.cursor)
  }
  throw new Error('more than 100 pages of fills')
}

/**
 * Whether every intent of the journal has its outcome (denied, rejected, cancelled, expired, or
 * filled in full) and the journal holds as many fills as the venue made.
 */
export async function settled(l: CanaryProject): Promise<boolean> {
  const evs = events(l)
  const filled = new Map<string, number>()
  for (const f of payloads(evs, 'FILL')) filled.set(f.fill.clientOrderId, (filled.get(f.fill.clientOrderId) ?? 0) + f.fill.qty)
  const closed = new Set([...payloads(evs, 'ORDER_REJECTED'), ...payloads(evs, 'ORDER_CANCELLED'), ...payloads(evs, 'ORDER_EXPIRED')].map((p) => p.clientOrderId))
  for (const {order} of payloads(evs, 'ORDER_INTENT')) if (!closed.has(order.clientOrderId) && (filled.get(order.clientOrderId) ?? 0) < order.qty * (1 - 1e-9)) return false
  return payloads(evs, 'FILL').length >= (await fillsAtVenue(l.sim)).length
}

/**
 * Stops the run with Ctrl-C once nothing is under way: prices frozen (the strategy's averages meet
 * and it stops crossing), every intent settled, the journal holding every venue fill. A stop while
 * an order is in flight would leave its fill to the next run (see the report), which is not what
 * these scenarios test. A clean stop is exit 0 without a stack trace.
 */
export async function stopQuiet(l: CanaryProject, run: CanaryRun): Promise<void> {
  l.sim.faults.set({freezePrices: true})
  const bars = events(l, ['BAR']).length
  await run.until('bars at frozen prices', () => events(l, ['BAR']).length >= bars + 8)
  await run.until('every order settled and journaled', () => settled(l))
  run.child.kill('SIGINT')
  const done = await run.exited
  expect(done.code, run.output()).toBe(0)
  expect(done.stderr).not.toMatch(/\n\s+at /)
}

/**
 * The books against the venue, independently summed: every order at the venue was one intent of
 * the journal, sent once (one order per client id); every venue fill is journaled exactly once,
 * under the venue's fill id (none invented); per order, the journal's Σ qty and Σ fee are the
 * venue's filled_size and total_fees. Returns the venue's orders for further checks.
 */
export async function expectBooksEqualVenue(l: CanaryProject): Promise<VenueOrder[]> {
  const evs = events(l)
  const orders = await ordersAtVenue(l.sim)
  const vfills = await fillsAtVenue(l.sim)
  const intents = new Set(payloads(evs, 'ORDER_INTENT').map((p) => p.order.clientOrderId))
  const ids = orders.map((o) => o.client_order_id)
  expect(new Set(ids).size, 'one order per client order id at the venue').toBe(ids.length)
  for (const id of ids) expect(intents.has(id), `${id} at the venue is an intent of the journal`).toBe(true)

  const fills = payloads(evs, 'FILL').map((p) => p.fill)
  const fillIds = fills.map((f) => f.fillId)
  expect(new Set(fillIds).size, 'each fill journaled once').toBe(fillIds.length)
  expect([...fillIds].sort(), 'the journal fills are the venue fills').toEqual(vfills.map((f) => f.entry_id).sort())
  for (const o of orders) {
    const mine = fills.filter((f) => f.clientOrderId === o.client_order_id)
    expect(mine.reduce((s, f) => s + f.qty, 0), `Σ qty of ${o.client_order_id}`).toBeCloseTo(Number(o.filled_size), 8)
    // Fees in the journal are integer micro-units of the quote currency.
    expect(mine.reduce((s, f) => s + f.fee, 0) / 1e6, `Σ fee of ${o.client_order_id}`).toBeCloseTo(Number(o.total_fees), 6)
  }
  return orders
}

/** The journal without its bars, one event a line: what a failed wait prints. */
export function story(l: CanaryProject, last = 60, first = 0): string {
  return events(l)
    .filter((e) => e.type !== 'BAR')
    .slice(first > 0 ? 0 : -last, first > 0 ? first : undefined)
    .map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.payload).slice(0, 240)}`)
    .join('\n')
}

/** Polls `cond` (bounded); on timeout the error carries the journal's story and the run's output. */
export async function waitFor(l: CanaryProject, what: string, cond: () => boolean | Promise<boolean>, o: {ms?: number; output?: () => string} = {}): Promise<void> {
  const end = Date.now() + (o.ms ?? 15_000)
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n--- journal (first)\n${story(l, 0, 25)}\n--- journal (last)\n${story(l)}\n--- output\n${o.output?.().slice(-4000) ?? ''}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
