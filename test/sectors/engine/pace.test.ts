import {describe, expect, it} from 'vitest'

import {parseSpeed} from '../../../src/sectors/engine/pace.js'

describe('--speed', () => {
  it('defaults to one bar every 50 ms and says it is the default', () => {
    expect(parseSpeed(undefined, 60_000)).toMatchObject({label: '50ms', delayMs: 50})
    expect(parseSpeed(undefined, 60_000).describe).toMatch(/one 1-minute bar every 50 ms \(the default/)
  })
  it('reads multiples of real time and max', () => {
    expect(parseSpeed('1x', 60_000).delayMs).toBe(60_000)
    expect(parseSpeed('60x', 60_000).delayMs).toBe(1000)
    expect(parseSpeed('max', 60_000).delayMs).toBe(0)
    expect(parseSpeed('200ms', 60_000).delayMs).toBe(200)
  })
  it('refuses anything else with what it expected', () => {
    expect(() => parseSpeed('fast', 60_000)).toThrow(/--speed expects 1x, 60x, max.*found 'fast'/)
    expect(() => parseSpeed('0x', 60_000)).toThrow(/positive/)
  })
})
