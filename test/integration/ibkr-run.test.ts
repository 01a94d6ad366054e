// `rick run` on Interactive Brokers for real: the built CLI, the sector's connector on @stoqey/ib,
// against rick's TWS simulator over TCP (ibkr-run-fixture.ts). Every check compares independent
// accounts of the same facts: the orders the simulator recorded under rick's orderRefs against the
// journal's intents, the simulator's positions against the journal's fills summed here, and both
// against `rick status`.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {rick} from '../helpers/cli.js'
import {cleanupLive, events, fillSums, live, MES, positionsAtVenue} from './ibkr-run-fixture.js'

afterEach(cleanupLive)

describe('rick run ibkr --practice against the TWS simulator', () => {
  it('trades MES and SPY at the venue: every intent reached it once, and its positions are the journal’s fills and what status says', async () => {
    // 11:00 New York on a Tuesday: inside the session, and the run stays in one day.
    const l = await live({startTs: Date.UTC(2026, 11, 8, 16)})
    // @stoqey/ib fills what it is not given from a .env in the working directory: rick gives it
    // everything, so a stray IB_PORT / IB_HOST there cannot move the connection.
    writeFileSync(join(l.f.root, '.env'), 'IB_PORT=1\nIB_HOST=192.0.2.1\nIB_CLIENT_ID=99\n', {mode: 0o600})
    const r = await rick(['run', 'mes', '--bars', '40'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/venue {5}ibkr-tws \(@stoqey\/ib 1\.6\.\d+\), 127\.0\.0\.1:\d+/)
    const evs = events(l)
    const started = evs.find((e) => e.type === 'RUN_STARTED')!.payload as EventPayloads['RUN_STARTED'] & {instruments: Array<{id: string; multiplier: number; tickSize: number}>}
    expect(started).toMatchObject({requestedMode: 'practice', effectiveMode: 'practice', connector: {name: 'ibkr-tws', account: l.sim.accountId}})
    // The contract table came from the venue: MES's multiplier and tick.
    expect(started.instruments.find((i) => i.id === 'MES-202612')).toMatchObject({multiplier: 5, tickSize: 0.25})
    const intents = evs.filter((e) => e.type === 'ORDER_INTENT').map((e) => (e.payload as EventPayloads['ORDER_INTENT']).order)
    expect(intents.length).toBeGreaterThan(2)
    // Each intent reached the venue exactly once, under its client order id as orderRef.
    for (const o of intents) expect(l.sim.venueRecords.byOrderRef(o.clientOrderId)?.accepted, o.clientOrderId).toBe(1)
    const refs = Object.keys(l.sim.venueRecords.orderRefs()).filter((ref) => ref.startsWith('mes-'))
    expect(refs.sort()).toEqual(intents.map((o) => o.clientOrderId).sort())
    const {perOrder, perInstrument, fillIds} = fillSums(evs)
    for (const o of intents) expect(perOrder.get(o.clientOrderId) ?? 0).toBeLessThanOrEqual(o.qty)
    // Fills are the venue's executions, each once.
    expect(new Set(fillIds).size).toBe(fillIds.length)
    expect(fillIds.sort()).toEqual(l.sim.venueRecords.executions().filter((x) => x.orderRef.startsWith('mes-')).map((x) => x.execId).sort())
    const atVenue = positionsAtVenue(l)
    for (const id of ['MES-202612', 'SPY']) expect(atVenue.get(id) ?? 0, id).toBe(perInstrument.get(id) ?? 0)
    const status = JSON.parse((await rick(['status', '--json'], {cwd: l.f.root, env: l.env})).stdout)
    const mes = status.sectors.find((s: {sector: string}) => s.sector === 'mes')
    for (const p of mes.positions as Array<{instrument: string; qty: number}>) expect(p.qty).toBe(atVenue.get(p.instrument))
    // No order id was ever used twice at the venue.
    expect(l.sim.venueRecords.idReuses()).toEqual([])
  })

  it('a Gateway restart rolls nextValidId back between two runs: the second run never reuses an id of the first', async () => {
    // A strategy that orders every bar: both runs send orders, whatever the prices.
    const l = await live({startTs: Date.UTC(2026, 11, 8, 16), instruments: [MES], strategy: '{name: mes-flip, params: {}}'})
    const first = await rick(['run', 'mes', '--bars', '20'], {cwd: l.f.root, env: l.env})
    expect(first.exitCode, first.stderr).toBe(0)
    const before = Object.values(l.sim.venueRecords.orderRefs()).flatMap((r) => r.orderIds)
    expect(before.length).toBeGreaterThan(0)
    await l.sim.faults.act('gatewayRestart', {rollbackIds: 1_000_000, downMs: 0})
    const second = await rick(['run', 'mes', '--bars', '20'], {cwd: l.f.root, env: l.env})
    expect(second.exitCode, second.stderr).toBe(0)
    const after = Object.values(l.sim.venueRecords.orderRefs()).flatMap((r) => r.orderIds)
    expect(after.length).toBeGreaterThan(before.length)
    expect(l.sim.venueRecords.idReuses()).toEqual([])
  })

  it('rick run --sim rehearses a sector pointed at TWS offline: the real connector against a simulator it starts', async () => {
    const l = await live({startTs: Date.UTC(2026, 11, 8, 16)})
    // The sector as a person configures it, at TWS's paper port; --sim starts its own simulator.
    const r = await rick(['run', 'mes', '--sim', '--speed', '600x', '--bars', '10'], {cwd: l.f.root, env: l.env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/mode {6}paper \(asked: practice\) — against rick's ibkr simulator at tcp:\/\/127\.0\.0\.1:\d+/)
    const started = events(l).find((e) => e.type === 'RUN_STARTED')!.payload as EventPayloads['RUN_STARTED']
    expect(started).toMatchObject({effectiveMode: 'paper', connector: {name: 'ibkr-tws'}})
    // Nothing reached the simulator the test started: the run had its own.
    expect(Object.keys(l.sim.venueRecords.orderRefs())).toEqual([])
  })
})
