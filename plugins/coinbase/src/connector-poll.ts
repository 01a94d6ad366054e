// The status poll: REST reads of the orders rick follows, the fallback for what the user channel
// did not say. Hummingbot's rule: when the user channel has been quiet for quietAfterMs (default
// 60 s) or is down, poll every pollEveryMs (default 5 s); poll every longPollMs (default 120 s)
// anyway. The connector also forces one poll at every (re)connection of the user channel (what
// happened while it was down). One request reads every followed order with a venue id; an order
// whose create got no answer is looked for by its client order id for unknownSearchMs. Silence and
// periods are measured on the wall (the timers' clock), not the venue's clock, which a simulator
// may run faster; an order's creation time, which the search is bounded by, is the venue's.
import type {OrderTracker} from './connector-orders.js'
import type {CoinbaseOrder} from './parsing.js'
import type {Timers} from './ws-stream.js'

export interface PollTiming {
  /** Poll this often while the user channel is quiet or down (Hummingbot: 5 s). */
  pollEveryMs: number
  /** The user channel counts as quiet after this long without an order message (Hummingbot: 60 s). */
  quietAfterMs: number
  /** Poll this often anyway (Hummingbot: 120 s). */
  longPollMs: number
  /** An order whose create got no answer is looked for in the order list this long. */
  unknownSearchMs: number
  /** orderByClientId of an order rick does not know searches orders created this far back. */
  lookbackMs: number
}

export const DEFAULT_POLL: PollTiming = {pollEveryMs: 5_000, quietAfterMs: 60_000, longPollMs: 120_000, unknownSearchMs: 10 * 60_000, lookbackMs: 24 * 3_600_000}

/** An unknown create is searched among orders created from this long before it was sent. */
export const SEARCH_SLACK_MS = 5 * 60_000

export interface StatusPollDeps {
  timing: PollTiming
  timers: Timers
  tracker: OrderTracker
  /** The orders with these venue ids. */
  readOrders(orderIds: string[]): Promise<CoinbaseOrder[]>
  /** Looks an order up by client id in the list (created since `since`) and follows it. */
  search(clientOrderId: string, since: number): Promise<unknown>
  log(message: string): void
}

export class StatusPoll {
  private timer: unknown
  private running = false
  private active = false
  private userUp = false
  private lastUserNews = 0
  private lastPoll = 0

  constructor(private readonly d: StatusPollDeps) {}

  start(): void {
    this.active = true
    this.lastUserNews = this.d.timers.now()
    this.lastPoll = this.d.timers.now()
    this.schedule()
  }

  stop(): void {
    this.active = false
    this.userUp = false
    this.d.timers.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** The user channel said something about orders. */
  heard(): void {
    this.lastUserNews = this.d.timers.now()
  }

  /** The user channel is up (true: poll once now) or down (polls every pollEveryMs until it is back). */
  userChannel(up: boolean): void {
    this.userUp = up
    if (up) void this.once(true)
  }

  private schedule(): void {
    if (!this.active) return
    this.d.timers.clearTimeout(this.timer)
    this.timer = this.d.timers.setTimeout(() => {
      void this.once(false).finally(() => this.schedule())
    }, this.d.timing.pollEveryMs)
  }

  /** One poll when it is due (or `force`). */
  async once(force: boolean): Promise<void> {
    if (!this.active || this.running) return
    const t = this.d.timing
    const now = this.d.timers.now()
    const quiet = !this.userUp || now - this.lastUserNews >= t.quietAfterMs
    if (!force && !quiet && now - this.lastPoll < t.longPollMs) return
    this.lastPoll = now
    const live = this.d.tracker.live()
    if (live.length === 0) return
    this.running = true
    try {
      const known = live.flatMap((o) => (o.orderId === undefined ? [] : [o.orderId]))
      if (known.length > 0) await Promise.all((await this.d.readOrders(known)).map((order) => this.d.tracker.observe(order)))
      for (const o of live) {
        if (o.orderId !== undefined || o.unknownSince === undefined || o.unknownWall === undefined || now - o.unknownWall > t.unknownSearchMs) continue
        await this.d.search(o.clientOrderId, o.unknownSince - SEARCH_SLACK_MS)
      }
    } catch (error) {
      if (this.active) this.d.log(`coinbase: status poll failed (${(error as Error).message}); next in ${t.pollEveryMs} ms`)
    } finally {
      this.running = false
    }
  }
}
