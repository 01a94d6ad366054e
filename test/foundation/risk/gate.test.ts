import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {toMicro} from '../../../src/foundation/domain/money.js'
import type {OrderRequest} from '../../../src/foundation/domain/orders.js'
import {createRiskGate, isReducing} from '../../../src/foundation/risk/gate.js'
import {
  DENY_CODES,
  type EffectiveLimits,
  type RiskDecision,
  type RiskGate,
  type RiskSnapshot,
} from '../../../src/foundation/risk/types.js'

// Balanced-profile numbers, in Micro.
const LIMITS: EffectiveLimits = {
  maxOrderNotional: toMicro(2000),
  maxPositionNotional: toMicro(5000),
  maxOpenOrders: 4,
  dailyLossCap: toMicro(200),
  maxDrawdownPct: 10,
  consecutiveLossHalt: 5,
  maxTradesPerDay: 30,
  maxOrdersPerMinute: 12,
  allowLeverage: false,
}
const CANARY: EffectiveLimits = {...LIMITS, canary: {maxOrderNotional: toMicro(100), maxPositions: 1, dailyLossCap: toMicro(50)}}

const NOW = Date.UTC(2025, 2, 3, 15, 0)

function snap(over: Partial<RiskSnapshot> & {pos?: Record<string, number>; px?: Record<string, number>} = {}): RiskSnapshot {
  const {pos, px, ...rest} = over
  return {
    state: 'ACTIVE',
    now: NOW,
    positions: new Map(Object.entries(pos ?? {})),
    prices: new Map(Object.entries(px ?? {'BTC-USD': 50_000, MES: 5000, EUR_USD: 1.1, SPY: 500})),
    multipliers: new Map([
      ['BTC-USD', 1],
      ['MES', 5],
      ['EUR_USD', 1],
      ['SPY', 1],
    ]),
    openOrders: 0,
    dailyPnl: 0,
    equity: toMicro(20_000),
    dayPeakEquity: toMicro(20_000),
    cash: toMicro(20_000),
    consecutiveLosses: 0,
    tradesToday: 0,
    recentOrderTimes: [],
    inSession: true,
    pastFlatten: false,
    ...rest,
  }
}

let seq = 0
function order(side: 'buy' | 'sell', qty: number, over: Partial<OrderRequest> = {}): OrderRequest {
  return {clientOrderId: `o${++seq}`, instrument: 'BTC-USD', side, type: 'market', qty, tif: 'gtc', ...over}
}

// Every code any test here produced: the last test checks each DENY_CODE has a rule that fires.
const seen = new Set<string>()
function recording(inner: RiskGate): RiskGate {
  return {
    check(o, s) {
      const d = inner.check(o, s)
      if (!d.ok) seen.add(d.code)
      return d
    },
  }
}

const gate = recording(createRiskGate(LIMITS))
const canaryGate = recording(createRiskGate(CANARY))

function code(d: RiskDecision): string {
  return d.ok ? 'OK' : d.code
}

describe('order notional (max 2000)', () => {
  it('accepts exactly the limit and denies one lot more', () => {
    expect(code(gate.check(order('buy', 0.04), snap()))).toBe('OK') // 0.04 × 50,000 = 2000.00
    const over = gate.check(order('buy', 0.04000001), snap()) // + 1e-8 BTC = 2000.0005
    expect(over).toEqual({ok: false, code: 'MAX_ORDER_NOTIONAL', detail: 'order notional 2000.0005 exceeds the limit 2000.00'})
  })

  it('denies one tick of price over the limit', () => {
    expect(code(gate.check(order('buy', 0.04), snap({px: {'BTC-USD': 50_000.01}})))).toBe('MAX_ORDER_NOTIONAL')
  })

  it('counts the multiplier (one MES contract at 5000 is 25,000)', () => {
    expect(code(gate.check(order('buy', 1, {instrument: 'MES'}), snap()))).toBe('MAX_ORDER_NOTIONAL')
    expect(code(gate.check(order('buy', 1, {instrument: 'MES'}), snap({px: {MES: 400}})))).toBe('OK') // 2000
  })

  it('values a limit or stop order at its own price when that is higher than the last', () => {
    expect(code(gate.check(order('buy', 0.04, {type: 'limit', limitPrice: 49_000}), snap()))).toBe('OK')
    expect(code(gate.check(order('buy', 0.04, {type: 'limit', limitPrice: 50_001}), snap()))).toBe('MAX_ORDER_NOTIONAL')
    expect(code(gate.check(order('buy', 0.04, {type: 'stop', stopPrice: 50_001}), snap()))).toBe('MAX_ORDER_NOTIONAL')
  })
})

describe('position notional after the fill (max 5000)', () => {
  it('accepts a position of exactly the limit and denies one lot more', () => {
    expect(code(gate.check(order('buy', 0.04), snap({pos: {'BTC-USD': 0.06}})))).toBe('OK') // 0.10 × 50,000
    const d = gate.check(order('buy', 0.04), snap({pos: {'BTC-USD': 0.06000001}}))
    expect(code(d)).toBe('MAX_POSITION')
    expect(d.ok ? '' : d.detail).toMatch(/position after the fill 0.10000001 BTC-USD is worth 5000.0005, limit 5000.00/)
  })

  it('applies to shorts the same way', () => {
    expect(code(gate.check(order('sell', 0.04), snap({pos: {'BTC-USD': -0.06}})))).toBe('OK')
    expect(code(gate.check(order('sell', 0.04), snap({pos: {'BTC-USD': -0.06000001}})))).toBe('MAX_POSITION')
  })
})

describe('counters', () => {
  it('max open orders: 3 working pass, 4 working deny', () => {
    expect(code(gate.check(order('buy', 0.01), snap({openOrders: 3})))).toBe('OK')
    expect(code(gate.check(order('buy', 0.01), snap({openOrders: 4})))).toBe('MAX_OPEN_ORDERS')
  })

  it('trades per day: 29 pass, 30 deny', () => {
    expect(code(gate.check(order('buy', 0.01), snap({tradesToday: 29})))).toBe('OK')
    expect(code(gate.check(order('buy', 0.01), snap({tradesToday: 30})))).toBe('TRADES_PER_DAY')
  })

  it('order rate counts orders of the last 60 s only: 11 pass, 12 deny; one exactly 60 s old does not count', () => {
    const eleven = Array.from({length: 11}, (_, i) => NOW - i * 1000)
    expect(code(gate.check(order('buy', 0.01), snap({recentOrderTimes: eleven})))).toBe('OK')
    expect(code(gate.check(order('buy', 0.01), snap({recentOrderTimes: [...eleven, NOW - 59_999]})))).toBe('ORDER_RATE')
    expect(code(gate.check(order('buy', 0.01), snap({recentOrderTimes: [...eleven, NOW - 60_000]})))).toBe('OK')
  })

  it('order rate applies to reducing orders too (a loop of exits is still a loop)', () => {
    const twelve = Array.from({length: 12}, (_, i) => NOW - i * 1000)
    expect(code(gate.check(order('sell', 0.01), snap({pos: {'BTC-USD': 0.05}, recentOrderTimes: twelve})))).toBe('ORDER_RATE')
  })
})

describe('loss limits', () => {
  it('daily loss cap: a loss one micro short of 200 passes, reaching 200 denies', () => {
    expect(code(gate.check(order('buy', 0.01), snap({dailyPnl: -toMicro(200) + 1})))).toBe('OK')
    const d = gate.check(order('buy', 0.01), snap({dailyPnl: -toMicro(200)}))
    expect(d).toEqual({ok: false, code: 'DAILY_LOSS_CAP', detail: "day's P&L -200.00 has reached the daily loss cap 200.00"})
  })

  it('max drawdown: 10% below the day peak denies, one micro less passes', () => {
    const peak = toMicro(20_000)
    expect(code(gate.check(order('buy', 0.01), snap({dayPeakEquity: peak, equity: toMicro(18_000) + 1})))).toBe('OK')
    expect(code(gate.check(order('buy', 0.01), snap({dayPeakEquity: peak, equity: toMicro(18_000)})))).toBe('MAX_DRAWDOWN')
  })

  it('consecutive losses: 4 pass, 5 deny', () => {
    expect(code(gate.check(order('buy', 0.01), snap({consecutiveLosses: 4})))).toBe('OK')
    expect(code(gate.check(order('buy', 0.01), snap({consecutiveLosses: 5})))).toBe('CONSECUTIVE_LOSSES')
  })
})

describe('no leverage: gross exposure after the fill ≤ equity', () => {
  // Holding 1000 EUR_USD at 1.1 (1100) and buying 0.01 BTC (500): gross 1600.
  const held = {'EUR_USD': 1000}

  it('accepts gross exposure equal to equity and denies one micro of equity less', () => {
    expect(code(gate.check(order('buy', 0.01), snap({pos: held, equity: toMicro(1600), dayPeakEquity: toMicro(1600)})))).toBe('OK')
    const d = gate.check(order('buy', 0.01), snap({pos: held, equity: toMicro(1600) - 1, dayPeakEquity: toMicro(1600) - 1}))
    expect(d).toEqual({ok: false, code: 'LEVERAGE', detail: 'gross exposure after the fill 1600.00 exceeds equity 1599.999999 (no leverage)'})
  })

  it('counts shorts as exposure', () => {
    expect(code(gate.check(order('buy', 0.01), snap({pos: {'EUR_USD': -1000}, equity: toMicro(1599), dayPeakEquity: toMicro(1599)})))).toBe('LEVERAGE')
  })

  it('allows leverage when the limits say so', () => {
    const levered = createRiskGate({...LIMITS, allowLeverage: true})
    expect(code(levered.check(order('buy', 0.01), snap({pos: held, equity: toMicro(100), dayPeakEquity: toMicro(100)})))).toBe('OK')
  })

  it('denies with NO_PRICE when a held instrument cannot be valued', () => {
    const d = gate.check(order('buy', 0.01), snap({pos: {SPY: 3}, px: {'BTC-USD': 50_000}}))
    expect(d).toEqual({ok: false, code: 'NO_PRICE', detail: 'no price known for held SPY'})
  })
})

describe('session and flatten deadline', () => {
  it('outside the session only reducing orders pass', () => {
    expect(code(gate.check(order('buy', 0.01), snap({inSession: false})))).toBe('OUTSIDE_SESSION')
    expect(code(gate.check(order('sell', 0.01), snap({inSession: false, pos: {'BTC-USD': 0.02}})))).toBe('OK')
  })

  it('past the flatten deadline only reducing orders pass', () => {
    expect(code(gate.check(order('buy', 0.01), snap({pastFlatten: true})))).toBe('FLATTEN_DEADLINE')
    expect(code(gate.check(order('buy', 0.02), snap({pastFlatten: true, pos: {'BTC-USD': -0.02}})))).toBe('OK')
  })
})

describe('trading states', () => {
  it('HALTED denies every order, reducing and reduceOnly ones included (cancels never come here)', () => {
    const s = snap({state: 'HALTED', pos: {'BTC-USD': 0.05}})
    expect(gate.check(order('buy', 0.01), s)).toEqual({ok: false, code: 'HALTED', detail: 'sector is HALTED: only cancels pass'})
    expect(code(gate.check(order('sell', 0.05), s))).toBe('HALTED')
    expect(code(gate.check(order('sell', 0.05, {reduceOnly: true}), s))).toBe('HALTED')
  })

  it('REDUCING lets partial and full reductions through and denies opening, adding and flipping', () => {
    const s = snap({state: 'REDUCING', pos: {'BTC-USD': 0.05}})
    expect(code(gate.check(order('sell', 0.02), s))).toBe('OK')
    expect(code(gate.check(order('sell', 0.05), s))).toBe('OK')
    expect(code(gate.check(order('buy', 0.01), s))).toBe('REDUCING_ONLY')
    expect(code(gate.check(order('sell', 0.06), s))).toBe('REDUCING_ONLY') // flip long → short
    expect(code(gate.check(order('buy', 0.01, {instrument: 'SPY'}), s))).toBe('REDUCING_ONLY') // opening elsewhere
  })

  it('an unknown state is an error, and errors deny', () => {
    const d = gate.check(order('buy', 0.01), snap({state: 'PAUSED' as never}))
    expect(d).toEqual({ok: false, code: 'RISK_ERROR', detail: 'risk check failed, order denied: unknown trading state PAUSED'})
  })
})

describe('reducing orders pass limits that are about adding risk', () => {
  const long = {'BTC-USD': 0.2} // worth 10,000: twice the position limit, five times the order limit

  it('a flatten larger than max order notional passes', () => {
    expect(code(gate.check(order('sell', 0.2), snap({pos: long})))).toBe('OK')
  })

  it('past the loss caps, drawdown, losing streak, trades per day and open orders', () => {
    const s = snap({
      pos: long,
      dailyPnl: -toMicro(500),
      equity: toMicro(10_000),
      dayPeakEquity: toMicro(20_000),
      consecutiveLosses: 9,
      tradesToday: 99,
      openOrders: 9,
    })
    expect(code(gate.check(order('sell', 0.1), s))).toBe('OK')
    expect(code(gate.check(order('buy', 0.001), s))).toBe('DAILY_LOSS_CAP')
  })

  it('with no price known and below the minimum notional', () => {
    expect(code(gate.check(order('sell', 0.2), snap({pos: long, px: {}})))).toBe('OK')
    const mins = new Map([['BTC-USD', toMicro(10)]])
    expect(code(gate.check(order('sell', 0.00001), snap({pos: long, minNotionals: mins})))).toBe('OK')
  })

  it('a flip is adding risk and is judged on the full order and the new position', () => {
    // Long 0.02, sell 0.06: order worth 3000 > 2000.
    expect(code(gate.check(order('sell', 0.06), snap({pos: {'BTC-USD': 0.02}})))).toBe('MAX_ORDER_NOTIONAL')
    // Long 0.02, sell 0.04 (2000): ends short 0.02, an ordinary adding order that passes.
    expect(code(gate.check(order('sell', 0.04), snap({pos: {'BTC-USD': 0.02}})))).toBe('OK')
    expect(code(gate.check(order('sell', 0.04), snap({pos: {'BTC-USD': 0.02}, inSession: false})))).toBe('OUTSIDE_SESSION')
    expect(code(gate.check(order('sell', 0.04), snap({pos: {'BTC-USD': 0.02}, dailyPnl: -toMicro(300)})))).toBe('DAILY_LOSS_CAP')
  })

  it('closing a position summed from float fills is still reducing (0.1 + 0.2 closes with 0.3)', () => {
    expect(isReducing(0.1 + 0.2, {side: 'sell', qty: 0.3})).toBe(true)
    expect(isReducing(0.3 - 1e-17, {side: 'sell', qty: 0.3})).toBe(true)
    expect(isReducing(0.3, {side: 'sell', qty: 0.30000001})).toBe(false)
    expect(isReducing(0, {side: 'sell', qty: 1})).toBe(false)
    expect(isReducing(-2, {side: 'buy', qty: 2})).toBe(true)
    expect(isReducing(-2, {side: 'sell', qty: 1})).toBe(false)
  })
})

describe('canary caps (order 100, one position, daily loss 50)', () => {
  it('order notional: 100 passes, one lot more denies', () => {
    expect(code(canaryGate.check(order('buy', 0.002), snap()))).toBe('OK')
    expect(code(canaryGate.check(order('buy', 0.00200001), snap()))).toBe('CANARY_ORDER_NOTIONAL')
  })

  it('at most one position: opening a second instrument denies, adding to or flipping the held one does not', () => {
    const held = snap({pos: {'EUR_USD': 50}})
    expect(canaryGate.check(order('buy', 0.001), held)).toEqual({
      ok: false,
      code: 'CANARY_POSITIONS',
      detail: 'canary holds 1 position(s), limit 1',
    })
    expect(code(canaryGate.check(order('buy', 10, {instrument: 'EUR_USD'}), held))).toBe('OK')
    expect(code(canaryGate.check(order('sell', 80, {instrument: 'EUR_USD'}), held))).toBe('OK')
    // Flat positions left in the map do not count.
    expect(code(canaryGate.check(order('buy', 0.001), snap({pos: {'EUR_USD': 0}})))).toBe('OK')
  })

  it('a working entry on another flat instrument counts: two entries on one bar cannot both open', () => {
    expect(canaryGate.check(order('buy', 0.001), {...snap(), pendingOpens: 1})).toEqual({
      ok: false,
      code: 'CANARY_POSITIONS',
      detail: 'canary holds 0 position(s) and has working entries on 1 more, limit 1',
    })
    expect(code(canaryGate.check(order('buy', 0.001), {...snap(), pendingOpens: 0}))).toBe('OK')
  })

  it('its own daily loss cap: a loss one micro short of 50 passes, 50 denies', () => {
    expect(code(canaryGate.check(order('buy', 0.001), snap({dailyPnl: -toMicro(50) + 1})))).toBe('OK')
    expect(code(canaryGate.check(order('buy', 0.001), snap({dailyPnl: -toMicro(50)})))).toBe('CANARY_DAILY_LOSS')
  })

  it('canary caps do not apply outside canary mode', () => {
    expect(code(gate.check(order('buy', 0.01), snap({pos: {'EUR_USD': 50}, dailyPnl: -toMicro(60)})))).toBe('OK')
  })
})

describe('min notional, invalid orders, missing prices', () => {
  const mins = new Map([['BTC-USD', toMicro(10)]])

  it('min notional: exactly the minimum passes, one lot less denies', () => {
    expect(code(gate.check(order('buy', 0.0002), snap({minNotionals: mins})))).toBe('OK')
    expect(gate.check(order('buy', 0.00019999), snap({minNotionals: mins}))).toEqual({
      ok: false,
      code: 'MIN_NOTIONAL',
      detail: "order notional 9.9995 is below BTC-USD's minimum 10.00",
    })
  })

  it.each([
    [{qty: 0}, /qty must be a positive number, got 0/],
    [{qty: -1}, /got -1/],
    [{qty: Number.NaN}, /got NaN/],
    [{qty: Number.POSITIVE_INFINITY}, /got Infinity/],
    [{side: 'hold' as never}, /side must be buy or sell/],
    [{type: 'limit' as const}, /limit order without limitPrice/],
    [{type: 'stop' as const}, /stop order without stopPrice/],
    [{type: 'stop-limit' as const, stopPrice: 1}, /needs both stopPrice and limitPrice/],
    [{type: 'limit' as const, limitPrice: Number.NaN}, /limitPrice must be a positive number, got NaN/],
    [{type: 'trailing' as never}, /unknown order type trailing/],
    [{instrument: ''}, /order has no instrument/],
  ])('denies a malformed order %o', (over, message) => {
    const d = gate.check(order('buy', 0.01, over), snap())
    expect(code(d)).toBe('INVALID_ORDER')
    expect(d.ok ? '' : d.detail).toMatch(message)
  })

  it('denies a reduceOnly order that would open or flip a position', () => {
    expect(code(gate.check(order('sell', 0.01, {reduceOnly: true}), snap()))).toBe('INVALID_ORDER')
    expect(code(gate.check(order('sell', 0.03, {reduceOnly: true}), snap({pos: {'BTC-USD': 0.02}})))).toBe('INVALID_ORDER')
    expect(code(gate.check(order('sell', 0.02, {reduceOnly: true}), snap({pos: {'BTC-USD': 0.02}})))).toBe('OK')
  })

  it('NO_PRICE when the instrument has no usable last price', () => {
    expect(gate.check(order('buy', 0.01), snap({px: {}}))).toEqual({ok: false, code: 'NO_PRICE', detail: 'no price known for BTC-USD'})
    expect(code(gate.check(order('buy', 0.01), snap({px: {'BTC-USD': Number.NaN}})))).toBe('NO_PRICE')
    expect(code(gate.check(order('buy', 0.01), snap({px: {'BTC-USD': 0}})))).toBe('NO_PRICE')
  })
})

describe('deny on error', () => {
  it('an exception inside check is a RISK_ERROR denial, never a throw or an accept', () => {
    const exploding = new Map<string, number>()
    exploding.get = () => {
      throw new Error('positions store unavailable')
    }
    expect(gate.check(order('buy', 0.01), snap({positions: exploding}))).toEqual({
      ok: false,
      code: 'RISK_ERROR',
      detail: 'risk check failed, order denied: positions store unavailable',
    })
  })

  it('a missing multiplier is an error, not a multiplier of 1', () => {
    const d = gate.check(order('buy', 1, {instrument: 'ZB'}), snap({px: {ZB: 110}}))
    expect(d).toEqual({ok: false, code: 'RISK_ERROR', detail: 'risk check failed, order denied: no multiplier known for ZB'})
  })

  it('NaN figures in the snapshot deny instead of slipping through comparisons', () => {
    expect(code(gate.check(order('buy', 0.01), snap({dailyPnl: Number.NaN})))).toBe('DAILY_LOSS_CAP')
    expect(code(gate.check(order('buy', 0.01), snap({equity: Number.NaN})))).toBe('MAX_DRAWDOWN')
    expect(code(gate.check(order('buy', 0.01), snap({openOrders: Number.NaN})))).toBe('MAX_OPEN_ORDERS')
    expect(code(gate.check(order('buy', 0.01), snap({now: Number.NaN})))).toBe('RISK_ERROR')
    expect(code(gate.check(order('buy', 0.01), snap({pos: {'BTC-USD': Number.NaN}})))).toBe('RISK_ERROR')
  })

  it('never throws and only answers with known codes, whatever it is given', () => {
    const num = fc.oneof(fc.double(), fc.constant(Number.NaN), fc.integer({min: -1e9, max: 1e9}))
    fc.assert(
      fc.property(
        fc.record({
          side: fc.constantFrom('buy', 'sell', 'x'),
          qty: num,
          type: fc.constantFrom('market', 'limit', 'stop', 'stop-limit', 'odd'),
          limitPrice: fc.option(num, {nil: undefined}),
          reduceOnly: fc.boolean(),
        }),
        fc.record({
          state: fc.constantFrom('ACTIVE', 'REDUCING', 'HALTED', 'ELSE'),
          position: num,
          price: fc.option(num, {nil: undefined}),
          equity: num,
          dailyPnl: num,
          inSession: fc.boolean(),
        }),
        (o, s) => {
          const d = gate.check(
            order(o.side as 'buy', o.qty, {type: o.type as 'market', limitPrice: o.limitPrice, reduceOnly: o.reduceOnly}),
            snap({
              state: s.state as 'ACTIVE',
              pos: {'BTC-USD': s.position},
              px: s.price === undefined ? {} : {'BTC-USD': s.price},
              equity: s.equity,
              dailyPnl: s.dailyPnl,
              inSession: s.inSession,
            }),
          )
          if (!d.ok) expect(DENY_CODES).toContain(d.code)
        },
      ),
      {numRuns: 2000},
    )
  })
})

describe('the accept path', () => {
  it('returns one shared frozen decision (no allocation per accepted check)', () => {
    const a = gate.check(order('buy', 0.01), snap())
    const b = gate.check(order('sell', 0.01, {instrument: 'SPY'}), snap())
    expect(a).toEqual({ok: true})
    expect(a).toBe(b)
    expect(Object.isFrozen(a)).toBe(true)
  })

  it('every deny code was produced by some test above (no code without a rule)', () => {
    expect([...DENY_CODES].filter((c) => !seen.has(c))).toEqual([])
  })
})
