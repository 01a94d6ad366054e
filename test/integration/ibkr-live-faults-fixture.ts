// Shared by the IBKR fault tests (ibkr-live-faults*.test.ts): `rick run` on the built CLI against
// rick's TWS simulator in this process (ibkr-run-fixture.ts), faults switched while it trades, and
// the one check every scenario ends with — the venue's own records (orders by orderRef, executions,
// positions, ids) against the journal's fills summed here and against `rick status --json`, never
// the connector's word.
import {expect} from 'vitest'

import type {EventPayloads, EventType, JournalEvent} from '../../src/foundation/journal/events.js'
import {rick} from '../helpers/cli.js'
import {events, fillSums, positionsAtVenue, start, until, type Live} from './ibkr-run-fixture.js'

/** rick's client order ids for the sector `mes` (the simulator also records orders placed by hand). */
export const RICK_REF = /^mes-/

/** 11:00 New York on a Tuesday: inside every session, and a run stays in one venue day. */
export const TUESDAY_11_NY = Date.UTC(2026, 11, 8, 16)

export function payloads<T extends EventType>(evs: JournalEvent[], type: T): Array<EventPayloads[T]> {
  return evs.filter((e) => e.type === type).map((e) => e.payload as EventPayloads[T])
}

export const intents = (l: Live): Array<EventPayloads['ORDER_INTENT']['order']> => payloads(events(l, ['ORDER_INTENT']), 'ORDER_INTENT').map((p) => p.order)

export const riskCodes = (l: Live): string[] => payloads(events(l, ['RISK_STATE']), 'RISK_STATE').map((r) => r.code)

/** rick's orders at the venue (orderRef → its record), children of brackets included. */
export function ricksOrdersAtVenue(l: Live): Array<[string, {accepted: number; refused: number; filled: number}]> {
  return Object.entries(l.sim.venueRecords.orderRefs()).filter(([ref]) => RICK_REF.test(ref))
}

/** The venue's executions of rick's orders. */
export const ricksExecutions = (l: Live): ReturnType<Live['sim']['venueRecords']['executions']> => l.sim.venueRecords.executions().filter((x) => RICK_REF.test(x.orderRef))

const outputs = new WeakMap<Live, () => string>()

/** What the journal holds of a run so far, one event a line, and the run's last words: the message of a failed wait. */
export function timeline(l: Live, types: EventType[] = ['RUN_STOPPED', 'CONNECTION', 'RISK_STATE', 'ORDER_INTENT', 'ORDER_ACK', 'ORDER_REJECTED', 'ORDER_UNCONFIRMED', 'ORDER_CANCELLED', 'FILL', 'EXTERNAL', 'RECONCILED']): string {
  return events(l, types)
    .slice(-60)
    .map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.payload).slice(0, 220)}`)
    .join('\n')
    .concat('\n--- rick run:\n', outputs.get(l)?.().slice(-2000) ?? '')
}

/** until(), and on a timeout the journal's last events in the error. */
export async function waitFor(l: Live, what: string, cond: () => boolean | Promise<boolean>, ms = 12_000): Promise<void> {
  await until(what, cond, ms).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\n${timeline(l)}`)
  })
}

/** `rick run mes` in the background for as many bars as a test needs (it is stopped by signal). */
export function startRun(l: Live): ReturnType<typeof start> {
  const run = start(l, ['--bars', '100000'])
  let out = ''
  run.child.stdout?.on('data', (d: Buffer) => void (out += d.toString()))
  run.child.stderr?.on('data', (d: Buffer) => void (out += d.toString()))
  outputs.set(l, () => out)
  return run
}

/** SIGINT: a clean stop, exit 0, no stack trace; → what the run printed. */
export async function stopQuiet(run: ReturnType<typeof start>): Promise<{stdout: string; stderr: string}> {
  run.child.kill('SIGINT')
  const done = await run.exited
  expect(done.code, done.stdout + done.stderr).toBe(0)
  expect(done.stderr).not.toMatch(/\n\s+at /)
  return done
}

/**
 * The books against the venue, each from its own records: every one of rick's orderRefs accepted
 * at most once and no order id used twice; the journal's fills exactly the venue's executions of
 * rick's orders (by execId, each once); the venue's positions the journal's fills summed here plus
 * the EXTERNAL positions rick booked; and `rick status --json` saying the same.
 */
export async function expectBooksEqualVenue(l: Live): Promise<void> {
  for (const [ref, r] of ricksOrdersAtVenue(l)) expect(r.accepted, `${ref} accepted at the venue`).toBeLessThanOrEqual(1)
  expect(l.sim.venueRecords.idReuses()).toEqual([])
  const evs = events(l)
  const {perInstrument, fillIds} = fillSums(evs)
  // Every journaled fill is an execution of one of rick's orders (an order by hand is EXTERNAL).
  expect(new Set(fillIds).size, 'fill ids unique').toBe(fillIds.length)
  expect([...fillIds].sort()).toEqual(ricksExecutions(l).map((x) => x.execId).sort())
  for (const x of payloads(evs, 'EXTERNAL')) if (x.kind === 'position' && x.qty !== undefined) perInstrument.set(x.instrument, (perInstrument.get(x.instrument) ?? 0) + x.qty)
  const atVenue = positionsAtVenue(l)
  for (const id of new Set([...atVenue.keys(), ...perInstrument.keys()])) expect(perInstrument.get(id) ?? 0, id).toBe(atVenue.get(id) ?? 0)
  const status = await rick(['status', '--json'], {cwd: l.f.root, env: l.env})
  expect(status.exitCode, status.stderr).toBe(0)
  const mes = (JSON.parse(status.stdout) as {sectors: Array<{sector: string; positions: Array<{instrument: string; qty: number}>}>}).sectors.find((s) => s.sector === 'mes')!
  const said = new Map(mes.positions.map((p) => [p.instrument, p.qty]))
  for (const id of new Set([...atVenue.keys(), ...said.keys()])) expect(said.get(id) ?? 0, `status: ${id}`).toBe(atVenue.get(id) ?? 0)
}
