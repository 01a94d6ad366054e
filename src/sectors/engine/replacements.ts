// Signals whose orders wait for the orders they replace. When a signal supersedes working orders,
// the engine cancels them first; at a live venue a cancel is only a request — the order may already
// have filled, its fill still on its way (a market order is filled before its cancel arrives). Had
// the replacement gone out at once, both would fill and the position would double. So the signal
// waits here until every order it cancelled is gone from the tracker (cancelled, expired, rejected
// or filled), and is then planned again against the position as it is by then.
//
// A venue in this process (the paper venue) confirms a cancel before cancel() returns: nothing ever
// waits here in a backtest, and its orders are the same as before.
import type {Signal} from '../strategy/contract.js'

interface Waiting {
  signal: Signal
  /** The orders the signal cancelled and waits for. */
  ids: readonly string[]
}

export class WaitingReplacements {
  private readonly waiting = new Map<string, Waiting>()

  get size(): number {
    return this.waiting.size
  }

  /** The latest signal of an instrument replaces an earlier one still waiting. */
  wait(instrument: string, signal: Signal, ids: readonly string[]): void {
    this.waiting.set(instrument, {signal, ids})
  }

  drop(instrument: string): void {
    this.waiting.delete(instrument)
  }

  /** The signal waiting on `instrument`, taken, once none of its orders is tracked any more. */
  takeReady(instrument: string, tracked: (clientOrderId: string) => boolean): Signal | undefined {
    const w = this.waiting.get(instrument)
    if (w === undefined || w.ids.some(tracked)) return undefined
    this.waiting.delete(instrument)
    return w.signal
  }

  clear(): void {
    this.waiting.clear()
  }
}
