// SIGKILL in the middle of a paper run, then a restart on the same journal: the account rebuilt
// from the journal equals the one before the kill (computed here independently from the FILL
// events), no order is sent twice, and the journal's chain verifies.
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {notionalMicro, toMicro} from '../../src/foundation/domain/money.js'
import type {EventPayloads, JournalEvent} from '../../src/foundation/journal/events.js'
import {openJournal} from '../../src/foundation/journal/index.js'
import {rick, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, readJournal, type Fixture} from './engine-fixture.js'

let f: Fixture
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())

const readAll = (): JournalEvent[] => readJournal(f.journal)

function countFills(): number {
  if (!existsSync(f.journal)) return 0
  try {
    const j = openJournal({path: f.journal, readonly: true})
    try {
      return [...j.events({types: ['FILL']})].length
    } finally {
      j.close()
    }
  } catch {
    return 0 // the first writer is still creating it
  }
}

/** Cash (micro) and positions from FILL events alone: 10,000 USD start, cash moves by notional and fee. */
function books(events: JournalEvent[]): {cash: number; positions: Record<string, number>} {
  let cash = toMicro(10_000)
  const positions: Record<string, number> = {}
  const seen = new Set<string>()
  for (const e of events) {
    if (e.type !== 'FILL') continue
    const {fill} = e.payload as EventPayloads['FILL']
    // The same fill only when the same order repeats the same fill id.
    const key = `${fill.clientOrderId}|${fill.fillId}`
    if (seen.has(key)) continue
    seen.add(key)
    const n = notionalMicro(fill.price, fill.qty, 1)
    cash += fill.side === 'buy' ? -n : n
    cash -= fill.fee
    positions[fill.instrument] = Math.round(((positions[fill.instrument] ?? 0) + (fill.side === 'buy' ? fill.qty : -fill.qty)) * 1e8) / 1e8
  }
  for (const k of Object.keys(positions)) if (positions[k] === 0) delete positions[k]
  return {cash, positions}
}

describe('SIGKILL mid-run, then a restart', () => {
  it('rebuilds positions and cash from the journal, sends no order twice, and the journal verifies', async () => {
    const child = spawn(process.execPath, [RICK_BIN, 'run', 'fx', '--speed', 'max', '--bars', '500000', '--seed', '3'], {cwd: f.root, env: f.env, stdio: 'ignore'})
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    for (let i = 0; i < 400 && countFills() < 9; i++) await new Promise((r) => setTimeout(r, 50))
    expect(countFills()).toBeGreaterThanOrEqual(9)
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')

    const before = readAll()
    const killedRun = before.find((e) => e.type === 'RUN_STARTED')!.runId
    expect(before.some((e) => e.type === 'RUN_STOPPED')).toBe(false)
    const expected = books(before)

    const again = await rick(['run', 'fx', '--speed', 'max', '--bars', '50', '--seed', '3'], {cwd: f.root, env: f.env})
    expect(again.exitCode).toBe(0)
    expect(again.stderr).toMatch(/took over a stale lock of fx \(pid \d+ is not running/)

    const after = readAll()
    const started = after.filter((e) => e.type === 'RUN_STARTED')
    expect(started).toHaveLength(2)
    const newRun = started[1]!.runId
    expect((started[1]!.payload as EventPayloads['RUN_STARTED']).resumedFrom).toBe(killedRun)
    const reconciled = after.find((e) => e.type === 'RECONCILED' && e.runId === newRun)!.payload as EventPayloads['RECONCILED']
    const rebuilt = Object.fromEntries(reconciled.positions.map((p) => [p.instrument, p.qty]))
    expect(rebuilt).toEqual(expected.positions)
    expect(reconciled.cash).toBe(expected.cash)

    // Never sent twice: one intent per clientOrderId, at most one ack, and nothing of the killed
    // run submitted again by the new one.
    const intents = after.filter((e) => e.type === 'ORDER_INTENT').map((e) => (e.payload as EventPayloads['ORDER_INTENT']).order.clientOrderId)
    expect(new Set(intents).size).toBe(intents.length)
    const acks = after.filter((e) => e.type === 'ORDER_ACK').map((e) => (e.payload as EventPayloads['ORDER_ACK']).clientOrderId)
    expect(new Set(acks).size).toBe(acks.length)
    const newIntents = after.filter((e) => e.type === 'ORDER_INTENT' && e.runId === newRun).map((e) => (e.payload as EventPayloads['ORDER_INTENT']).order.clientOrderId)
    expect(newIntents.every((id) => id.startsWith(`${newRun}-`))).toBe(true)
    expect(after.filter((e) => e.runId === newRun && e.type === 'ORDER_ACK').every((e) => (e.payload as {clientOrderId: string}).clientOrderId.startsWith(newRun))).toBe(true)

    const verify = await rick(['journal', 'verify', '--journal', f.journal, '--json'], {cwd: f.root, env: f.env})
    expect(verify.exitCode).toBe(0)
    expect(JSON.parse(verify.stdout)).toMatchObject({ok: true, interruptedRuns: [killedRun]})
  })
})
