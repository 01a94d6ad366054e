// The pieces under the socket, without one: frames split and coalesced, the API prefix, the
// field reader's refusals, version ranges and their negotiation, TWS's time texts.
import {describe, expect, it} from 'vitest'

import {FieldReader, FieldWriter, MalformedMessage} from '../../../../../plugins/ibkr/src/sim/wire/fields.js'
import {encodeFrame, FrameReader, OversizedFrame, splitFields} from '../../../../../plugins/ibkr/src/sim/wire/framing.js'
import {negotiateVersion, parseVersionRequest} from '../../../../../plugins/ibkr/src/sim/wire/handshake.js'
import {parseBarSize, parseDuration, parseTwsDateTime} from '../../../../../plugins/ibkr/src/sim/wire/time-format.js'

describe('FrameReader', () => {
  it('hands out whole frames whatever the chunking', () => {
    const bytes = Buffer.concat([encodeFrame(['49', '1']), encodeFrame(['71', '2', '5', '']), encodeFrame(['héllo'])])
    for (const size of [1, 3, 7, bytes.length]) {
      const r = new FrameReader()
      const got: string[][] = []
      for (let i = 0; i < bytes.length; i += size) {
        r.push(bytes.subarray(i, i + size))
        for (let f = r.next(); f !== undefined; f = r.next()) got.push(splitFields(f))
      }
      expect(got).toEqual([['49', '1'], ['71', '2', '5', ''], ['héllo']])
      expect(r.buffered).toBe(0)
    }
  })

  it('checks the API prefix byte by byte and refuses the first wrong one', () => {
    const r = new FrameReader()
    r.push(Buffer.from('AP'))
    expect(r.takePrefix()).toBe('wait')
    r.push(Buffer.from('I\0'))
    expect(r.takePrefix()).toBe('ok')
    const w = new FrameReader()
    w.push(Buffer.from('AX'))
    expect(w.takePrefix()).toBe('wrong')
  })

  it('refuses a length past the limit before its bytes arrive', () => {
    const r = new FrameReader(100)
    r.push(Buffer.from([0, 0, 0, 101]))
    expect(() => r.next()).toThrow(OversizedFrame)
  })
})

describe('FieldReader', () => {
  it('reads TWS conventions: empty int 0, empty or MAX double unset, decimals as text, bools from ints', () => {
    const r = new FieldReader(['', '2147483647', '', '1.7976931348623157E308', '0.25', '1.5', '', '1', '0'])
    expect(r.int()).toBe(0)
    expect(r.intMax()).toBeNull()
    expect(r.doubleMax()).toBeNull()
    expect(r.doubleMax()).toBeNull()
    expect(r.double()).toBe(0.25)
    expect(r.decimal()).toBe('1.5')
    expect(r.decimal()).toBeNull()
    expect(r.bool()).toBe(true)
    expect(r.bool()).toBe(false)
    expect(() => r.str()).toThrow(MalformedMessage)
  })

  it('refuses text where a number belongs', () => {
    expect(() => new FieldReader(['12x']).int()).toThrow(/not an integer/)
    expect(() => new FieldReader(['1,5']).double()).toThrow(/not a number/)
    expect(() => new FieldReader(['99999999999999999999']).int()).toThrow(/out of range/)
  })

  it('writes unset as TWS does', () => {
    expect(new FieldWriter().intMax(null).doubleMax(null).doubleMax(2.5).double(-0).bool(true).fields).toEqual(['2147483647', '1.7976931348623157E308', '2.5', '0', '1'])
  })
})

describe('version negotiation', () => {
  it('reads ranges with and without connect options', () => {
    expect(parseVersionRequest('v100..193')).toEqual({min: 100, max: 193, options: []})
    expect(parseVersionRequest('v100..217 +PACEAPI')).toEqual({min: 100, max: 217, options: ['+PACEAPI']})
    expect(parseVersionRequest('v176')).toEqual({min: 176, max: 176, options: []})
    expect(parseVersionRequest('v193..100')).toHaveProperty('error')
    expect(parseVersionRequest('hello')).toHaveProperty('error')
  })

  it('picks min(client max, 193) and refuses ranges that do not meet ours', () => {
    expect(negotiateVersion({min: 100, max: 217, options: []})).toBe(193)
    expect(negotiateVersion({min: 100, max: 151, options: []})).toBe(151)
    expect(negotiateVersion({min: 38, max: 99, options: []})).toHaveProperty('error')
    expect(negotiateVersion({min: 194, max: 217, options: []})).toHaveProperty('error')
  })
})

describe('TWS times and durations', () => {
  it('reads date-times with a zone, in UTC with a dash, and refuses nonsense', () => {
    expect(parseTwsDateTime('20261208 14:00:00 US/Eastern')).toBe(Date.UTC(2026, 11, 8, 19))
    expect(parseTwsDateTime('20260708 14:00:00 US/Eastern')).toBe(Date.UTC(2026, 6, 8, 18))
    expect(parseTwsDateTime('20261208-14:00:00')).toBe(Date.UTC(2026, 11, 8, 14))
    expect(parseTwsDateTime('20261208 14:00:00 UTC')).toBe(Date.UTC(2026, 11, 8, 14))
    expect(parseTwsDateTime('20261208')).toBe(Date.UTC(2026, 11, 8))
    expect(parseTwsDateTime('20261308 14:00:00')).toBeNull()
    expect(parseTwsDateTime('20261208 14:00:00 Mars/Olympus')).toBeNull()
    expect(parseTwsDateTime('yesterday')).toBeNull()
  })

  it('reads durations and only the bar sizes TWS offers', () => {
    expect([parseDuration('1800 S'), parseDuration('2 D'), parseDuration('1 W'), parseDuration('0 D'), parseDuration('2 days')]).toEqual([1800, 172_800, 604_800, null, null])
    expect([parseBarSize('5 secs'), parseBarSize('1 min'), parseBarSize('15 mins'), parseBarSize('1 hour'), parseBarSize('1 day')]).toEqual([5, 60, 900, 3600, 86_400])
    expect([parseBarSize('7 mins'), parseBarSize('1 mins'), parseBarSize('5 sec')]).toEqual([null, null, null])
  })
})
