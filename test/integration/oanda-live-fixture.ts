// Shared by the OANDA end-to-end tests. `rick run` on OANDA for real: the built CLI, the sector's connector on the real @oanda/v20 SDK,
// against rick's OANDA simulator over TCP on 127.0.0.1 — started here, so the test can count what
// reached the venue and switch faults while the run trades. Every check compares two independent
// accounts of the same facts: the orders the simulator received against the journal's intents, the
// simulator's positions against the journal's fills summed here, and both against `rick status`.
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync} from 'node:fs'
import {expect} from 'vitest'

import {startOandaSimulator} from '../../plugins/oanda/src/sim/index.js'
import type {EventPayloads, JournalEvent} from '../../src/foundation/journal/events.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../src/sectors/definition.js'
import {RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, readJournal, type Fixture} from './engine-fixture.js'

export const TOKEN_ENV = 'OANDA_API_TOKEN'

export function config(sim: RunningSimulator, instruments = 'EUR_USD, GBP_USD'): string {
  return `version: 1
sectors:
  fx:
    venue: oanda
    mode: practice
    profile: Balanced
    instruments: [${instruments}]
    strategy: {name: sma-crossover, params: {fast: 3, slow: 8, size: 1000}}
    live: {warmupBars: 20, staleAfter: 3s, reconcileEvery: 1s}
    # Losing streaks are the price path's: a test that waits for more fills must not meet a halt.
    risk: {consecutiveLossHalt: 1000}
    connection: {accountId: ${sim.accountId}, tokenEnv: ${TOKEN_ENV}, restUrl: "${sim.endpoints.rest}", streamUrl: "${sim.endpoints.stream}", timeoutMs: 2000}
`
}

export interface Live {
  sim: RunningSimulator
  f: Fixture
  env: NodeJS.ProcessEnv
}

const open: Live[] = []
const children: ChildProcess[] = []

/** For afterEach: ends the runs still going and closes the simulators and projects. */
export async function cleanupLive(): Promise<void> {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const l of open.splice(0)) {
    await l.sim.close()
    l.f.cleanup()
  }
}

/** `startTs`: the venue clock's start (default: now), for a test whose figures must stay in one day. */
export async function live(speed = 1200, instruments?: string, startTs?: number): Promise<Live> {
  const sim = await startOandaSimulator({core: coreRuntime, seed: 5, speed, instruments: ['EUR_USD', 'GBP_USD', 'USD_JPY'], ...(startTs === undefined ? {} : {startTs})})
  const f = fixtureProject(config(sim, instruments))
  const env = {...f.env, [TOKEN_ENV]: String(sim.credentials.token)}
  const l = {sim, f, env}
  open.push(l)
  return l
}

/** The simulator's own records, read over its REST API as any OANDA client would. */
export async function venue(l: Live, path: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${l.sim.endpoints.rest}/v3/accounts/${l.sim.accountId}${path}`, {headers: {Authorization: `Bearer ${String(l.sim.credentials.token)}`}})
  expect(r.status).toBe(200)
  return (await r.json()) as Record<string, unknown>
}

/** Orders rick sent, as the venue recorded them: order-create transactions with rick's client ids. */
export async function ordersAtVenue(l: Live): Promise<string[]> {
  const body = await venue(l, '/transactions/sinceid?id=0')
  const txs = body.transactions as Array<{type: string; clientExtensions?: {id?: string}}>
  return txs.filter((t) => /_ORDER$/.test(t.type) && !/^(TAKE_PROFIT|STOP_LOSS|TRAILING_STOP_LOSS)_ORDER$/.test(t.type) && t.clientExtensions?.id?.startsWith('fx-')).map((t) => t.clientExtensions!.id!)
}

export async function positionsAtVenue(l: Live): Promise<Map<string, number>> {
  const body = await venue(l, '/openPositions')
  const out = new Map<string, number>()
  for (const p of body.positions as Array<{instrument: string; long: {units: string}; short: {units: string}}>) out.set(p.instrument, Number(p.long.units) + Number(p.short.units))
  return out
}

export function events(l: Live, types?: Array<keyof EventPayloads>): JournalEvent[] {
  if (!existsSync(l.f.journal)) return []
  try {
    return readJournal(l.f.journal, types)
  } catch {
    return [] // the run is still creating it
  }
}

export function fillSums(evs: JournalEvent[]): {perOrder: Map<string, number>; perInstrument: Map<string, number>} {
  const perOrder = new Map<string, number>()
  const perInstrument = new Map<string, number>()
  for (const e of evs) {
    if (e.type !== 'FILL') continue
    const {fill} = e.payload as EventPayloads['FILL']
    perOrder.set(fill.clientOrderId, (perOrder.get(fill.clientOrderId) ?? 0) + fill.qty)
    perInstrument.set(fill.instrument, Math.round(((perInstrument.get(fill.instrument) ?? 0) + (fill.side === 'buy' ? fill.qty : -fill.qty)) * 1e6) / 1e6)
  }
  return {perOrder, perInstrument}
}

/** Starts `rick run fx` in the background; resolves its exit. */
export function start(l: Live, args: string[]): {child: ChildProcess; exited: Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>} {
  const child = spawn(process.execPath, [RICK_BIN, 'run', 'fx', ...args], {cwd: l.f.root, env: {...l.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()))
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>((resolve) => child.on('exit', (code, signal) => resolve({code, signal, stdout, stderr})))
  return {child, exited}
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

