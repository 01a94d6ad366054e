// `rick run` on OANDA for real: the built CLI, the sector's connector on the real @oanda/v20 SDK,
// against rick's OANDA simulator over TCP on 127.0.0.1 — started here, so the test can count what
// reached the venue and switch faults while the run trades. Every check compares two independent
// accounts of the same facts: the orders the simulator received against the journal's intents, the
// simulator's positions against the journal's fills summed here, and both against `rick status`.
import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'

import {startOandaSimulator} from '../../plugins/oanda/src/sim/index.js'
import type {EventPayloads, JournalEvent} from '../../src/foundation/journal/events.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import type {RunningSimulator} from '../../src/sectors/definition.js'
import {rick, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, readJournal, type Fixture} from './engine-fixture.js'

const TOKEN_ENV = 'OANDA_API_TOKEN'

function config(sim: RunningSimulator, instruments = 'EUR_USD, GBP_USD'): string {
  return `version: 1
sectors:
  fx:
    venue: oanda
    mode: practice
    profile: Balanced
    instruments: [${instruments}]
    strategy: {name: sma-crossover, params: {fast: 3, slow: 8, size: 1000}}
    live: {warmupBars: 20, staleAfter: 3s, reconcileEvery: 1s}
    connection: {accountId: ${sim.accountId}, tokenEnv: ${TOKEN_ENV}, restUrl: "${sim.endpoints.rest}", streamUrl: "${sim.endpoints.stream}", timeoutMs: 2000}
`
}

interface Live {
  sim: RunningSimulator
  f: Fixture
  env: NodeJS.ProcessEnv
}

const open: Live[] = []
const children: ChildProcess[] = []
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const l of open.splice(0)) {
    await l.sim.close()
    l.f.cleanup()
  }
})

async function live(speed = 1200, instruments?: string): Promise<Live> {
  const sim = await startOandaSimulator({core: coreRuntime, seed: 5, speed, instruments: ['EUR_USD', 'GBP_USD', 'USD_JPY']})
  const f = fixtureProject(config(sim, instruments))
  const env = {...f.env, [TOKEN_ENV]: String(sim.credentials.token)}
  const l = {sim, f, env}
  open.push(l)
  return l
}

/** The simulator's own records, read over its REST API as any OANDA client would. */
async function venue(l: Live, path: string): Promise<Record<string, unknown>> {
  const r = await fetch(`${l.sim.endpoints.rest}/v3/accounts/${l.sim.accountId}${path}`, {headers: {Authorization: `Bearer ${String(l.sim.credentials.token)}`}})
  expect(r.status).toBe(200)
  return (await r.json()) as Record<string, unknown>
}

/** Orders rick sent, as the venue recorded them: order-create transactions with rick's client ids. */
async function ordersAtVenue(l: Live): Promise<string[]> {
  const body = await venue(l, '/transactions/sinceid?id=0')
  const txs = body.transactions as Array<{type: string; clientExtensions?: {id?: string}}>
  return txs.filter((t) => /_ORDER$/.test(t.type) && !/^(TAKE_PROFIT|STOP_LOSS|TRAILING_STOP_LOSS)_ORDER$/.test(t.type) && t.clientExtensions?.id?.startsWith('fx-')).map((t) => t.clientExtensions!.id!)
}

async function positionsAtVenue(l: Live): Promise<Map<string, number>> {
  const body = await venue(l, '/openPositions')
  const out = new Map<string, number>()
  for (const p of body.positions as Array<{instrument: string; long: {units: string}; short: {units: string}}>) out.set(p.instrument, Number(p.long.units) + Number(p.short.units))
  return out
}

function events(l: Live, types?: Array<keyof EventPayloads>): JournalEvent[] {
  if (!existsSync(l.f.journal)) return []
  try {
    return readJournal(l.f.journal, types)
  } catch {
    return [] // the run is still creating it
  }
}

function fillSums(evs: JournalEvent[]): {perOrder: Map<string, number>; perInstrument: Map<string, number>} {
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
function start(l: Live, args: string[]): {child: ChildProcess; exited: Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>} {
  const child = spawn(process.execPath, [RICK_BIN, 'run', 'fx', ...args], {cwd: l.f.root, env: {...l.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()))
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>((resolve) => child.on('exit', (code, signal) => resolve({code, signal, stdout, stderr})))
  return {child, exited}
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('rick run oanda --practice against the OANDA simulator', () => {
  it('trades at the venue: every intent reached it once, and its positions are the journal’s fills and what status says', async () => {
    const l = await live()
    const r = await rick(['run', 'fx', '--bars', '40'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/venue {5}oanda-v20 \(@oanda\/v20 3\.0\.25-0\), 127\.0\.0\.1:\d+/)
    expect(r.stdout).toMatch(/strategy warmed up on 20 bar\(s\) of history per instrument/)
    const evs = events(l)
    const started = evs.find((e) => e.type === 'RUN_STARTED')!.payload as EventPayloads['RUN_STARTED']
    expect(started).toMatchObject({requestedMode: 'practice', effectiveMode: 'practice', environment: 'practice', connector: {name: 'oanda-v20', sdk: {package: '@oanda/v20', version: '3.0.25-0'}}})
    // The token is nowhere in the journal, nor in what the run printed.
    expect(JSON.stringify(evs)).not.toContain(String(l.sim.credentials.token))
    for (const file of [l.f.journal, `${l.f.journal}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(String(l.sim.credentials.token))), file).toBe(false)
    expect(r.stdout + r.stderr).not.toContain(String(l.sim.credentials.token))
    const intents = evs.filter((e) => e.type === 'ORDER_INTENT').map((e) => (e.payload as EventPayloads['ORDER_INTENT']).order)
    expect(intents.length).toBeGreaterThan(2)
    // Each intent reached the venue exactly once.
    expect((await ordersAtVenue(l)).sort()).toEqual(intents.map((o) => o.clientOrderId).sort())
    const {perOrder, perInstrument} = fillSums(evs)
    for (const o of intents) expect(perOrder.get(o.clientOrderId) ?? 0).toBeLessThanOrEqual(o.qty)
    const atVenue = await positionsAtVenue(l)
    for (const id of ['EUR_USD', 'GBP_USD']) expect(atVenue.get(id) ?? 0, id).toBe(perInstrument.get(id) ?? 0)
    // Fill ids are the venue's transaction ids: unique.
    const fillIds = evs.filter((e) => e.type === 'FILL').map((e) => (e.payload as EventPayloads['FILL']).fill.fillId)
    expect(new Set(fillIds).size).toBe(fillIds.length)
    const status = JSON.parse((await rick(['status', '--json'], {cwd: l.f.root, env: l.env})).stdout)
    const fx = status.sectors.find((s: {sector: string}) => s.sector === 'fx')
    for (const p of fx.positions as Array<{instrument: string; qty: number}>) expect(p.qty).toBe(atVenue.get(p.instrument))
    // A run at a venue cannot be replayed on the paper venue: said plainly, exit 2.
    const replay = await rick(['replay', evs[0]!.runId], {cwd: l.f.root, env: l.env})
    expect(replay.exitCode).toBe(2)
    expect(replay.stderr).toMatch(/traded at oanda \(practice, oanda-v20\): its fills came from the venue/)
  })

  it('an order placed by hand and fills the stream never sent: EXTERNAL, every venue fill journaled once, and the books equal the venue', async () => {
    const l = await live()
    const run = start(l, ['--bars', '100000'])
    await until('the run trading', () => events(l, ['RUN_STARTED']).length > 0 && events(l, ['FILL']).length >= 1)
    l.sim.faults.set({missFill: 3})
    await l.sim.faults.act('placeExternalOrder', {instrument: 'EUR_USD', units: '700'})
    await l.sim.faults.act('placeExternalOrder', {instrument: 'GBP_USD', units: '-300', type: 'LIMIT', price: '1.50000'})
    await until('the orders by hand journaled', () => events(l, ['EXTERNAL']).length >= 2)
    const fillsBefore = events(l, ['FILL']).length
    await until('more fills after the missed ones', () => events(l, ['FILL']).length >= fillsBefore + 4, 20_000).catch((e) => {
      console.log(events(l, ['RISK_STATE', 'EXTERNAL', 'FILL', 'ORDER_DENIED', 'CONNECTION', 'ORDER_REJECTED']).map((x) => `${x.type} ${JSON.stringify(x.payload)}`).join('\n'))
      throw e
    })
    run.child.kill('SIGINT')
    const done = await run.exited
    expect(done.code, done.stderr).toBe(0)
    const evs = events(l)
    const external = evs.filter((e) => e.type === 'EXTERNAL').map((e) => e.payload as EventPayloads['EXTERNAL'])
    // The filled one as a position (explained by its fill: no mismatch), the resting one as an order.
    expect(external).toEqual(expect.arrayContaining([expect.objectContaining({kind: 'position', instrument: 'EUR_USD', qty: 700}), expect.objectContaining({kind: 'order', instrument: 'GBP_USD', qty: -300})]))
    expect(evs.some((e) => e.type === 'RISK_STATE' && (e.payload as EventPayloads['RISK_STATE']).code === 'RECONCILE_MISMATCH')).toBe(false)
    // Every fill of rick's orders at the venue is in the journal exactly once (the missed ones too).
    const txs = (await venue(l, '/transactions/sinceid?id=0')).transactions as Array<{id: string; type: string; clientOrderID?: string}>
    const venueFills = txs.filter((t) => t.type === 'ORDER_FILL' && t.clientOrderID?.startsWith('fx-')).map((t) => t.id).sort()
    const journalFills = evs.filter((e) => e.type === 'FILL').map((e) => (e.payload as EventPayloads['FILL']).fill).filter((f) => f.clientOrderId.startsWith('fx-')).map((f) => f.fillId).sort()
    expect(journalFills).toEqual(venueFills)
    // The books (every journaled fill plus EXTERNAL positions) equal the venue's positions.
    const {perInstrument} = fillSums(evs)
    for (const x of external) if (x.kind === 'position' && x.qty !== undefined) perInstrument.set(x.instrument, Math.round(((perInstrument.get(x.instrument) ?? 0) + x.qty) * 1e6) / 1e6)
    const atVenue = await positionsAtVenue(l)
    for (const id of ['EUR_USD', 'GBP_USD']) expect(perInstrument.get(id) ?? 0, id).toBe(atVenue.get(id) ?? 0)
  })

  it('a dropped stream: journaled, DATA_STALE, then data and trading resume after the reconnect', async () => {
    const l = await live()
    const run = start(l, ['--bars', '100000'])
    await until('the run trading', () => events(l, ['BAR']).length >= 4)
    l.sim.faults.set({heartbeats: false, freezePrices: true})
    await until('DATA_STALE', () => events(l, ['RISK_STATE']).some((e) => (e.payload as EventPayloads['RISK_STATE']).code === 'DATA_STALE'))
    await l.sim.faults.act('dropStreams')
    l.sim.faults.set({heartbeats: true, freezePrices: false})
    await until('DATA_RESUMED', () => events(l, ['RISK_STATE']).some((e) => (e.payload as EventPayloads['RISK_STATE']).code === 'DATA_RESUMED'))
    const barsBefore = events(l, ['BAR']).length
    await until('bars again', () => events(l, ['BAR']).length > barsBefore + 2)
    run.child.kill('SIGTERM')
    expect((await run.exited).code).toBe(0)
    const conn = events(l, ['CONNECTION']).map((e) => e.payload as EventPayloads['CONNECTION'])
    expect(conn.some((c) => c.state === 'disconnected')).toBe(true)
  })

  it('USD_JPY in a USD account: notional, P&L and limits in USD at OANDA\'s conversion, close to what the venue realized', async () => {
    const l = await live(1200, 'USD_JPY')
    const r = await rick(['run', 'fx', '--bars', '60'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/USD_JPY is quoted in JPY: its notional, P&L and limits are counted in USD at the venue's factor 0\.00\d+/)
    const evs = events(l)
    const started = evs.find((e) => e.type === 'RUN_STARTED')!.payload as EventPayloads['RUN_STARTED'] & {instruments: Array<{id: string; multiplier: number}>}
    const jpy = started.instruments.find((i) => i.id === 'USD_JPY')!
    // One JPY is worth about 1/150 USD.
    expect(jpy.multiplier).toBeGreaterThan(1 / 170)
    expect(jpy.multiplier).toBeLessThan(1 / 130)
    const fills = evs.filter((e) => e.type === 'FILL').length
    expect(fills).toBeGreaterThan(2)
    const stopped = evs.find((e) => e.type === 'RUN_STOPPED')!.payload as EventPayloads['RUN_STOPPED']
    const account = (await venue(l, '/summary')).account as {pl: string}
    // The venue converts each trade at the rate of its close; rick at the rate of the start: close, not equal.
    expect(Math.abs(stopped.summary.realizedPnl / 1e6 - Number(account.pl))).toBeLessThanOrEqual(0.02 * Math.abs(Number(account.pl)) + 0.02)
    // rick status folds the account with the same conversion: today's P&L in USD, not in JPY.
    const status = JSON.parse((await rick(['status', '--json'], {cwd: l.f.root, env: l.env})).stdout)
    const fx = status.sectors.find((x: {sector: string}) => x.sector === 'fx')
    expect(Math.abs(fx.todayRealized - stopped.summary.realizedPnl / 1e6)).toBeLessThan(0.01)
  })

  it('429s and 503s: backoff, no order sent twice, nothing lost; a halted market cancels orders with OANDA\'s reason', async () => {
    const l = await live(1800)
    const run = start(l, ['--bars', '100000'])
    await until('the run trading', () => events(l, ['FILL']).length >= 1)
    // Two in a row: the connector holds every request 1 s, then 2 s (its backoff), then goes on.
    l.sim.faults.set({http429: 2, http5xx: 1})
    const before = events(l, ['FILL']).length
    await until('fills again after the refusals', () => events(l, ['FILL']).length >= before + 3, 20_000)
    l.sim.faults.set({marketHalted: true})
    const cancelsBefore = events(l, ['ORDER_CANCELLED']).length
    await until('an order cancelled by the halted market', () => events(l, ['ORDER_CANCELLED']).length > cancelsBefore, 20_000)
    l.sim.faults.set({marketHalted: false})
    run.child.kill('SIGINT')
    const done = await run.exited
    expect(done.code, done.stderr).toBe(0)
    expect(done.stderr).not.toMatch(/\n\s+at /)
    const evs = events(l)
    const halted = evs.filter((e) => e.type === 'ORDER_CANCELLED').map((e) => (e.payload as EventPayloads['ORDER_CANCELLED']).reason)
    expect(halted.some((r) => /MARKET_HALTED/.test(r))).toBe(true)
    const intents = evs.filter((e) => e.type === 'ORDER_INTENT').map((e) => (e.payload as EventPayloads['ORDER_INTENT']).order.clientOrderId)
    const atVenue = await ordersAtVenue(l)
    // Every order at the venue came from an intent, once; an intent refused before it reached the
    // venue (a 429 or 503 on submit) is resolved as never sent, not sent again.
    expect(new Set(atVenue).size).toBe(atVenue.length)
    for (const id of atVenue) expect(intents).toContain(id)
    const {perInstrument} = fillSums(evs)
    const positions = await positionsAtVenue(l)
    for (const id of ['EUR_USD', 'GBP_USD']) expect(perInstrument.get(id) ?? 0, id).toBe(positions.get(id) ?? 0)
  })

  it('a token the venue refuses: a clean stop with the reason, exit 1, no stack trace', async () => {
    const l = await live()
    l.sim.faults.set({revokeToken: true})
    const r = await rick(['run', 'fx', '--bars', '5'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/oanda refused the credentials/)
    expect(r.stderr).toMatch(/OANDA_API_TOKEN/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('SIGKILL while an order is in flight: the restart asks the venue by client id and never sends it again', async () => {
    const l = await live()
    l.sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 60_000})
    const run = start(l, ['--bars', '100000'])
    await until('an order in flight', () => events(l, ['ORDER_INTENT']).length >= 1)
    const intent = (events(l, ['ORDER_INTENT'])[0]!.payload as EventPayloads['ORDER_INTENT']).order
    run.child.kill('SIGKILL')
    await run.exited
    const again = await rick(['run', 'fx', '--bars', '3'], {cwd: l.f.root, env: l.env})
    expect(again.exitCode, again.stderr).toBe(0)
    const sent = await ordersAtVenue(l)
    expect(sent.filter((id) => id === intent.clientOrderId)).toHaveLength(1)
    const evs = events(l)
    const fills = evs.filter((e) => e.type === 'FILL' && (e.payload as EventPayloads['FILL']).fill.clientOrderId === intent.clientOrderId)
    // The venue filled it (a market order); the restart learned it, once.
    expect(fills).toHaveLength(1)
    const {perInstrument} = fillSums(evs)
    const atVenue = await positionsAtVenue(l)
    for (const id of ['EUR_USD', 'GBP_USD']) expect(perInstrument.get(id) ?? 0, id).toBe(atVenue.get(id) ?? 0)
  })
})

