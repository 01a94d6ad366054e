import {describe, expect, it} from 'vitest'

import {formatDuration, parseDuration} from '../../../src/foundation/charter/duration.js'

describe('durations', () => {
  it('parses m, h, d, w and nothing else', () => {
    expect(parseDuration('30m')).toBe(30 * 60_000)
    expect(parseDuration('12h')).toBe(12 * 3_600_000)
    expect(parseDuration('7d')).toBe(7 * 86_400_000)
    expect(parseDuration('2w')).toBe(14 * 86_400_000)
    for (const bad of ['7', '0d', '1.5d', '7 d', '1mo', '-1d', '']) expect(parseDuration(bad)).toBeUndefined()
  })

  it('formats back to the largest exact unit', () => {
    expect(formatDuration(7 * 86_400_000)).toBe('1w')
    expect(formatDuration(36 * 3_600_000)).toBe('36h')
    expect(formatDuration(90 * 60_000)).toBe('90m')
  })
})
