import {describe, expect, it} from 'vitest'

import {BrokerError} from '../../../src/foundation/domain/broker-errors.js'
import {toMicro} from '../../../src/foundation/domain/money.js'
import {seededRandom} from '../../../src/foundation/random.js'
import {SimulatedClock} from '../../../src/foundation/clock.js'
import {syntheticFeed} from '../../../src/sectors/data/feed.js'
import {PaperConnector} from '../../../src/sectors/paper/connector.js'
import {defaultFees} from '../../../src/sectors/paper/fees.js'
import {BTC, MES, SPY, bars, fills, harness, type Ohlc} from './helpers.js'

const flat: Ohlc = [500, 501, 499, 500]

describe('PaperConnector: market orders', () => {
  it('fills a market order at the NEXT bar open, and emits the fill before delivering that bar', () => {
    const h = harness(bars('SPY', [flat, [502, 503, 501, 502], flat]))
    h.step()
    h.order({clientOrderId: 'm1', side: 'buy', qty: 10})
    h.run()
    expect(h.log).toEqual(['bar SPY 0', 'ack m1', 'fill m1 buy 10 @ 502 fee 0 taker', 'bar SPY 1', 'bar SPY 2'])
    const fill = h.events.find((e) => e.kind === 'fill')
    expect(fill).toMatchObject({fill: {ts: bars('SPY', [flat, flat])[1]!.ts, fillId: 'paper-1-1', venueOrderId: 'paper-1'}})
    expect(h.venue.ledger.position('SPY')).toBe(10)
  })

  it('moves market fills against the order by the slippage, rounded to the tick adversely', () => {
    const h = harness(bars('SPY', [flat, [500, 501, 499, 500], [500, 501, 499, 500]]), {slippageBps: 5})
    h.step()
    h.order({clientOrderId: 'b', side: 'buy', qty: 1})
    h.step()
    h.order({clientOrderId: 's', side: 'sell', qty: 1})
    h.step()
    // 500 × 1.0005 = 500.25; 500 × 0.9995 = 499.75.
    expect(fills(h)).toEqual(['fill b buy 1 @ 500.25 fee 0 taker', 'fill s sell 1 @ 499.75 fee 0 taker'])
    expect(h.venue.ledger.realized).toBe(toMicro(-0.5))
  })

  it('charges taker bps on market fills (Coinbase defaults: 60 bps taker)', () => {
    const h = harness(bars('BTC-USD', [[60000, 60010, 59990, 60000], [60000.5, 60010, 59990, 60000]]), {fees: defaultFees('coinbase'), slippageBps: 2})
    h.step()
    h.venue.submitNow({clientOrderId: 'c', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.1, tif: 'gtc'})
    h.step()
    // 60000.5 × 1.0002 = 60012.5001 → 60012.51 (up to the cent); notional 6001.251; 60 bps = 36.007506.
    expect(fills(h)).toEqual(['fill c buy 0.1 @ 60012.51 fee 36007506 taker'])
    expect(h.venue.ledger.cash).toBe(toMicro(100_000) - toMicro(6001.251) - 36_007_506)
  })
})

describe('PaperConnector: limit orders', () => {
  it('fills only when the bar trades through the limit (a touch is not enough), at the limit, as maker', () => {
    const h = harness(bars('SPY', [flat, [500, 501, 499, 500], [500, 501, 498.99, 499]]), {fees: {makerBps: 1, takerBps: 5}})
    h.step()
    h.order({clientOrderId: 'l', side: 'buy', qty: 10, type: 'limit', limitPrice: 499})
    h.run()
    // notional 4990 → 1 bp = 0.499.
    expect(fills(h)).toEqual(['fill l buy 10 @ 499 fee 499000 maker'])
    expect(h.log.indexOf('fill l buy 10 @ 499 fee 499000 maker')).toBe(h.log.indexOf('bar SPY 2') - 1)
  })

  it('fills on a touch with limitFill: touch', () => {
    const h = harness(bars('SPY', [flat, [500, 501, 499, 500]]), {limitFill: 'touch'})
    h.step()
    h.order({clientOrderId: 'l', side: 'buy', qty: 1, type: 'limit', limitPrice: 499})
    h.run()
    expect(fills(h)).toEqual(['fill l buy 1 @ 499 fee 0 maker'])
  })

  it('fills at the open when the bar gaps through the limit in the order’s favour', () => {
    const h = harness(bars('SPY', [flat, flat, [497, 498, 496, 497]]), {fees: {makerBps: 1, takerBps: 5}})
    h.step()
    h.order({clientOrderId: 'l', side: 'buy', qty: 10, type: 'limit', limitPrice: 499})
    h.venue.submitNow({clientOrderId: 's', instrument: 'SPY', side: 'sell', type: 'limit', limitPrice: 499, qty: 1, tif: 'gtc'})
    h.run()
    // The sell limit at 499 was marketable on arrival: it fills at the next open (500) as taker.
    // The buy limit rests one bar, then the bar opens at 497, below its limit: filled at 497 as maker.
    expect(fills(h)).toEqual(['fill s sell 1 @ 500 fee 250000 taker', 'fill l buy 10 @ 497 fee 497000 maker'])
  })

  it('expires an ioc order that does not fill on the next bar', () => {
    const h = harness(bars('SPY', [flat, flat, [490, 491, 489, 490]]))
    h.step()
    h.order({clientOrderId: 'i', side: 'buy', qty: 1, type: 'limit', limitPrice: 495, tif: 'ioc'})
    h.run()
    expect(h.log).toEqual(['bar SPY 0', 'ack i', 'expire i', 'bar SPY 1', 'bar SPY 2'])
    expect(h.venue.openOrdersNow()).toEqual([])
  })
})

describe('PaperConnector: stop and stop-limit orders', () => {
  it('fills a stop at the stop price when the range reaches it, plus slippage', () => {
    const h = harness(bars('SPY', [flat, [500, 502, 499, 501]]), {slippageBps: 2})
    h.step()
    h.order({clientOrderId: 'st', side: 'buy', qty: 1, type: 'stop', stopPrice: 502})
    h.run()
    // 502 × 1.0002 = 502.1004 → 502.11.
    expect(fills(h)).toEqual(['fill st buy 1 @ 502.11 fee 0 taker'])
  })

  it('fills a stop at the open when the bar gaps past it (pessimistic)', () => {
    const h = harness(bars('SPY', [flat, [495, 496, 494, 495]]))
    h.step()
    h.order({clientOrderId: 'st', side: 'sell', qty: 1, type: 'stop', stopPrice: 498})
    h.run()
    expect(fills(h)).toEqual(['fill st sell 1 @ 495 fee 0 taker'])
  })

  it('does not fill a stop the range does not reach', () => {
    const h = harness(bars('SPY', [flat, [500, 501.99, 499, 501]]))
    h.step()
    h.order({clientOrderId: 'st', side: 'buy', qty: 1, type: 'stop', stopPrice: 502})
    h.run()
    expect(fills(h)).toEqual([])
    expect(h.venue.openOrdersNow().map((o) => o.clientOrderId)).toEqual(['st'])
  })

  it('fills a stop-limit on its trigger bar when the trigger price is within the limit', () => {
    const h = harness(bars('SPY', [flat, [500, 503, 499, 502]]))
    h.step()
    h.order({clientOrderId: 'sl', side: 'buy', qty: 1, type: 'stop-limit', stopPrice: 502, limitPrice: 502.5})
    h.run()
    expect(fills(h)).toEqual(['fill sl buy 1 @ 502 fee 0 taker'])
  })

  it('rests a stop-limit as a limit when it gaps past the limit, then fills as a limit', () => {
    const h = harness(bars('SPY', [flat, [504, 505, 503.5, 504], [504, 504.5, 502, 503]]))
    h.step()
    h.order({clientOrderId: 'sl', side: 'buy', qty: 1, type: 'stop-limit', stopPrice: 502, limitPrice: 503})
    h.step()
    expect(fills(h)).toEqual([])
    expect(h.venue.openOrdersNow()).toHaveLength(1)
    expect(h.venue.snapshot().orders[0]).toMatchObject({triggered: true})
    h.run()
    expect(fills(h)).toEqual(['fill sl buy 1 @ 503 fee 0 maker'])
  })
})

describe('PaperConnector: brackets', () => {
  const entry = {clientOrderId: 'e', side: 'buy' as const, qty: 10, bracket: {stopLoss: 495, takeProfit: 505}}

  it('creates OCO exits when the entry fills; the target fills and cancels the stop', () => {
    const h = harness(bars('SPY', [flat, flat, [501, 506, 500, 505]]))
    h.step()
    h.order(entry)
    h.run()
    expect(h.log).toEqual([
      'bar SPY 0',
      'ack e',
      'fill e buy 10 @ 500 fee 0 taker',
      'ack e-sl',
      'ack e-tp',
      'bar SPY 1',
      'fill e-tp sell 10 @ 505 fee 0 maker',
      'cancel e-sl: oco: e-tp filled',
      'bar SPY 2',
    ])
    expect(h.venue.ledger.realized).toBe(toMicro(50))
    expect(h.venue.ledger.position('SPY')).toBe(0)
  })

  it('fills the STOP when the stop and the target are both touched in one bar (pessimistic)', () => {
    const h = harness(bars('SPY', [flat, flat, [500, 506, 494, 500]]))
    h.step()
    h.order(entry)
    h.run()
    expect(fills(h)).toEqual(['fill e buy 10 @ 500 fee 0 taker', 'fill e-sl sell 10 @ 495 fee 0 taker'])
    expect(h.log).toContain('cancel e-tp: oco: e-sl filled')
    expect(h.venue.ledger.realized).toBe(toMicro(-50))
  })

  it('fills the target at the open when the bar opens beyond it, even if the bar later reaches the stop', () => {
    const h = harness(bars('SPY', [flat, flat, [507, 508, 494, 500]]))
    h.step()
    h.order(entry)
    h.run()
    expect(fills(h)).toEqual(['fill e buy 10 @ 500 fee 0 taker', 'fill e-tp sell 10 @ 507 fee 0 maker'])
  })

  it('fills the stop at the open when the bar gaps below it', () => {
    const h = harness(bars('SPY', [flat, flat, [490, 492, 489, 491]]))
    h.step()
    h.order(entry)
    h.run()
    expect(fills(h)).toEqual(['fill e buy 10 @ 500 fee 0 taker', 'fill e-sl sell 10 @ 490 fee 0 taker'])
  })

  it('lets the stop fill on the entry bar itself', () => {
    const h = harness(bars('SPY', [flat, [500, 501, 494, 496]]))
    h.step()
    h.order(entry)
    h.run()
    expect(fills(h)).toEqual(['fill e buy 10 @ 500 fee 0 taker', 'fill e-sl sell 10 @ 495 fee 0 taker'])
  })

  it('does not let the target fill on the bar of a limit entry filled inside the bar', () => {
    // The limit entry at 499 fills inside bar 1; that bar's high of 506 may have come before it.
    const h = harness(bars('SPY', [flat, [500, 506, 498, 503], [503, 506, 502, 505]]))
    h.step()
    h.order({...entry, type: 'limit', limitPrice: 499})
    h.step()
    expect(fills(h)).toEqual(['fill e buy 10 @ 499 fee 0 maker'])
    h.run()
    expect(fills(h)).toEqual(['fill e buy 10 @ 499 fee 0 maker', 'fill e-tp sell 10 @ 505 fee 0 maker'])
  })

  it('lets the target fill on the entry bar when the entry filled at the open', () => {
    const h = harness(bars('SPY', [flat, [500, 506, 499, 505]]))
    h.step()
    h.order(entry)
    h.run()
    expect(fills(h)).toEqual(['fill e buy 10 @ 500 fee 0 taker', 'fill e-tp sell 10 @ 505 fee 0 maker'])
  })

  it('works for a short entry with the exits mirrored', () => {
    const h = harness(bars('SPY', [flat, flat, [499, 500, 494, 495]]))
    h.step()
    h.order({clientOrderId: 'x', side: 'sell', qty: 2, bracket: {stopLoss: 505, takeProfit: 495}})
    h.run()
    expect(fills(h)).toEqual(['fill x sell 2 @ 500 fee 0 taker', 'fill x-tp buy 2 @ 495 fee 0 maker'])
    expect(h.venue.ledger.realized).toBe(toMicro(10))
  })

  it('cancels an exit whose position was closed by another order', () => {
    const h = harness(bars('SPY', [flat, flat, flat, [500, 501, 494, 500]]))
    h.step()
    h.order(entry)
    h.step()
    h.order({clientOrderId: 'flat', side: 'sell', qty: 10, reduceOnly: true})
    h.run()
    expect(h.log).toContain('fill flat sell 10 @ 500 fee 0 taker')
    expect(h.log).toContain('cancel e-sl: reduce-only: no long position left to reduce')
    expect(h.log).toContain('cancel e-tp: oco: e-sl cancelled')
    expect(h.venue.ledger.position('SPY')).toBe(0)
  })
})

describe('PaperConnector: rejects, cancels, funds', () => {
  it('rejects a quantity that is not a whole number of lots', () => {
    const h = harness(bars('BTC-USD', [[60000, 60001, 59999, 60000]]))
    h.venue.submitNow({clientOrderId: 'q', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.123456789, tif: 'gtc'})
    expect(h.log).toEqual(['reject q InvalidOrder: qty 0.123456789 is not a whole number of lots of 1e-8 BTC-USD (nearest below: 0.12345678)'])
  })

  it('post-only: a limit that would trade at once is refused; one that rests is accepted and fills as maker', () => {
    const h = harness(bars('SPY', [flat, [500, 501, 499, 500], [500, 501, 498.5, 499]]), {fees: {makerBps: 1, takerBps: 5}})
    h.step()
    h.order({clientOrderId: 'cross', side: 'buy', qty: 1, type: 'limit', limitPrice: 500, postOnly: true})
    h.order({clientOrderId: 'mkt', side: 'sell', qty: 1, type: 'market', postOnly: true})
    h.order({clientOrderId: 'rest', side: 'buy', qty: 10, type: 'limit', limitPrice: 499, postOnly: true})
    h.run()
    expect(h.log.filter((l) => l.startsWith('reject'))).toEqual([
      'reject cross InvalidOrder: post-only buy limit 500 SPY would trade at once against the market at 500',
      'reject mkt InvalidOrder: post-only is for limit orders, found a market order',
    ])
    expect(fills(h)).toEqual(['fill rest buy 10 @ 499 fee 499000 maker'])
  })

  it('rejects an order below the minimum notional', () => {
    const h = harness(bars('BTC-USD', [[60000, 60001, 59999, 60000]]))
    h.step()
    h.venue.submitNow({clientOrderId: 'q', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.00001, tif: 'gtc'})
    expect(h.log.at(-1)).toBe("reject q InvalidOrder: min notional: 0.00001 BTC-USD at 60000 is 0.60 USD, below the venue's minimum of 1")
  })

  it('rejects prices off the tick, missing prices, inverted brackets and unknown instruments', () => {
    const h = harness(bars('SPY', [flat]))
    h.order({clientOrderId: 'a', side: 'buy', qty: 1, type: 'limit', limitPrice: 499.995})
    h.order({clientOrderId: 'b', side: 'buy', qty: 1, type: 'stop'})
    h.order({clientOrderId: 'c', side: 'buy', qty: 1, bracket: {stopLoss: 510, takeProfit: 490}})
    h.order({clientOrderId: 'd', side: 'buy', qty: 1, instrument: 'QQQ'})
    h.venue.submitNow({clientOrderId: 'e', instrument: 'MES-202612', side: 'buy', type: 'limit', limitPrice: 5000.1, qty: 1, tif: 'gtc'})
    expect(h.log).toEqual([
      'reject a InvalidOrder: limitPrice 499.995 is not on the tick 0.01 of SPY',
      'reject b InvalidOrder: a stop order needs a positive stopPrice, found undefined',
      'reject c InvalidOrder: bracket of a buy: stopLoss 510 must be below takeProfit 490',
      'reject d InvalidOrder: unknown instrument QQQ; this venue trades SPY, BTC-USD, MES-202612',
      'reject e InvalidOrder: limitPrice 5000.1 is not on the tick 0.25 of MES-202612',
    ])
  })

  it('rejects with InsufficientFunds when the notional exceeds the buying power (no leverage)', () => {
    const h = harness(bars('MES-202612', [[5000, 5001, 4999, 5000]]), {startingCash: toMicro(30_000)})
    h.step()
    // One MES is 5000 × 5 = 25,000: one fits, two do not.
    h.venue.submitNow({clientOrderId: 'two', instrument: 'MES-202612', side: 'buy', type: 'market', qty: 2, tif: 'gtc'})
    h.venue.submitNow({clientOrderId: 'one', instrument: 'MES-202612', side: 'buy', type: 'market', qty: 1, tif: 'gtc'})
    // A second contract no longer fits: the working one reserves 25,000 of the 30,000. Nor does a
    // sell: with no position it would open a short of the same size.
    h.venue.submitNow({clientOrderId: 'short', instrument: 'MES-202612', side: 'sell', type: 'market', qty: 1, tif: 'gtc'})
    h.venue.submitNow({clientOrderId: 'more', instrument: 'MES-202612', side: 'buy', type: 'market', qty: 1, tif: 'gtc'})
    expect(h.log.slice(1)).toEqual([
      'reject two InsufficientFunds: buy 2 MES-202612 at ~5000 needs 50000.00 USD (notional + fee), buying power is 30000.00 (no leverage)',
      'ack one',
      'reject short InsufficientFunds: sell 1 MES-202612 at ~5000 needs 25000.00 USD (notional + fee), buying power is 5000.00 (no leverage)',
      'reject more InsufficientFunds: buy 1 MES-202612 at ~5000 needs 25000.00 USD (notional + fee), buying power is 5000.00 (no leverage)',
    ])
    const e = h.events.find((x) => x.kind === 'reject')
    expect(e).toMatchObject({code: 'InsufficientFunds'})
  })

  it('cancels at fill time with InsufficientFunds when no price was known at submit', () => {
    const h = harness(bars('SPY', [[500, 501, 499, 500]]), {startingCash: toMicro(1000)})
    h.order({clientOrderId: 'big', side: 'buy', qty: 10})
    h.run()
    expect(h.log).toEqual(['ack big', 'cancel big: InsufficientFunds: buy 10 SPY at 500 needs 5000.00 USD, buying power is 1000.00 (no leverage)', 'bar SPY 0'])
  })

  it('rejects a reduce-only order that would not reduce', () => {
    const h = harness(bars('SPY', [flat]))
    h.order({clientOrderId: 'r', side: 'sell', qty: 1, reduceOnly: true})
    expect(h.log).toEqual(['reject r InvalidOrder: reduce-only sell of 1 SPY would not reduce the position (0)'])
  })

  it('throws on a reused clientOrderId and on cancelling an order that is not working', async () => {
    const h = harness(bars('SPY', [flat, flat]))
    h.order({clientOrderId: 'x', side: 'buy', qty: 1, type: 'limit', limitPrice: 400})
    expect(() => h.order({clientOrderId: 'x', side: 'buy', qty: 1})).toThrow(BrokerError)
    await h.venue.cancel('x')
    expect(h.log).toEqual(['ack x', 'cancel x: cancelled on request'])
    await expect(h.venue.cancel('x')).rejects.toMatchObject({kind: 'OrderNotFound', message: 'paper venue: order x is cancelled, not working'})
    await expect(h.venue.cancel('nope')).rejects.toMatchObject({kind: 'OrderNotFound'})
    expect(await h.venue.orderByClientId('x')).toMatchObject({status: 'cancelled', filledQty: 0})
  })
})

describe('PaperConnector: account, fees per venue, several instruments', () => {
  it('charges IBKR commissions: per share with a minimum, per contract for futures', () => {
    const h = harness([bars('SPY', [flat, flat]), bars('MES-202612', [[5000, 5001, 4999, 5000], [5000, 5001, 4999, 5000]])], {fees: defaultFees('ibkr'), startingCash: toMicro(200_000)})
    h.step()
    h.step()
    h.order({clientOrderId: 'spy100', side: 'buy', qty: 100})
    h.venue.submitNow({clientOrderId: 'mes2', instrument: 'MES-202612', side: 'buy', type: 'market', qty: 2, tif: 'gtc'})
    h.run()
    // 100 × 0.005 = 0.50 → minimum 1.00; 2 × 0.62 = 1.24.
    expect(fills(h)).toEqual(['fill spy100 buy 100 @ 500 fee 1000000 taker', 'fill mes2 buy 2 @ 5000 fee 1240000 taker'])
    expect(h.log.filter((l) => l.startsWith('bar'))).toEqual(['bar SPY 0', 'bar MES-202612 0', 'bar SPY 1', 'bar MES-202612 1'])
  })

  it('reports account, positions and open orders', async () => {
    const h = harness(bars('SPY', [flat, flat, [500, 501, 499, 510]]))
    h.step()
    h.order({clientOrderId: 'b', side: 'buy', qty: 10})
    h.order({clientOrderId: 'w', side: 'buy', qty: 1, type: 'limit', limitPrice: 450})
    h.run()
    expect(await h.venue.positions()).toEqual([{instrument: 'SPY', qty: 10, avgPrice: 500}])
    expect(await h.venue.account()).toEqual({currency: 'USD', cash: toMicro(95_000), equity: toMicro(100_100), buyingPower: toMicro(100_100 - 5100 - 450)})
    const open = await h.venue.openOrders()
    expect(open).toEqual([expect.objectContaining({clientOrderId: 'w', status: 'working', venueOrderId: 'paper-2'})])
    expect(open[0]).not.toHaveProperty('seq')
  })

  it('delivers bars only for the subscribed instruments, and stops after close()', () => {
    const h = harness([bars('SPY', [flat, flat]), bars('BTC-USD', [[60000, 60001, 59999, 60000], [60000, 60001, 59999, 60000]])])
    const seen: string[] = []
    const sub = h.venue.subscribe(['BTC-USD'], (b) => seen.push(`${b.instrument}@${b.ts}`))
    h.step()
    h.step()
    sub.close()
    h.run()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatch(/^BTC-USD@/)
  })
})

describe('PaperConnector: determinism and restore', () => {
  function scripted(seed: number) {
    const clock = new SimulatedClock(0)
    const venue = new PaperConnector({
      venue: 'coinbase',
      instruments: [BTC, MES],
      feed: syntheticFeed({instruments: [BTC, MES], seed, startTs: 1_717_200_000_000, periodMs: 60_000, bars: 400}),
      clock,
      random: seededRandom(seed),
      fees: defaultFees('coinbase'),
      slippageBps: 2,
      startingCash: toMicro(1_000_000),
      currency: 'USD',
    })
    const events: string[] = []
    venue.onEvent((e) => events.push(JSON.stringify(e)))
    let i = 0
    const stepOnce = (): boolean => {
      const bar = venue.step()
      if (!bar) return false
      clock.set(bar.ts + 60_000)
      i++
      // A fixed script of orders: a bracket every 50 bars, a stop-limit every 70, a market flip every 90.
      if (i % 50 === 0) venue.submitNow({clientOrderId: `br${i}`, instrument: 'BTC-USD', side: 'buy', type: 'market', qty: 0.5, tif: 'gtc', bracket: {stopLoss: Math.round(bar.close * 0.998), takeProfit: Math.round(bar.close * 1.003)}})
      if (i % 70 === 0) venue.submitNow({clientOrderId: `sl${i}`, instrument: 'MES-202612', side: 'buy', type: 'stop-limit', qty: 1, tif: 'gtc', stopPrice: 5000, limitPrice: 5001})
      if (i % 90 === 0) venue.submitNow({clientOrderId: `mk${i}`, instrument: 'MES-202612', side: i % 180 === 0 ? 'buy' : 'sell', type: 'market', qty: 2, tif: 'gtc'})
      return true
    }
    return {venue, events, stepOnce, clock}
  }

  it('gives the same fills for the same seed, and different ones for another seed', () => {
    const a = scripted(7)
    const b = scripted(7)
    const c = scripted(8)
    while (a.stepOnce()) b.stepOnce()
    while (c.stepOnce());
    expect(a.events.filter((e) => e.includes('"fill"')).length).toBeGreaterThan(5)
    expect(b.events).toEqual(a.events)
    expect(c.events).not.toEqual(a.events)
    expect(b.venue.snapshot()).toEqual(a.venue.snapshot())
  })

  it('restores from a JSON snapshot and continues exactly as the original', () => {
    const a = scripted(11)
    for (let k = 0; k < 430; k++) a.stepOnce()
    const snap = JSON.parse(JSON.stringify(a.venue.snapshot()))
    expect(snap.orders.length).toBeGreaterThan(0)

    const eventsBefore = a.events.length
    while (a.stepOnce());

    // A fresh venue on the same feed and script, fast-forwarded to the same bar (as an engine does
    // on restart), then given the snapshot: it must continue exactly as the original did.
    const c = scripted(11)
    for (let k = 0; k < 430; k++) c.stepOnce()
    c.venue.restore(snap)
    c.events.length = 0
    while (c.stepOnce());
    expect(c.events).toEqual(a.events.slice(eventsBefore))
    expect(c.venue.snapshot().ledger).toEqual(a.venue.snapshot().ledger)
    expect(c.events.some((e) => e.includes('"fill"'))).toBe(true)
  })

  it('restores from a snapshot the engine rebuilt from the journal (orders without paper bookkeeping)', () => {
    const h = harness(bars('SPY', [flat, flat, [500, 506, 499, 505]]))
    h.step()
    h.order({clientOrderId: 'e', side: 'buy', qty: 10, bracket: {stopLoss: 495, takeProfit: 505}})
    h.step()
    const snap = h.venue.snapshot()
    const stripped = {version: 1 as const, venue: snap.venue, ledger: snap.ledger, orders: snap.orders.map(({seq: _s, barsSeen: _b, activeFrom: _a, triggered: _t, ...o}) => o), lastPrices: snap.lastPrices}
    const r = harness(bars('SPY', [flat, flat, [500, 506, 499, 505]]))
    r.step()
    r.step()
    r.venue.restore(stripped)
    r.log.length = 0
    r.run()
    expect(r.log).toEqual(['fill e-tp sell 10 @ 505 fee 0 maker', 'cancel e-sl: oco: e-tp filled', 'bar SPY 2'])
  })
  it('never reuses an order id (nor so a fill id) that the account used before the restore', () => {
    const r = harness(bars('SPY', [flat, flat, flat]))
    r.step()
    const working = {clientOrderId: 'old', instrument: 'SPY', side: 'buy' as const, type: 'limit' as const, limitPrice: 1, qty: 1, tif: 'gtc' as const, status: 'working' as const, filledQty: 0, avgFillPrice: 0, updatedAt: 0}
    const ledger = r.venue.snapshot().ledger
    // The journal says the account got as far as paper-41; one restored order has no known id.
    r.venue.restore({version: 1, venue: 'paper-test', ledger, orders: [{...working, venueOrderId: 'paper-7'}, {...working, clientOrderId: 'old2'}], nextSeq: 42})
    r.events.length = 0
    r.order({clientOrderId: 'new', side: 'buy', qty: 1})
    r.step()
    const ids = r.events.flatMap((e) => (e.kind === 'ack' ? [e.venueOrderId] : e.kind === 'fill' ? [e.fill.fillId] : []))
    expect(ids).toEqual(['paper-43', 'paper-43-1'])
    expect(r.venue.snapshot().orders.map((o) => o.venueOrderId)).toEqual(['paper-7', 'paper-42'])
  })
})

it('exposes what SPY, BTC and MES are for the tests above', () => {
  expect([SPY.id, BTC.id, MES.id]).toEqual(['SPY', 'BTC-USD', 'MES-202612'])
})

describe('PaperConnector: event listeners and sinks', () => {
  it('hands every event to listeners and sinks in the order they came, until each unsubscribes', () => {
    const h = harness(bars('SPY', [flat, flat, flat]))
    const seen: string[] = []
    const sink = {
      onVenueEvent(e: {kind: string}) {
        seen.push(`sink ${e.kind}`)
      },
    }
    const offSink = h.venue.onEventSink(sink)
    const offListener = h.venue.onEvent((e) => seen.push(`listener ${e.kind}`))
    h.step()
    h.order({clientOrderId: 'a', side: 'buy', qty: 1})
    h.step()
    expect(seen).toEqual(['sink ack', 'listener ack', 'sink fill', 'listener fill'])
    offSink()
    offListener()
    h.order({clientOrderId: 'b', side: 'sell', qty: 1})
    h.step()
    expect(seen).toHaveLength(4)
    // The harness's own listener (registered first) saw everything, first.
    expect(h.log.filter((l) => !l.startsWith('bar'))).toEqual(['ack a', 'fill a buy 1 @ 500 fee 0 taker', 'ack b', 'fill b sell 1 @ 500 fee 0 taker'])
  })
})
