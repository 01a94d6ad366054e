// How fast `rick run` feeds synthetic bars. `1x` is real time (one bar per bar period), `60x` a
// minute of bars per second, `max` as fast as the engine goes; the default, one bar every 50 ms,
// shows decisions within seconds on the synthetic feed.
import {UsageError} from '../../foundation/errors.js'

export const DEFAULT_SPEED = '50ms'

export interface Pace {
  /** What the user asked for, normalised (`1x`, `60x`, `max`, `50ms`). */
  label: string
  /** Wall-clock delay after each bar period; 0 = none. */
  delayMs: number
  /** How the first lines describe it. */
  describe: string
}

/** Parses `--speed`: `<n>x` (a multiple of real time), `<n>ms` (delay per bar period) or `max`. */
export function parseSpeed(speed: string | undefined, periodMs: number): Pace {
  const text = (speed ?? DEFAULT_SPEED).trim().toLowerCase()
  if (text === 'max') return {label: 'max', delayMs: 0, describe: 'as fast as the engine goes (--speed max)'}
  const times = /^(\d+(?:\.\d+)?)x$/.exec(text)
  if (times) {
    const k = Number(times[1])
    if (!(k > 0)) throw new UsageError(`--speed ${speed}: the multiple must be positive`, 'BAD_SPEED')
    const delay = periodMs / k
    return {label: `${times[1]}x`, delayMs: delay, describe: `${times[1]}x real time: one ${periodLabel(periodMs)} bar every ${formatMs(delay)} (--speed ${times[1]}x)`}
  }
  const ms = /^(\d+)ms$/.exec(text)
  if (ms) {
    const delay = Number(ms[1])
    const suffix = speed === undefined ? `the default; --speed 1x for real time, max for no pause` : `--speed ${text}`
    return {label: `${delay}ms`, delayMs: delay, describe: `one ${periodLabel(periodMs)} bar every ${formatMs(delay)} (${suffix})`}
  }
  throw new UsageError(`--speed expects 1x, 60x, max, another multiple like 10x, or a delay per bar like 50ms; found '${speed}'`, 'BAD_SPEED')
}

function periodLabel(periodMs: number): string {
  if (periodMs % 60_000 === 0) return `${periodMs / 60_000}-minute`
  return `${periodMs / 1000}-second`
}

function formatMs(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`
  return `${Number(ms.toFixed(1))} ms`
}
