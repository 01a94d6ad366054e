// The strategy contract. A strategy is pure logic: no network, no files, no clock or randomness of
// its own — time comes from ctx.now(), randomness from ctx.random(). Strategies live in
// strategies/ (the files an agent may edit), import this file for types only (`import type`), and
// run in a sandbox (sandbox/) that holds them to this: see sandbox/compile.ts for what they may
// import.
import type {Bar} from '../../foundation/domain/bars.js'
import type {Fill} from '../../foundation/domain/orders.js'

/** What a strategy asks for. The engine turns it into orders, and the risk gate may refuse them. */
export interface Signal {
  instrument: string
  /** Desired signed position in units after this signal (0 = flat). */
  target: number
  /** Order type to reach the target; market by default. */
  type?: 'market' | 'limit' | 'stop'
  limitPrice?: number
  stopPrice?: number
  /** With type limit: the order must rest on the book (maker fees); refused where it would trade at once. */
  postOnly?: boolean
  /** Protective exits for the new position (absolute prices). */
  bracket?: {stopLoss: number; takeProfit: number}
  /** Why, in a few words; journaled with the intent. */
  reason: string
}

export interface StrategyContext {
  /** Epoch ms of the engine clock (the bar's close in backtests). */
  now(): number
  /** Current signed position of an instrument, in units. */
  position(instrument: string): number
  /** The validated params from the sector config. */
  readonly params: Readonly<Record<string, unknown>>
  /** The instruments of the sector. */
  readonly instruments: readonly string[]
  /** A line for the run log (journaled as STRATEGY_LOG). */
  log(message: string): void
  /** Uniform in [0, 1), from the run's seed (Math.random is the same generator in the sandbox). */
  random(): number
}

export interface Strategy<State = unknown> {
  init(ctx: StrategyContext): void
  /** `bar` is only valid during the call (hot loops reuse the object): copy what you keep. */
  onBar(bar: Bar, ctx: StrategyContext): Signal[]
  onFill(fill: Fill, ctx: StrategyContext): void
  /** A JSON-serialisable checkpoint; restore() must bring the strategy back to exactly this state. */
  state(): State
  restore(state: State): void
}

/** What a strategy module exports (default export). */
export interface StrategyModule<Params = Record<string, unknown>, State = unknown> {
  name: string
  description: string
  /** JSON Schema of the params (additionalProperties false, every field described, defaults set). */
  paramsSchema: Record<string, unknown>
  /**
   * Optional: defaults that depend on other params (e.g. `exitLookback` = half the `lookback`),
   * filled by the loader after the schema's own defaults, so the journaled params are complete.
   */
  deriveParams?(params: Params): Params
  /**
   * Optional checks that JSON Schema cannot say (e.g. `slow > fast`), run by the loader after the
   * schema, on params with defaults applied: one message per problem, naming the param first.
   */
  checkParams?(params: Params): Array<{param: string; message: string}>
  create(params: Params): Strategy<State>
}
