// rick's paper venue as a conformance venue: a PaperConnector over seeded synthetic one-minute
// bars; a step is one bar (the venue matches working orders on it), the clock follows the bars as
// the engine sets it. Events are emitted synchronously, so settle() has nothing to wait for.
import {SimulatedClock} from '../../src/foundation/clock.js'
import type {Instrument} from '../../src/foundation/domain/instrument.js'
import {toMicro, type Micro} from '../../src/foundation/domain/money.js'
import type {Fill} from '../../src/foundation/domain/orders.js'
import {seededRandom} from '../../src/foundation/random.js'
import {syntheticFeed} from '../../src/sectors/data/feed.js'
import {PaperConnector} from '../../src/sectors/paper/connector.js'
import type {FeeModel} from '../../src/sectors/paper/fees.js'
import type {VenueFixture, VenueSession} from './fixture.js'

const PERIOD_MS = 60_000
const T0 = Date.UTC(2024, 2, 5, 14, 0, 0)

export interface PaperFixtureOptions {
  name: string
  instruments: Instrument[]
  /** The traded one (quoted in USD) and its order size. */
  instrument: string
  qty: number
  /** Maker and taker basis points (the fee rule the fixture checks independently). */
  makerBps: number
  takerBps: number
  slippageBps: number
  nearMove: number
  seed: number
}

export function paperFixture(o: PaperFixtureOptions): VenueFixture {
  const fees: FeeModel = {makerBps: o.makerBps, takerBps: o.takerBps}
  return {
    name: o.name,
    venue: 'paper',
    environment: 'paper',
    capabilities: {brackets: true, stopOrders: true, stopLimitOrders: true, streaming: false, fractionalQty: o.instruments.some((i) => i.lotSize < 1), shortSelling: true, spotHoldings: false},
    instruments: o.instruments.map((i) => i.id),
    instrument: o.instrument,
    qty: o.qty,
    orderTypes: ['market', 'limit', 'stop', 'stop-limit'],
    accounting: 'spot',
    // bps of the notional (price × qty × multiplier, in micro units rounded once), rounded up.
    fee: (fill: Fill, spec: Instrument): Micro => {
      const notional = Math.round(fill.price * fill.qty * spec.multiplier * 1e6)
      return Math.ceil((notional * (fill.liquidity === 'maker' ? o.makerBps : o.takerBps)) / 10_000)
    },
    moneyTolerancePerFill: 0,
    nearMove: o.nearMove,
    cancelFinished: 'OrderNotFound',
    // An in-process venue: close() has nothing to release, and connecting again just works.
    afterClose: 'reconnects',
    // Its emit() has no try/catch (the backtest hot path): a throw comes out of submit() or step(),
    // after the fill was booked, and the listeners after the thrower never hear the event.
    listenerErrors: 'propagates',
    faultInjection: false,
    async start(): Promise<VenueSession> {
      const clock = new SimulatedClock(T0 - PERIOD_MS)
      let venue: PaperConnector | undefined
      const opened = (): PaperConnector => {
        if (venue === undefined) throw new Error('paper fixture: open() first')
        return venue
      }
      return {
        secrets: [],
        async open() {
          const v = new PaperConnector({
            venue: 'paper',
            instruments: o.instruments,
            feed: syntheticFeed({instruments: o.instruments, seed: o.seed, startTs: T0, periodMs: PERIOD_MS}),
            clock,
            random: seededRandom(o.seed),
            fees,
            slippageBps: o.slippageBps,
            startingCash: toMicro(1_000_000),
            currency: 'USD',
          })
          v.subscribe([], (bar) => clock.set(bar.ts + PERIOD_MS))
          await v.connect()
          // Every instrument has a price before the first order (funds are checked against it).
          while (o.instruments.some((i) => v.lastPrice(i.id) === 0)) v.step()
          venue = v
          return v
        },
        async step() {
          opened().step()
        },
        async settle() {},
        async quote(instrument) {
          const p = opened().lastPrice(instrument)
          return {bid: p, ask: p}
        },
        async close() {
          await venue?.close()
        },
      }
    },
  }
}

export const STOCK: Instrument = {id: 'SPY', venue: 'paper', kind: 'etf', tickSize: 0.01, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 500}
export const FUTURE: Instrument = {id: 'MES-202612', venue: 'paper', kind: 'future', tickSize: 0.25, lotSize: 1, minNotional: 0, multiplier: 5, quoteCurrency: 'USD', referencePrice: 5000}
export const CRYPTO: Instrument = {id: 'BTC-USD', venue: 'paper', kind: 'crypto', tickSize: 0.01, lotSize: 0.00000001, minNotional: 1, multiplier: 1, quoteCurrency: 'USD', referencePrice: 60000}
