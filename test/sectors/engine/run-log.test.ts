import {describe, expect, it} from 'vitest'

import {SimulatedClock} from '../../../src/foundation/clock.js'
import type {OrderRequest} from '../../../src/foundation/domain/orders.js'
import {runLog} from '../../../src/sectors/engine/run-log.js'

const T0 = Date.UTC(2026, 0, 5, 10, 0)
const buy = (id: string, qty = 1): OrderRequest => ({clientOrderId: id, instrument: 'ETH-USD', side: 'buy', type: 'market', qty, tif: 'gtc'})
const signal = (target: number) => ({instrument: 'ETH-USD', target, reason: 'breakout long'})

describe('runLog: a decision denied bar after bar', () => {
  it('is one decision and one denial, and a count once something else happens or the run ends', () => {
    const clock = new SimulatedClock(T0)
    const out: string[] = []
    const log = runLog(clock, (t) => out.push(t), () => {})
    for (let i = 0; i < 5; i++) {
      clock.set(T0 + i * 60_000)
      log.signal?.(signal(0.006 + i / 1000), 0)
      log.denied?.(buy(`r-${i}`, 0.006 + i / 1000), 'REDUCING_ONLY', 'sector is REDUCING: only orders that reduce a position pass')
    }
    expect(out).toHaveLength(2)
    expect(out[0]).toMatch(/^2026-01-05 10:00 {2}decision ETH-USD target 0\.006 \(now 0\): breakout long$/)
    expect(out[1]).toMatch(/^2026-01-05 10:00 {2}DENIED {3}buy 0\.006 ETH-USD market: REDUCING_ONLY/)
    // Another outcome: the count of the repeats first, then the decision that led to it, then it.
    clock.set(T0 + 5 * 60_000)
    log.signal?.(signal(0), 0.006)
    log.intent?.({...buy('r-9'), side: 'sell', reduceOnly: true}, 'exit', true)
    expect(out.slice(2)).toEqual([
      expect.stringMatching(/\(decided and denied again 4 times, the same way, until 2026-01-05 10:04\)$/),
      expect.stringMatching(/decision ETH-USD target 0 \(now 0\.006\)/),
      expect.stringMatching(/order {4}sell 1 ETH-USD market \(reduce-only\) {2}\[r-9\]/),
    ])
    // A repeat, then the end of the run: its count is said; a last decision without an outcome too.
    log.signal?.(signal(0.006), 0)
    log.denied?.(buy('r-10'), 'REDUCING_ONLY', 'x')
    log.signal?.(signal(0.006), 0)
    log.denied?.(buy('r-11'), 'REDUCING_ONLY', 'x')
    log.signal?.(signal(0.007), 0)
    log.flush()
    expect(out.slice(5)).toEqual([
      expect.stringMatching(/decision ETH-USD target 0\.006/),
      expect.stringMatching(/DENIED {3}buy 1 ETH-USD market: REDUCING_ONLY/),
      expect.stringMatching(/\(decided and denied again 1 time, the same way/),
      expect.stringMatching(/decision ETH-USD target 0\.007/),
    ])
  })
})
