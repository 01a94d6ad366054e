// Prices of the instruments some tick listener wants: per instrument, TWS's 5-second real-time bars
// (reqRealTimeBars: TRADES, or MIDPOINT for FX) made into ticks (bars-to-ticks.ts), and its quotes
// (reqMktData: bid and ask) for the ticks' bid and ask. Subscriptions die with a socket and after
// 1101 (connectivity restored, data lost; also what TWS's nightly restart looks like to a client
// that stayed connected): resubscribe() asks for all of them again. A bar that was heard already
// (a resubscription repeats the last one) is dropped.
import type {Tick} from '../../../src/sectors/connector.js'
import {barToTicks, REALTIME_BAR_MS, type Quote} from './bars-to-ticks.js'
import {orderContract} from './parsing-orders.js'
import {num, type IbkrInstrument} from './parsing.js'
import type {TwsClient} from './tws-client.js'

/** TWS tick types of reqMktData: bid and ask, live (1, 2) or delayed (66, 67). */
const BID = new Set([1, 66])
const ASK = new Set([2, 67])

interface Feed {
  instrument: string
  barsReq: number
  quoteReq: number
  lastBarTs: number
  quote: Quote
}

export interface MarketFeedOptions {
  newId(): number
  client(): TwsClient | undefined
  spec(instrument: string): IbkrInstrument | undefined
  onTick(t: Tick): void
  /** A bar ended at the venue (epoch ms): the venue's clock. */
  onBarEnd(ts: number): void
  log(message: string): void
}

export class MarketFeed {
  private readonly feeds = new Map<string, Feed>()
  private readonly byReq = new Map<number, Feed>()
  private readonly lastBar = new Map<string, number>()

  constructor(private readonly o: MarketFeedOptions) {}

  /** Subscribes what is wanted and not subscribed, cancels what is no longer wanted. */
  want(instruments: readonly string[]): void {
    const wanted = new Set(instruments)
    for (const [id, f] of this.feeds) {
      if (wanted.has(id)) continue
      this.cancel(f)
      this.feeds.delete(id)
    }
    for (const id of wanted) if (!this.feeds.has(id)) this.subscribe(id)
  }

  /** Asks for every subscription again (a new socket, or 1101); the old ones are cancelled when the socket still lives. */
  resubscribe(cancelOld: boolean): void {
    const ids = [...this.feeds.keys()]
    for (const f of this.feeds.values()) if (cancelOld) this.cancel(f)
    this.feeds.clear()
    this.byReq.clear()
    for (const id of ids) this.subscribe(id)
  }

  /** The socket went: its subscriptions are gone with it (nothing to cancel); they are asked again at resubscribe(). */
  lost(): void {
    this.byReq.clear()
  }

  stop(): void {
    for (const f of this.feeds.values()) this.cancel(f)
    this.feeds.clear()
    this.byReq.clear()
  }

  realtimeBar(args: readonly unknown[]): void {
    const [reqId, time, open, high, low, close, volume] = args
    const f = this.byReq.get(num(reqId))
    if (f === undefined || f.barsReq !== num(reqId)) return
    const ts = num(time) * 1000
    if (!Number.isFinite(ts) || ts <= (this.lastBar.get(f.instrument) ?? Number.NEGATIVE_INFINITY)) return
    this.lastBar.set(f.instrument, ts)
    const ticks = barToTicks(f.instrument, {ts, open: num(open), high: num(high), low: num(low), close: num(close), volume: num(volume)}, f.quote.bid > 0 ? f.quote : undefined)
    if (ticks.length === 0) this.o.log(`a real-time bar of ${f.instrument} that no market makes was dropped (${JSON.stringify(args.slice(1, 7))})`)
    for (const t of ticks) this.o.onTick(t)
    this.o.onBarEnd(ts + REALTIME_BAR_MS)
  }

  tickPrice(args: readonly unknown[]): void {
    const [reqId, field, value] = args
    const f = this.byReq.get(num(reqId))
    const v = num(value)
    if (f === undefined || f.quoteReq !== num(reqId) || !(v > 0) || v > 1e300) return
    if (BID.has(num(field))) f.quote = {...f.quote, bid: v}
    else if (ASK.has(num(field))) f.quote = {...f.quote, ask: v}
  }

  /** An error for a request id: true when it was one of the feed's (logged: data stays what it is). */
  error(reqId: number, code: number, message: string): boolean {
    const f = this.byReq.get(reqId)
    if (f === undefined) return false
    this.o.log(`${f.barsReq === reqId ? 'real-time bars' : 'quotes'} of ${f.instrument}: TWS ${code} ${message}`)
    return true
  }

  private subscribe(instrument: string): void {
    const spec = this.o.spec(instrument)
    const c = this.o.client()
    const f: Feed = {instrument, barsReq: this.o.newId(), quoteReq: this.o.newId(), lastBarTs: 0, quote: {bid: 0, ask: 0}}
    this.feeds.set(instrument, f)
    if (spec === undefined || c === undefined) return
    this.byReq.set(f.barsReq, f)
    this.byReq.set(f.quoteReq, f)
    const contract = orderContract(spec)
    c.reqRealTimeBars(f.barsReq, contract, 5, spec.ibkr.whatToShow, false)
    c.reqMktData(f.quoteReq, contract, '', false, false)
  }

  private cancel(f: Feed): void {
    const c = this.o.client()
    if (c !== undefined && this.byReq.has(f.barsReq)) {
      c.cancelRealTimeBars(f.barsReq)
      c.cancelMktData(f.quoteReq)
    }
    this.byReq.delete(f.barsReq)
    this.byReq.delete(f.quoteReq)
  }
}
