// Journal events → notices, and notices → the body each style of endpoint expects. Pure
// functions: what a person reads. Nothing secret: the sending side masks every secret value it
// knows of (redactSecrets) in texts before they leave the process.
import type {NotifyKind, NotifyStyle} from '../../foundation/config/types.js'
import type {JournalEvent, NewEvent} from '../../foundation/journal/events.js'

/** One thing worth telling a person. */
export interface Notice {
  kind: NotifyKind
  sector: string
  runId: string
  /** Engine clock, epoch ms. */
  ts: number
  /** One line, e.g. `fx HALTED: MANUAL_HALT — news at 14:30`. */
  text: string
}

type Event = NewEvent | JournalEvent

/** The notice an event calls for, or undefined (most events: bars, intents, acks…). */
export function noticeOf(e: Event): Notice | undefined {
  const at = {sector: e.sector, runId: e.runId, ts: e.ts}
  switch (e.type) {
    case 'RISK_STATE': {
      const p = e.payload as JournalEvent<'RISK_STATE'>['payload']
      // Whoever heard that data went stale wants to hear it flows again; a loss rule that only
      // lets the sector reduce stops its trading as surely as a halt does.
      const kind: NotifyKind | undefined = p.code === 'DATA_STALE' || p.code === 'DATA_RESUMED' ? 'stale' : p.code === 'RECONCILE_MISMATCH' ? 'reconcile' : p.to !== 'ACTIVE' ? 'halt' : undefined
      if (kind === undefined) return undefined
      return {kind, ...at, text: `${e.sector} ${p.from} → ${p.to}: ${p.code}${p.reason ? ` — ${p.reason}` : ''}`}
    }
    case 'ORDER_REJECTED': {
      const p = e.payload as JournalEvent<'ORDER_REJECTED'>['payload']
      return {kind: 'reject', ...at, text: `${e.sector} order ${p.clientOrderId} rejected by the venue: ${p.code}${p.reason ? ` — ${p.reason}` : ''}`}
    }
    case 'RUN_STOPPED': {
      const p = e.payload as JournalEvent<'RUN_STOPPED'>['payload']
      if (p.reason !== 'error') return undefined
      return {kind: 'crash', ...at, text: `${e.sector} stopped on an error after ${p.barsProcessed} bars${p.detail ? `: ${p.detail}` : ''}`}
    }
    case 'FILL': {
      const f = (e.payload as JournalEvent<'FILL'>['payload']).fill
      return {kind: 'fill', ...at, text: `${e.sector} filled ${f.side} ${f.qty} ${f.instrument} at ${f.price}`}
    }
    default:
      return undefined
  }
}

/** What a day of one sector came to: counted by the notifier, sent when the (UTC) day turns. */
export interface DayCounts {
  day: string
  fills: number
  rejects: number
  denials: number
  halts: number
}

export function summaryNotice(sector: string, runId: string, ts: number, c: DayCounts): Notice {
  return {kind: 'summary', sector, runId, ts, text: `${sector} summary of ${c.day} (UTC): ${c.fills} fills, ${c.rejects} rejects, ${c.denials} denials, ${c.halts} halts`}
}

/** The message as a person reads it: `[rick] HALT fx …` with the time in UTC. */
export function messageText(n: Notice): string {
  return `[rick] ${n.kind.toUpperCase()} ${new Date(n.ts).toISOString().slice(0, 19).replace('T', ' ')} UTC — ${n.text}`
}

/** The JSON body for a style (Telegram's chat id is the endpoint's, added here). */
export function requestBody(style: NotifyStyle, n: Notice, chatId?: string): Record<string, unknown> {
  const text = messageText(n)
  switch (style) {
    case 'slack':
      return {text}
    case 'discord':
      return {content: text}
    case 'telegram':
      return {chat_id: chatId, text, disable_web_page_preview: true}
    case 'webhook':
      return {source: 'rick', kind: n.kind, sector: n.sector, runId: n.runId, ts: n.ts, time: new Date(n.ts).toISOString(), text}
  }
}
