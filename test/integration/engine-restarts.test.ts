// Several runs of one paper account in one journal — one that ends, one killed with SIGKILL, one
// stopped with SIGINT, one more that ends — and then the account is checked against the journal
// by an independent computation: the FILL events summed here, per order and per instrument, not
// the recovery fold compared with itself. This is the restart bug of the first real-venue issue:
// the paper venue's fill ids restarted at `paper-1-1` in every run and the fold dropped the later
// runs' fills as repeats, so positions drifted and orders filled again at every start.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {toMicro} from '../../src/foundation/domain/money.js'
import type {EventPayloads, JournalEvent} from '../../src/foundation/journal/events.js'
import {openJournal} from '../../src/foundation/journal/index.js'
import {recoverAccount} from '../../src/sectors/engine/recovery.js'
import {rick, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, readJournal, type Fixture} from './engine-fixture.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

const readAll = (): JournalEvent[] => readJournal(f.journal)

function fillsOfRun(runId: string | undefined): number {
  if (!existsSync(f.journal)) return 0
  try {
    const j = openJournal({path: f.journal, readonly: true})
    try {
      return [...j.events({types: ['FILL']})].filter((e) => runId === undefined || e.runId === runId).length
    } finally {
      j.close()
    }
  } catch {
    return 0 // the writer is still creating it
  }
}

function lastRunId(): string | undefined {
  if (!existsSync(f.journal)) return undefined
  try {
    const j = openJournal({path: f.journal, readonly: true})
    try {
      return [...j.events({types: ['RUN_STARTED']})].at(-1)?.runId
    } finally {
      j.close()
    }
  } catch {
    return undefined
  }
}

/** Starts a run and stops it with `signal` once it has journaled `fills` fills of its own. */
async function runUntil(fills: number, signal: NodeJS.Signals, seed: number): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
  const before = lastRunId()
  const child = spawn(process.execPath, [RICK_BIN, 'run', 'fx', '--speed', 'max', '--bars', '500000', '--seed', String(seed)], {cwd: f.root, env: f.env, stdio: 'ignore'})
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('exit', (code, sig) => resolve({code, signal: sig})))
  let run: string | undefined
  for (let i = 0; i < 600; i++) {
    run = lastRunId()
    if (run !== undefined && run !== before && fillsOfRun(run) >= fills) break
    await new Promise((r) => setTimeout(r, 25))
  }
  expect(run).not.toBe(before)
  expect(fillsOfRun(run)).toBeGreaterThanOrEqual(fills)
  child.kill(signal)
  return exited
}

/** Signed quantity of a fill. */
const signed = (fill: {side: string; qty: number}) => (fill.side === 'buy' ? fill.qty : -fill.qty)
const round8 = (x: number) => Math.round(x * 1e8) / 1e8

describe('one paper account over several runs, some killed', () => {
  it('never fills an order beyond its intent, keeps fill ids unique, and status and the fold agree with the sum of the fills', async () => {
    const first = await rick(['run', 'fx', '--speed', 'max', '--bars', '300', '--seed', '1'], {cwd: f.root, env: f.env})
    expect(first.exitCode).toBe(0)
    expect(await runUntil(4, 'SIGKILL', 2)).toMatchObject({signal: 'SIGKILL'})
    expect(await runUntil(4, 'SIGINT', 3)).toMatchObject({code: 0})
    expect(await runUntil(3, 'SIGKILL', 4)).toMatchObject({signal: 'SIGKILL'})
    const last = await rick(['run', 'fx', '--speed', 'max', '--bars', '300', '--seed', '5'], {cwd: f.root, env: f.env})
    expect(last.exitCode).toBe(0)

    const events = readAll()
    const runs = new Set(events.filter((e) => e.type === 'RUN_STARTED').map((e) => e.runId))
    expect(runs.size).toBe(5)
    const fills = events.filter((e) => e.type === 'FILL').map((e) => (e.payload as EventPayloads['FILL']).fill)
    // The runs after the first traded: their fills are the ones the old fold dropped.
    const runsWithFills = new Set(events.filter((e) => e.type === 'FILL').map((e) => e.runId))
    expect(runsWithFills.size).toBeGreaterThanOrEqual(4)

    // 1. Fill ids are unique for the life of the journal (the paper venue never reuses one).
    const ids = fills.map((x) => x.fillId)
    expect(new Set(ids).size).toBe(ids.length)

    // 2. No order filled beyond what its intent asked for.
    const intended = new Map<string, number>()
    for (const e of events) if (e.type === 'ORDER_INTENT') {
      const o = (e.payload as EventPayloads['ORDER_INTENT']).order
      intended.set(o.clientOrderId, o.qty)
    }
    const filledPerOrder = new Map<string, number>()
    for (const x of fills) filledPerOrder.set(x.clientOrderId, (filledPerOrder.get(x.clientOrderId) ?? 0) + x.qty)
    for (const [id, qty] of filledPerOrder) {
      expect(intended.has(id), `fill for ${id} without an intent`).toBe(true)
      expect(qty, `order ${id} filled ${qty}, intent ${intended.get(id)}`).toBeLessThanOrEqual((intended.get(id) as number) * (1 + 1e-9))
    }

    // 3. The position per instrument, summed here from the FILL events, is what status and the
    // fold say; and so is the cash (10,000 USD, minus what the fills cost).
    const position = new Map<string, number>()
    let cash = toMicro(10_000)
    for (const x of fills) {
      position.set(x.instrument, round8((position.get(x.instrument) ?? 0) + signed(x)))
      const notional = Math.round(x.price * x.qty * 1e6)
      cash += (x.side === 'buy' ? -notional : notional) - x.fee
    }
    const status = await rick(['status', '--json'], {cwd: f.root, env: f.env})
    expect(status.exitCode).toBe(0)
    const fx = JSON.parse(status.stdout).sectors.find((s: {sector: string}) => s.sector === 'fx')
    const statusPositions = new Map<string, number>((fx.positions as Array<{instrument: string; qty: number}>).map((p) => [p.instrument, round8(p.qty)]))
    for (const [instrument, qty] of position) expect(statusPositions.get(instrument) ?? 0, instrument).toBe(qty)
    expect(Math.abs(fx.cash - cash / 1e6)).toBeLessThan(0.005)

    const j = openJournal({path: f.journal, readonly: true})
    try {
      const r = recoverAccount(j, {sector: 'fx', venue: 'oanda', environment: 'paper'}, {instruments: [{id: 'EUR_USD', venue: 'oanda', kind: 'fx', tickSize: 0.00001, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 1.08}], currency: 'USD', startingCash: toMicro(10_000)})
      for (const [instrument, qty] of position) expect(round8(r.ledger.position(instrument)), instrument).toBe(qty)
      expect(Math.abs(r.ledger.cash - cash)).toBeLessThanOrEqual(fills.length)
      expect(r.fills).toBe(fills.length)
      expect(r.fillConflicts).toEqual([])
    } finally {
      j.close()
    }
  })
})
