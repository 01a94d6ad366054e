// The one place that reads the wall clock. Everything that needs time takes a Clock, so tests
// (and later replays) inject their own and the system clock is used only at the edges.
export type Clock = () => Date

export const systemClock: Clock = () => new Date()

/**
 * The engine's clock: epoch milliseconds. Backtests and replays drive a SimulatedClock from the
 * bars; live runs use the system clock. Nothing inside the engine reads time any other way.
 */
export interface EngineClock {
  now(): number
}

export const systemEngineClock: EngineClock = {now: () => systemClock().getTime()}

export class SimulatedClock implements EngineClock {
  private t: number
  constructor(start: number) {
    this.t = start
  }
  now(): number {
    return this.t
  }
  /** Moves time forward (never back: a bar older than the clock is a data error the caller reports). */
  set(t: number): void {
    if (t > this.t) this.t = t
  }
  /** Sets the time, back as well as forward: once, for a live run that learns the venue's time before its engine starts. */
  rebase(t: number): void {
    this.t = t
  }
}
