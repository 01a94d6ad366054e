import {describe, expect, it} from 'vitest'

import {formatEventLine, formatTs, summarizeEvent, type EventType, type JournalEvent} from '../../../src/foundation/journal/index.js'
import {T0} from './fixture.js'

function event<T extends EventType>(type: T, payload: JournalEvent<T>['payload']): JournalEvent {
  return {seq: 42, ts: T0, runId: 'r', sector: 'oanda', type, payload, prevHash: '0', hash: '1'} as JournalEvent
}

const order = {clientOrderId: 'oa-7', instrument: 'EUR_USD', side: 'buy' as const, type: 'limit' as const, qty: 1000, limitPrice: 1.0812, tif: 'gtc' as const}

describe('event lines', () => {
  it('seq, UTC time, sector, type and a summary', () => {
    expect(formatTs(T0)).toBe('2025-03-03 14:30:00.000Z')
    expect(formatEventLine(event('ORDER_INTENT', {order, reason: 'sma cross'}))).toBe(
      '     42  2025-03-03 14:30:00.000Z  oanda       ORDER_INTENT            buy 1000 EUR_USD limit @ 1.0812 (oa-7): sma cross',
    )
  })

  it('says what each kind of event means', () => {
    const cases: Array<[JournalEvent, string]> = [
      [event('FILL', {fill: {clientOrderId: 'oa-7', fillId: 'f1', instrument: 'EUR_USD', side: 'sell', qty: 1000, price: 1.0815, fee: 21_630, liquidity: 'maker', ts: T0}}), 'sell 1000 EUR_USD @ 1.0815, fee 0.02 (maker) oa-7'],
      [event('ORDER_DENIED', {order: {...order, type: 'market', limitPrice: undefined, bracket: {stopLoss: 1.07, takeProfit: 1.09}}, code: 'MAX_NOTIONAL', detail: 'notional 1081 > 500'}), 'MAX_NOTIONAL: notional 1081 > 500 — buy 1000 EUR_USD market [sl 1.07 tp 1.09] (oa-7)'],
      [event('RISK_STATE', {from: 'ACTIVE', to: 'HALTED', reason: 'daily loss 2.1%', code: 'DAILY_LOSS', until: T0 + 3_600_000}), 'ACTIVE → HALTED DAILY_LOSS: daily loss 2.1% until 2025-03-03 15:30:00.000Z'],
      [event('ORDER_INTENT', {order: {...order, type: 'stop-limit', stopPrice: 1.079, limitPrice: 1.0785, reduceOnly: true}, reason: 'exit'}), 'buy 1000 EUR_USD stop-limit stop 1.079 @ 1.0785 reduce-only (oa-7): exit'],
      [event('ORDER_ACK', {clientOrderId: 'oa-7', venueOrderId: 'V9'}), 'oa-7 → V9'],
      [event('BAR', {instrument: 'EUR_USD', ts: T0, open: 1.08, high: 1.09, low: 1.07, close: 1.085, volume: 10}), 'EUR_USD o 1.08 h 1.09 l 1.07 c 1.085 v 10'],
      [event('STRATEGY_ERROR', {message: 'boom\n  at x', phase: 'onBar'}), 'in onBar: boom at x'],
      [event('RECONCILED', {positions: [{instrument: 'EUR_USD', qty: -1000}], cash: 5_000_000_000, notes: ['venue had 1 unknown order']}), 'cash 5000.00, positions EUR_USD -1000; venue had 1 unknown order'],
      [
        event('RUN_STOPPED', {reason: 'signal', barsProcessed: 120, summary: {trades: 3, fills: 6, denials: 1, realizedPnl: -12_345_678, fees: 1_500_000, equity: 987_654_322}}),
        'signal after 120 bars: 3 trades, P&L -12.35, fees 1.50, equity 987.65',
      ],
    ]
    for (const [e, text] of cases) expect(summarizeEvent(e)).toBe(text)
  })

  it('falls back to the JSON of a payload it does not expect, cut to a line', () => {
    expect(summarizeEvent(event('FILL', {odd: true} as never))).toBe('{"odd":true}')
    expect(summarizeEvent(event('STRATEGY_LOG', {message: 'x'.repeat(500)})).length).toBe(160)
  })
})
