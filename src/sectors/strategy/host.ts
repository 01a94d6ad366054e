// The engine's only door into strategy code. A strategy is user code that an agent may edit: it can
// throw, loop over garbage, or return nonsense. The host turns every such failure into a returned
// StrategyFault (never a throw into the engine) and is dead afterwards; the engine then halts the
// sector and journals STRATEGY_ERROR. On the happy path it costs one try/catch and a loop over the
// (usually empty) signal array.
import type {Bar} from '../../foundation/domain/bars.js'
import type {Fill} from '../../foundation/domain/orders.js'
import type {EventPayloads} from '../../foundation/journal/events.js'
import type {Signal, Strategy, StrategyContext} from './contract.js'

/** Where a strategy failed; `output` = it returned something invalid (signals or a checkpoint). */
export type StrategyPhase = EventPayloads['STRATEGY_ERROR']['phase']

/** A strategy failure, shaped like the STRATEGY_ERROR payload (plus the `fault` tag). */
export interface StrategyFault {
  readonly fault: true
  phase: StrategyPhase
  message: string
  stack?: string
}

export interface StrategyHostOptions {
  /** More signals than this from one onBar is garbage (default: max(16, 4 × instruments)). */
  maxSignalsPerBar?: number
}

/** A checkpoint taken through the host: JSON-safe (finite numbers, plain objects and arrays). */
export interface StrategyCheckpoint {
  readonly fault?: undefined
  state: unknown
}

const ORDER_TYPES = new Set(['market', 'limit', 'stop'])

export function isStrategyFault(value: unknown): value is StrategyFault {
  return value !== null && typeof value === 'object' && (value as {fault?: unknown}).fault === true
}

export class StrategyHost {
  private strategy: Strategy | undefined
  private readonly factory: (() => Strategy) | undefined
  private readonly known: ReadonlySet<string>
  private readonly maxSignals: number
  private failure: StrategyFault | undefined

  /**
   * `source` is the strategy, or a factory (e.g. LoadedStrategy.create) that init() calls, so
   * that a throwing constructor is an `init` fault like any other.
   */
  constructor(
    source: Strategy | (() => Strategy),
    private readonly ctx: StrategyContext,
    options: StrategyHostOptions = {},
  ) {
    if (typeof source === 'function') this.factory = source
    else this.strategy = source
    this.known = new Set(ctx.instruments)
    this.maxSignals = options.maxSignalsPerBar ?? Math.max(16, 4 * ctx.instruments.length)
  }

  /** The fault that killed the host, if any. */
  get fault(): StrategyFault | undefined {
    return this.failure
  }

  get dead(): boolean {
    return this.failure !== undefined
  }

  /** Creates the strategy (if built from a factory) and calls its init(). */
  init(): StrategyFault | undefined {
    if (this.failure) return this.failure
    try {
      if (this.strategy === undefined) {
        const made = this.factory!()
        if (made === null || typeof made !== 'object' || typeof made.onBar !== 'function') {
          return this.die('init', `create() returned ${describe(made)}, expected a strategy object with init/onBar/onFill/state/restore`)
        }
        this.strategy = made
      }
      this.strategy.init(this.ctx)
    } catch (err) {
      return this.die('init', err)
    }
    return undefined
  }

  /**
   * The strategy's signals for this bar, validated, or the fault (the host is dead from then on).
   * The returned array may be the strategy's own (often a shared empty one): read it, never mutate it.
   */
  onBar(bar: Bar): readonly Signal[] | StrategyFault {
    if (this.failure) return this.failure
    let out: unknown
    try {
      out = this.strategy!.onBar(bar, this.ctx)
    } catch (err) {
      return this.die('onBar', err)
    }
    if (!Array.isArray(out)) return this.die('output', `onBar returned ${describe(out)}, expected an array of signals`)
    const n = out.length
    if (n === 0) return out as Signal[]
    if (n > this.maxSignals) return this.die('output', `onBar returned ${n} signals for one bar, more than the limit of ${this.maxSignals}`)
    for (let i = 0; i < n; i++) {
      const problem = this.checkSignal(out[i])
      if (problem !== undefined) return this.die('output', `onBar signal #${i + 1}: ${problem}`)
    }
    return out as Signal[]
  }

  onFill(fill: Fill): StrategyFault | undefined {
    if (this.failure) return this.failure
    try {
      this.strategy!.onFill(fill, this.ctx)
    } catch (err) {
      return this.die('onFill', err)
    }
    return undefined
  }

  /** A JSON-safe checkpoint of the strategy, or the fault (a throwing or non-JSON state() is `output`). */
  checkpoint(): StrategyCheckpoint | StrategyFault {
    if (this.failure) return this.failure
    let state: unknown
    try {
      state = this.strategy!.state()
    } catch (err) {
      return this.die('output', err, 'state() threw: ')
    }
    const problem = jsonProblem(state, 'state', 0)
    if (problem !== undefined) return this.die('output', `state() returned a value that is not plain JSON: ${problem}`)
    return {state}
  }

  /** Brings the strategy back to a checkpoint (after init()). */
  restore(state: unknown): StrategyFault | undefined {
    if (this.failure) return this.failure
    try {
      this.strategy!.restore(state)
    } catch (err) {
      return this.die('restore', err)
    }
    return undefined
  }

  private checkSignal(s: unknown): string | undefined {
    if (s === null || typeof s !== 'object') return `${describe(s)} is not a signal object`
    const sig = s as Partial<Signal>
    if (typeof sig.instrument !== 'string' || !this.known.has(sig.instrument)) {
      return `unknown instrument ${describe(sig.instrument)} (the sector trades ${[...this.known].join(', ') || 'nothing'})`
    }
    if (typeof sig.target !== 'number' || !Number.isFinite(sig.target)) return `target must be a finite number of units, found ${describe(sig.target)}`
    if (typeof sig.reason !== 'string') return `reason must be a string, found ${describe(sig.reason)}`
    if (sig.type !== undefined && !ORDER_TYPES.has(sig.type)) return `type must be market, limit or stop, found ${describe(sig.type)}`
    if (sig.type === 'limit' && !finite(sig.limitPrice)) return `a limit signal needs a finite positive limitPrice, found ${describe(sig.limitPrice)}`
    if (sig.type === 'stop' && !finite(sig.stopPrice)) return `a stop signal needs a finite positive stopPrice, found ${describe(sig.stopPrice)}`
    if (sig.limitPrice !== undefined && !finite(sig.limitPrice)) return `limitPrice must be a finite positive price, found ${describe(sig.limitPrice)}`
    if (sig.stopPrice !== undefined && !finite(sig.stopPrice)) return `stopPrice must be a finite positive price, found ${describe(sig.stopPrice)}`
    if (sig.bracket !== undefined) {
      const b = sig.bracket as unknown as Record<string, unknown> | null
      if (b === null || typeof b !== 'object' || !finite(b.stopLoss) || !finite(b.takeProfit)) {
        return `bracket must be {stopLoss, takeProfit} with finite positive prices, found ${describe(b)}`
      }
    }
    return undefined
  }

  private die(phase: StrategyPhase, err: unknown, prefix = ''): StrategyFault {
    const fault: StrategyFault =
      err instanceof Error
        ? {fault: true, phase, message: prefix + (err.message || err.name), ...(err.stack === undefined ? {} : {stack: err.stack})}
        : {fault: true, phase, message: prefix + (typeof err === 'string' ? err : `threw ${describe(err)}`)}
    this.failure = fault
    return fault
  }
}

function finite(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0
}

/** Why `v` would not survive a JSON round trip unchanged, or undefined. Depth-limited against cycles. */
function jsonProblem(v: unknown, path: string, depth: number): string | undefined {
  if (depth > 64) return `${path} is nested more than 64 levels (a cycle?)`
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} is ${v}`
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], `${path}[${i}]`, depth + 1)
      if (p !== undefined) return p
    }
    return undefined
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown
    if (proto !== Object.prototype && proto !== null) return `${path} is a ${(v as object).constructor?.name ?? 'non-plain object'}, not a plain object or array`
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue
      const p = jsonProblem(x, `${path}.${k}`, depth + 1)
      if (p !== undefined) return p
    }
    return undefined
  }
  return `${path} is a ${typeof v}`
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined'
  if (v === null) return 'null'
  if (typeof v === 'number') return String(v)
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
  if (Array.isArray(v)) return `an array of ${v.length}`
  if (typeof v === 'object') return `an object {${Object.keys(v).slice(0, 5).join(', ')}}`
  return `a ${typeof v}`
}
