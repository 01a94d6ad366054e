// A paper venue over hand-written bars, recording every event and bar delivery in one log so
// tests can check the order in which things happen.
import {SimulatedClock} from '../../../src/foundation/clock.js'
import {seriesOf, type Bar} from '../../../src/foundation/domain/bars.js'
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import {toMicro} from '../../../src/foundation/domain/money.js'
import type {OrderRequest, VenueEvent} from '../../../src/foundation/domain/orders.js'
import {seededRandom} from '../../../src/foundation/random.js'
import {seriesFeed} from '../../../src/sectors/data/feed.js'
import type {FeeModel} from '../../../src/sectors/paper/fees.js'
import {PaperConnector, type PaperConnectorOptions} from '../../../src/sectors/paper/connector.js'

export const SPY: Instrument = {id: 'SPY', venue: 'ibkr', kind: 'etf', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 500}
export const BTC: Instrument = {id: 'BTC-USD', venue: 'coinbase', kind: 'crypto', tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, multiplier: 1, quoteCurrency: 'USD', referencePrice: 60000}
export const MES: Instrument = {id: 'MES-202612', venue: 'ibkr', kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 5, quoteCurrency: 'USD', referencePrice: 5000}

export const NO_FEES: FeeModel = {makerBps: 0, takerBps: 0}

/** [open, high, low, close] per bar, one minute apart from t0. */
export type Ohlc = [number, number, number, number]
export const T0 = 1_717_200_000_000

export function bars(instrument: string, rows: Ohlc[]): Bar[] {
  return rows.map(([open, high, low, close], i) => ({instrument, ts: T0 + i * 60_000, open, high, low, close, volume: 100}))
}

export interface Harness {
  venue: PaperConnector
  clock: SimulatedClock
  /** Events and bar deliveries, in order, as short strings. */
  log: string[]
  events: VenueEvent[]
  /** Pulls one bar (setting the clock to its close first, as the engine does after delivery). */
  step(): Bar | undefined
  /** Runs the rest of the bars. */
  run(): void
  order(o: Partial<OrderRequest> & Pick<OrderRequest, 'clientOrderId' | 'side' | 'qty'>): void
}

export function harness(rows: Bar[] | Bar[][], options: Partial<PaperConnectorOptions> = {}): Harness {
  const lists = (Array.isArray(rows[0]) ? rows : [rows]) as Bar[][]
  const series = lists.map((list) => seriesOf((list[0] as Bar).instrument, 60_000, list))
  const clock = new SimulatedClock(T0 - 60_000)
  const venue = new PaperConnector({
    venue: 'paper-test',
    instruments: [SPY, BTC, MES],
    feed: seriesFeed(series),
    clock,
    random: seededRandom(1),
    fees: NO_FEES,
    slippageBps: 0,
    startingCash: toMicro(100_000),
    currency: 'USD',
    ...options,
  })
  const log: string[] = []
  const events: VenueEvent[] = []
  venue.onEvent((e) => {
    events.push(e)
    log.push(describe(e))
  })
  venue.subscribe([], (b) => {
    log.push(`bar ${b.instrument} ${(b.ts - T0) / 60_000}`)
    clock.set(b.ts + 60_000)
  })
  return {
    venue,
    clock,
    log,
    events,
    step: () => venue.step(),
    run: () => {
      while (venue.step() !== undefined) {
        // all bars
      }
    },
    order: (o) => venue.submitNow({instrument: 'SPY', type: 'market', tif: 'gtc', ...o}),
  }
}

export function describe(e: VenueEvent): string {
  switch (e.kind) {
    case 'fill':
      return `fill ${e.fill.clientOrderId} ${e.fill.side} ${e.fill.qty} @ ${e.fill.price} fee ${e.fill.fee} ${e.fill.liquidity}`
    case 'reject':
      return `reject ${e.clientOrderId} ${e.code}: ${e.reason}`
    case 'cancel':
      return `cancel ${e.clientOrderId}: ${e.reason}`
    case 'ack':
      return `ack ${e.clientOrderId}`
    case 'expire':
      return `expire ${e.clientOrderId}`
  }
}

export function fills(h: Harness): string[] {
  return h.log.filter((l) => l.startsWith('fill'))
}
