import {describe, expect, it} from 'vitest'

import type {NewEvent} from '../../../src/foundation/journal/events.js'
import {messageText, noticeOf, requestBody} from '../../../src/sectors/notify/format.js'

const TS = Date.UTC(2026, 11, 8, 14, 30, 5)
const ev = (type: NewEvent['type'], payload: unknown): NewEvent => ({ts: TS, runId: 'r1', sector: 'fx', type, payload}) as NewEvent

describe('notices from journal events', () => {
  it('maps the events people want to hear about to their kinds, and nothing else', () => {
    expect(noticeOf(ev('RISK_STATE', {from: 'ACTIVE', to: 'HALTED', code: 'MANUAL_HALT', reason: 'news'}))).toMatchObject({kind: 'halt', text: 'fx ACTIVE → HALTED: MANUAL_HALT — news'})
    expect(noticeOf(ev('RISK_STATE', {from: 'ACTIVE', to: 'REDUCING', code: 'DATA_STALE', reason: 'no price for 9s'}))?.kind).toBe('stale')
    expect(noticeOf(ev('RISK_STATE', {from: 'ACTIVE', to: 'REDUCING', code: 'RECONCILE_MISMATCH', reason: 'x'}))?.kind).toBe('reconcile')
    expect(noticeOf(ev('RISK_STATE', {from: 'REDUCING', to: 'ACTIVE', code: 'DATA_RESUMED', reason: 'prices again'}))?.kind).toBe('stale')
    expect(noticeOf(ev('RISK_STATE', {from: 'ACTIVE', to: 'REDUCING', code: 'DAILY_LOSS_CAP', reason: 'loss 100'}))?.kind).toBe('halt')
    expect(noticeOf(ev('RISK_STATE', {from: 'HALTED', to: 'ACTIVE', code: 'MANUAL_RESUME', reason: ''}))).toBeUndefined()
    expect(noticeOf(ev('ORDER_REJECTED', {clientOrderId: 'c1', code: 'InsufficientFunds', reason: 'no cash'}))).toMatchObject({kind: 'reject', text: 'fx order c1 rejected by the venue: InsufficientFunds — no cash'})
    expect(noticeOf(ev('RUN_STOPPED', {reason: 'error', detail: 'stream fatal', barsProcessed: 7, summary: {}}))).toMatchObject({kind: 'crash', text: 'fx stopped on an error after 7 bars: stream fatal'})
    expect(noticeOf(ev('RUN_STOPPED', {reason: 'signal', barsProcessed: 7, summary: {}}))).toBeUndefined()
    expect(noticeOf(ev('FILL', {fill: {side: 'buy', qty: 1000, instrument: 'EUR_USD', price: 1.0842}}))).toMatchObject({kind: 'fill', text: 'fx filled buy 1000 EUR_USD at 1.0842'})
    expect(noticeOf(ev('BAR', {}))).toBeUndefined()
    expect(noticeOf(ev('ORDER_DENIED', {}))).toBeUndefined()
  })

  it('shapes the body per style', () => {
    const n = noticeOf(ev('ORDER_REJECTED', {clientOrderId: 'c1', code: 'InvalidOrder', reason: ''}))!
    const text = '[rick] REJECT 2026-12-08 14:30:05 UTC — fx order c1 rejected by the venue: InvalidOrder'
    expect(messageText(n)).toBe(text)
    expect(requestBody('slack', n)).toEqual({text})
    expect(requestBody('discord', n)).toEqual({content: text})
    expect(requestBody('telegram', n, '-100')).toEqual({chat_id: '-100', text, disable_web_page_preview: true})
    expect(requestBody('webhook', n)).toEqual({source: 'rick', kind: 'reject', sector: 'fx', runId: 'r1', ts: TS, time: '2026-12-08T14:30:05.000Z', text})
  })
})
