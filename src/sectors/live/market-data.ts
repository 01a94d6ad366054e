// The market-data side of a live run: the venue's price stream into bars (bar-builder.ts), the
// venue's history to warm the strategy up, and staleness. It owns the only timer of the live path
// that closes bars when the venue is quiet, and it says — never decides — when data stopped: the
// run turns that into DATA_STALE (only cancels and reductions) and back.
//
// The venue's clock: every tick and heartbeat carries the venue's time. Between them, the venue's
// time is estimated from the last one and the local monotonic clock, scaled by the rate the venue's
// clock runs at (1 for a broker; 60 for `rick sim … --speed 60x`), measured from the heartbeats.
import type {Bar} from '../../foundation/domain/bars.js'
import type {Connector, ConnectorStatus, Subscription, Tick} from '../connector.js'
import {BarBuilder} from './bar-builder.js'

export interface MarketDataOptions {
  connector: Connector
  instruments: readonly string[]
  periodMs: number
  /** No tick and no heartbeat for this long (local ms) → stale. */
  staleAfterMs: number
  /** Local monotonic ms (performance.now); only for the estimate and the watchdog. */
  monotonic(): number
  /** Calls `fn` every `ms` local ms; returns a stopper. */
  every(ms: number, fn: () => void): () => void
  onBars(bars: Bar[]): void
  onStale(reason: string): void
  onFresh(reason: string): void
  onStatus?(status: ConnectorStatus): void
}

export class MarketData {
  private readonly builder: BarBuilder
  private sub: Subscription | undefined
  private offStatus: (() => void) | undefined
  private stopTimer: (() => void) | undefined
  private lastVenueTs = Number.NaN
  private lastLocal = Number.NaN
  /** How many venue ms pass per local ms (estimated from successive venue times). */
  private rate = 1
  private stale = false
  private ticks = 0

  constructor(private readonly o: MarketDataOptions) {
    this.builder = new BarBuilder(o.instruments, o.periodMs, (bars) => o.onBars(bars))
  }

  get tickCount(): number {
    return this.ticks
  }

  get lateTicks(): number {
    return this.builder.lateTicks
  }

  get isStale(): boolean {
    return this.stale
  }

  /** The venue's time now, as well as it can be told (NaN before any venue time was seen). */
  venueNow(): number {
    if (Number.isNaN(this.lastVenueTs)) return Number.NaN
    return this.lastVenueTs + (this.o.monotonic() - this.lastLocal) * this.rate
  }

  /**
   * The last `count` complete bars of each instrument from the venue's history, merged by time
   * (oldest first), for the strategy to warm up on. Seeds the bar builder with the last closes.
   */
  async history(count: number, before?: number): Promise<Bar[]> {
    const c = this.o.connector
    if (c.history === undefined || count <= 0) return []
    const all: Bar[] = []
    for (const instrument of this.o.instruments) {
      const bars = await c.history({instrument, periodMs: this.o.periodMs, count, ...(before !== undefined ? {to: before} : {})})
      for (const b of bars) all.push(b)
      const last = bars.at(-1)
      if (last) this.builder.seed(instrument, last.close)
    }
    const order = new Map(this.o.instruments.map((id, i) => [id, i]))
    all.sort((a, b) => a.ts - b.ts || (order.get(a.instrument) ?? 0) - (order.get(b.instrument) ?? 0))
    return all
  }

  start(): void {
    const c = this.o.connector
    if (c.subscribeTicks === undefined) throw new Error(`${c.venue}: the connector has no price stream (subscribeTicks)`)
    this.offStatus = c.onStatus?.((s) => this.status(s))
    this.sub = c.subscribeTicks(this.o.instruments, (t) => this.tick(t))
    // A few checks a period (at least every second): bars close on time and a silent stream is noticed.
    const every = Math.max(50, Math.min(1000, Math.floor(this.o.staleAfterMs / 4)))
    this.stopTimer = this.o.every(every, () => this.check())
  }

  stop(): void {
    this.stopTimer?.()
    this.sub?.close()
    this.offStatus?.()
    this.stopTimer = undefined
    this.sub = undefined
    this.offStatus = undefined
  }

  private tick(t: Tick): void {
    this.ticks++
    this.sawVenueTime(t.ts)
    this.builder.tick(t)
  }

  private status(s: ConnectorStatus): void {
    this.o.onStatus?.(s)
    if (s.kind === 'heartbeat') {
      if (s.stream === 'prices') {
        this.sawVenueTime(s.ts)
        this.builder.advance(s.ts)
      }
    } else if (s.kind === 'disconnected' && s.stream === 'prices') {
      this.goStale(`price stream disconnected: ${s.reason}`)
    }
  }

  private sawVenueTime(ts: number): void {
    if (!Number.isFinite(ts)) return
    const now = this.o.monotonic()
    if (!Number.isNaN(this.lastVenueTs) && ts > this.lastVenueTs) {
      const local = now - this.lastLocal
      // Only over a long enough gap: ticks a few ms apart would make a noisy rate.
      if (local >= 200) this.rate = Math.min(10_000, Math.max(0.5, (ts - this.lastVenueTs) / local))
    }
    if (Number.isNaN(this.lastVenueTs) || ts >= this.lastVenueTs) {
      this.lastVenueTs = ts
      this.lastLocal = now
    }
    if (this.stale) {
      this.stale = false
      this.o.onFresh('prices flow again')
    }
  }

  private check(): void {
    if (Number.isNaN(this.lastLocal)) return
    const silent = this.o.monotonic() - this.lastLocal
    if (silent >= this.o.staleAfterMs) {
      this.goStale(`no price and no heartbeat for ${Math.round(silent / 1000)} s`)
      return
    }
    // Close what has ended at the venue even if nothing was said since (a quiet market).
    // Less a moment of network latency, so a tick on its way is not made late by the estimate.
    this.builder.advance(this.venueNow() - this.rate * 250)
  }

  private goStale(reason: string): void {
    if (this.stale) return
    this.stale = true
    this.o.onStale(reason)
  }
}
