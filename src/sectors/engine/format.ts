// The readable lines of a run: one per decision, order, fill, denial, state change. Shared by
// `rick run` (printed as they happen) and the tests that read them.
import {formatMicro, type Micro} from '../../foundation/domain/money.js'
import type {Fill, OrderRequest} from '../../foundation/domain/orders.js'

/** Time of an event for the log: the engine clock in UTC (`2026-05-04 13:07`). */
export function formatTs(ts: number): string {
  if (!Number.isFinite(ts)) return '----------------'
  return new Date(ts).toISOString().slice(0, 16).replace('T', ' ')
}

/** A quantity without float dust (0.30000000000000004 → 0.3). */
export function formatQty(qty: number): string {
  return String(Number(qty.toPrecision(12)))
}

export function formatPrice(price: number): string {
  return String(Number(price.toPrecision(10)))
}

export function describeOrder(o: Pick<OrderRequest, 'side' | 'qty' | 'instrument' | 'type' | 'limitPrice' | 'stopPrice' | 'reduceOnly'>): string {
  let text = `${o.side} ${formatQty(o.qty)} ${o.instrument} ${o.type}`
  if (o.limitPrice !== undefined) text += ` limit ${formatPrice(o.limitPrice)}`
  if (o.stopPrice !== undefined) text += ` stop ${formatPrice(o.stopPrice)}`
  if (o.reduceOnly) text += ' (reduce-only)'
  return text
}

export function describeFill(f: Fill): string {
  return `${f.side} ${formatQty(f.qty)} ${f.instrument} @ ${formatPrice(f.price)} fee ${formatMicro(f.fee)}`
}

export function money(m: Micro, currency = ''): string {
  return currency ? `${formatMicro(m)} ${currency}` : formatMicro(m)
}

/** "3 s", "4 min", "2 h 5 min", "3 d". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h} h ${m % 60} min`
  return `${Math.floor(h / 24)} d`
}
