// How a thread that runs a strategy's realm in its own thread (a backtest's worker) lets another
// thread see that a call into the strategy is taking too long: two words of shared memory, a count
// of calls and a flag "in a call", written around every call (two stores, no clock read: a backtest
// makes a million calls). The supervisor (backtest-isolated.ts) samples them: the same call still
// in progress for longer than the budget is an overrun, and the thread is terminated.
const CALLS = 0
const IN_CALL = 1

let watch: Int32Array | undefined

/** Shared memory for a watch (hand its buffer to the thread that runs the strategy). */
export function newCallWatch(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(8))
}

/** Installs the watch every in-thread sandboxed strategy of this thread reports to. */
export function setThreadCallWatch(w: Int32Array | undefined): void {
  watch = w
}

export function threadCallWatch(): Int32Array | undefined {
  return watch
}

export function callStarted(w: Int32Array): void {
  w[CALLS] = (w[CALLS]! + 1) | 0
  w[IN_CALL] = 1
}

export function callEnded(w: Int32Array): void {
  w[IN_CALL] = 0
}

/** Reads a watch from the supervising thread: {calls, inCall}. */
export function readCallWatch(w: Int32Array): {calls: number; inCall: boolean} {
  return {calls: Atomics.load(w, CALLS), inCall: Atomics.load(w, IN_CALL) === 1}
}
