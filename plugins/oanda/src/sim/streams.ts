// OANDA's two streams, served on the stream port as chunked NDJSON (one JSON object per line, one
// line per chunk, Content-Type application/octet-stream: the official SDK parses a stream's end as
// JSON when the type says JSON, so a stream must not say it):
//   GET /v3/accounts/{id}/pricing/stream?instruments=A,B[&snapshot=true]
//       PRICE lines {type, time, bids, asks, closeoutBid, closeoutAsk, status, tradeable, instrument}
//       when a price changes (the current prices first unless snapshot=false), and
//       {"type":"HEARTBEAT","time":…} every 5 s of sim time;
//   GET /v3/accounts/{id}/transactions/stream
//       every transaction as it happens, and {"type":"HEARTBEAT","lastTransactionID":…,"time":…}
//       every 5 s of sim time.
import type {NdjsonStream, StreamHub} from '../../../../src/sectors/sim/index.js'
import type {Outcome} from './broker.js'
import {badRequest, type OandaSimContext} from './context.js'
import {listParam} from './routes-account.js'
import {type DateTimeFormat, SimTime, toWire} from './wire.js'

export const HEARTBEAT_SIM_MS = 5_000
export const STREAM_HEADERS = {'Content-Type': 'application/octet-stream'}

interface PriceSubscriber {
  stream: NdjsonStream
  instruments: string[]
  /** Last bid/ask/tradeable sent per instrument. */
  sent: Map<string, string>
}

export class OandaStreams {
  private readonly priceSubscribers = new Set<PriceSubscriber>()

  constructor(
    private readonly c: OandaSimContext,
    readonly hub: StreamHub,
  ) {}

  /** Validates a stream request; an Outcome is the error answer. */
  check(kind: 'pricing' | 'transactions', query: URLSearchParams): Outcome | undefined {
    if (kind === 'transactions') return undefined
    const names = listParam(query, 'instruments')
    if (names === undefined || names.length === 0 || names.some((n) => !this.c.market.has(n))) return badRequest("Invalid value specified for 'instruments'")
    return undefined
  }

  openPricing(stream: NdjsonStream, query: URLSearchParams, now: number): void {
    const sub: PriceSubscriber = {stream, instruments: listParam(query, 'instruments') ?? [], sent: new Map()}
    this.priceSubscribers.add(sub)
    stream.onClose(() => this.priceSubscribers.delete(sub))
    if (query.get('snapshot') !== 'false') this.sendPrices(sub, now)
    else for (const n of sub.instruments) sub.sent.set(n, this.priceKey(n, now))
    stream.heartbeat(this.c.clock, HEARTBEAT_SIM_MS, () => (this.c.faults.value('heartbeats') ? {type: 'HEARTBEAT', time: new SimTime(this.c.clock.now())} : undefined))
  }

  openTransactions(stream: NdjsonStream): void {
    const unsubscribe = this.c.log.subscribe(({tx, hiddenFromStream}) => {
      if (!hiddenFromStream) stream.write(tx)
    })
    stream.onClose(unsubscribe)
    stream.heartbeat(this.c.clock, HEARTBEAT_SIM_MS, () => (this.c.faults.value('heartbeats') ? {type: 'HEARTBEAT', lastTransactionID: this.c.log.lastID, time: new SimTime(this.c.clock.now())} : undefined))
  }

  /** Sends the prices that changed since each subscriber's last line (called on every pulse). */
  pulse(now: number): void {
    for (const sub of this.priceSubscribers) this.sendPrices(sub, now)
  }

  private priceKey(name: string, now: number): string {
    const q = this.c.market.quote(name, now)
    return `${q.bidTicks}/${q.askTicks}/${this.c.market.tradeable}`
  }

  private sendPrices(sub: PriceSubscriber, now: number): void {
    for (const name of sub.instruments) {
      const key = this.priceKey(name, now)
      if (sub.sent.get(name) === key) continue
      sub.sent.set(name, key)
      const {quoteHomeConversionFactors: _q, ...line} = this.c.market.clientPrice(name, now)
      sub.stream.write(line)
    }
  }
}

/** Serializes stream lines in the datetime format the stream was opened with. */
export function streamSerializer(format: DateTimeFormat): (message: unknown) => string {
  return (message) => toWire(message, format)
}
