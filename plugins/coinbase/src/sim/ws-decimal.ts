// Exact decimal strings for the websocket feed: prices, sizes and volumes stay decimal strings as
// Coinbase writes them, and the arithmetic the feed needs (book levels a tick apart, a candle's
// volume, comparisons) runs on scaled BigInts, never on floats. Core's sim decimals reach a plugin
// only at runtime through `o.core`, which startCoinbaseWs does not receive: hence this small copy.

/** A decimal as an integer count of 10^-scale units. */
export interface Dec {
  units: bigint
  scale: number
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

export function parseDec(text: string): Dec | undefined {
  const m = DECIMAL.exec(text)
  if (m === null) return undefined
  const frac = m[3] ?? ''
  const units = BigInt(`${m[2] ?? '0'}${frac}`)
  return {units: m[1] === '-' ? -units : units, scale: frac.length}
}

/** The decimal of a string the exchange produced; a malformed one is a bug upstream, loudly. */
export function dec(text: string): Dec {
  const d = parseDec(text)
  if (d === undefined) throw new TypeError(`coinbase sim websocket: not a decimal string: ${JSON.stringify(text)}`)
  return d
}

export function rescale(d: Dec, scale: number): Dec {
  if (scale === d.scale) return d
  if (scale > d.scale) return {units: d.units * 10n ** BigInt(scale - d.scale), scale}
  // Only ever called to widen in this file's callers; narrowing truncates toward zero.
  return {units: d.units / 10n ** BigInt(d.scale - scale), scale}
}

export function addDec(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale)
  return {units: rescale(a, scale).units + rescale(b, scale).units, scale}
}

export function cmpDec(a: Dec, b: Dec): number {
  const scale = Math.max(a.scale, b.scale)
  const x = rescale(a, scale).units
  const y = rescale(b, scale).units
  return x < y ? -1 : x > y ? 1 : 0
}

/** Plain decimal text with exactly `scale` fraction digits (as Coinbase pads sizes). */
export function formatDec(d: Dec): string {
  const negative = d.units < 0n
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, '0')
  const body = d.scale === 0 ? digits : `${digits.slice(0, digits.length - d.scale)}.${digits.slice(digits.length - d.scale)}`
  return negative ? `-${body}` : body
}

/** Number of fraction digits a decimal string carries. */
export function decimalsOf(text: string): number {
  const dot = text.indexOf('.')
  return dot < 0 ? 0 : text.length - dot - 1
}
