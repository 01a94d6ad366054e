// Journal records of a run at a remote venue that need not be on disk before the next step: they
// are committed together with what comes next, in one transaction, in the order they happened.
// - A venue's answers (a market order's ack and fill come in one HTTP answer) at the end of the
//   current task: one commit instead of two.
// - `lazy` records (a bar, ORDER_SUBMITTED) with the next write, or within LAZY_COMMIT_MS: a bar
//   goes down with the intent it led to, and ORDER_SUBMITTED neither holds the request back from the
//   wire nor costs a commit of its own.
// A crash before the commit loses only what the venue still knows (recovery asks it by client id;
// an intent without ORDER_SUBMITTED is asked about the same way) or a bar no later run needs. The
// paper venue (answers inside the call) and backtests (batched) never come here.
import type {NewEvent} from '../../foundation/journal/events.js'
import type {Journal} from '../../foundation/journal/types.js'

/** A lazy record is committed with the next write, or after this long. */
export const LAZY_COMMIT_MS = 50

export class DeferredWrites {
  private events: NewEvent[] = []
  private queued = false
  private timer: ReturnType<typeof setTimeout> | undefined

  constructor(
    private readonly journal: Journal,
    /** A commit that failed where nobody awaits it (a microtask, a timer). */
    private readonly failed: (error: unknown) => void,
  ) {}

  get waiting(): number {
    return this.events.length
  }

  add(event: NewEvent, lazy: boolean): void {
    this.events.push(event)
    if (!lazy) {
      if (!this.queued) {
        this.queued = true
        queueMicrotask(() => this.flushSafely())
      }
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushSafely(), LAZY_COMMIT_MS)
      this.timer.unref?.()
    }
  }

  /** Commits what waits, and `next` after it in the same transaction when given. */
  flush(next?: NewEvent): void {
    this.queued = false
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    const events = this.events
    if (next !== undefined) events.push(next)
    if (events.length === 0) return
    this.events = []
    if (events.length === 1) this.journal.append(events[0] as NewEvent)
    else this.journal.appendMany(events)
  }

  private flushSafely(): void {
    try {
      this.flush()
    } catch (error) {
      this.failed(error)
    }
  }
}
