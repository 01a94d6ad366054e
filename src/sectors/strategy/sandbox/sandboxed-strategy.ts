// A project's strategy as the engine holds it: a Strategy object of the ENGINE's realm whose every
// method forwards to the strategy's own realm through the bridge (bootstrap.ts), as primitives and
// JSON text. The StrategyHost around it validates what comes back as for any strategy, so the
// engine's code path is the same for a sandboxed strategy and a test's strategy object.
//
// Where the realm lives: `thread` (in the engine's thread: per-bar calls cost a function call, for
// backtests and replays) or `worker` (a worker thread: every call is bounded in time, the realm's
// heap in size, and a strategy that overruns is stopped, for runs that trade).
import type {Bar} from '../../../foundation/domain/bars.js'
import type {Fill} from '../../../foundation/domain/orders.js'
import type {Signal, Strategy, StrategyContext} from '../contract.js'
import {callEnded, callStarted, threadCallWatch} from './call-watch.js'
import {Realm, type Bridge} from './realm.js'
import {WorkerBridge} from './worker-bridge.js'

export interface SandboxBudget {
  /** Longest a call into the strategy may take (wall clock, an upper bound of its CPU time): ms. */
  callMs: number
  /** The strategy's heap (its worker's old generation): MB. */
  memoryMb: number
  /** Longest the module's evaluation and the loading calls may take: ms. */
  loadMs: number
}

export const DEFAULT_BUDGET: SandboxBudget = {callMs: 250, memoryMb: 256, loadMs: 2000}

export interface SandboxSpec {
  /** The compiled realm script (compile.ts). */
  script: string
  filename: string
  params: Readonly<Record<string, unknown>>
  budget: SandboxBudget
}

/** A failure inside the realm (or of its worker), as an Error of the engine's realm. */
export class StrategyRealmError extends Error {
  /** `output`: the strategy returned something unusable (StrategyHost journals that phase). */
  readonly phase: 'output' | undefined
  constructor(message: string, stack: string | undefined, output: boolean) {
    super(message)
    this.name = 'StrategyRealmError'
    this.phase = output ? 'output' : undefined
    // The realm's own trace (its frames, its file), not this constructor's.
    this.stack = stack ?? `${this.name}: ${message}`
  }
}

const NONE: Signal[] = Object.freeze([]) as unknown as Signal[]

export function sandboxedStrategy(spec: SandboxSpec, where: 'thread' | 'worker'): Strategy & {close(): void} {
  return new SandboxedStrategy(spec, where)
}

class SandboxedStrategy implements Strategy {
  private bridge: Bridge | undefined
  private worker: WorkerBridge | undefined
  /** Positions the realm was last told (ctx.position() there reads its copy). */
  private readonly told = new Map<string, number>()
  private ctx: StrategyContext | undefined
  private maxSignals = 16

  constructor(
    private readonly spec: SandboxSpec,
    private readonly where: 'thread' | 'worker',
  ) {}

  init(ctx: StrategyContext): void {
    this.ctx = ctx
    this.maxSignals = Math.max(16, 4 * ctx.instruments.length)
    // The realm's seed comes from the engine's seeded generator: the same run, the same draws.
    const seed = Math.floor(ctx.random() * 4294967296)
    const realm = {script: this.spec.script, filename: this.spec.filename, seed, instruments: ctx.instruments, loadTimeoutMs: this.spec.budget.loadMs}
    if (this.where === 'worker') {
      this.worker = new WorkerBridge(realm, this.spec.budget)
      this.bridge = this.worker
    } else {
      const inner = new Realm(realm).bridge
      // In a thread supervised for budgets (a backtest's worker): every call is reported.
      const w = threadCallWatch()
      this.bridge = w === undefined ? inner : watched(inner, w)
    }
    for (const i of ctx.instruments) this.tell(i, ctx.position(i))
    this.check(this.bridge.init(JSON.stringify(this.spec.params)))
  }

  onBar(bar: Bar, ctx: StrategyContext): Signal[] {
    const b = this.bridge!
    const out = b.onBar(ctx.now(), bar.instrument, bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume, this.maxSignals)
    if (out === '') return NONE
    const r = this.check(out) as {signals: Signal[]; logs: string[]}
    for (const line of r.logs) ctx.log(line)
    return r.signals
  }

  onFill(fill: Fill, ctx: StrategyContext): void {
    const out = this.bridge!.onFill(ctx.now(), fill.clientOrderId, fill.venueOrderId, fill.fillId, fill.instrument, fill.side, fill.qty, fill.price, fill.fee, fill.liquidity, fill.ts, fill.inferred === true)
    if (out === '') return
    for (const line of this.check(out) as string[]) ctx.log(line)
  }

  state(): unknown {
    return this.check(this.bridge!.state())
  }

  restore(state: unknown): void {
    this.check(this.bridge!.restore(JSON.stringify(state)))
  }

  close(): void {
    this.worker?.close()
  }

  /** The engine's position changed (StrategyHost forwards it): the realm's copy follows. */
  positionChanged(instrument: string, units: number): void {
    if (this.bridge !== undefined && this.told.get(instrument) !== units) this.tell(instrument, units)
  }

  private tell(instrument: string, units: number): void {
    this.told.set(instrument, units)
    this.bridge!.setPosition(instrument, units)
  }

  /** The bridge's answer: '' (nothing), '!' + a fault (thrown here), or JSON text (parsed). */
  private check(out: string): unknown {
    if (out === '') return undefined
    if (out.charCodeAt(0) === 33 /* ! */) {
      const f = JSON.parse(out.slice(1)) as {message?: string; stack?: string; output?: boolean}
      throw new StrategyRealmError(f.message ?? 'failed', f.stack, f.output === true)
    }
    return JSON.parse(out) as unknown
  }
}

/**
 * The bridge with each strategy call reported to the thread's call watch (call-watch.ts). The
 * per-bar call is written out (no rest parameters: an array a bar).
 */
function watched(b: Bridge, w: Int32Array): Bridge {
  const around = <A extends unknown[]>(fn: (...a: A) => string) => (...a: A): string => {
    callStarted(w)
    try {
      return fn(...a)
    } finally {
      callEnded(w)
    }
  }
  return {
    describe: () => b.describe(),
    deriveParams: (p) => b.deriveParams(p),
    checkParams: (p) => b.checkParams(p),
    setNow: (ts) => b.setNow(ts),
    setPosition: (i, u) => b.setPosition(i, u),
    takeLogs: () => b.takeLogs(),
    init: around((p: string) => b.init(p)),
    onBar(now, instrument, ts, open, high, low, close, volume, max) {
      callStarted(w)
      try {
        return b.onBar(now, instrument, ts, open, high, low, close, volume, max)
      } finally {
        callEnded(w)
      }
    },
    onFill(now, clientOrderId, venueOrderId, fillId, instrument, side, qty, price, fee, liquidity, ts, inferred) {
      callStarted(w)
      try {
        return b.onFill(now, clientOrderId, venueOrderId, fillId, instrument, side, qty, price, fee, liquidity, ts, inferred)
      } finally {
        callEnded(w)
      }
    },
    state: around(() => b.state()),
    restore: around((s: string) => b.restore(s)),
  }
}
