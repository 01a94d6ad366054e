// What rick must know about a tradable thing to size, round and value orders. Quantities are in
// the venue's units: FX units (OANDA), coins (Coinbase, fractional), shares or contracts (IBKR).

export type InstrumentKind = 'fx' | 'crypto' | 'stock' | 'etf' | 'future' | 'option' | 'index' | 'cfd'

export interface Instrument {
  /** rick's id, unique in a sector: the venue's own symbol (`EUR_USD`, `BTC-USD`, `MES-202612`, `SPY`). */
  id: string
  venue: string
  kind: InstrumentKind
  /** Smallest price increment. */
  tickSize: number
  /** Smallest quantity increment (1 for shares and contracts, 1 unit for FX, 1e-8 for BTC…). */
  lotSize: number
  /** Smallest order notional accepted by the venue, in the quote currency (0 when none). */
  minNotional: number
  /** Currency value of one point of price per unit (1 for spot; 5 for MES). */
  multiplier: number
  quoteCurrency: string
  /** Typical price, used by the synthetic feed to start at a realistic level. */
  referencePrice: number
}

/** Rounds a price to the instrument's tick (half away from zero), without float dust. */
export function roundToTick(price: number, tickSize: number): number {
  const steps = Math.round(price / tickSize)
  return stepsToValue(steps, tickSize)
}

/** Rounds a quantity DOWN (toward zero) to whole lots, so an order never grows by rounding. */
export function roundToLot(qty: number, lotSize: number): number {
  const lots = qty < 0 ? Math.ceil(qty / lotSize - 1e-9) : Math.floor(qty / lotSize + 1e-9)
  return stepsToValue(lots, lotSize)
}

/**
 * steps × step as the double nearest the decimal result, i.e. Number((steps * step).toFixed(d))
 * with d the step's decimals, without building a string when it need not: a whole step gives an
 * exact integer product, and a step that is 1/n for a whole n (0.5, 0.01, 1e-8 …) gives steps / n,
 * which is correctly rounded. Other steps (0.3, 2.5) take the toFixed path. This runs for every
 * order and fill, which is why it avoids the string.
 */
export function stepsToValue(steps: number, step: number): number {
  if (step >= 1) {
    if (Number.isInteger(step)) return steps * step
  } else {
    const n = Math.round(1 / step)
    if (1 / n === step) return steps / n
  }
  return Number((steps * step).toFixed(decimalsOf(step)))
}

/** Number of decimals of a step such as 0.0001 or 1e-8. */
export function decimalsOf(step: number): number {
  if (step >= 1) return 0
  const s = step.toString()
  const e = /e-(\d+)$/.exec(s)
  if (e) return Number(e[1])
  return s.split('.')[1]?.length ?? 0
}
