// Exact decimals for the Coinbase simulator. Every amount (balances, holds, sizes, prices, fees) is a
// bigint count of 1e-20 of its unit, so the products the exchange computes stay exact: a price with
// 8 decimals times a size with 8 times a fee rate with 4 has 20. Coinbase prints amounts as
// decimal strings and charges fees unrounded (an Exchange fill shows a fee of 0.2433492642), so
// nothing here rounds except where Coinbase floors (a quote-sized market buy to the base increment).

export type Units = bigint

export const DECIMALS = 20
export const ONE: Units = 10n ** BigInt(DECIMALS)
export const ZERO: Units = 0n

const DECIMAL = /^(\d+)(?:\.(\d+))?$/

/**
 * A non-negative decimal string as units; undefined for anything else (signs, exponents, spaces,
 * empty) and for more than 20 decimals. Coinbase's numbers always arrive as such strings.
 */
export function parseUnits(text: unknown): Units | undefined {
  if (typeof text !== 'string') return undefined
  const m = DECIMAL.exec(text)
  if (!m) return undefined
  const fraction = m[2] ?? ''
  if (fraction.length > DECIMALS) {
    if (/[1-9]/.test(fraction.slice(DECIMALS))) return undefined
  }
  return BigInt(m[1] as string) * ONE + BigInt(fraction.slice(0, DECIMALS).padEnd(DECIMALS, '0'))
}

/** Units as a decimal string, trailing zeros cut but at least `minDecimals` kept ("1.50", "0"). */
export function formatUnits(v: Units, minDecimals = 0): string {
  const negative = v < 0n
  const abs = negative ? -v : v
  const whole = abs / ONE
  let fraction = (abs % ONE).toString().padStart(DECIMALS, '0').replace(/0+$/, '')
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0')
  const text = fraction.length > 0 ? `${whole}.${fraction}` : whole.toString()
  return negative ? `-${text}` : text
}

/** Units as a fixed number of decimals, truncated toward zero (for display fields Coinbase pads). */
export function fixedUnits(v: Units, decimals: number): string {
  const step = 10n ** BigInt(DECIMALS - decimals)
  const t = (v / step) * step
  const text = formatUnits(t, decimals)
  return decimals === 0 ? text.split('.')[0] as string : text
}

/** a × b, exact when the two together have at most 20 decimals (else truncated toward zero). */
export function mul(a: Units, b: Units): Units {
  return (a * b) / ONE
}

/** a ÷ b truncated toward zero; b > 0. */
export function div(a: Units, b: Units): Units {
  return (a * ONE) / b
}

/** The largest multiple of `step` not above v (v, step ≥ 0). */
export function floorTo(v: Units, step: Units): Units {
  return step > 0n ? (v / step) * step : v
}

export function isMultiple(v: Units, step: Units): boolean {
  return step > 0n ? v % step === 0n : true
}

export function min(a: Units, b: Units): Units {
  return a < b ? a : b
}

export function max(a: Units, b: Units): Units {
  return a > b ? a : b
}

/** Units as a JS number (for the few fields Coinbase sends as numbers, e.g. total_volume). */
export function toNumber(v: Units): number {
  return Number(formatUnits(v))
}

/** A decimal literal known to be valid (catalogue constants). */
export function units(text: string): Units {
  const v = parseUnits(text)
  if (v === undefined) throw new Error(`not a decimal: ${text}`)
  return v
}
