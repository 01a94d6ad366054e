// The driver: pulls each bar from the venue, hands it to the engine, waits for the engine's work
// on it before the next step, and stops at the end of the data, a bar limit or a stop request.
import {describe, expect, it} from 'vitest'

import type {Bar} from '../../../src/foundation/domain/bars.js'
import {drive, type SteppingVenue} from '../../../src/sectors/engine/driver.js'
import type {SectorEngine} from '../../../src/sectors/engine/engine.js'

function bar(instrument: string, i: number): Bar {
  return {instrument, ts: 1_700_000_000_000 + i * 60_000, open: i, high: i, low: i, close: i, volume: 1}
}

/** A venue stepping through fixed bars; `log` records every step and every bar the engine saw. */
function setup(bars: Bar[], work: (bar: Bar) => Promise<void> | undefined = () => undefined) {
  const log: string[] = []
  let next = 0
  const venue: SteppingVenue = {
    step() {
      const b = bars[next++]
      log.push(b ? `step ${b.instrument}@${b.close}` : 'step end')
      return b
    },
  }
  const engine = {
    strategyFault: undefined,
    isStopped: false,
    onBar(b: Bar) {
      log.push(`engine ${b.instrument}@${b.close}`)
      return work(b)
    },
  } as unknown as SectorEngine
  return {venue, engine, log}
}

describe('drive', () => {
  it("hands each bar of the sector's instruments to the engine, in order, and only those", async () => {
    const bars = [bar('A', 1), bar('A', 2), bar('X', 3), bar('B', 4), bar('A', 5)]
    const {venue, engine, log} = setup(bars)
    const result = await drive({venue, engine, instruments: ['A', 'B']})
    expect(result).toEqual({reason: 'data-exhausted', bars: 5})
    expect(log).toEqual(['step A@1', 'engine A@1', 'step A@2', 'engine A@2', 'step X@3', 'step B@4', 'engine B@4', 'step A@5', 'engine A@5', 'step end'])
  })

  it("waits for the engine's work on a bar before the next step", async () => {
    const bars = [bar('A', 1), bar('A', 2)]
    let release: () => void = () => {}
    const {venue, engine, log} = setup(bars, (b) => (b.close === 1 ? new Promise<void>((ok) => (release = ok)) : undefined))
    const running = drive({venue, engine, instruments: ['A']})
    await new Promise((ok) => setTimeout(ok, 5))
    expect(log).toEqual(['step A@1', 'engine A@1'])
    release()
    await running
    expect(log).toEqual(['step A@1', 'engine A@1', 'step A@2', 'engine A@2', 'step end'])
  })

  it('stops at the bar limit, or when a stop is asked for at a period boundary', async () => {
    const bars = Array.from({length: 10}, (_, i) => bar(i % 2 === 0 ? 'A' : 'B', i))
    const limited = setup(bars)
    expect(await drive({venue: limited.venue, engine: limited.engine, instruments: ['A', 'B'], maxBars: 4})).toEqual({reason: 'bars-limit', bars: 4})
    const stopped = setup(bars)
    const boundaries: number[] = []
    const result = await drive({
      venue: stopped.venue,
      engine: stopped.engine,
      instruments: ['A', 'B'],
      atBoundary: (n) => void boundaries.push(n),
      stopRequested: () => (boundaries.length === 2 ? 'signal' : undefined),
    })
    expect(result).toEqual({reason: 'signal', bars: 4})
    expect(boundaries).toEqual([2, 4])
  })
})
