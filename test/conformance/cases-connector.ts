// Conformance cases about the connector itself: who it says it is, its instruments, lookups of
// unknown orders, listeners that leave, and close().
import {expect} from 'vitest'

import type {Instrument} from '../../src/foundation/domain/instrument.js'
import type {ConnectorCapabilities} from '../../src/sectors/connector.js'
import {always, expectFilledOnce, farLimit, fillMarket, idOf, lots, order, outcome, positionOf, Recorder, type ConformanceCase} from './checks.js'
import {liveResources, until} from './fixture.js'

/** Every key of ConnectorCapabilities (the Record makes the compiler insist on a complete list). */
const CAPABILITY_KEYS = Object.keys({brackets: true, stopOrders: true, stopLimitOrders: true, streaming: true, fractionalQty: true, shortSelling: true, spotHoldings: true} satisfies Record<keyof ConnectorCapabilities, true>).sort()

const identity: ConformanceCase = {
  name: 'identity: venue, environment, a complete map of boolean capabilities, info without secrets',
  applies: always,
  async run(f, r) {
    const {s, c} = await r.begin()
    expect(c.venue).toBe(f.venue)
    expect(c.environment).toBe(f.environment)
    expect(Object.keys(c.capabilities).sort()).toEqual(CAPABILITY_KEYS)
    for (const k of CAPABILITY_KEYS) expect(typeof (c.capabilities as unknown as Record<string, unknown>)[k], k).toBe('boolean')
    expect(c.capabilities).toEqual(f.capabilities)
    if (c.info !== undefined) {
      expect(c.info.name).toMatch(/\S/)
      for (const e of c.info.endpoints) expect(e, 'an endpoint is a host, never a URL with credentials').not.toMatch(/@|^[a-z]+:\/\//i)
      const text = JSON.stringify(c.info)
      for (const secret of s.secrets) expect(text.includes(secret), 'a secret in info').toBe(false)
    }
  },
}

const instruments: ConformanceCase = {
  name: 'instruments(): the configured ones, positive tick and lot, copies the caller cannot corrupt',
  applies: always,
  async run(f, r) {
    const {c} = await r.begin()
    const list = await c.instruments()
    expect(list.map((i) => i.id).sort()).toEqual([...f.instruments].sort())
    for (const i of list) {
      expect(i.tickSize, i.id).toBeGreaterThan(0)
      expect(i.lotSize, i.id).toBeGreaterThan(0)
      expect(i.multiplier, i.id).toBeGreaterThan(0)
      expect(i.venue, i.id).toBe(c.venue)
    }
    const first = list[0] as Instrument
    const tick = first.tickSize
    first.tickSize = 12345
    expect((await c.instruments()).find((i) => i.id === first.id)?.tickSize).toBe(tick)
  },
}


const neverSent: ConformanceCase = {
  name: 'orderByClientId of an id never sent (or one no venue could hold): undefined',
  applies: always,
  async run(_f, r) {
    const {c} = await r.begin()
    for (const id of ['cf-never-sent', '../../summary', '']) expect(await c.orderByClientId(id), JSON.stringify(id)).toBeUndefined()
  },
}


const unsubscribe: ConformanceCase = {
  name: 'unsubscribe: a listener that left hears nothing more, the others still do (twice is harmless)',
  applies: always,
  async run(f, r) {
    const t = await r.begin()
    const {s, c, rec} = t
    const left = new Recorder(c)
    await c.submit(order(f, {clientOrderId: 'cf-sub-1', type: 'limit', limitPrice: await farLimit(t)}))
    await s.settle()
    expect(left.of('cf-sub-1').map((e) => e.kind)).toEqual(['ack'])
    left.off()
    left.off()
    const heard = left.events.length
    await c.cancel('cf-sub-1')
    await fillMarket(t, 'cf-sub-2', 'buy')
    expect(rec.of('cf-sub-1').map((e) => e.kind)).toEqual(['ack', 'cancel'])
    expect(left.events.length, 'events heard after unsubscribing').toBe(heard)
  },
}

const close: ConformanceCase = {
  name: 'close(): no timer or socket left, nothing heard after it, twice is harmless; connect() after close per the fixture',
  applies: always,
  async run(f, r) {
    const s = await r.start()
    const baseline = liveResources()
    const c = await s.open()
    const rec = new Recorder(c)
    await c.account()
    await c.close()
    await c.close()
    const released = (): boolean => {
      const now = liveResources()
      return now.timers <= baseline.timers && now.sockets <= baseline.sockets
    }
    await until('timers and sockets released', released, {ms: 1_500})
    for (let i = 0; i < 3; i++) await s.step()
    if (f.afterClose === 'refused') {
      await expect(c.connect(), 'connect after close').rejects.toThrow()
      expect(await outcome(c.submit(order(f, {clientOrderId: 'cf-closed'}))), 'a submit after close').toBeInstanceOf(Error)
      if (s.faults) expect(await s.faults.ordersAtVenue('cf-closed')).toEqual({accepted: 0, refused: 0})
    } else {
      await c.connect()
      expect((await c.account()).currency).toMatch(/\S/)
      await c.close()
    }
    await until('timers and sockets released after the second close', released, {ms: 1_500})
    expect(rec.events.map(idOf), 'events heard after close').toEqual([])
  },
}


const throwingListener: ConformanceCase = {
  name: 'a listener that throws (listenerErrors isolated): the others still hear every event once, submit() still resolves',
  applies: (f) => f.listenerErrors === 'isolated',
  async run(f, r) {
    const t = await r.begin()
    t.c.onEvent(() => {
      throw new Error('a listener that throws')
    })
    const after = new Recorder(t.c)
    await fillMarket(t, 'cf-throw', 'buy')
    expectFilledOnce(t, 'cf-throw', 'buy', f.qty)
    expect(after.events).toEqual(t.rec.events)
    expect(lots(positionOf(await t.c.positions(), f.instrument), t.spec)).toBe(lots(f.qty, t.spec))
  },
}

export const CONNECTOR_CASES: readonly ConformanceCase[] = [identity, instruments, neverSent, unsubscribe, throwingListener, close]
