// Human-readable rendering of events: one line each, for `rick journal tail` and the engine's log.
// Formats only the timestamps it is given; it never reads the clock.
import {canonicalJson} from '../canonical.js'
import {formatMicro} from '../domain/money.js'
import type {OrderRequest} from '../domain/orders.js'
import type {EventPayloads, EventType, JournalEvent} from './events.js'

/** `2024-05-01 12:00:00.000Z` (UTC). */
export function formatTs(ts: number): string {
  if (!Number.isFinite(ts)) return String(ts)
  const iso = new Date(ts).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11)}`
}

const TYPE_WIDTH = 22 // ORDER_CANCEL_REQUESTED

/** `     42  2024-05-01 12:00:00.000Z  oanda     FILL                    buy 1000 EUR_USD @ 1.0812 …` */
export function formatEventLine(e: JournalEvent, sectorWidth = 10): string {
  return `${String(e.seq).padStart(7)}  ${formatTs(e.ts)}  ${e.sector.padEnd(sectorWidth)}  ${e.type.padEnd(TYPE_WIDTH)}  ${summarizeEvent(e)}`
}

type Summaries = {[T in EventType]: (p: EventPayloads[T]) => string}

const num = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '?')
const money = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? formatMicro(v) : '?')

function orderText(o: OrderRequest | undefined): string {
  if (o === undefined || o === null) return '?'
  let text = `${o.side} ${num(o.qty)} ${o.instrument} ${o.type}`
  if (o.stopPrice !== undefined) text += ` stop ${num(o.stopPrice)}`
  if (o.limitPrice !== undefined) text += ` @ ${num(o.limitPrice)}`
  if (o.bracket !== undefined) text += ` [sl ${num(o.bracket.stopLoss)} tp ${num(o.bracket.takeProfit)}]`
  if (o.reduceOnly === true) text += ' reduce-only'
  return `${text} (${o.clientOrderId})`
}

const SUMMARIES: Summaries = {
  RUN_STARTED: (p) =>
    `${p.effectiveMode}${p.effectiveMode === p.requestedMode ? '' : ` (asked ${p.requestedMode})`} on ${p.venue}/${p.environment}, strategy ${p.strategy?.name ?? '?'}, profile ${p.profile}, seed ${num(p.seed)}`,
  RUN_STOPPED: (p) =>
    `${p.reason}${p.detail ? ` (${p.detail})` : ''} after ${num(p.barsProcessed)} bars: ${num(p.summary?.trades)} trades, P&L ${money(p.summary?.realizedPnl)}, fees ${money(p.summary?.fees)}, equity ${money(p.summary?.equity)}`,
  BAR: (p) => `${p.instrument} o ${num(p.open)} h ${num(p.high)} l ${num(p.low)} c ${num(p.close)} v ${num(p.volume)}`,
  ORDER_INTENT: (p) => `${orderText(p.order)}: ${p.reason}`,
  ORDER_DENIED: (p) => `${p.code}: ${p.detail} — ${orderText(p.order)}`,
  ORDER_SUBMITTED: (p) => p.clientOrderId,
  ORDER_ACK: (p) => `${p.clientOrderId} → ${p.venueOrderId}`,
  ORDER_REJECTED: (p) => `${p.clientOrderId} ${p.code}: ${p.reason}`,
  ORDER_UNCONFIRMED: (p) => `${p.clientOrderId}: ${p.error}`,
  ORDER_CANCEL_REQUESTED: (p) => `${p.clientOrderId}: ${p.reason}`,
  ORDER_CANCELLED: (p) => `${p.clientOrderId}: ${p.reason}`,
  ORDER_EXPIRED: (p) => p.clientOrderId,
  FILL: (p) => {
    const f = p.fill
    return `${f.side} ${num(f.qty)} ${f.instrument} @ ${num(f.price)}, fee ${money(f.fee)} (${f.liquidity}) ${f.clientOrderId}`
  },
  RISK_STATE: (p) => `${p.from} → ${p.to} ${p.code}: ${p.reason}${p.until === undefined ? '' : ` until ${formatTs(p.until)}`}`,
  STRATEGY_ERROR: (p) => `in ${p.phase}: ${p.message}`,
  STRATEGY_CHECKPOINT: (p) => `after ${num(p.barsProcessed)} bars (${canonicalJson(p.state ?? null).length} bytes of state)`,
  STRATEGY_LOG: (p) => p.message,
  RECONCILED: (p) =>
    `cash ${money(p.cash)}, positions ${p.positions.length === 0 ? 'none' : p.positions.map((q) => `${q.instrument} ${num(q.qty)}`).join(', ')}${p.notes.length > 0 ? `; ${p.notes.join('; ')}` : ''}`,
  CONNECTION: (p) => `${p.stream} ${p.state}${p.reason ? `: ${p.reason}` : ''}`,
  EXTERNAL: (p) => `${p.kind} ${p.instrument}${p.qty === undefined ? '' : ` ${num(p.qty)}`}: ${p.detail}`,
}

const MAX_SUMMARY = 160

/** A short account of what the event says; falls back to its JSON when the payload is unexpected. */
export function summarizeEvent(e: JournalEvent): string {
  const summarize = SUMMARIES[e.type] as ((p: unknown) => string) | undefined
  let text: string
  try {
    text = summarize === undefined ? canonicalJson(e.payload) : summarize(e.payload)
  } catch {
    text = canonicalJson(e.payload)
  }
  text = text.replace(/\s+/g, ' ')
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text
}
