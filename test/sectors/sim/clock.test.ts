import {describe, expect, it} from 'vitest'

import {ManualWall, SimClock} from '../../../src/sectors/sim/clock.js'

describe('SimClock', () => {
  it('sim time = start + wall elapsed x speed, whole ms', () => {
    const wall = new ManualWall(1_000)
    const clock = new SimClock({startTs: 1_700_000_000_000, speed: 60, wall})
    expect(clock.now()).toBe(1_700_000_000_000)
    wall.advance(1_000)
    expect(clock.now()).toBe(1_700_000_060_000)
    wall.advance(0.5)
    expect(clock.now()).toBe(1_700_000_060_030)
  })

  it('defaults to real time (speed 1) and refuses a bad speed', () => {
    const wall = new ManualWall()
    const clock = new SimClock({startTs: 5, wall})
    wall.advance(250)
    expect(clock.now()).toBe(255)
    expect(() => new SimClock({startTs: 0, speed: 0, wall})).toThrow(/speed/)
    expect(() => new SimClock({startTs: 0, speed: Number.NaN, wall})).toThrow(/speed/)
  })

  it('every() fires on sim time, without drift, and stops when cancelled', () => {
    const wall = new ManualWall()
    const clock = new SimClock({startTs: 0, speed: 10, wall})
    const seen: number[] = []
    const stop = clock.every(5_000, () => seen.push(clock.now()))
    wall.advance(499)
    expect(seen).toEqual([])
    wall.advance(1)
    expect(seen).toEqual([5_000])
    wall.advance(1_000)
    expect(seen).toEqual([5_000, 10_000, 15_000])
    stop()
    wall.advance(5_000)
    expect(seen).toHaveLength(3)
    expect(wall.pending).toBe(0)
  })

  it('every() keeps a floor of wall time between beats at a very high speed', () => {
    const wall = new ManualWall()
    const clock = new SimClock({startTs: 0, speed: 100_000, wall, minWallIntervalMs: 20})
    let n = 0
    clock.every(5_000, () => n++)
    wall.advance(100)
    expect(n).toBe(5)
  })

  it('after() runs once and can be cancelled', () => {
    const wall = new ManualWall()
    const clock = new SimClock({startTs: 0, speed: 2, wall})
    let a = 0
    let b = 0
    clock.after(1_000, () => a++)
    const cancel = clock.after(1_000, () => b++)
    cancel()
    wall.advance(10_000)
    expect([a, b]).toEqual([1, 0])
  })
})
