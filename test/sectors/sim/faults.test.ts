import {describe, expect, it} from 'vitest'

import {FaultSwitches} from '../../../src/sectors/sim/faults.js'

const specs = {
  latencyMs: {kind: 'number', default: 0, min: 0, max: 60_000, description: 'ms'},
  heartbeats: {kind: 'boolean', default: true, description: 'on'},
  http5xx: {kind: 'count', description: 'next N'},
} as const

describe('FaultSwitches', () => {
  it('starts at the defaults; set/get; counts are used up by take()', () => {
    const f = new FaultSwitches(specs)
    expect(f.get()).toEqual({latencyMs: 0, heartbeats: true, http5xx: 0})
    f.set({http5xx: 2, heartbeats: false})
    expect(f.value('heartbeats')).toBe(false)
    expect([f.take('http5xx'), f.take('http5xx'), f.take('http5xx')]).toEqual([true, true, false])
    expect(f.value('http5xx')).toBe(0)
  })

  it('unknown names and wrong values throw, and nothing of a bad batch is applied', () => {
    const f = new FaultSwitches(specs)
    expect(() => f.set({latency: 5})).toThrow(/unknown fault switch 'latency'/)
    expect(() => f.set({latencyMs: -1})).toThrow(/from 0 to 60000/)
    expect(() => f.set({heartbeats: 'off'})).toThrow(/true or false/)
    expect(() => f.set({http5xx: 1.5})).toThrow(/whole number/)
    expect(() => f.set({latencyMs: 10, heartbeats: 1})).toThrow()
    expect(f.value('latencyMs')).toBe(0)
  })

  it('actions run with their args; an unknown action throws', async () => {
    const f = new FaultSwitches(specs, {echo: (args) => ({got: args})})
    await expect(f.act('echo', {a: 1})).resolves.toEqual({got: {a: 1}})
    await expect(f.act('nope')).rejects.toThrow(/unknown fault action 'nope'/)
    expect(f.actionNames).toEqual(['echo'])
  })
})
