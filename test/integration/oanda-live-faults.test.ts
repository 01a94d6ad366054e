// `rick run` on OANDA under faults: orders by hand, missed fills, dropped streams, 429s and 503s,
// a refused token, a submit without an answer, SIGKILL with an order in flight — against rick's
// OANDA simulator (oanda-live-fixture.ts), every check against the venue's own records.
import {afterEach, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {rick} from '../helpers/cli.js'
import {cleanupLive, events, fillSums, live, ordersAtVenue, positionsAtVenue, start, until, venue} from './oanda-live-fixture.js'

afterEach(cleanupLive)

describe('rick run oanda under faults', () => {
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
    // A restart starts from books that hold the EXTERNAL position: nothing to reconcile again.
    const externalBefore = evs.filter((e) => e.type === 'EXTERNAL' && (e.payload as EventPayloads['EXTERNAL']).kind === 'position').length
    const again = await rick(['run', 'fx', '--bars', '3'], {cwd: l.f.root, env: l.env})
    expect(again.exitCode, again.stderr).toBe(0)
    const after = events(l)
    expect(after.filter((e) => e.type === 'EXTERNAL' && (e.payload as EventPayloads['EXTERNAL']).kind === 'position').length).toBe(externalBefore)
    expect(after.some((e) => e.type === 'RISK_STATE' && (e.payload as EventPayloads['RISK_STATE']).code === 'RECONCILE_MISMATCH')).toBe(false)
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
    expect(r.stderr).toMatch(/oanda refused access/)
    expect(r.stderr).toMatch(/OANDA_API_TOKEN/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('a submit without an answer: resolved from the venue (its stream, or asking by client id), never sent again', async () => {
    const l = await live()
    // The connector gives up on an answer after 2 s (timeoutMs in the config); the venue holds it 5 s.
    l.sim.faults.set({submitTimeout: 1, submitTimeoutHoldMs: 5_000})
    const run = start(l, ['--bars', '100000'])
    await until('an order sent', () => events(l, ['ORDER_INTENT']).length >= 1)
    const id = (events(l, ['ORDER_INTENT'])[0]!.payload as EventPayloads['ORDER_INTENT']).order.clientOrderId
    await until('the order resolved', () => events(l, ['FILL', 'ORDER_CANCELLED']).some((e) => (e.type === 'FILL' ? (e.payload as EventPayloads['FILL']).fill.clientOrderId : (e.payload as EventPayloads['ORDER_CANCELLED']).clientOrderId) === id))
    await until('trading on', () => events(l, ['ORDER_INTENT']).length >= 3)
    run.child.kill('SIGINT')
    expect((await run.exited).code).toBe(0)
    const sent = await ordersAtVenue(l)
    expect(sent.filter((x) => x === id)).toHaveLength(1)
    // The venue filled it (a market order): the journal says so, once, and the books equal the venue.
    const evs = events(l)
    expect(evs.filter((e) => e.type === 'FILL' && (e.payload as EventPayloads['FILL']).fill.clientOrderId === id)).toHaveLength(1)
    expect(evs.some((e) => e.type === 'ORDER_REJECTED' && (e.payload as EventPayloads['ORDER_REJECTED']).clientOrderId === id)).toBe(false)
    const {perInstrument} = fillSums(evs)
    const atVenue = await positionsAtVenue(l)
    for (const x of ['EUR_USD', 'GBP_USD']) expect(perInstrument.get(x) ?? 0, x).toBe(atVenue.get(x) ?? 0)
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
