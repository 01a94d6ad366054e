// Money arithmetic without drift. Every amount of account currency that is added up (cash, fees,
// realized P&L, notional) is an integer count of MICRO units (1e-6 of the currency) held in a JS
// number: exact for integers up to 2^53, i.e. up to about 9 billion currency units. A float price
// times a quantity is rounded to micro units exactly once, where it is produced (a fill, a fee, a
// mark), and only integers are accumulated after that.
export type Micro = number

export const MICRO_PER_UNIT = 1_000_000

/** A decimal amount (e.g. from config: 2000.5) as integer micro units. */
export function toMicro(amount: number): Micro {
  return Math.round(amount * MICRO_PER_UNIT)
}

/** Micro units back to a decimal amount, for display and reports only (never to accumulate). */
export function fromMicro(micro: Micro): number {
  return micro / MICRO_PER_UNIT
}

/** price × quantity × multiplier, in micro units, rounded half away from zero once. */
export function notionalMicro(price: number, qty: number, multiplier = 1): Micro {
  const v = price * qty * multiplier * MICRO_PER_UNIT
  return v < 0 ? -Math.round(-v) : Math.round(v)
}

/** `bps` basis points of an amount in micro units, rounded up (fees never round in our favour). */
export function bpsOfMicro(amount: Micro, bps: number): Micro {
  return Math.ceil((Math.abs(amount) * bps) / 10_000)
}

/** Formats micro units as a decimal string with `decimals` places (default 2). */
export function formatMicro(micro: Micro, decimals = 2): string {
  return fromMicro(micro).toFixed(decimals)
}
