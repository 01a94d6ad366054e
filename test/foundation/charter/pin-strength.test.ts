// A new charter PIN must not be guessable in a handful of tries: the lockout allows only a few,
// so those few must not include six spaces, 111111 or 123456.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {pinWeakness} from '../../../src/foundation/charter/pin-strength.js'
import {readPinRecord, setPin, verifyPin, type ScryptParams} from '../../../src/foundation/charter/pin.js'

const FAST: ScryptParams = {N: 1024, r: 8, p: 1, keyLength: 32}

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rick-pin-strength-'))
})
afterEach(() => rmSync(home, {recursive: true, force: true}))

describe('setPin refuses weak PINs, saying what a PIN needs', () => {
  const weak: Array<[string, string, RegExp]> = [
    ['six spaces', '      ', /only whitespace/],
    ['tabs and spaces', ' \t \t  ', /only whitespace/],
    ['one digit repeated', '111111', /one character repeated/],
    ['one letter repeated', 'aaaaaaaa', /one character repeated/],
    ['an ascending run', '123456', /a run/],
    ['a descending run', '654321', /a run/],
    ['a run that wraps past 9', '789012', /a run/],
    ['a run of letters', 'abcdef', /a run/],
    ['a row of the keyboard', 'qwerty', /a run/],
    ['two characters only', '112211', /only 2 different characters/],
    ['a repeated pair', '121212', /a block repeated/],
    ['a repeated block', '123123', /a block repeated/],
    ['a repeated word', 'abcdabcd', /a block repeated/],
    ['a common password', 'password', /common password/],
  ]
  for (const [what, pin, reason] of weak) {
    it(`${what}: ${JSON.stringify(pin)}`, async () => {
      const error = await setPin({home, pin, params: FAST}).then(
        () => undefined,
        (e: unknown) => e as {code?: string; exitCode?: number; message: string},
      )
      expect(error).toMatchObject({code: 'CHARTER_PIN_WEAK', exitCode: 2})
      expect(error!.message).toMatch(reason)
      // The message says what is required, not only what is wrong.
      expect(error!.message).toContain('a PIN needs at least 6 characters, at least 3 different ones')
      expect(readPinRecord(home)).toBeUndefined()
    })
  }

  it('too short stays its own message (exit 2)', async () => {
    await expect(setPin({home, pin: '12345', params: FAST})).rejects.toMatchObject({code: 'CHARTER_PIN_FORMAT', exitCode: 2})
    await expect(setPin({home, pin: 'a1b2', params: FAST})).rejects.toThrow(/too short: expected at least 6 characters, found 4/)
  })

  it('refuses a weak new PIN when changing the PIN, before the current PIN is even checked', async () => {
    await setPin({home, pin: 'correct-horse-42', params: FAST})
    await expect(setPin({home, pin: '000000', oldPin: 'correct-horse-42', params: FAST})).rejects.toMatchObject({code: 'CHARTER_PIN_WEAK'})
    expect(await verifyPin(readPinRecord(home)!, 'correct-horse-42')).toBe(true)
  })

  it('accepts PINs that are not a pattern', async () => {
    for (const pin of ['correct-horse-42', '48-15-16', 'k7v!2q', '271828', '  spaced pin  ']) expect(pinWeakness(pin), pin).toBeUndefined()
    await setPin({home, pin: '271828', params: FAST})
    expect(await verifyPin(readPinRecord(home)!, '271828')).toBe(true)
  })
})
