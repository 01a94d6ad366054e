import {describe, expect, it} from 'vitest'

import {SimulatedClock} from '../../../src/foundation/clock.js'
import type {OrderRequest} from '../../../src/foundation/domain/orders.js'
import {runLog} from '../../../src/sectors/engine/run-log.js'

const T0 = Date.UTC(2026, 0, 5, 10, 0)
const sell = (id: string, qty = 1): OrderRequest => ({clientOrderId: id, instrument: 'BTC-USD', side: 'sell', type: 'market', qty, tif: 'gtc', reduceOnly: true})

describe('runLog: a denial repeated bar after bar', () => {
  it('is one line, and one line with its count once something else happens or the run ends', () => {
    const clock = new SimulatedClock(T0)
    const out: string[] = []
    const log = runLog(clock, (t) => out.push(t), () => {})
    for (let i = 0; i < 5; i++) {
      clock.set(T0 + i * 60_000)
      log.denied?.(sell(`r-${i}`, 0.5 + i), 'HALTED', 'sector is HALTED: only cancels pass')
    }
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(/^2026-01-05 10:00 {2}DENIED {3}sell 0.5 BTC-USD market \(reduce-only\): HALTED: sector is HALTED/)
    // Another kind of denial is a line of its own, after the count of the first.
    log.denied?.({...sell('r-9'), side: 'buy', reduceOnly: false}, 'REDUCING_ONLY', 'only reductions')
    expect(out).toHaveLength(3)
    expect(out[1]).toMatch(/\(denied again 4 times, the same way, until 2026-01-05 10:04\)$/)
    expect(out[2]).toMatch(/DENIED {3}buy 1 BTC-USD market: REDUCING_ONLY/)
    log.flush()
    expect(out).toHaveLength(3) // nothing repeated since
    log.denied?.({...sell('r-10'), side: 'buy', reduceOnly: false}, 'REDUCING_ONLY', 'only reductions')
    log.denied?.({...sell('r-11'), side: 'buy', reduceOnly: false}, 'REDUCING_ONLY', 'only reductions')
    expect(out).toHaveLength(4)
    log.flush()
    expect(out).toHaveLength(5)
    expect(out.at(-1)).toMatch(/\(denied again 1 time, the same way/)
  })
})
