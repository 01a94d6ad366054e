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

/**
 * Shared memory: control words ([0] calls posted, [1] calls answered, [2] the request's length in
 * bytes, [3] the answer's; -1: this one came on the MessagePort, too long for its region), then the
 * request region and the answer region. A call's text goes through shared memory (a MessagePort's
 * structured clone cost ~40 µs a call here); the port carries only what does not fit.
 */
export const POSTED = 0
export const ANSWERED = 1
export const REQUEST_LENGTH = 2
export const ANSWER_LENGTH = 3
const CONTROL_BYTES = 16
export const REGION_BYTES = 256 * 1024

/** The views of a bridge's shared memory. */
export interface SharedChannel {
  control: Int32Array
  request: Uint8Array
  answer: Uint8Array
}

export function channelOf(buffer: SharedArrayBuffer): SharedChannel {
  return {control: new Int32Array(buffer, 0, 4), request: new Uint8Array(buffer, CONTROL_BYTES, REGION_BYTES), answer: new Uint8Array(buffer, CONTROL_BYTES + REGION_BYTES, REGION_BYTES)}
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Writes `text` into `region` (its length into control[slot]), or posts it on `port` (length -1). */
export function send(text: string, region: Uint8Array, control: Int32Array, slot: number, port: MessagePort): void {
  // Up to 3 bytes per UTF-16 unit: a text that surely fits is written without a second look.
  if (text.length * 3 <= region.length) {
    control[slot] = encoder.encodeInto(text, region).written
    return
  }
  port.postMessage(text)
  control[slot] = -1
}

/** Reads what send() wrote. */
export function receive(region: Uint8Array, control: Int32Array, slot: number, port: MessagePort): string | undefined {
  const n = control[slot]!
  if (n >= 0) return decoder.decode(region.subarray(0, n))
  const m = receiveMessageOnPort(port)?.message as unknown
  return typeof m === 'string' ? m : undefined
}
/** How long each side spins for the other before it sleeps on the futex: ms. */
export const SPIN_MS = 0.3
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
  args: Array<string | number | boolean | null>
  /** Positions to set before the call ([instrument, units] pairs). */
  positions: Array<[string, number]>
}

export class WorkerBridge implements Bridge {
  private readonly worker: Worker
  private readonly port: MessagePort
  private readonly control: Int32Array
  private readonly channel: SharedChannel
  private posted = 0
  private pending: Array<[string, number]> = []
  private stopped: string | undefined
  private started = false

  constructor(
    realm: WorkerRealmOptions,
    private readonly budget: SandboxBudget,
  ) {
    const shared = new SharedArrayBuffer(CONTROL_BYTES + 2 * REGION_BYTES)
    this.channel = channelOf(shared)
    this.control = this.channel.control
    const {port1, port2} = new MessageChannel()
    this.port = port1
    const module = strategyWorkerModule()
    const workerData = {shared, port: port2, realm, memoryMb: budget.memoryMb}
    const options = {
      workerData,
      transferList: [port2],
      // Nothing of the engine's process reaches the thread: no environment (secrets), no flags
      // (an --inspect would open a debugger port), its output not on the engine's terminal.
      env: {},
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: {maxOldGenerationSizeMb: budget.memoryMb, maxYoungGenerationSizeMb: Math.min(8, Math.max(2, budget.memoryMb >> 5)), stackSizeMb: 4},
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
  onFill(now: number, clientOrderId: string, venueOrderId: string | undefined, fillId: string, instrument: string, side: string, qty: number, price: number, fee: number, liquidity: string, ts: number, inferred: boolean): string {
    // JSON has no undefined: the worker passes null on, which the bridge leaves out.
    return this.call('onFill', [now, clientOrderId, venueOrderId ?? null, fillId, instrument, side, qty, price, fee, liquidity, ts, inferred])
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

  private call(method: keyof Bridge, args: Array<string | number | boolean | null>): string {
    if (this.stopped !== undefined) return fault(this.stopped)
    const limit = this.started ? this.budget.callMs : START_MS + this.budget.loadMs
    this.started = true
    const message: WorkerCall = {method, args, positions: this.pending}
    this.pending = []
    const seq = ++this.posted
    send(JSON.stringify(message), this.channel.request, this.control, REQUEST_LENGTH, this.port)
    Atomics.store(this.control, POSTED, seq)
    Atomics.notify(this.control, POSTED)
    const start = performance.now()
    const deadline = start + limit
    // Most answers come within tens of µs: spinning that long saves the thread wake-up a futex
    // wait costs (hundreds of µs on a busy machine), on the path from a bar's close to its order.
    spinUntil(this.control, ANSWERED, seq, start + SPIN_MS)
    for (;;) {
      const answered = Atomics.load(this.control, ANSWERED)
      if (answered === seq) break
      const left = deadline - performance.now()
      if (left <= 0) return this.overrun(method, limit)
      Atomics.wait(this.control, ANSWERED, answered, left)
    }
    const text = receive(this.channel.answer, this.control, ANSWER_LENGTH, this.port)
    return text ?? fault('the strategy worker answered something that is not text')
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

/** Spins until `control[slot]` is `value` or `until` (performance.now()) has passed; true when it is. */
export function spinUntil(control: Int32Array, slot: number, value: number, until: number): boolean {
  for (let i = 0; ; i++) {
    if (Atomics.load(control, slot) === value) return true
    if ((i & 63) === 63 && performance.now() >= until) return false
  }
}
