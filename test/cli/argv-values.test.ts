import {describe, expect, it} from 'vitest'

import {cleanParseMessage, flagValues, redactValues, type FlagShape} from '../../src/cli/argv-values.js'

const FLAGS: Record<string, FlagShape> = {
  pin: {type: 'option'},
  mode: {type: 'option', char: 'm', options: ['canary', 'live']},
  file: {type: 'option', char: 'f'},
  journal: {type: 'option', helpValue: 'PATH'},
  seed: {type: 'option'},
  json: {type: 'boolean'},
  paper: {type: 'boolean'},
}

describe('flagValues', () => {
  it('finds values written with =, as the next word, and after a short flag', () => {
    expect(flagValues(['fx', '--pin=1234', '--seed', '77', '-m', 'canary', '--json'], FLAGS)).toEqual([
      {flag: 'pin', value: '1234'},
      {flag: 'seed', value: '77'},
    ])
    expect(flagValues(['-mlive', '-m=x9'], FLAGS)).toEqual([{flag: 'mode', value: 'x9'}])
  })

  it('keeps paths and listed options out, and stops at --', () => {
    expect(flagValues(['-f', 'my.yaml', '--journal', 'j.db', '--mode', 'live', '--', '--pin=9999'], FLAGS)).toEqual([])
  })

  it('treats the word after an unknown flag as a value, and knows nothing without the flags', () => {
    expect(flagValues(['--token', 'abc123', '--paper', 'fx', '--no-paper', 'fx'], FLAGS)).toEqual([{flag: 'token', value: 'abc123'}])
    expect(flagValues(['--pin', 'hunter22', '--json'])).toEqual([{flag: 'pin', value: 'hunter22'}])
  })
})

describe('redactValues', () => {
  it('replaces a value where it stands as a word, never inside a longer one', () => {
    const v = [{flag: 'pin', value: 'abc'}]
    expect(redactValues("found 'abc' (abcdef)", v)).toBe("found '<--pin value>' (abcdef)")
    expect(redactValues('Nonexistent flag: --pin=abc', v)).toBe('Nonexistent flag: --pin')
  })

  it('handles values with regex characters and values that begin or end with punctuation', () => {
    const v = [{flag: 'pin', value: '(a+b)*'}, {flag: 'x', value: '-q1'}]
    expect(redactValues('got (a+b)* and -q1.', v)).toBe('got <--pin value> and <--x value>.')
  })

  it('leaves one-character values alone (they would garble the text)', () => {
    expect(redactValues('1 error in a file', [{flag: 'seed', value: '1'}])).toBe('1 error in a file')
  })

  it('leaves numbers of fewer than 6 digits alone (no PIN is that short), and redacts a PIN-length one', () => {
    expect(redactValues('it held events up to seq 20', [{flag: 'bars', value: '20'}])).toBe('it held events up to seq 20')
    expect(redactValues('seed 482913 is odd', [{flag: 'seed', value: '482913'}])).toBe('seed <--seed value> is odd')
  })
})

describe('cleanParseMessage', () => {
  it("drops what oclif quotes of the input", () => {
    expect(cleanParseMessage('Parsing --seed \n\tExpected an integer but received: zz\nSee more help with --help')).toBe('Parsing --seed: Expected an integer\nSee more help with --help')
    expect(cleanParseMessage('Expected --mode=xx to be one of: canary, live')).toBe('Expected --mode to be one of: canary, live')
    expect(cleanParseMessage('--canary=true cannot also be provided when using --paper')).toBe('--canary cannot also be provided when using --paper')
  })
})
