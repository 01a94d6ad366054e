// The queue of one endpoint: messages wait here, in memory, and go out one at a time. A failed
// send (no answer, a network error, 429 or 5xx) is tried again after a backoff that doubles each
// time, jittered from a seeded generator (so endpoints that fail together do not retry in lock
// step, and a test sees the same waits every time); after `attempts` it is given up and counted.
// The queue is bounded: while an endpoint is down the oldest messages are dropped and counted,
// so a dead endpoint costs a fixed amount of memory however long the run goes on.
import type {Random} from '../../foundation/random.js'
import type {Post} from './http-post.js'

export interface QueueOptions {
  url: string
  timeoutMs: number
  capacity: number
  post: Post
  random: Random
  /** Tries of one message, the first included (default 4). */
  attempts?: number
  /** First backoff, doubled on each retry, capped at maxBackoffMs (defaults 500 ms, 30 s). */
  backoffMs?: number
  maxBackoffMs?: number
}

export interface QueueStats {
  sent: number
  /** Given up after every attempt, or refused for good (4xx but 429). */
  failed: number
  /** Pushed out by newer messages while the queue was full. */
  dropped: number
  pending: number
  /** The last failure: HTTP status (0: none) and error, already free of secrets. */
  lastStatus?: number
  lastError?: string
}

export class EndpointQueue {
  private readonly items: unknown[] = []
  private running = false
  private idle: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined
  private closed = false
  private readonly abort = new AbortController()
  readonly stats: QueueStats = {sent: 0, failed: 0, dropped: 0, pending: 0}

  constructor(private readonly o: QueueOptions) {}

  /** Takes a body to send; returns at once (never waits for the network). */
  push(body: unknown): void {
    if (this.closed) return
    if (this.items.length >= this.o.capacity) {
      this.items.shift()
      this.stats.dropped++
    }
    this.items.push(body)
    this.stats.pending = this.items.length
    if (!this.running) {
      this.running = true
      this.idle = this.pump()
    }
  }

  /** Resolves when everything queued was sent or given up, or after `ms`, whichever comes first. */
  async drain(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    // A backoff wait is cut short: at the end of a run, a retry now beats a retry never.
    this.wake?.()
    const ok = await Promise.race([this.idle.then(() => true), late])
    clearTimeout(timer)
    return ok
  }

  /** No more pushes; what is still queued is forgotten (counted as dropped). */
  close(): void {
    this.closed = true
    this.stats.dropped += this.items.length
    this.items.length = 0
    this.stats.pending = 0
    this.wake?.()
    // A request still in flight (a hanging endpoint) would keep the process alive until its timeout.
    this.abort.abort()
  }

  private async pump(): Promise<void> {
    try {
      while (this.items.length > 0 && !this.closed) {
        const body = this.items[0]
        const ok = await this.deliver(body)
        // Closed meanwhile: close() counted it among the dropped.
        if (this.closed) break
        // close() may have emptied the queue meanwhile; only take off what was sent.
        if (this.items[0] === body) this.items.shift()
        this.stats.pending = this.items.length
        if (ok) this.stats.sent++
        else this.stats.failed++
      }
    } finally {
      this.running = false
    }
  }

  private async deliver(body: unknown): Promise<boolean> {
    const attempts = this.o.attempts ?? 4
    let wait = this.o.backoffMs ?? 500
    for (let i = 1; ; i++) {
      const r = await this.o.post(this.o.url, body, this.o.timeoutMs, this.abort.signal)
      if (r.status >= 200 && r.status < 300) return true
      this.stats.lastStatus = r.status
      if (r.error === undefined) delete this.stats.lastError
      else this.stats.lastError = r.error
      const retryable = r.status === 0 || r.status === 429 || r.status >= 500
      if (!retryable || i >= attempts || this.closed) return false
      await this.sleep(wait * (0.5 + this.o.random.next() / 2))
      wait = Math.min(wait * 2, this.o.maxBackoffMs ?? 30_000)
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined
        resolve()
      }, ms)
      timer.unref()
      this.wake = () => {
        clearTimeout(timer)
        this.wake = undefined
        resolve()
      }
    })
  }
}
