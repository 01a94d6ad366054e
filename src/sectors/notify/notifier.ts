// Notifications: telling people what happened in a run, without ever slowing the run down.
//
// Design
//   journal append ──► the event ──► Notifier.offer() ──► noticeOf() ──► per endpoint: kinds filter
//        (sync, durable, unchanged)     (sync, O(1),                 ──► requestBody(style)
//                                        never throws)               ──► EndpointQueue.push()
//   EndpointQueue: in memory, bounded (drop oldest, counted), one request in flight, a per-request
//   timeout, retries with doubling, seeded-jitter backoff; sends on the event loop, beside the engine.
//
// - Fed from the journal's events, as they are appended: notifyingJournal() wraps the run's
//   Journal so every append, appendMany and batch add is handed to offer() AFTER the store took
//   it. The engine is not touched and cannot tell: offer() only filters, formats and pushes onto
//   an array; the network is reached from the queue's own async loop. A hanging or failing
//   endpoint therefore never delays an order or a journal write (test/sectors/notify proves it
//   against a receiver that never answers).
// - What is sent (kinds, see NOTIFY_KINDS): RISK_STATE with code DATA_STALE or DATA_RESUMED →
//   stale, RECONCILE_MISMATCH → reconcile, any other move to HALTED or REDUCING (manual, loss
//   rules, strategy errors) → halt; ORDER_REJECTED → reject; RUN_STOPPED with
//   reason error → crash; FILL → fill (only where asked); per sector, when the UTC day of the
//   events turns, a summary of the day before (fills, rejects, denials, halts).
// - Nothing secret leaves: URLs and tokens come from variables named in the config, are kept in
//   Target.url only, and every text (messages, errors, the stats shown) is masked with every
//   secret value known (redactSecrets) before it is sent or printed; labels show style, name, host.
// - Closing: close(ms) waits for the queues to empty at most `ms` (a bounded flush: a dead
//   endpoint cannot hold a stopping run), then drops what is left and counts it.
import type {NotifyConfig} from '../../foundation/config/types.js'
import type {EventType, JournalEvent, NewEvent} from '../../foundation/journal/events.js'
import type {Journal, JournalBatch} from '../../foundation/journal/types.js'
import {seededRandom} from '../../foundation/random.js'
import {redactSecrets} from '../../foundation/secrets/redact.js'
import {resolveTarget, type Target} from './endpoint.js'
import {noticeOf, requestBody, summaryNotice, type DayCounts, type Notice} from './format.js'
import {postJson, type Post} from './http-post.js'
import {EndpointQueue, type QueueStats} from './queue.js'

const DAY_MS = 86_400_000

export interface NotifierOptions {
  env: NodeJS.ProcessEnv
  /** Seeds the backoff jitter (a run passes its seed). */
  seed?: number
  post?: Post
  /** Passed to every queue (tests shorten the backoff). */
  backoffMs?: number
  attempts?: number
  /** Where the notifier says what it could not do (an unset variable); never a secret. */
  warn?: (message: string) => void
}

export interface EndpointReport {
  name: string
  label: string
  stats: QueueStats
}

export class Notifier {
  private readonly targets: Array<{target: Target; queue: EndpointQueue}> = []
  private readonly secrets: string[] = []
  private readonly days = new Map<string, DayCounts & {runId: string; end: number}>()
  /** A sector's events are counted for summaries only if some endpoint wants one. */
  private readonly wantsSummary: boolean

  constructor(config: NotifyConfig | undefined, o: NotifierOptions) {
    const random = seededRandom(o.seed ?? 1)
    for (const e of config?.endpoints ?? []) {
      const t = resolveTarget(e, o.env)
      if ('problem' in t) {
        o.warn?.(`rick: notify endpoint ${t.label} is off: ${t.problem}`)
        continue
      }
      this.secrets.push(...t.secrets)
      const queue = new EndpointQueue({
        url: t.url,
        timeoutMs: t.timeoutMs,
        capacity: t.capacity,
        post: o.post ?? postJson,
        random,
        ...(o.backoffMs === undefined ? {} : {backoffMs: o.backoffMs}),
        ...(o.attempts === undefined ? {} : {attempts: o.attempts}),
      })
      this.targets.push({target: t, queue})
    }
    this.wantsSummary = this.targets.some((t) => t.target.kinds.has('summary'))
  }

  get active(): boolean {
    return this.targets.length > 0
  }

  /** Takes one journal event; returns at once and never throws (it runs on the journal's path). */
  offer(e: NewEvent | JournalEvent): void {
    if (this.targets.length === 0) return
    try {
      if (this.wantsSummary) this.count(e)
      const n = noticeOf(e)
      if (n) this.send(n)
    } catch {
      // A notification is never worth a failed append.
    }
  }

  /** Sends a notice to every endpoint that wants its kind (or to `only`). */
  send(n: Notice, only?: string): void {
    const safe = redactSecrets(n, this.secrets)
    for (const {target, queue} of this.targets) {
      if (only !== undefined ? target.name !== only : !target.kinds.has(n.kind)) continue
      queue.push(requestBody(target.style, safe, target.chatId))
    }
  }

  /** Waits at most `ms` for every queue to empty; true when they all did. */
  async flush(ms: number): Promise<boolean> {
    const done = await Promise.all(this.targets.map((t) => t.queue.drain(ms)))
    return done.every(Boolean)
  }

  /** A bounded flush, then what is left is dropped (counted). */
  async close(ms: number): Promise<EndpointReport[]> {
    await this.flush(ms)
    for (const t of this.targets) t.queue.close()
    return this.report()
  }

  report(): EndpointReport[] {
    return this.targets.map(({target, queue}) => ({name: target.name, label: target.label, stats: redactSecrets({...queue.stats}, this.secrets)}))
  }

  private count(e: NewEvent | JournalEvent): void {
    let c = this.days.get(e.sector)
    // Numbers only on the common path (every event of the run passes here); a date string only
    // when the day turns. An event older than the day counted (a late one) stays in that day.
    if (c !== undefined && e.ts >= c.end) {
      this.send(summaryNotice(e.sector, c.runId, e.ts, c))
      c = undefined
    }
    if (c === undefined) {
      const start = e.ts - (((e.ts % DAY_MS) + DAY_MS) % DAY_MS)
      c = {day: new Date(start).toISOString().slice(0, 10), end: start + DAY_MS, runId: e.runId, fills: 0, rejects: 0, denials: 0, halts: 0}
      this.days.set(e.sector, c)
    }
    const type: EventType = e.type
    if (type === 'FILL') c.fills++
    else if (type === 'ORDER_REJECTED') c.rejects++
    else if (type === 'ORDER_DENIED') c.denials++
    else if (type === 'RISK_STATE' && (e.payload as JournalEvent<'RISK_STATE'>['payload']).to === 'HALTED') c.halts++
  }
}

/**
 * The run's journal, with every event it takes handed to the notifier after the store took it.
 * Reads and everything else go straight through.
 */
export function notifyingJournal(j: Journal, n: Notifier): Journal {
  if (!n.active) return j
  const wrapBatch = (b: JournalBatch): JournalBatch => ({
    add(e) {
      b.add(e)
      n.offer(e)
    },
    flush: () => b.flush(),
    close: () => b.close(),
    get pending() {
      return b.pending
    },
  })
  return {
    path: j.path,
    readonly: j.readonly,
    append(e) {
      const written = j.append(e)
      n.offer(written)
      return written
    },
    appendMany(events) {
      const written = j.appendMany(events)
      for (const e of written) n.offer(e)
      return written
    },
    batch: (options) => wrapBatch(j.batch(options)),
    events: (filter) => j.events(filter),
    ...(j.runBlockTexts ? {runBlockTexts: (runId: string) => (j.runBlockTexts as NonNullable<Journal['runBlockTexts']>).call(j, runId)} : {}),
    lastSeq: () => j.lastSeq(),
    runs: (filter) => j.runs(filter),
    close: () => j.close(),
  }
}
