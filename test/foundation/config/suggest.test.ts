import {describe, expect, it} from 'vitest'

import {editDistance, suggest} from '../../../src/foundation/config/suggest.js'

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(editDistance('profile', 'profile')).toBe(0)
    expect(editDistance('profle', 'profile')).toBe(1)
    expect(editDistance('porfile', 'profile')).toBe(1)
    expect(editDistance('prufile', 'profile')).toBe(1)
    expect(editDistance('Profile', 'profile')).toBe(0)
    expect(editDistance('', 'abc')).toBe(3)
  })
})

describe('suggest', () => {
  const keys = ['venue', 'enabled', 'mode', 'profile', 'risk', 'instruments', 'strategy', 'session', 'canary', 'connection', 'secretsFiles']

  it('finds the key that was meant', () => {
    expect(suggest('profle', keys)).toBe('profile')
    expect(suggest('instrument', keys)).toBe('instruments')
    expect(suggest('stratgey', keys)).toBe('strategy')
    expect(suggest('conection', keys)).toBe('connection')
    expect(suggest('balanced', ['Conservative', 'Balanced', 'Aggressive'])).toBe('Balanced')
  })

  it('stays quiet when nothing is close', () => {
    expect(suggest('leverage', keys)).toBeUndefined()
    expect(suggest('x', keys)).toBeUndefined()
    expect(suggest('mode', ['mode'])).toBeUndefined()
    expect(suggest('abc', [])).toBeUndefined()
  })
})
