// The sector engine: one for every mode. It is the only path of an order:
//
//   bar → StrategyHost.onBar → Signal (target) → planOrders → RiskGate → Journal(ORDER_INTENT) →
//   Connector.submit → venue events → Journal → Ledger → Strategy.onFill
//
// What differs between a backtest, a replay, a paper run and a live one is only what is plugged in:
// the Connector, the EngineClock, and whether the journal writes are durable one by one (runs) or
// batched (backtests, replays). There is no `if (paper)` in here.
//
// The hot path (a bar that produces no signal) allocates nothing and never awaits: onBar() returns
// undefined, and a Promise only when orders have to go out. A driver awaits that promise before it
// feeds the next bar, so the engine never sees two bars at once.
import type {Bar} from '../../foundation/domain/bars.js'
import type {EngineClock} from '../../foundation/clock.js'
import type {Instrument} from '../../foundation/domain/instrument.js'
import {toMicro, type Micro} from '../../foundation/domain/money.js'
import {BrokerError, NetworkError} from '../../foundation/domain/broker-errors.js'
import type {Fill, OrderRequest, OrderState, VenueEvent} from '../../foundation/domain/orders.js'
import type {EventPayloads, EventType, NewEvent, RunStartedPayload, RunStoppedPayload} from '../../foundation/journal/events.js'
import type {Journal, JournalBatch} from '../../foundation/journal/types.js'
import type {SessionClock} from '../../foundation/risk/session.js'
import type {RiskMetrics, RiskTransition, RiskTrigger, TradingStateMachine} from '../../foundation/risk/state.js'
import type {EffectiveLimits, RiskDecision, RiskGate, RiskSnapshot, TradingState} from '../../foundation/risk/types.js'
import type {Connector, VenueSink} from '../connector.js'
import type {Ledger} from '../portfolio/ledger.js'
import type {Signal, Strategy, StrategyContext} from '../strategy/contract.js'
import {isStrategyFault, StrategyHost, type StrategyFault} from '../strategy/host.js'
import {seededRandom} from '../../foundation/random.js'
import {planOrders, withClientOrderId, type OrderPlan, type PlannedOrder} from './order-planner.js'
import {DeferredWrites} from './deferred-writes.js'
import {OrderTracker, type TrackedOrder} from './order-tracker.js'
import {WaitingReplacements} from './replacements.js'
import {externalFill, type RecoveredOrder} from './recovery.js'
import {streakAfterFill, type RiskDayCounters} from './risk-day.js'

/** What the engine tells its owner as it happens (one call per decision, order, fill, denial…). */
export interface EngineObserver {
  signal?(signal: Signal, position: number): void
  intent?(order: OrderRequest, reason: string, sent: boolean): void
  denied?(order: OrderRequest, code: string, detail: string): void
  venue?(event: VenueEvent): void
  fill?(fill: Fill, positionAfter: number, realized: Micro): void
  unconfirmed?(clientOrderId: string, error: string): void
  riskState?(transition: RiskTransition): void
  strategyError?(fault: StrategyFault): void
  notice?(message: string): void
}

export interface EngineOptions {
  runId: string
  sector: string
  instruments: readonly Instrument[]
  connector: Connector
  clock: EngineClock
  journal: Journal
  /**
   * `durable`: every event is committed before the engine goes on (runs: an ORDER_INTENT is on disk
   * before its submit). `batched`: events are written in transactions (backtests and replays, where
   * the venue is simulated and dies with the process).
   */
  durability: 'durable' | 'batched'
  /** False in observe mode: intents are journaled, nothing is sent. */
  sendOrders: boolean
  /** `seed`: of the strategy's ctx.random() (default 0); the run's seed in sessions. */
  strategy: {create: () => Strategy; params: Readonly<Record<string, unknown>>; seed?: number}
  gate: RiskGate
  states: TradingStateMachine
  limits: EffectiveLimits
  session: SessionClock
  /** The engine's own books (a projection of the journal's fills). */
  ledger: Ledger
  /** STRATEGY_CHECKPOINT every this many bars (and at stop); 0 = only at stop. */
  checkpointEvery: number
  observer?: EngineObserver
  /** Journal every bar as a BAR event (inputs that cannot be regenerated: a live feed). */
  recordBars?: boolean
  /**
   * Keep an equity curve (one point per bar where equity may have moved), for backtest metrics;
   * a number is the expected count of points (the arrays are allocated once at that size).
   */
  equityCurve?: boolean | number
}

/** What the engine starts from (recovery of an earlier run, or nothing). */
export interface EngineStart {
  started: RunStartedPayload
  /** Last strategy checkpoint to restore (from an earlier run of the same account). */
  checkpoint?: unknown
  /** Orders the journal says are open or in flight, to be settled with the venue. */
  openOrders?: RecoveredOrder[]
  /** Transitions that recovery decided (e.g. a timed halt that expired while stopped). */
  transitions?: RiskTransition[]
  /** Already-journaled RECONCILED payload (the run service reconciles before start). */
  reconciled?: EventPayloads['RECONCILED']
  /** The session day's counters so far (a restart within the day), instead of zero. */
  riskDay?: RiskDayCounters
}

export interface EngineSummary {
  barsProcessed: number
  signals: number
  orders: number
  fills: number
  denials: number
  rejects: number
  trades: number
  realizedPnl: Micro
  fees: Micro
  equity: Micro
  cash: Micro
  state: TradingState
  positions: Array<{instrument: string; qty: number}>
  stopped?: RunStoppedPayload['reason']
  strategyFault?: StrategyFault
}

/** What the engine keeps per instrument on its per-bar path (one lookup per bar, none in a row). */
interface InstrumentSlot {
  id: string
  /** Last close; NaN before the first bar. */
  close: number
  /** Signed position (mirrors `positions`, which the gate and the strategy read). */
  position: number
}

const NO_SIGNALS: readonly Signal[] = []

/** How far back the venue's fills are read for an order whose outcome was unknown (its fills come before its last change). */
const VENUE_FILLS_LOOKBACK_MS = 24 * 60 * 60 * 1000

export class SectorEngine implements VenueSink {
  readonly runId: string
  readonly sector: string
  private readonly o: EngineOptions
  private readonly host: StrategyHost
  private readonly byId = new Map<string, Instrument>()
  private readonly positions = new Map<string, number>()
  private readonly slots = new Map<string, InstrumentSlot>()
  private readonly slotList: InstrumentSlot[] = []
  private lastSlot: InstrumentSlot | undefined
  private readonly multipliers = new Map<string, number>()
  private readonly minNotionals = new Map<string, Micro>()
  /** Every order from its intent to a final state, and the fill ids applied (order-tracker.ts). */
  private readonly orders = new OrderTracker()
  private readonly replacements = new WaitingReplacements()
  /** windDown() ran: working orders were cancelled while the venue's connection was open. */
  private woundDown = false
  /** Per instrument: the session day (its end) on which it was flattened. */
  private readonly flattened = new Map<string, number>()
  private readonly recentOrderTimes: number[] = []
  private readonly snapshot: RiskSnapshot
  /** Reused for every evaluation (once per bar while a position is held): no allocation. */
  private readonly metrics: RiskMetrics = {dailyPnl: 0, equity: 0, dayPeakEquity: 0, consecutiveLosses: 0}
  private batch: JournalBatch | undefined
  /** Venue answers and lazy records waiting for their commit (writeAnswer). */
  private readonly deferred: DeferredWrites
  private counter = 0
  private bars = 0
  private lastBarTs = -Infinity
  private nextCheckpoint: number
  private dayEnd = -Infinity
  private dayStartEquity: Micro = 0
  private dayPeakEquity: Micro = 0
  private flattenAt: number | undefined
  private consecutiveLosses = 0
  private tradesToday = 0
  private equityDirty = true
  private stopped = false
  private running = false
  private unsubscribe: (() => void) | undefined
  private fault: StrategyFault | undefined
  private readonly stats = {signals: 0, orders: 0, fills: 0, denials: 0, rejects: 0, trades: 0}
  /** Equity curve (backtests): grows by doubling. */
  private curveTs = new Float64Array(0)
  private curveEq = new Float64Array(0)
  private curveLen = 0

  constructor(options: EngineOptions) {
    this.o = options
    this.runId = options.runId
    this.sector = options.sector
    for (const i of options.instruments) {
      this.byId.set(i.id, i)
      this.multipliers.set(i.id, i.multiplier)
      if (i.minNotional > 0) this.minNotionals.set(i.id, toMicro(i.minNotional))
      // The books may come from a recovered account: positions start where they are.
      this.positions.set(i.id, options.ledger.position(i.id))
      this.slotFor(i.id)
    }
    // The strategy's own generator: its draws never shift the venue's or the feed's.
    const strategyRandom = seededRandom(options.strategy.seed ?? 0)
    const ctx: StrategyContext = {
      now: () => options.clock.now(),
      position: (instrument) => this.positions.get(instrument) ?? 0,
      params: options.strategy.params,
      instruments: options.instruments.map((i) => i.id),
      log: (message) => this.write('STRATEGY_LOG', {message: String(message).slice(0, 2000)}),
      random: () => strategyRandom.next(),
    }
    this.host = new StrategyHost(options.strategy.create, ctx)
    this.nextCheckpoint = options.checkpointEvery > 0 ? options.checkpointEvery : Infinity
    this.snapshot = {
      state: 'ACTIVE',
      now: 0,
      positions: this.positions,
      // A lookup into the slots: copying every instrument's close per order was quadratic.
      prices: {get: (id: string) => this.lastClose(id)},
      multipliers: this.multipliers,
      openOrders: 0,
      dailyPnl: 0,
      equity: 0,
      dayPeakEquity: 0,
      cash: 0,
      consecutiveLosses: 0,
      tradesToday: 0,
      recentOrderTimes: this.recentOrderTimes,
      inSession: true,
      pastFlatten: false,
      minNotionals: this.minNotionals,
    }
    if (options.durability === 'batched') this.batch = options.journal.batch()
    this.deferred = new DeferredWrites(options.journal, (error) => {
      // The journal refused: stop trading rather than go on with books the journal does not hold.
      this.stopped = true
      this.notice(`could not record the venue's answers: ${error instanceof Error ? error.message : String(error)}`)
    })
    if (typeof options.equityCurve === 'number' && options.equityCurve > 0) {
      this.curveTs = new Float64Array(options.equityCurve + 1)
      this.curveEq = new Float64Array(options.equityCurve + 1)
    }
  }

  get state(): TradingState {
    return this.o.states.state
  }

  get barsProcessed(): number {
    return this.bars
  }

  get isStopped(): boolean {
    return this.stopped
  }

  /** Orders whose outcome is unknown (a submit that timed out, an earlier run's order in flight). */
  get unknownOrders(): number {
    return this.orders.unconfirmed
  }

  /**
   * Asks the venue about the orders whose outcome is unknown, now (a live run calls it on a
   * backoff between bars, so a timed-out order is resolved in seconds, not at the next bar).
   */
  settleUnknown(): Promise<void> | undefined {
    return this.orders.unconfirmed > 0 && !this.stopped ? this.settleUnconfirmed(false) : undefined
  }

  /** The strategy fault that halted the sector, if any. */
  get strategyFault(): StrategyFault | undefined {
    return this.fault
  }

  position(instrument: string): number {
    return this.positions.get(instrument) ?? 0
  }

  /** Working and unconfirmed orders (clientOrderIds). */
  workingOrders(): string[] {
    return this.orders.ids()
  }

  /** The equity curve so far (one point per bar where equity may have moved). */
  equityCurve(): {ts: Float64Array; equity: Float64Array} {
    return {ts: this.curveTs.subarray(0, this.curveLen), equity: this.curveEq.subarray(0, this.curveLen)}
  }

  // ---------------------------------------------------------------- start

  /**
   * Journals RUN_STARTED, listens to the venue, starts (or restores) the strategy and settles the
   * orders an earlier run left open. Resolves once the engine is ready for bars.
   */
  async start(start: EngineStart): Promise<void> {
    this.durable('RUN_STARTED', start.started)
    const c = this.o.connector
    this.unsubscribe = c.onEventSink !== undefined ? c.onEventSink(this) : c.onEvent((event) => this.onVenueEvent(event))
    this.running = true
    if (start.riskDay) this.continueDay(start.riskDay)
    for (const t of start.transitions ?? []) this.recordTransition(t)
    if (start.reconciled) this.durable('RECONCILED', start.reconciled)
    for (const r of start.openOrders ?? []) this.orders.adoptRecovered(r)
    // A backtest's start is on disk before its first bar: a run whose thread is stopped later
    // (a strategy over its budget) still has its RUN_STARTED.
    this.batch?.flush()
    const initFault = this.host.init()
    if (initFault) return this.strategyFailed(initFault)
    if (start.checkpoint !== undefined) {
      const restoreFault = this.host.restore(start.checkpoint)
      if (restoreFault) return this.strategyFailed(restoreFault)
    }
    await this.settleUnconfirmed(true)
  }

  // ---------------------------------------------------------------- bars

  /**
   * One completed bar. Returns undefined when there was nothing to do (the common case), else a
   * promise that settles once the bar's orders are out. The caller must not pass the next bar
   * before it settles. `bar` is only read during the call.
   */
  onBar(bar: Bar): Promise<void> | undefined {
    if (this.stopped) return undefined
    const ts = bar.ts
    if (ts < this.lastBarTs) {
      this.notice(`bar of ${bar.instrument} at ${ts} is older than the previous bar (${this.lastBarTs}): ignored`)
      return undefined
    }
    this.lastBarTs = ts
    this.bars++
    const instrument = bar.instrument
    let slot = this.lastSlot
    if (slot === undefined || slot.id !== instrument) {
      slot = this.slotFor(instrument)
      this.lastSlot = slot
    }
    slot.close = bar.close
    if (this.o.recordBars) {
      this.writeAnswer('BAR', {instrument, ts, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume}, true)
    }
    if (slot.position !== 0) {
      this.o.ledger.mark(instrument, bar.close)
      this.equityDirty = true
    }
    // The rare work (a new session day, a halt, equity that moved, a flatten deadline) is done
    // elsewhere: a call taking the bar's ts from here would make V8 box it on every bar.
    let work: Promise<void> | undefined
    if (ts >= this.dayEnd || this.equityDirty || this.o.states.until !== undefined || this.flattenAt !== undefined) work = this.housekeeping(bar)
    const signals = this.host.dead ? NO_SIGNALS : this.host.onBar(bar)
    if (isStrategyFault(signals)) {
      const failed = this.strategyFailed(signals)
      work = work ? work.then(() => failed) : failed
    } else if (signals.length > 0) {
      if (work === undefined) {
        work = this.handleSignals(signals)
      } else {
        // The strategy's array may be reused by it: copy before waiting.
        const copy = signals.slice()
        work = work.then(() => this.handleSignals(copy))
      }
    }
    if (this.bars >= this.nextCheckpoint) {
      this.nextCheckpoint = this.bars + this.o.checkpointEvery
      this.checkpoint()
    }
    if (this.orders.unconfirmed > 0) work = work ? work.then(() => this.settleUnconfirmed(false)) : this.settleUnconfirmed(false)
    return work
  }

  /** A risk trigger from outside (manual halt/resume picked up from the journal). */
  /** What a bar may trigger besides the strategy: day roll, halt expiry, risk evaluation, flatten. */
  private housekeeping(bar: Bar): Promise<void> | undefined {
    const ts = bar.ts
    const instrument = bar.instrument
    let work: Promise<void> | undefined
    if (ts >= this.dayEnd) this.resetDay(ts)
    const states = this.o.states
    if (states.until !== undefined) {
      const expired = states.tick(ts)
      if (expired) work = this.recordTransition(expired)
    }
    if (this.equityDirty) this.evaluateRisk(ts)

    // Each instrument is flattened on its own first bar past the deadline, so its exit fills on its
    // next bar like any other order (never on a bar that began before the decision).
    if (this.flattenAt !== undefined && ts >= this.flattenAt && this.flattened.get(instrument) !== this.dayEnd) {
      this.flattened.set(instrument, this.dayEnd)
      work = this.flatten(instrument, 'flatten deadline')
    }
    return work
  }

  /**
   * A bar of the venue's history, before live trading: the strategy sees it (so it can act on the
   * first live bar), nothing else does — no order, no risk, no journal entry.
   */
  warmUp(bar: Bar): void {
    if (this.host.dead || this.stopped) return
    const signals = this.host.onBar(bar)
    if (isStrategyFault(signals)) this.background(this.strategyFailed(signals))
  }

  /** Journals a live venue's connection change (the run's own record of what the venue did). */
  recordConnection(payload: EventPayloads['CONNECTION']): void {
    this.durable('CONNECTION', payload)
  }

  /**
   * A position at the venue that no journaled fill explains (made by hand, or a fill never heard
   * of): journaled as EXTERNAL and applied to the books at `price`, so it counts toward risk.
   */
  applyExternalPosition(instrument: string, qty: number, price: number, detail: string): void {
    if (qty === 0 || !Number.isFinite(qty)) return
    const payload: EventPayloads['EXTERNAL'] = {kind: 'position', instrument, detail, qty}
    if (Number.isFinite(price) && price > 0) payload.price = price
    this.durable('EXTERNAL', payload)
    const fill = externalFill(instrument, qty, price, this.o.clock.now())
    const effect = this.o.ledger.applyFill(fill, this.byId.get(instrument)?.multiplier ?? 1)
    this.positions.set(instrument, effect.positionAfter)
    this.host.positionChanged(instrument, effect.positionAfter)
    this.slotFor(instrument).position = effect.positionAfter
    this.equityDirty = true
  }

  /** Journals an order at the venue that rick did not send (it is reported, never touched). */
  recordExternalOrder(order: OrderState): void {
    const payload: EventPayloads['EXTERNAL'] = {kind: 'order', instrument: order.instrument, detail: `${order.side} ${order.qty} ${order.type}${order.limitPrice !== undefined ? ` @ ${order.limitPrice}` : ''} placed outside rick`, qty: order.side === 'buy' ? order.qty : -order.qty}
    if (order.venueOrderId !== undefined) payload.venueOrderId = order.venueOrderId
    this.durable('EXTERNAL', payload)
  }

  /** Client ids of the orders this engine tracks (working or in flight). */
  trackedOrderIds(): string[] {
    return this.orders.ids()
  }

  /**
   * Reconciliation of orders: every tracked order the venue no longer lists as open is asked about
   * by client id (fills we missed are inferred, a cancel or an expiry is journaled); fills the
   * venue reports for our orders are applied once (repeats are dropped by fill id).
   */
  async reconcileOrders(venueOpen: readonly OrderState[], venueFills: readonly Fill[]): Promise<void> {
    for (const f of venueFills) if (this.orders.has(f.clientOrderId)) this.onFill({...f, inferred: true})
    const open = new Set(venueOpen.map((o) => o.clientOrderId))
    for (const [id, o] of this.orders.entries()) if (!open.has(id) && o.confirmed) this.orders.markUncertain(o)
    await this.settleUnconfirmed(true)
  }

  applyTrigger(trigger: RiskTrigger): Promise<void> | undefined {
    const t = this.o.states.onEvent(trigger, this.o.clock.now())
    if (!t) return undefined
    return this.recordTransition(t)
  }

  // ---------------------------------------------------------------- signals → orders

  // Each step below returns undefined when it finished synchronously (a venue in this process:
  // the paper venue's submitNow/cancelNow) and a Promise when it had to wait for a venue; the
  // sequence then continues after it. Same steps, same order, same events either way; a backtest
  // just never allocates a promise on its order path.

  /** The orders of each signal, in turn. */
  private handleSignals(signals: readonly Signal[], from = 0): Promise<void> | undefined {
    for (let i = from; i < signals.length; i++) {
      if (this.stopped) return undefined
      const pending = this.handleSignal(signals[i] as Signal)
      if (pending !== undefined) {
        // The strategy may reuse its array once onBar has returned: keep what is left of it.
        const rest = signals.slice(i + 1)
        return pending.then(() => this.handleSignals(rest))
      }
    }
    return undefined
  }

  private handleSignal(signal: Signal): Promise<void> | undefined {
    this.stats.signals++
    const instrument = this.byId.get(signal.instrument)
    if (!instrument) return undefined
    const position = this.positions.get(instrument.id) ?? 0
    this.o.observer?.signal?.(signal, position)
    return this.planAndRun(signal, instrument, 0)
  }

  /**
   * Plans the signal against the position and working orders as they are now. When the plan
   * cancels orders and sends new ones, the new ones wait until the cancelled ones are gone
   * (replacements.ts): planned again then, so a cancelled order that filled meanwhile is counted.
   */
  private planAndRun(signal: Signal, instrument: Instrument, depth: number): Promise<void> | undefined {
    const id = instrument.id
    const working: TrackedOrder[] = []
    if (this.orders.size > 0) for (const w of this.orders.values()) if (w.order.instrument === id) working.push(w)
    const plan = planOrders(signal, instrument, this.positions.get(id) ?? 0, working, this.lastClose(id))
    const reason = `superseded: ${signal.reason}`
    if (plan.cancel.length === 0 || plan.orders.length === 0) return this.runPlan(plan, reason, 0, 0)
    if (this.replacements.size !== 0) this.replacements.drop(id)
    const ids = plan.cancel
    const after = (): Promise<void> | undefined => {
      if (this.stopped) return undefined
      // Gone already (a venue that confirms as it cancels): plan again at once; a second round of
      // cancels (orders that appeared meanwhile) is not chased further but waited for.
      if (depth === 0 && !ids.some((x) => this.orders.has(x))) return this.planAndRun(signal, instrument, 1)
      this.replacements.wait(id, signal, ids)
      return undefined
    }
    const pending = this.runPlan({cancel: ids, orders: []}, reason, 0, 0)
    return pending === undefined ? after() : pending.then(after)
  }

  /** An order of `instrument` left the tracker: a signal waiting for it may go now. */
  private orderGone(instrument: string): void {
    if (this.replacements.size === 0 || this.stopped) return
    const signal = this.replacements.takeReady(instrument, (x) => this.orders.has(x))
    const spec = signal && this.byId.get(instrument)
    if (signal && spec) this.background(this.planAndRun(signal, spec, 1))
  }

  /** Cancels, then sends, from step (c, p) on. */
  private runPlan(plan: OrderPlan, cancelReason: string, c: number, p: number): Promise<void> | undefined {
    for (; c < plan.cancel.length; c++) {
      const pending = this.cancelOrder(plan.cancel[c] as string, cancelReason)
      if (pending !== undefined) {
        const next = c + 1
        return pending.then(() => this.runPlan(plan, cancelReason, next, p))
      }
    }
    for (; p < plan.orders.length; p++) {
      const planned = plan.orders[p] as PlannedOrder
      const pending = this.placeOrder(withClientOrderId(this.nextClientOrderId(), planned.order), planned.reason)
      if (pending !== undefined) {
        const next = p + 1
        return pending.then(() => this.runPlan(plan, cancelReason, c, next))
      }
    }
    return undefined
  }

  /** Target 0 for an instrument with a position or working orders. */
  private flatten(instrument: string, reason: string): Promise<void> | undefined {
    let has = (this.positions.get(instrument) ?? 0) !== 0
    if (!has) for (const w of this.orders.values()) if (w.order.instrument === instrument) has = true
    return has ? this.handleSignals([{instrument, target: 0, reason}]) : undefined
  }

  private nextClientOrderId(): string {
    this.counter++
    return `${this.runId}-${this.counter}`
  }

  /** The gate, then the journal, then the venue. Never throws for a venue failure. */
  private placeOrder(order: OrderRequest, reason: string): Promise<void> | undefined {
    const decision = this.check(order)
    if (!decision.ok) {
      this.stats.denials++
      this.write('ORDER_DENIED', {order, code: decision.code, detail: decision.detail})
      this.o.observer?.denied?.(order, decision.code, decision.detail)
      return undefined
    }
    // Durable BEFORE the venue hears of it: a crash after this line leaves an intent that recovery
    // resolves with orderByClientId, never by sending it again.
    this.durable('ORDER_INTENT', {order, reason})
    this.stats.orders++
    this.tradesToday++
    this.recentOrderTimes.push(this.o.clock.now())
    this.o.observer?.intent?.(order, reason, this.o.sendOrders)
    if (!this.o.sendOrders) return undefined
    const id = order.clientOrderId
    this.orders.track(order)
    return this.toVenue('submit', id, order)
  }

  /**
   * Sends a submit or a cancel: through the venue's synchronous form when it has one (nothing to
   * wait for), else through its promise. A failure, thrown or rejected, goes to submitFailed or
   * cancelFailed.
   */
  private toVenue(kind: 'submit' | 'cancel', clientOrderId: string, order?: OrderRequest): Promise<void> | undefined {
    const c = this.o.connector
    let sent: Promise<void> | undefined
    try {
      if (kind === 'submit') {
        if (c.submitNow !== undefined) {
          c.submitNow(order as OrderRequest)
        } else {
          sent = c.submit(order as OrderRequest)
          // The request has left (a venue in this process answers at once and needs no such record):
          // from here a crash leaves an order the venue may know, which recovery asks it about.
          // Unless the venue already answered inside the call: then its ack says more.
          if (this.orders.get(clientOrderId)?.confirmed === false) this.writeAnswer('ORDER_SUBMITTED', {clientOrderId}, true)
        }
      } else if (c.cancelNow !== undefined) {
        c.cancelNow(clientOrderId)
      } else {
        sent = c.cancel(clientOrderId)
      }
    } catch (error) {
      this.venueFailed(kind, clientOrderId, error)
      return undefined
    }
    return sent?.then(undefined, (error: unknown) => this.venueFailed(kind, clientOrderId, error))
  }

  private venueFailed(kind: 'submit' | 'cancel', clientOrderId: string, error: unknown): void {
    if (kind === 'submit') this.submitFailed(clientOrderId, error)
    else this.cancelFailed(clientOrderId, error)
  }

  private submitFailed(clientOrderId: string, error: unknown): void {
    const tracked = this.orders.get(clientOrderId)
    if (error instanceof BrokerError) {
      // The venue said no. Unless an event already settled it.
      if (tracked && !tracked.confirmed) {
        this.orders.forget(clientOrderId)
        this.stats.rejects++
        const payload = {clientOrderId, code: error.kind, reason: error.message}
        this.write('ORDER_REJECTED', payload)
        this.o.observer?.venue?.({kind: 'reject', clientOrderId, code: error.kind, reason: error.message, ts: this.o.clock.now()})
        this.orderGone(tracked.order.instrument)
      }
      return
    }
    // Anything else (NetworkError, a bug in a connector) leaves the outcome unknown: the order is in
    // flight until the venue says what happened.
    const message = error instanceof NetworkError ? `${error.kind}: ${error.message}` : error instanceof Error ? error.message : String(error)
    if (tracked && !tracked.confirmed) {
      this.orders.markUncertain(tracked)
      this.write('ORDER_UNCONFIRMED', {clientOrderId, error: message})
      this.o.observer?.unconfirmed?.(clientOrderId, message)
    }
  }


  /**
   * Asks the venue about orders whose submit had no known outcome. An order the venue does not know
   * after two questions (on two different bars) never reached it: it is journaled as cancelled and
   * never sent again (a new signal makes a new order with a new id).
   */
  private async settleUnconfirmed(atStart: boolean): Promise<void> {
    for (const [id, o] of this.orders.entries()) {
      if (!o.uncertain) continue
      let state: OrderState | undefined
      try {
        state = await this.o.connector.orderByClientId(id)
      } catch (error) {
        this.notice(`could not ask the venue about ${id}: ${error instanceof Error ? error.message : String(error)}`)
        continue
      }
      if (!this.orders.has(id)) continue
      if (state === undefined) {
        o.unknownAnswers++
        if (atStart || o.unknownAnswers >= 2) {
          this.orders.forget(id)
          const reason = atStart
            ? `not known to the venue after a restart${o.confirmed ? '' : ': it never reached it'}`
            : 'not known to the venue after a failed submit: it never reached it'
          this.write('ORDER_CANCELLED', {clientOrderId: id, reason})
          this.o.observer?.venue?.({kind: 'cancel', clientOrderId: id, reason, ts: this.o.clock.now()})
          this.orderGone(o.order.instrument)
        }
        continue
      }
      if (state.filledQty - o.filled > 1e-12) await this.takeVenueFills(id, state)
      if (!this.orders.has(id)) continue
      this.adoptVenueState(o, state)
    }
  }

  /**
   * Fills the venue made on an order we did not hear of: its own fills (ids, prices, fees) when it
   * lists them, so a copy of one that arrives later on a stream is a repeat and counts once. Only
   * what its list does not show yet is then inferred at the average price (adoptVenueState).
   */
  private async takeVenueFills(clientOrderId: string, state: OrderState): Promise<void> {
    const connector = this.o.connector
    let fills: Fill[]
    try {
      if (connector.orderFills !== undefined) fills = await connector.orderFills(state)
      else if (connector.recentFills !== undefined) fills = await connector.recentFills(Math.min(state.updatedAt, this.o.clock.now()) - VENUE_FILLS_LOOKBACK_MS)
      else return
    } catch (error) {
      this.notice(`could not read the venue's fills of ${clientOrderId}: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    for (const f of fills) if (f.clientOrderId === clientOrderId && this.orders.has(clientOrderId)) this.onFill({...f, inferred: true})
  }

  /** Brings a tracked order in line with what the venue says about it. */
  private adoptVenueState(o: TrackedOrder, state: OrderState): void {
    const id = o.order.clientOrderId
    const now = this.o.clock.now()
    if (!o.confirmed) {
      this.orders.confirm(o)
      this.write('ORDER_ACK', {clientOrderId: id, venueOrderId: state.venueOrderId ?? id})
    }
    const missing = state.filledQty - o.filled
    if (missing > 1e-12) {
      // Fills we never heard of (the event was lost while we were away): recorded at the venue's
      // average price, with an id that cannot collide with a venue fill id.
      const fill: Fill = {
        clientOrderId: id,
        fillId: `reconciled:${id}:${state.filledQty}`,
        instrument: o.order.instrument,
        side: o.order.side,
        qty: missing,
        price: state.avgFillPrice,
        fee: 0,
        liquidity: 'taker',
        ts: now,
        inferred: true,
      }
      if (state.venueOrderId !== undefined) fill.venueOrderId = state.venueOrderId
      this.onFill(fill)
    }
    if (!this.orders.has(id)) return
    switch (state.status) {
      case 'cancelled':
        this.closeOrder(id, 'ORDER_CANCELLED', {clientOrderId: id, reason: 'cancelled at the venue (learned on reconciliation)'})
        break
      case 'expired':
        this.closeOrder(id, 'ORDER_EXPIRED', {clientOrderId: id})
        break
      case 'rejected':
        this.stats.rejects++
        this.closeOrder(id, 'ORDER_REJECTED', {clientOrderId: id, code: 'REJECTED', reason: 'rejected at the venue (learned on reconciliation)'})
        break
      case 'filled':
        this.orders.forget(id)
        this.orderGone(o.order.instrument)
        break
      default:
        break
    }
  }

  private closeOrder<T extends 'ORDER_CANCELLED' | 'ORDER_EXPIRED' | 'ORDER_REJECTED'>(id: string, type: T, payload: EventPayloads[T]): void {
    const instrument = this.orders.get(id)?.order.instrument
    this.orders.close(id)
    this.write(type, payload)
    if (instrument !== undefined) this.orderGone(instrument)
  }

  private cancelOrder(clientOrderId: string, reason: string): Promise<void> | undefined {
    if (!this.orders.has(clientOrderId)) return undefined
    this.write('ORDER_CANCEL_REQUESTED', {clientOrderId, reason})
    return this.toVenue('cancel', clientOrderId)
  }

  private cancelFailed(clientOrderId: string, error: unknown): void {
    // OrderNotFound: it filled or died meanwhile; its event tells. Others: try again later.
    if (error instanceof BrokerError && error.kind === 'OrderNotFound') return
    this.notice(`cancel of ${clientOrderId} failed: ${error instanceof Error ? error.message : String(error)}`)
  }

  /** Cancels every working order (halt, stop). Positions stay. */
  cancelAll(reason: string): Promise<void> | undefined {
    return this.cancelEach(this.orders.ids(), reason, 0)
  }

  private cancelEach(ids: readonly string[], reason: string, from: number): Promise<void> | undefined {
    for (let i = from; i < ids.length; i++) {
      const pending = this.cancelOrder(ids[i] as string, reason)
      if (pending !== undefined) return pending.then(() => this.cancelEach(ids, reason, i + 1))
    }
    return undefined
  }

  private slotFor(instrument: string): InstrumentSlot {
    let slot = this.slots.get(instrument)
    if (slot === undefined) {
      slot = {id: instrument, close: Number.NaN, position: this.positions.get(instrument) ?? 0}
      this.slots.set(instrument, slot)
      this.slotList.push(slot)
    }
    return slot
  }

  /** The last close of an instrument (for the gate), undefined before its first bar. */
  private lastClose(id: string): number | undefined {
    const slot = this.slots.get(id)
    return slot === undefined || Number.isNaN(slot.close) ? undefined : slot.close
  }

  private check(order: OrderRequest): RiskDecision {
    const s = this.snapshot
    const now = this.o.clock.now()
    const ledger = this.o.ledger
    const equity = ledger.equity
    s.state = this.o.states.state
    s.now = now
    s.openOrders = this.orders.size
    s.equity = equity
    s.cash = ledger.cash
    if (equity > this.dayPeakEquity) this.dayPeakEquity = equity
    s.dayPeakEquity = this.dayPeakEquity
    s.dailyPnl = equity - this.dayStartEquity
    s.consecutiveLosses = this.consecutiveLosses
    s.tradesToday = this.tradesToday
    const cutoff = now - 60_000
    while (this.recentOrderTimes.length > 0 && (this.recentOrderTimes[0] as number) <= cutoff) this.recentOrderTimes.shift()
    s.inSession = this.o.session.inSession(now)
    s.pastFlatten = this.o.session.pastFlatten(now)
    if (this.o.limits.canary !== undefined) s.pendingOpens = this.orders.pendingOpens(order.instrument, this.positions)
    return this.o.gate.check(order, s)
  }


  // ---------------------------------------------------------------- venue events

  /** The venue's events (VenueSink: an in-process venue calls it directly). */
  onVenueEvent(event: VenueEvent): void {
    if (!this.running) return
    try {
      this.handleVenueEvent(event)
    } catch (error) {
      // A journal failure here must not vanish into a connector's emitter: stop trading.
      this.notice(`could not record a venue event: ${error instanceof Error ? error.message : String(error)}`)
      this.stopped = true
      throw error
    }
  }

  private handleVenueEvent(event: VenueEvent): void {
    switch (event.kind) {
      case 'fill':
        this.onFill(event.fill)
        return
      case 'ack': {
        const o = this.orders.get(event.clientOrderId) ?? this.orders.adoptBracketExit(event.clientOrderId)
        if (!o || o.confirmed) return
        this.orders.confirm(o)
        this.writeAnswer('ORDER_ACK', {clientOrderId: event.clientOrderId, venueOrderId: event.venueOrderId})
        break
      }
      case 'reject': {
        if (!this.orders.has(event.clientOrderId)) return
        this.stats.rejects++
        this.closeOrder(event.clientOrderId, 'ORDER_REJECTED', {clientOrderId: event.clientOrderId, code: event.code, reason: event.reason})
        break
      }
      case 'cancel':
        if (!this.orders.has(event.clientOrderId)) return
        this.closeOrder(event.clientOrderId, 'ORDER_CANCELLED', {clientOrderId: event.clientOrderId, reason: event.reason})
        break
      case 'expire':
        if (!this.orders.has(event.clientOrderId)) return
        this.closeOrder(event.clientOrderId, 'ORDER_EXPIRED', {clientOrderId: event.clientOrderId})
        break
      default:
        return
    }
    this.o.observer?.venue?.(event)
  }

  private onFill(fill: Fill): void {
    if (this.orders.isRepeat(fill)) return
    const o = this.orders.noteFill(fill)
    // An untracked order's fill is still recorded and applied: the position at the venue changed
    // whatever we know of it.
    if (!o) this.notice(`fill ${fill.fillId} for an order this engine does not track (${fill.clientOrderId}): recorded`)
    if (o && !o.confirmed) {
      this.orders.confirm(o)
      this.writeAnswer('ORDER_ACK', {clientOrderId: fill.clientOrderId, venueOrderId: fill.venueOrderId ?? fill.clientOrderId})
    }
    this.writeAnswer('FILL', {fill})
    const instrument = this.byId.get(fill.instrument)
    const effect = this.o.ledger.applyFill(fill, instrument?.multiplier ?? 1)
    this.positions.set(fill.instrument, effect.positionAfter)
    this.host.positionChanged(fill.instrument, effect.positionAfter)
    this.slotFor(fill.instrument).position = effect.positionAfter
    this.equityDirty = true
    this.stats.fills++
    const streak = streakAfterFill(this.consecutiveLosses, effect, fill.fee)
    if (streak !== undefined) {
      this.stats.trades++
      this.consecutiveLosses = streak
    }
    if (o) {
      o.filled += fill.qty
      o.remaining = Math.max(0, o.order.qty - o.filled)
      if (o.remaining <= o.order.qty * 1e-9) {
        this.orders.forget(fill.clientOrderId)
        this.orderGone(fill.instrument)
      }
    }
    this.o.observer?.fill?.(fill, effect.positionAfter, effect.realized)
    const fault = this.host.dead ? undefined : this.host.onFill(fill)
    if (fault) this.background(this.strategyFailed(fault))
    this.evaluateRisk(fill.ts)
  }

  // ---------------------------------------------------------------- risk state

  private resetDay(ts: number): void {
    const session = this.o.session
    this.dayEnd = session.nextSessionDayStart(ts)
    this.flattenAt = session.flattenTime(ts)
    const equity = this.o.ledger.equity
    this.dayStartEquity = equity
    this.dayPeakEquity = equity
    this.tradesToday = 0
    this.consecutiveLosses = 0
    this.equityDirty = true
  }

  /** Continues a session day an earlier run began (a restart): its counters, not zero. */
  private continueDay(r: RiskDayCounters): void {
    this.recentOrderTimes.push(...r.recentOrderTimes)
    const day = r.day
    if (!day) return
    const now = this.o.clock.now()
    if (now >= day.dayEnd) return
    this.dayEnd = day.dayEnd
    this.flattenAt = this.o.session.flattenTime(now)
    this.dayStartEquity = day.dayStartEquity
    this.dayPeakEquity = Math.max(day.dayPeakEquity, this.o.ledger.equity)
    this.tradesToday = day.tradesToday
    this.consecutiveLosses = day.consecutiveLosses
    this.equityDirty = true
  }

  private evaluateRisk(ts: number): void {
    this.equityDirty = false
    const equity = this.o.ledger.equity
    if (equity > this.dayPeakEquity) this.dayPeakEquity = equity
    if (this.o.equityCurve) this.pushEquity(ts, equity)
    const states = this.o.states
    if (states.state === 'HALTED' && states.until === undefined) return
    const m = this.metrics
    m.dailyPnl = equity - this.dayStartEquity
    m.equity = equity
    m.dayPeakEquity = this.dayPeakEquity
    m.consecutiveLosses = this.consecutiveLosses
    const t = states.evaluate(m, ts)
    if (t) this.background(this.recordTransition(t))
  }

  private pushEquity(ts: number, equity: Micro): void {
    const n = this.curveLen
    if (n > 0 && this.curveTs[n - 1] === ts) {
      this.curveEq[n - 1] = equity
      return
    }
    if (n === this.curveTs.length) {
      const size = Math.max(1024, n * 2)
      const t = new Float64Array(size)
      const e = new Float64Array(size)
      t.set(this.curveTs)
      e.set(this.curveEq)
      this.curveTs = t
      this.curveEq = e
    }
    this.curveTs[n] = ts
    this.curveEq[n] = equity
    this.curveLen = n + 1
  }

  /**
   * Journals a transition. Entering HALTED cancels every working order; entering REDUCING cancels
   * the ones that could add exposure (entries), and keeps exits and protective orders working.
   */
  private recordTransition(t: RiskTransition): Promise<void> | undefined {
    this.durable('RISK_STATE', t)
    this.o.observer?.riskState?.(t)
    if (this.orders.size === 0 || t.from === t.to) return undefined
    if (t.to === 'HALTED') return this.cancelAll(`sector HALTED: ${t.reason}`)
    if (t.to === 'REDUCING') return this.cancelEach(this.orders.addingOrderIds(), `sector REDUCING: ${t.reason}`, 0)
    return undefined
  }

  private async strategyFailed(fault: StrategyFault): Promise<void> {
    if (this.fault) return
    this.fault = fault
    const payload: EventPayloads['STRATEGY_ERROR'] = {message: fault.message, phase: fault.phase}
    if (fault.stack !== undefined) payload.stack = fault.stack
    this.durable('STRATEGY_ERROR', payload)
    this.o.observer?.strategyError?.(fault)
    const t = this.o.states.onEvent({kind: 'strategy-error', message: fault.message}, this.o.clock.now())
    if (t) await this.recordTransition(t)
  }

  // ---------------------------------------------------------------- checkpoints and stop

  /** Journals the strategy's state (skipped when the strategy is dead). */
  checkpoint(): void {
    if (this.host.dead) return
    const cp = this.host.checkpoint()
    if (isStrategyFault(cp)) {
      this.background(this.strategyFailed(cp))
      return
    }
    this.write('STRATEGY_CHECKPOINT', {state: cp.state, barsProcessed: this.bars})
  }

  /**
   * Cancels working orders (positions stay), checkpoints the strategy, journals RUN_STOPPED and
   * flushes the journal. Idempotent.
   */
  async stop(reason: RunStoppedPayload['reason'], detail?: string): Promise<EngineSummary> {
    if (!this.running) return this.summary(reason)
    // No more bars from here on; what is still working is cancelled, positions stay (done already
    // by windDown at a venue, whose connection is closed by now).
    this.stopped = true
    if (!this.woundDown) await this.cancelWorking(reason)
    this.checkpoint()
    this.host.close()
    const s = this.summary(reason)
    const payload: RunStoppedPayload = {
      reason,
      barsProcessed: this.bars,
      summary: {trades: s.trades, fills: s.fills, denials: s.denials, realizedPnl: s.realizedPnl, fees: s.fees, equity: s.equity},
    }
    if (detail !== undefined) payload.detail = detail
    this.durable('RUN_STOPPED', payload)
    this.running = false
    this.unsubscribe?.()
    this.batch?.close()
    this.batch = undefined
    return s
  }

  /**
   * The end of a run at a venue, while its connection is still open: no more orders, the working
   * ones cancelled, then the orders whose cancel or fill is still on its way waited for (`until`,
   * bounded by the caller) and the rest asked about by client id, so RUN_STOPPED follows every fill
   * the venue made (a market order filled as Ctrl-C came was missing from the journal until the
   * next run). stop() then writes RUN_STOPPED.
   */
  async windDown(reason: RunStoppedPayload['reason'], until: (done: () => boolean) => Promise<void>): Promise<void> {
    if (!this.running || this.woundDown) return
    this.stopped = true
    this.woundDown = true
    this.replacements.clear()
    await this.cancelWorking(reason)
    await until(() => this.orders.size === 0)
    if (this.orders.size === 0) return
    for (const [, o] of this.orders.entries()) this.orders.markUncertain(o)
    try {
      await this.settleUnconfirmed(false)
    } catch (error) {
      this.notice(`asking the venue about orders at stop failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private async cancelWorking(reason: RunStoppedPayload['reason']): Promise<void> {
    try {
      await this.cancelAll(`run stopped (${reason})`)
    } catch (error) {
      this.notice(`cancelling working orders failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  /** Writes what is buffered (backtests) without stopping. */
  flush(): void {
    this.batch?.flush()
  }

  summary(stopped?: RunStoppedPayload['reason']): EngineSummary {
    const ledger = this.o.ledger
    const positions: Array<{instrument: string; qty: number}> = []
    for (const [instrument, qty] of this.positions) if (qty !== 0) positions.push({instrument, qty})
    const s: EngineSummary = {
      barsProcessed: this.bars,
      ...this.stats,
      realizedPnl: ledger.realized,
      fees: ledger.fees,
      equity: ledger.equity,
      cash: ledger.cash,
      state: this.o.states.state,
      positions,
    }
    if (stopped) s.stopped = stopped
    if (this.fault) s.strategyFault = this.fault
    return s
  }

  // ---------------------------------------------------------------- journal

  private event<T extends EventType>(type: T, payload: EventPayloads[T]): NewEvent<T> {
    return {ts: this.o.clock.now(), runId: this.runId, sector: this.sector, type, payload}
  }

  /** Buffered in a batch (backtests), else durable (after what waits in `deferred`, in one commit). */
  private write<T extends EventType>(type: T, payload: EventPayloads[T]): void {
    if (this.batch) this.batch.add(this.event(type, payload))
    else if (this.deferred.waiting > 0) this.deferred.flush(this.event(type, payload))
    else this.o.journal.append(this.event(type, payload))
  }

  /** A record that may wait for the next commit at a remote venue (deferred-writes.ts says when). */
  private writeAnswer<T extends EventType>(type: T, payload: EventPayloads[T], lazy = false): void {
    if (this.batch || this.o.connector.submitNow !== undefined) this.write(type, payload)
    else this.deferred.add(this.event(type, payload), lazy)
  }

  /** Durable in runs (an intent is on disk before its submit); buffered in backtests. */
  private durable<T extends EventType>(type: T, payload: EventPayloads[T]): void {
    this.write(type, payload)
  }

  /**
   * Work started where nobody can await it (inside a venue event or a fill): its failure (the
   * journal refusing a write) stops the engine instead of becoming an unhandled rejection.
   */
  private background(work: Promise<void> | undefined): void {
    work?.catch((error: unknown) => {
      this.stopped = true
      this.notice(`engine stopped: ${error instanceof Error ? error.message : String(error)}`)
    })
  }

  private notice(message: string): void {
    this.o.observer?.notice?.(message)
  }
}
