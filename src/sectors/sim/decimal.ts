// Decimal strings at a venue's wire, as exact integers. Brokers send prices, units and money as
// decimal strings ("1.10523", "-100", "12.3400"); a simulator reads them into a whole number of
// steps (ticks, units, 1e-4 of a currency…) and writes them back from one, so no float ever drifts
// into a balance or a price.

export interface ParsedDecimal {
  negative: boolean
  /** Digits before the point (no sign), at least one. */
  whole: string
  /** Digits after the point, possibly empty. */
  fraction: string
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/

/** Parses `-12.3400` style text; undefined for anything else (exponents, spaces, empty). */
export function parseDecimal(text: string): ParsedDecimal | undefined {
  const m = DECIMAL.exec(text)
  if (!m) return undefined
  return {negative: m[1] === '-', whole: m[2] as string, fraction: m[3] ?? ''}
}

/** Decimals written after the point, trailing zeros included ("1.10" has 2). */
export function decimalsIn(text: string): number | undefined {
  return parseDecimal(text)?.fraction.length
}

/**
 * The value of `text` as a whole number of 10^-decimals steps ("1.105", 5 → 110500). Undefined when
 * the text is not a decimal, has non-zero digits beyond `decimals`, or is beyond safe integers.
 */
export function toScaled(text: string, decimals: number): number | undefined {
  const d = parseDecimal(text)
  if (d === undefined) return undefined
  const extra = d.fraction.slice(decimals)
  if (/[1-9]/.test(extra)) return undefined
  const digits = d.whole + d.fraction.slice(0, decimals).padEnd(decimals, '0')
  const n = Number(digits)
  if (!Number.isSafeInteger(n)) return undefined
  return d.negative && n !== 0 ? -n : n
}

/** A whole number of 10^-decimals steps as decimal text: (110500, 5) → "1.10500". */
export function formatScaled(steps: number | bigint, decimals: number): string {
  const n = typeof steps === 'bigint' ? steps : BigInt(Math.round(steps))
  const negative = n < 0n
  const digits = (negative ? -n : n).toString().padStart(decimals + 1, '0')
  const whole = decimals === 0 ? digits : digits.slice(0, -decimals)
  const text = decimals === 0 ? whole : `${whole}.${digits.slice(-decimals)}`
  return negative ? `-${text}` : text
}

/** Rounds a real value to whole steps, half away from zero (money and fees are rounded once, here). */
export function roundHalfAway(value: number): number {
  return value < 0 ? -Math.round(-value) : Math.round(value)
}

/**
 * The exact product of `steps` × 10^-scale and decimal texts ("0.0066667", "0.02"), as a whole number
 * of 10^-decimals steps rounded half away from zero: money from prices, units and conversion factors
 * without a float in between (a float product can round a tie the wrong way).
 */
export function multiplyScaled(steps: number | bigint, scale: number, factors: readonly string[], decimals: number): bigint {
  let product = BigInt(steps)
  let s = scale
  for (const f of factors) {
    const d = parseDecimal(f)
    if (d === undefined) throw new Error(`not a decimal: ${f}`)
    product *= BigInt(d.whole + d.fraction) * (d.negative ? -1n : 1n)
    s += d.fraction.length
  }
  if (s <= decimals) return product * 10n ** BigInt(decimals - s)
  const div = 10n ** BigInt(s - decimals)
  const negative = product < 0n
  const abs = negative ? -product : product
  let q = abs / div
  if ((abs % div) * 2n >= div) q += 1n
  return negative ? -q : q
}
