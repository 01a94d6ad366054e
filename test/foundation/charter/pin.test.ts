import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {
  DEFAULT_SCRYPT_PARAMS,
  readPinRecord,
  setPin,
  unlockSigningKey,
  verifyPin,
  WrongPin,
  type ScryptParams,
} from '../../../src/foundation/charter/pin.js'
import {charterDir, pinFilePath} from '../../../src/foundation/charter/store.js'

// Low cost for speed, passed explicitly; the default is asserted separately below.
const FAST: ScryptParams = {N: 1024, r: 8, p: 1, keyLength: 32}
const PIN = 'correct-horse-42'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rick-pin-'))
})
afterEach(() => rmSync(home, {recursive: true, force: true}))

describe('setPin', () => {
  it('stores only a scrypt hash, in a 0600 file inside a 0700 folder', async () => {
    await setPin({home, pin: PIN, params: FAST})
    const file = pinFilePath(home)
    const text = readFileSync(file, 'utf8')
    expect(text).not.toContain(PIN)
    expect(text).not.toContain(Buffer.from(PIN).toString('base64'))
    expect(text).not.toContain(Buffer.from(PIN).toString('hex'))
    if (process.platform !== 'win32') {
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(statSync(charterDir(home)).mode & 0o777).toBe(0o700)
      expect(statSync(home).mode & 0o777).toBe(0o700)
    }
    const record = JSON.parse(text)
    expect(record.kdf).toBe('scrypt')
    expect(record.params).toEqual(FAST)
    expect(record.salt).not.toBe(record.signing.salt)
    expect(record.signing.algorithm).toBe('ed25519')
  })

  it('uses N=2^15, r=8, p=1 unless a caller passes other params', async () => {
    expect(DEFAULT_SCRYPT_PARAMS).toEqual({N: 32768, r: 8, p: 1, keyLength: 32})
    await setPin({home, pin: PIN})
    expect(readPinRecord(home)?.params).toEqual({N: 32768, r: 8, p: 1, keyLength: 32})
    expect(await verifyPin(readPinRecord(home)!, PIN)).toBe(true)
  })

  it('salts: the same PIN twice gives different hashes and keys', async () => {
    const a = (await setPin({home, pin: PIN, params: FAST})).record
    const b = (await setPin({home, pin: PIN, oldPin: PIN, params: FAST})).record
    expect(a.hash).not.toBe(b.hash)
    expect(a.signing.publicKey).not.toBe(b.signing.publicKey)
  })

  it('refuses a PIN shorter than 6 characters', async () => {
    await expect(setPin({home, pin: '12345', params: FAST})).rejects.toMatchObject({code: 'CHARTER_PIN_FORMAT', exitCode: 2})
    expect(readPinRecord(home)).toBeUndefined()
  })

  it('needs the current PIN to replace it, and keeps the old one on a wrong PIN', async () => {
    await setPin({home, pin: PIN, params: FAST})
    const before = readFileSync(pinFilePath(home), 'utf8')
    await expect(setPin({home, pin: 'new-pin-123', params: FAST})).rejects.toMatchObject({code: 'CHARTER_PIN_EXISTS'})
    // Time is injected: the wrong current PIN costs the next try a second, waited out through `sleep`.
    let t = Date.parse('2030-01-01T00:00:00Z')
    const waits: number[] = []
    const time = {now: () => new Date(t), sleep: async (ms: number) => void waits.push((t += ms) && ms)}
    await expect(setPin({home, pin: 'new-pin-123', oldPin: 'not-the-pin', params: FAST, ...time})).rejects.toBeInstanceOf(WrongPin)
    expect(readFileSync(pinFilePath(home), 'utf8')).toBe(before)
    const {replaced} = await setPin({home, pin: 'new-pin-123', oldPin: PIN, params: FAST, ...time})
    expect(waits).toEqual([1000])
    expect(replaced).toBe(true)
    expect(await verifyPin(readPinRecord(home)!, 'new-pin-123')).toBe(true)
    expect(await verifyPin(readPinRecord(home)!, PIN)).toBe(false)
  })
})

describe('verifyPin and unlockSigningKey', () => {
  it('accepts the PIN and refuses anything else', async () => {
    const {record} = await setPin({home, pin: PIN, params: FAST})
    expect(await verifyPin(record, PIN)).toBe(true)
    expect(await verifyPin(record, `${PIN} `)).toBe(false)
    expect(await verifyPin(record, '')).toBe(false)
    await expect(unlockSigningKey(record, 'wrong-pin')).rejects.toMatchObject({code: 'CHARTER_PIN_WRONG', exitCode: 3})
  })

  it('derives the same key pair as recorded', async () => {
    const {record} = await setPin({home, pin: PIN, params: FAST})
    const key = await unlockSigningKey(record, PIN)
    expect(key.publicKey).toBe(record.signing.publicKey)
    expect(key.keyId).toBe(record.signing.keyId)
  })

  it('detects a PIN file whose public key was swapped', async () => {
    await setPin({home, pin: PIN, params: FAST})
    const other = mkdtempSync(join(tmpdir(), 'rick-pin-other-'))
    try {
      const {record: foreign} = await setPin({home: other, pin: 'another-pin', params: FAST})
      const mine = readPinRecord(home)!
      // A consistent-looking record (key id matches the key) but not derived from this PIN.
      writeFileSync(pinFilePath(home), JSON.stringify({...mine, signing: {...mine.signing, publicKey: foreign.signing.publicKey, keyId: foreign.signing.keyId}}))
      await expect(unlockSigningKey(readPinRecord(home)!, PIN)).rejects.toMatchObject({code: 'CHARTER_PIN_CORRUPT'})
    } finally {
      rmSync(other, {recursive: true, force: true})
    }
  })
})

describe('readPinRecord', () => {
  it('is undefined without a PIN and an error for a damaged file', async () => {
    expect(readPinRecord(home)).toBeUndefined()
    await setPin({home, pin: PIN, params: FAST})
    const record = JSON.parse(readFileSync(pinFilePath(home), 'utf8'))
    writeFileSync(pinFilePath(home), JSON.stringify({...record, signing: {...record.signing, keyId: '0000000000000000'}}))
    expect(() => readPinRecord(home)).toThrow(/damaged \(key id does not match/)
    writeFileSync(pinFilePath(home), '{not json')
    expect(() => readPinRecord(home)).toThrow(/damaged \(not JSON\)/)
  })
})
