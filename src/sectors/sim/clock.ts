// A simulator's time. The simulated venue lives in SIM time: sim = start + wall elapsed × speed, so
// `rick sim oanda --speed 60x` rehearses an hour of trading in a minute. Wall time and wall timers
// come from a WallClock: the system one at the edge, a ManualWall in tests, which then move time
// by hand and never sleep.
import {systemEngineClock} from '../../foundation/clock.js'

export type TimerId = number

/** Real time and real timers (milliseconds). */
export interface WallClock {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerId
  clearTimeout(id: TimerId): void
}

/**
 * The process clock and timers. Timers are unref'd: a simulator's pulse or heartbeat never keeps
 * a process alive on its own (its HTTP server does, until closed).
 */
export function systemWall(): WallClock {
  const timers = new Map<TimerId, NodeJS.Timeout>()
  let next = 1
  return {
    now: () => systemEngineClock.now(),
    setTimeout(fn, ms) {
      const id = next++
      const t = setTimeout(() => {
        timers.delete(id)
        fn()
      }, Math.max(0, ms))
      t.unref()
      timers.set(id, t)
      return id
    },
    clearTimeout(id) {
      const t = timers.get(id)
      if (t !== undefined) clearTimeout(t)
      timers.delete(id)
    },
  }
}

/** A wall clock moved by hand: `advance(ms)` runs the timers that fall due, in time order. */
export class ManualWall implements WallClock {
  private t: number
  private seq = 1
  private readonly timers = new Map<TimerId, {at: number; fn: () => void}>()

  constructor(start = 0) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.seq++
    this.timers.set(id, {at: this.t + Math.max(0, ms), fn})
    return id
  }

  clearTimeout(id: TimerId): void {
    this.timers.delete(id)
  }

  /** Timers waiting to run. */
  get pending(): number {
    return this.timers.size
  }

  /** Moves time forward by `ms`, running every timer due on the way (also ones they schedule). */
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      let due: [TimerId, {at: number; fn: () => void}] | undefined
      for (const entry of this.timers) if (entry[1].at <= end && (due === undefined || entry[1].at < due[1].at || (entry[1].at === due[1].at && entry[0] < due[0]))) due = entry
      if (due === undefined) break
      this.timers.delete(due[0])
      this.t = Math.max(this.t, due[1].at)
      due[1].fn()
    }
    this.t = end
  }
}

export interface SimClockOptions {
  /** Sim time (epoch ms) when the simulator starts. */
  startTs: number
  /** Sim ms per wall ms (default 1). */
  speed?: number
  wall?: WallClock
  /**
   * Shortest wall interval of a repeating sim timer (default 20 ms): at a very high speed a 5 s
   * heartbeat would otherwise fire every few wall milliseconds.
   */
  minWallIntervalMs?: number
}

export class SimClock {
  readonly startTs: number
  readonly speed: number
  readonly wall: WallClock
  private readonly wallStart: number
  private readonly minWallIntervalMs: number

  constructor(options: SimClockOptions) {
    const speed = options.speed ?? 1
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`sim clock: speed must be a positive number, found ${speed}`)
    if (!Number.isFinite(options.startTs)) throw new Error(`sim clock: startTs must be a finite epoch ms, found ${options.startTs}`)
    this.startTs = Math.floor(options.startTs)
    this.speed = speed
    this.wall = options.wall ?? systemWall()
    this.wallStart = this.wall.now()
    this.minWallIntervalMs = options.minWallIntervalMs ?? 20
  }

  /** Sim time, whole epoch milliseconds (never before startTs). */
  now(): number {
    // The epsilon keeps a timer due at 5000/60 wall ms from reading 4999 sim ms (float dust).
    return this.startTs + Math.max(0, Math.floor((this.wall.now() - this.wallStart) * this.speed + 1e-6))
  }

  /** Wall milliseconds that `simMs` of sim time take. */
  wallMs(simMs: number): number {
    return simMs / this.speed
  }

  /** Runs `fn` once after `simMs` of sim time. Returns a cancel function. */
  after(simMs: number, fn: () => void): () => void {
    const id = this.wall.setTimeout(fn, this.wallMs(simMs))
    return () => this.wall.clearTimeout(id)
  }

  /**
   * Runs `fn` every `simMs` of sim time (at least minWallIntervalMs of wall time apart), on a
   * schedule fixed from the first call so the intervals do not drift. Returns a cancel function.
   */
  every(simMs: number, fn: () => void): () => void {
    const period = Math.max(this.minWallIntervalMs, this.wallMs(simMs))
    const first = this.wall.now()
    let n = 0
    let id: TimerId | undefined
    let stopped = false
    const arm = (): void => {
      // A stalled process skips the slots it missed instead of firing them in a burst.
      n = Math.max(n + 1, Math.floor((this.wall.now() - first) / period) + 1)
      id = this.wall.setTimeout(
        () => {
          if (stopped) return
          arm()
          fn()
        },
        first + n * period - this.wall.now(),
      )
    }
    arm()
    return () => {
      stopped = true
      if (id !== undefined) this.wall.clearTimeout(id)
    }
  }
}
