// `rick run` on OANDA for real: the built CLI, the sector's connector on the real @oanda/v20 SDK,
// against rick's OANDA simulator over TCP (oanda-live-fixture.ts). Trading and accounting; the
// faults are in oanda-live-faults.test.ts (two files, so they run side by side).
import {existsSync, readFileSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {rick} from '../helpers/cli.js'
import {cleanupLive, events, fillSums, live, ordersAtVenue, positionsAtVenue, start, venue} from './oanda-live-fixture.js'

afterEach(cleanupLive)

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

  it('USD_JPY in a USD account: notional, P&L and limits in USD at OANDA\'s conversion, close to what the venue realized', async () => {
    // Noon UTC on a Tuesday: the run's hour of venue time stays inside one UTC day, so `status`'s
    // "today" covers the whole run (started near midnight, the run crossed it and "today" did not).
    const l = await live(1200, 'USD_JPY', Date.UTC(2026, 11, 1, 12))
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
})
