// What the conformance cases share: the test's own record of events, and the checks that compare
// a connector with it. Each check states what it expects in its assertion messages.
import {expect} from 'vitest'

import {BrokerError} from '../../src/foundation/domain/broker-errors.js'
import {roundToTick, type Instrument} from '../../src/foundation/domain/instrument.js'
import {notionalMicro} from '../../src/foundation/domain/money.js'
import type {Fill, OrderRequest, Position, VenueEvent} from '../../src/foundation/domain/orders.js'
import type {Connector} from '../../src/sectors/connector.js'
import {until, type VenueFixture, type VenueSession} from './fixture.js'

/** The events one listener heard, copied as they came. */
export class Recorder {
  readonly events: VenueEvent[] = []
  readonly off: () => void
  constructor(c: Connector) {
    this.off = c.onEvent((e) => void this.events.push(structuredClone(e)))
  }
  of(id: string, kind?: VenueEvent['kind']): VenueEvent[] {
    return this.events.filter((e) => idOf(e) === id && (kind === undefined || e.kind === kind))
  }
  fills(id?: string): Fill[] {
    return this.events.flatMap((e) => (e.kind === 'fill' && (id === undefined || e.fill.clientOrderId === id) ? [e.fill] : []))
  }
}

/** One venue, its connector and the test's record, for one case. */
export interface Ctx {
  f: VenueFixture
  s: VenueSession
  c: Connector
  rec: Recorder
  /** The traded instrument as the connector describes it. */
  spec: Instrument
}

/** How a case gets its venue: `begin` opens a connector on a fresh venue; `start` only starts the venue. */
export interface CaseRun {
  begin(): Promise<Ctx>
  start(): Promise<VenueSession>
}

export interface ConformanceCase {
  name: string
  /** False when the venue does not have what the case tests (no brackets, no fault injection…). */
  applies(f: VenueFixture): boolean
  run(f: VenueFixture, t: CaseRun): Promise<void>
}

export const always = (): boolean => true

export const idOf = (e: VenueEvent): string => (e.kind === 'fill' ? e.fill.clientOrderId : e.clientOrderId)
/** A quantity in whole lots (fractional quantities are compared as integers of lots). */
export const lots = (qty: number, spec: Instrument): number => Math.round(qty / spec.lotSize)
export const onTick = (price: number, tick: number): boolean => Math.abs(price / tick - Math.round(price / tick)) < 1e-6
export const signedQty = (fills: readonly Fill[]): number => fills.reduce((s, f) => s + (f.side === 'buy' ? f.qty : -f.qty), 0)
export const vwap = (fills: readonly Fill[]): number => fills.reduce((s, f) => s + f.price * f.qty, 0) / fills.reduce((s, f) => s + f.qty, 0)
export const positionOf = (ps: readonly Position[], instrument: string): number => ps.filter((p) => p.instrument === instrument).reduce((s, p) => s + p.qty, 0)
export const fees = (xs: readonly Fill[]): number => xs.reduce((t, x) => t + x.fee, 0)
/** Σ price × qty × multiplier of fills, in Micro (each rounded once, as a venue does). */
export const notional = (xs: readonly Fill[], spec: Instrument): number => xs.reduce((t, x) => t + notionalMicro(x.price, x.qty, spec.multiplier), 0)
/** What a promise threw, or undefined when it resolved. */
export const outcome = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e)

export function order(f: VenueFixture, o: Partial<OrderRequest> & Pick<OrderRequest, 'clientOrderId'>): OrderRequest {
  return {instrument: f.instrument, side: 'buy', type: 'market', qty: f.qty, tif: 'gtc', ...o}
}

/** A buy limit price far below the venue's own quote: such an order rests for the whole test. */
export async function farLimit(t: Ctx): Promise<number> {
  const q = await t.s.quote(t.f.instrument)
  return roundToTick(q.bid * 0.8, t.spec.tickSize)
}

/** Sends an order that must be refused: a thrown BrokerError of `kind`, or one reject event with that code; never both. */
export async function expectRefused(t: Ctx, o: OrderRequest, kind: string): Promise<void> {
  const thrown = await outcome(t.c.submit(o))
  await t.s.settle()
  const rejects = t.rec.of(o.clientOrderId, 'reject')
  if (thrown !== undefined) {
    expect(thrown, `${o.clientOrderId}: what submit threw`).toBeInstanceOf(BrokerError)
    expect(thrown).toMatchObject({kind})
    expect(rejects, `${o.clientOrderId}: thrown AND a reject event`).toEqual([])
  } else {
    expect(rejects, `${o.clientOrderId}: neither thrown nor one reject event`).toEqual([expect.objectContaining({kind: 'reject', code: kind})])
  }
}

/** Nothing of an order reached the books, even after the market moved: no ack or fill, not working, not filled. */
export async function expectNoTrace(t: Ctx, id: string): Promise<void> {
  for (let i = 0; i < 3; i++) await t.s.step()
  await t.s.settle()
  expect(t.rec.of(id).filter((e) => e.kind === 'ack' || e.kind === 'fill'), `${id}: ack or fill`).toEqual([])
  expect((await t.c.openOrders()).map((o) => o.clientOrderId)).not.toContain(id)
  const state = await t.c.orderByClientId(id)
  if (state !== undefined) expect(state).toMatchObject({status: expect.stringMatching(/^(rejected|cancelled)$/), filledQty: 0})
}

/**
 * The events of an order that has filled: at most one ack, first; fills summing to `qty`, each with
 * a fill id used by no other fill of the session, the side, a positive price on the tick and the
 * venue's documented fee; nothing else.
 */
export function expectFilledOnce(t: Ctx, id: string, side: 'buy' | 'sell', qty: number): Fill[] {
  const {rec, spec, f} = t
  const events = rec.of(id)
  const fills = rec.fills(id)
  const acks = rec.of(id, 'ack').length
  expect(acks, `${id}: acks`).toBeLessThanOrEqual(1)
  if (acks === 1) expect(events[0]?.kind, `${id}: the ack comes first`).toBe('ack')
  expect(fills.length, `${id}: fills`).toBeGreaterThan(0)
  expect(events.filter((e) => e.kind !== 'ack' && e.kind !== 'fill'), `${id}: other events`).toEqual([])
  const allIds = rec.fills().map((x) => x.fillId)
  for (const x of fills) expect(allIds.filter((i) => i === x.fillId).length, `${id}: fill id ${x.fillId} used once in the session`).toBe(1)
  expect(lots(fills.reduce((s, x) => s + x.qty, 0), spec), `${id}: filled lots`).toBe(lots(qty, spec))
  for (const x of fills) {
    expect(x).toMatchObject({clientOrderId: id, instrument: f.instrument, side})
    expect(x.price).toBeGreaterThan(0)
    expect(onTick(x.price, spec.tickSize), `${id}: price ${x.price} on the tick ${spec.tickSize}`).toBe(true)
    expect(x.fee, `${id}: fee of ${x.fillId}`).toBe(f.fee(x, spec))
  }
  return fills
}

/** Submits a market order (or `extra`'s kind) and waits, moving the market, until its fills cover the qty. */
export async function fillMarket(t: Ctx, id: string, side: 'buy' | 'sell', extra: Partial<OrderRequest> = {}): Promise<void> {
  await t.c.submit(order(t.f, {clientOrderId: id, side, ...extra}))
  await until(`${id} to fill`, () => lots(Math.abs(signedQty(t.rec.fills(id))), t.spec) >= lots(extra.qty ?? t.f.qty, t.spec), {venue: t.s})
  await t.s.settle()
}
