// The bridge of a realm that lives in a worker thread (worker-thread.ts), called synchronously: the
// engine's thread posts the call on a MessagePort, raises a counter in shared memory and waits on
// it (Atomics.wait) for at most the call's budget; the worker answers on the port and raises the
// other counter. A call that does not come back in time — an endless loop, or a worker that died
// of its heap limit — gets the worker terminated, and every later call fails at once.
//
// Synchronous on purpose: the engine's bar path is synchronous (a backtest's and a run's alike),
// and a strategy call that blocks the engine for at most its budget is the budget's meaning.
// Position updates ride along with the next call instead of costing a round trip each.
import {MessageChannel, receiveMessageOnPort, Worker, type MessagePort} from 'node:worker_threads'

import type {Bridge} from './realm.js'
import type {SandboxBudget} from './sandboxed-strategy.js'
import {loaderSource, strategyWorkerModule} from './worker-location.js'

/** Control words in shared memory: [0] calls posted, [1] calls answered. */
const POSTED = 0
const ANSWERED = 1
/** A worker must be up and have evaluated the module within this (a cold start on a busy machine). */
const START_MS = 15_000

export interface WorkerRealmOptions {
  script: string
  filename: string
  seed: number
  instruments: readonly string[]
  loadTimeoutMs: number
}

/** The message a worker gets for each call. */
export interface WorkerCall {
  method: keyof Bridge
  args: Array<string | number>
  /** Positions to set before the call ([instrument, units] pairs). */
  positions: Array<[string, number]>
}

export class WorkerBridge implements Bridge {
  private readonly worker: Worker
  private readonly port: MessagePort
  private readonly control: Int32Array
  private posted = 0
  private pending: Array<[string, number]> = []
  private stopped: string | undefined
  private started = false

  constructor(
    realm: WorkerRealmOptions,
    private readonly budget: SandboxBudget,
  ) {
    this.control = new Int32Array(new SharedArrayBuffer(8))
    const {port1, port2} = new MessageChannel()
    this.port = port1
    const module = strategyWorkerModule()
    const workerData = {control: this.control.buffer, port: port2, realm}
    const options = {
      workerData,
      transferList: [port2],
      // Nothing of the engine's process reaches the thread: no environment (secrets), no flags
      // (an --inspect would open a debugger port), its output not on the engine's terminal.
      env: {},
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: {maxOldGenerationSizeMb: budget.memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, budget.memoryMb >> 3)), stackSizeMb: 4},
    }
    this.worker = module.loader === undefined ? new Worker(module.url, options) : new Worker(loaderSource(module), {...options, eval: true})
    // Never keeps the process alive; its death is noticed by the next call (it does not answer).
    this.worker.unref()
    this.worker.on('error', () => {})
  }

  describe(): string {
    return this.call('describe', [])
  }
  deriveParams(paramsJson: string): string {
    return this.call('deriveParams', [paramsJson])
  }
  checkParams(paramsJson: string): string {
    return this.call('checkParams', [paramsJson])
  }
  init(paramsJson: string): string {
    return this.call('init', [paramsJson])
  }
  setNow(ts: number): void {
    this.call('setNow', [ts])
  }
  setPosition(instrument: string, units: number): void {
    this.pending.push([instrument, units])
  }
  onBar(now: number, instrument: string, ts: number, open: number, high: number, low: number, close: number, volume: number, maxSignals: number): string {
    return this.call('onBar', [now, instrument, ts, open, high, low, close, volume, maxSignals])
  }
  onFill(now: number, fillJson: string): string {
    return this.call('onFill', [now, fillJson])
  }
  state(): string {
    return this.call('state', [])
  }
  restore(stateJson: string): string {
    return this.call('restore', [stateJson])
  }
  takeLogs(): string {
    return this.call('takeLogs', [])
  }

  close(): void {
    if (this.stopped === undefined) this.stopped = 'the strategy was closed'
    void this.worker.terminate()
  }

  private call(method: keyof Bridge, args: Array<string | number>): string {
    if (this.stopped !== undefined) return fault(this.stopped)
    const limit = this.started ? this.budget.callMs : START_MS + this.budget.loadMs
    this.started = true
    const message: WorkerCall = {method, args, positions: this.pending}
    this.pending = []
    const seq = ++this.posted
    this.port.postMessage(message)
    Atomics.store(this.control, POSTED, seq)
    Atomics.notify(this.control, POSTED)
    const deadline = performance.now() + limit
    for (;;) {
      const answered = Atomics.load(this.control, ANSWERED)
      if (answered === seq) break
      const left = deadline - performance.now()
      if (left <= 0) return this.overrun(method, limit)
      Atomics.wait(this.control, ANSWERED, answered, left)
    }
    const reply = receiveMessageOnPort(this.port)
    const text = reply?.message as unknown
    return typeof text === 'string' ? text : fault('the strategy worker answered something that is not text')
  }

  private overrun(method: string, limit: number): string {
    this.stopped = `stopped: ${method}() did not return within ${limit} ms (the strategy's time budget per call${this.started ? `; its heap is limited to ${this.budget.memoryMb} MB, and a worker that exceeds it stops answering too` : ''})`
    void this.worker.terminate()
    return fault(this.stopped)
  }
}

function fault(message: string): string {
  return `!${JSON.stringify({message})}`
}
