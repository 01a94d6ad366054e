// The checks TWS makes of a placeOrder before the order exists, with TWS's codes and texts, in the
// order TWS makes them (the contract — 200 — and duplicate ids — 103 — are checked by the caller
// first, the margin — 201 — after):
//   434  The order size cannot be zero.
//   321  Error validating request.-'bN' : cause - …   (a malformed field: action, size, prices, TIF)
//   387  Unsupported order type for this exchange and security type.
//   110  The price does not conform to the minimum price variation for this contract.
import type {Product} from './catalogue.js'
import type {SimOrder, SimRefusal} from './seam.js'

export const ORDER_TYPES = ['MKT', 'LMT', 'STP', 'STP LMT'] as const
export const TIFS = ['DAY', 'GTC', 'IOC', 'FOK'] as const

const malformed = (cause: string): SimRefusal => ({code: 321, message: `Error validating request.-'bN' : cause - ${cause}`})

/** Whole units of a decimal quantity text, or undefined when it is not a whole number. */
export function wholeQuantity(text: string): number | undefined {
  const m = /^\s*(\d+)(?:\.0*)?\s*$/.exec(text)
  if (!m) return undefined
  const n = Number(m[1])
  return Number.isSafeInteger(n) ? n : undefined
}

/** Whether a price sits on the contract's tick grid (a double off the grid by float dust still does). */
export function onTick(price: number, tick: number): boolean {
  const steps = price / tick
  return Math.abs(steps - Math.round(steps)) < 1e-6
}

export function validateOrder(p: Product, o: SimOrder): SimRefusal | undefined {
  if (o.action !== 'BUY' && o.action !== 'SELL') return malformed(`Invalid side: ${String(o.action)}`)
  const qty = wholeQuantity(o.totalQuantity)
  if (qty === undefined) return malformed(`Invalid order size: ${o.totalQuantity}`)
  if (qty === 0) return {code: 434, message: 'The order size cannot be zero.'}
  const type = o.orderType.toUpperCase()
  if (!(ORDER_TYPES as readonly string[]).includes(type)) return {code: 387, message: 'Unsupported order type for this exchange and security type.'}
  if (!(TIFS as readonly string[]).includes(o.tif.toUpperCase() || 'DAY')) return malformed(`Invalid time in force: ${o.tif}`)
  const needsLimit = type === 'LMT' || type === 'STP LMT'
  const needsStop = type === 'STP' || type === 'STP LMT'
  if (needsLimit && (o.lmtPrice === null || !Number.isFinite(o.lmtPrice) || o.lmtPrice <= 0)) return malformed('Invalid limit price')
  if (needsStop && (o.auxPrice === null || !Number.isFinite(o.auxPrice) || o.auxPrice <= 0)) return malformed('Invalid stop price')
  const tickMsg = {code: 110, message: 'The price does not conform to the minimum price variation for this contract.'}
  if (needsLimit && !onTick(o.lmtPrice as number, p.minTick)) return tickMsg
  if (needsStop && !onTick(o.auxPrice as number, p.minTick)) return tickMsg
  return undefined
}
