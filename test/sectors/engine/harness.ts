// An engine over a scriptable fake connector, a real journal in a temp folder and a strategy that
// does what each test tells it, bar by bar.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach} from 'vitest'

import {SimulatedClock} from '../../../src/foundation/clock.js'
import type {Bar} from '../../../src/foundation/domain/bars.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {toMicro} from '../../../src/foundation/domain/money.js'
import type {AccountSnapshot, Fill, OrderRequest, OrderState, Position, VenueEvent} from '../../../src/foundation/domain/orders.js'
import type {EventType, JournalEvent, RunStartedPayload} from '../../../src/foundation/journal/events.js'
import {openJournal} from '../../../src/foundation/journal/index.js'
import type {Journal} from '../../../src/foundation/journal/types.js'
import {createRiskGate, sessionClock, TradingStateMachine} from '../../../src/foundation/risk/index.js'
import type {EffectiveLimits} from '../../../src/foundation/risk/types.js'
import type {Connector, ConnectorCapabilities, Subscription} from '../../../src/sectors/connector.js'
import {SectorEngine, type EngineStart} from '../../../src/sectors/engine/engine.js'
import {Ledger} from '../../../src/sectors/portfolio/ledger.js'
import type {Signal, Strategy, StrategyContext} from '../../../src/sectors/strategy/contract.js'

export const TEST: Instrument = {id: 'TEST', venue: 'fake', kind: 'stock', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 100}
export const T0 = Date.UTC(2024, 0, 2, 0, 0)

/** Generous limits: nothing is denied unless a test tightens one. */
export function limits(over: Partial<EffectiveLimits> = {}): EffectiveLimits {
  return {
    maxOrderNotional: toMicro(1_000_000),
    maxPositionNotional: toMicro(1_000_000),
    maxOpenOrders: 50,
    dailyLossCap: toMicro(1_000_000),
    maxDrawdownPct: 100,
    consecutiveLossHalt: 1000,
    maxTradesPerDay: 10_000,
    maxOrdersPerMinute: 10_000,
    allowLeverage: false,
    ...over,
  }
}

export type SubmitBehaviour = 'ack' | 'reject-event' | 'broker-error' | 'timeout-lost' | 'timeout-received' | 'silent'

/** A venue that does what the test says, and remembers every call. */
export class FakeConnector implements Connector {
  readonly venue = 'fake'
  readonly environment = 'paper'
  readonly capabilities: ConnectorCapabilities = {brackets: true, stopOrders: true, stopLimitOrders: true, streaming: false, fractionalQty: false, shortSelling: true, spotHoldings: false}
  readonly submits: OrderRequest[] = []
  readonly cancels: string[] = []
  readonly asked: string[] = []
  /** What the venue knows (orderByClientId answers from here). */
  readonly known = new Map<string, OrderState>()
  behaviour: SubmitBehaviour = 'ack'
  /** Called inside submit(), before anything happens (to look at the journal at that moment). */
  beforeSubmit?: (order: OrderRequest) => void
  private listeners: Array<(e: VenueEvent) => void> = []
  private fillSeq = 0
  constructor(private readonly clock: SimulatedClock) {}

  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async instruments(): Promise<Instrument[]> {
    return [TEST]
  }
  async account(): Promise<AccountSnapshot> {
    return {currency: 'USD', cash: toMicro(100_000), equity: toMicro(100_000)}
  }
  async positions(): Promise<Position[]> {
    return []
  }
  async openOrders(): Promise<OrderState[]> {
    return [...this.known.values()].filter((o) => o.status === 'working' || o.status === 'partially-filled')
  }
  async orderByClientId(id: string): Promise<OrderState | undefined> {
    this.asked.push(id)
    const o = this.known.get(id)
    return o && {...o}
  }
  async submit(order: OrderRequest): Promise<void> {
    this.beforeSubmit?.(order)
    this.submits.push(order)
    const now = this.clock.now()
    const state: OrderState = {...order, status: 'working', filledQty: 0, avgFillPrice: 0, venueOrderId: `v-${order.clientOrderId}`, updatedAt: now}
    switch (this.behaviour) {
      case 'ack':
        this.known.set(order.clientOrderId, state)
        this.emit({kind: 'ack', clientOrderId: order.clientOrderId, venueOrderId: state.venueOrderId!, ts: now})
        return
      case 'silent':
        this.known.set(order.clientOrderId, state)
        return
      case 'reject-event':
        this.known.set(order.clientOrderId, {...state, status: 'rejected'})
        this.emit({kind: 'reject', clientOrderId: order.clientOrderId, code: 'InvalidOrder', reason: 'fake says no', ts: now})
        return
      case 'broker-error':
        throw new BrokerError('InsufficientFunds', 'fake: not enough money')
      case 'timeout-lost':
        throw new NetworkError('Timeout', 'fake: no answer (the request never arrived)')
      case 'timeout-received':
        this.known.set(order.clientOrderId, state)
        throw new NetworkError('Timeout', 'fake: no answer (but the venue has the order)')
    }
  }
  async cancel(id: string): Promise<void> {
    this.cancels.push(id)
    const o = this.known.get(id)
    if (!o || (o.status !== 'working' && o.status !== 'partially-filled')) throw new BrokerError('OrderNotFound', `fake: no working order ${id}`)
    o.status = 'cancelled'
    this.emit({kind: 'cancel', clientOrderId: id, reason: 'cancelled on request', ts: this.clock.now()})
  }
  subscribe(_instruments: readonly string[], _onBar: (bar: Bar) => void): Subscription {
    return {close() {}}
  }
  onEvent(listener: (event: VenueEvent) => void): () => void {
    this.listeners.push(listener)
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }
  /** The venue fills (part of) an order. */
  fill(id: string, qty: number, price: number, fillId?: string): Fill {
    const o = this.known.get(id)
    if (!o) throw new Error(`fake: no order ${id}`)
    o.filledQty += qty
    o.avgFillPrice = price
    o.status = o.filledQty >= o.qty ? 'filled' : 'partially-filled'
    const fill: Fill = {clientOrderId: id, venueOrderId: o.venueOrderId, fillId: fillId ?? `f-${++this.fillSeq}`, instrument: o.instrument, side: o.side, qty, price, fee: 0, liquidity: 'taker', ts: this.clock.now()}
    this.emit({kind: 'fill', fill})
    return fill
  }
  emit(e: VenueEvent): void {
    for (const l of [...this.listeners]) l(e)
  }
}

/** A strategy driven by the test: `plan(barIndex)` returns the signals of that bar (or throws). */
export class ScriptedStrategy implements Strategy<{bars: number}> {
  bars = 0
  fills: Fill[] = []
  restored: unknown
  constructor(private readonly plan: (i: number, ctx: StrategyContext) => Signal[]) {}
  init(): void {}
  onBar(_bar: Bar, ctx: StrategyContext): Signal[] {
    const i = this.bars++
    return this.plan(i, ctx)
  }
  onFill(fill: Fill): void {
    this.fills.push(fill)
  }
  state(): {bars: number} {
    return {bars: this.bars}
  }
  restore(state: {bars: number}): void {
    this.restored = state
    this.bars = state.bars
  }
}

export interface EngineHarness {
  engine: SectorEngine
  venue: FakeConnector
  clock: SimulatedClock
  journal: Journal
  strategy: ScriptedStrategy
  /** Feeds bar i (close `price`), waiting for the engine's work. */
  bar(price?: number): Promise<void>
  events(types?: EventType[]): JournalEvent[]
  types(): string[]
  close(): void
}

export const STARTED: RunStartedPayload = {
  requestedMode: 'paper',
  effectiveMode: 'paper',
  venue: 'fake',
  environment: 'paper',
  profile: 'Balanced',
  charter: null,
  snapshot: null,
  configHash: 'test',
  strategy: {name: 'scripted', codeHash: 'test', params: {}},
  inputs: {kind: 'recorded', instruments: ['TEST']},
  seed: 1,
  limits: {},
  version: 'test',
  notices: [],
}

export async function engineHarness(
  plan: (i: number, ctx: StrategyContext) => Signal[],
  options: {limits?: Partial<EffectiveLimits>; sendOrders?: boolean; checkpointEvery?: number; start?: Partial<EngineStart>; behaviour?: SubmitBehaviour} = {},
): Promise<EngineHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'rick-engine-test-'))
  const journal = openJournal({path: join(dir, 'journal.db')})
  const clock = new SimulatedClock(T0)
  const venue = new FakeConnector(clock)
  if (options.behaviour) venue.behaviour = options.behaviour
  const strategy = new ScriptedStrategy(plan)
  const L = limits(options.limits)
  const session = sessionClock()
  const engine = new SectorEngine({
    runId: 'run1',
    sector: 'test',
    instruments: [TEST],
    connector: venue,
    clock,
    journal,
    durability: 'durable',
    sendOrders: options.sendOrders ?? true,
    strategy: {create: () => strategy, params: {}},
    gate: createRiskGate(L),
    states: new TradingStateMachine({limits: L, session}),
    limits: L,
    session,
    ledger: new Ledger({currency: 'USD', startingCash: toMicro(100_000), instruments: [TEST]}),
    checkpointEvery: options.checkpointEvery ?? 0,
  })
  await engine.start({started: STARTED, ...options.start})
  let i = 0
  const h: EngineHarness = {
    engine,
    venue,
    clock,
    journal,
    strategy,
    async bar(price = 100) {
      const ts = T0 + i++ * 60_000
      clock.set(ts)
      await engine.onBar({instrument: 'TEST', ts, open: price, high: price, low: price, close: price, volume: 1})
    },
    events(types) {
      return [...journal.events(types ? {runId: 'run1', types} : {runId: 'run1'})]
    },
    types() {
      return h.events().map((e) => e.type)
    },
    close() {
      journal.close()
      rmSync(dir, {recursive: true, force: true})
    },
  }
  return h
}

/** A signal for TEST. */
export const target = (t: number, reason = 'test'): Signal => ({instrument: 'TEST', target: t, reason})

/**
 * Journals in temporary folders for the calling test file: the returned function opens a new one;
 * after each test it is closed and its folder removed.
 */
export function tempJournals(prefix: string): () => Journal {
  let dir: string | undefined
  let journal: Journal | undefined
  afterEach(() => {
    journal?.close()
    if (dir) rmSync(dir, {recursive: true, force: true})
    journal = undefined
    dir = undefined
  })
  return () => {
    dir = mkdtempSync(join(tmpdir(), prefix))
    journal = openJournal({path: join(dir, 'journal.db')})
    return journal
  }
}
