import {describe, expect, it} from 'vitest'

import {AsciiKey, JsonBytes} from '../../../src/foundation/journal/json-bytes.js'

describe('AsciiKey and JsonBytes.key', () => {
  it('writes the text byte for byte, whatever its length modulo 4, and across a buffer that grows', () => {
    const texts = ['', '}', '}}', ',"a"', ',"qty":', ',"venueOrderId":', '{"fill":{"clientOrderId":']
    const out = new JsonBytes(8)
    let expected = ''
    for (let round = 0; round < 50; round++) {
      for (const t of texts) {
        out.key(new AsciiKey(t))
        expected += t
      }
      out.str(`id-${round}`)
      expected += `"id-${round}"`
    }
    expect(out.buf.subarray(0, out.pos).toString('latin1')).toBe(expected)
    expect(out.buf.length).toBeGreaterThan(8)
  })

  it('refuses text that is not printable ASCII', () => {
    expect(() => new AsciiKey('é')).toThrow(/not printable ASCII/)
    expect(() => new AsciiKey('a\nb')).toThrow(/not printable ASCII/)
  })
})
