// Market data subscriptions: 5-second real-time bars (sent when a bar's 5 s of sim time are over,
// the first one the bar in progress at the subscription, as TWS does) and quotes (sent when the
// top of book changes, the first at once on the next pulse). While connectivity is lost nothing is
// sent and the bars of the outage are skipped; "data lost" (1101) drops every subscription, which
// clients must then renew.
import type {Market} from './market.js'
import type {SimBar, SimQuote} from './seam.js'

const BAR_MS = 5000

interface BarSub {
  conId: number
  listener: (bar: SimBar) => void
  /** The last 5-second slot sent (or skipped). */
  lastSlot: number
}

interface QuoteSub {
  conId: number
  listener: (quote: SimQuote) => void
  last: string
}

export class Feeds {
  private readonly bars = new Set<BarSub>()
  private readonly quotes = new Set<QuoteSub>()

  constructor(
    private readonly market: Market,
    private readonly log: (message: string) => void,
  ) {}

  subscribeBars(conId: number, listener: (bar: SimBar) => void, now: number): () => void {
    const sub: BarSub = {conId, listener, lastSlot: Math.floor(now / BAR_MS) - 1}
    this.bars.add(sub)
    return () => this.bars.delete(sub)
  }

  subscribeQuotes(conId: number, listener: (quote: SimQuote) => void): () => void {
    const sub: QuoteSub = {conId, listener, last: ''}
    this.quotes.add(sub)
    return () => this.quotes.delete(sub)
  }

  /** Sends what is due at `now`; `live` false (connectivity lost): skips it instead. */
  pulse(now: number, live: boolean): void {
    const done = Math.floor(now / BAR_MS) - 1
    for (const sub of [...this.bars]) {
      for (let slot = Math.max(sub.lastSlot + 1, done - 720); slot <= done; slot++) {
        sub.lastSlot = slot
        if (!live) continue
        const bar = this.market.bar(sub.conId, slot * BAR_MS, (slot + 1) * BAR_MS, 'TRADES')
        if (bar !== undefined) this.deliver(() => sub.listener(bar))
      }
      sub.lastSlot = Math.max(sub.lastSlot, done)
    }
    if (!live) return
    for (const sub of [...this.quotes]) {
      const q = this.market.topOfBook(sub.conId, now)
      if (q === undefined) continue
      const text = `${q.bid}/${q.ask}/${q.bidSize}/${q.askSize}`
      if (text === sub.last) continue
      sub.last = text
      this.deliver(() => sub.listener(q))
    }
  }

  /** 1101: the subscriptions are gone. */
  dropAll(): void {
    this.bars.clear()
    this.quotes.clear()
  }

  private deliver(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.log(`ibkr sim: a market data listener threw: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
}
