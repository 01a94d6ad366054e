// A strategy's realm: a vm context of its own in the calling thread, with only ECMAScript's
// built-ins (no `process`, `require`, `import()`, `fetch`, timers, console or clock), code generation
// from strings off (no eval / new Function, so no `constructor.constructor('…')` either), and the
// bridge from bootstrap.ts installed before the strategy's code runs. The engine talks to it
// through the primitive-only methods of `Realm`.
//
// A realm alone bounds what a strategy can REACH, not how long it runs or how much it allocates:
// those budgets come from the thread it lives in (worker-runner.ts stops a worker that overruns).
// Calls made while loading (evaluating the module, describing it, checking params) run with a vm
// timeout; the per-bar calls are plain function calls (a vm timeout costs ~80 µs a call).
import vm from 'node:vm'

import {BOOTSTRAP_SOURCE, BRIDGE_GLOBAL, SHADOWED_GLOBALS} from './bootstrap.js'

/** The bridge's methods, as the engine's side sees them: primitives in, strings out. */
export interface Bridge {
  describe(): string
  deriveParams(paramsJson: string): string
  checkParams(paramsJson: string): string
  init(paramsJson: string): string
  setNow(ts: number): void
  setPosition(instrument: string, units: number): void
  onBar(now: number, instrument: string, ts: number, open: number, high: number, low: number, close: number, volume: number, maxSignals: number): string
  onFill(now: number, clientOrderId: string, venueOrderId: string | undefined, fillId: string, instrument: string, side: string, qty: number, price: number, fee: number, liquidity: string, ts: number, inferred: boolean): string
  state(): string
  restore(stateJson: string): string
  takeLogs(): string
}

export interface RealmOptions {
  /** The strategy's compiled script (compile.ts: an IIFE that hands its module to the bridge). */
  script: string
  /** File name in the strategy's stack traces (the compiled file, or the source's path). */
  filename: string
  seed: number
  instruments: readonly string[]
  /** Wall-clock limit of each loading call (module evaluation, describe, params): ms. */
  loadTimeoutMs?: number
  /** Log lines kept per call (more are dropped). */
  maxLogsPerCall?: number
}

/** A failed loading call (the module threw at its top level, or did not finish in time). */
export class RealmLoadError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RealmLoadError'
  }
}

export class Realm {
  readonly bridge: Bridge
  private readonly context: vm.Context
  private readonly timeoutMs: number

  constructor(o: RealmOptions) {
    this.timeoutMs = o.loadTimeoutMs ?? 2000
    // microtaskMode: the realm's promise jobs run only when the vm evaluates a script here (inside
    // the timeout), never later in the engine's own job queue, where nothing would bound them.
    this.context = vm.createContext(Object.create(null) as object, {
      name: 'rick strategy',
      codeGeneration: {strings: false, wasm: false},
      microtaskMode: 'afterEvaluate',
    })
    const install = new vm.Script(BOOTSTRAP_SOURCE, {filename: 'rick:strategy-bootstrap'}).runInContext(this.context) as (seed: number, instruments: string, maxLogs: number) => void
    install(o.seed >>> 0, JSON.stringify(o.instruments), o.maxLogsPerCall ?? 20)
    this.bridge = new vm.Script(BRIDGE_GLOBAL, {filename: 'rick:bridge'}).runInContext(this.context) as Bridge
    // What the module throws at its top level is caught in the realm and read there (bridge.failed):
    // the engine never touches an object of the realm, not even an error.
    const wrapped = `(function (${SHADOWED_GLOBALS.join(', ')}) {'use strict'; try {\n${o.script}\n} catch (e) { ${BRIDGE_GLOBAL}.failed(e) } })(${SHADOWED_GLOBALS.join(', ')})`
    let script: vm.Script
    try {
      script = new vm.Script(wrapped, {filename: o.filename, lineOffset: -1})
    } catch (error) {
      throw new RealmLoadError(`does not parse: ${(error as Error).message}`)
    }
    this.run(script, 'evaluating the module')
  }

  /** A loading call through the bridge, bounded by the load timeout: `__rick.<method>(<json args>)`. */
  load(method: 'describe' | 'deriveParams' | 'checkParams', arg?: string): string {
    // Each runs once per load: compiled as needed, not kept.
    const script = new vm.Script(`${BRIDGE_GLOBAL}.${method}(${arg === undefined ? '' : JSON.stringify(arg)})`, {filename: 'rick:call'})
    return String(this.run(script, method))
  }

  private run(script: vm.Script, what: string): unknown {
    try {
      // No breakOnSigint: its watchdog puts SIGINT back to the default action when it ends (seen
      // from a worker: the engine's own Ctrl-C handler was gone, and Ctrl-C killed the run).
      return script.runInContext(this.context, {timeout: this.timeoutMs})
    } catch (error) {
      const code = (error as {code?: unknown}).code
      if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RealmLoadError(`${what} took longer than ${this.timeoutMs} ms (stopped)`)
      // The bridge catches what the realm throws; what arrives here is the vm's own error.
      throw new RealmLoadError(`${what} failed: ${error instanceof Error ? error.message : 'an unknown error'}`)
    }
  }
}
