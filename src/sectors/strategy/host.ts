// The engine's door into strategy code: the StrategyRunner contract, and StrategyHost, the runner
// for strategy objects made in the engine's own realm. A strategy is user code that an agent may
// edit: it can throw, loop over garbage, or return nonsense. A runner turns every such failure into
// a returned StrategyFault (never a throw into the engine) and is dead afterwards; the engine then
// halts the sector and journals STRATEGY_ERROR.
//
// StrategyHost trusts the code it runs to stay in its lane (it shares the engine's globals, clock
// and process): it is for strategy objects built by the engine's own tests. A project's strategies
// (strategies/*.ts) always run in the sandbox (sandbox/: a realm of their own, in a worker for runs).
import type {Bar} from '../../foundation/domain/bars.js'
import type {Fill} from '../../foundation/domain/orders.js'
import type {EventPayloads} from '../../foundation/journal/events.js'
import type {Signal, Strategy, StrategyContext} from './contract.js'
import {copySignal, describe, jsonProblem, signalProblem} from './signals.js'

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

export function isStrategyFault(value: unknown): value is StrategyFault {
  return value !== null && typeof value === 'object' && (value as {fault?: unknown}).fault === true
}

/** What the engine calls; every method returns a fault instead of throwing. */
export interface StrategyRunner {
  readonly dead: boolean
  readonly fault: StrategyFault | undefined
  init(): StrategyFault | undefined
  /** The validated signals for this bar (read them, never mutate them), or the fault. */
  onBar(bar: Bar): readonly Signal[] | StrategyFault
  onFill(fill: Fill): StrategyFault | undefined
  checkpoint(): StrategyCheckpoint | StrategyFault
  restore(state: unknown): StrategyFault | undefined
  /** The engine's position in `instrument` changed (a sandboxed ctx.position() reads a copy). */
  positionChanged?(instrument: string, units: number): void
  /** Ends the strategy (its worker, if any). */
  close?(): void
}

export class StrategyHost implements StrategyRunner {
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
      const problem = signalProblem(out[i], this.known)
      if (problem !== undefined) return this.die('output', `onBar signal #${i + 1}: ${problem}`)
    }
    // Copies: only the contract's fields go on, reasons capped.
    return (out as Signal[]).map(copySignal)
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

  /** The engine's position changed: a sandboxed strategy's realm keeps a copy for ctx.position(). */
  positionChanged(instrument: string, units: number): void {
    const s = this.strategy as (Strategy & {positionChanged?: unknown}) | undefined
    if (this.failure === undefined && typeof s?.positionChanged === 'function') (s.positionChanged as (i: string, u: number) => void)(instrument, units)
  }

  /** Ends the strategy (a sandboxed one's worker); the host is dead afterwards. */
  close(): void {
    const s = this.strategy as (Strategy & {close?: unknown}) | undefined
    if (typeof s?.close === 'function') (s.close as () => void)()
  }

  private die(phase: StrategyPhase, err: unknown, prefix = ''): StrategyFault {
    // A sandboxed strategy says when its failure was its output rather than its code.
    if ((err as {phase?: unknown} | null)?.phase === 'output') phase = 'output'
    const fault: StrategyFault =
      err instanceof Error
        ? {fault: true, phase, message: prefix + (err.message || err.name), ...(err.stack === undefined ? {} : {stack: err.stack})}
        : {fault: true, phase, message: prefix + (typeof err === 'string' ? err : `threw ${describe(err)}`)}
    this.failure = fault
    return fault
  }
}
