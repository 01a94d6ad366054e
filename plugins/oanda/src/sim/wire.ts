// OANDA's wire formats. Times: RFC3339 with nine fractional digits ("2016-10-24T21:48:18.593753865Z")
// or, with `Accept-Datetime-Format: UNIX`, seconds since the epoch as a string with nine decimals
// ("1477345698.593000000"). The simulator keeps times as sim epoch ms (SimTime) inside its
// transactions and objects, and writes them in the format each request asked for. Prices, units and
// money are decimal strings: prices from whole ticks, units from whole units, money (AccountUnits)
// from micro units that are always whole multiples of 1e-4 (OANDA shows account money with 4 decimals).
import type {SimFramework} from '../../../../src/sectors/sim/index.js'

export type DateTimeFormat = 'RFC3339' | 'UNIX'

/** A point in sim time inside a wire object; written in the request's datetime format. */
export class SimTime {
  constructor(readonly ms: number) {}
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')
}

export function unixTime(ms: number): string {
  const s = Math.floor(ms / 1000)
  return `${s}.${String(ms - s * 1000).padStart(3, '0')}000000`
}

export function formatTime(ms: number, format: DateTimeFormat): string {
  return format === 'UNIX' ? unixTime(ms) : rfc3339(ms)
}

/** JSON text of a wire object, SimTimes in `format`. */
export function toWire(value: unknown, format: DateTimeFormat): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof SimTime ? formatTime(v.ms, format) : v))
}

/**
 * A DateTime a client sent (query or body): RFC3339 or UNIX seconds, whatever the header says
 * (clients mix them). Undefined when it is neither. A '+' of an offset that a query string turned
 * into a space is put back.
 */
export function parseDateTime(text: string): number | undefined {
  const t = text.trim().replace(/ (\d\d:?\d\d)$/, '+$1')
  if (/^\d+(\.\d+)?$/.test(t)) {
    const [s, frac = ''] = t.split('.')
    return Number(s) * 1000 + Number(frac.slice(0, 3).padEnd(3, '0'))
  }
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) return undefined
  const ms = Date.parse(t)
  return Number.isFinite(ms) ? ms : undefined
}

/** Money: micro units (whole multiples of 100) as AccountUnits text with 4 decimals. */
export function accountUnits(micro: number, sim: Pick<SimFramework, 'formatScaled'>): string {
  return sim.formatScaled(Math.round(micro / 100), 4)
}

/** A real factor as OANDA writes conversion factors (10 significant digits, no exponent). */
export function factorText(x: number): string {
  if (x === 1) return '1'
  const digits = Math.max(0, 9 - Math.floor(Math.log10(Math.abs(x))))
  return x.toFixed(Math.min(digits, 20)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')
}
