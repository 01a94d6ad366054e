import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  readApprovals,
  removeApprovals,
  saveApproval,
  signApproval,
  verifyApproval,
  type ApprovalBody,
  type CurrentBindings,
  type SignedApproval,
} from '../../../src/foundation/charter/approvals.js'
import {setPin, unlockSigningKey, type PinRecord, type ScryptParams, type SigningKey} from '../../../src/foundation/charter/pin.js'
import {approvalsFilePath} from '../../../src/foundation/charter/store.js'

const FAST: ScryptParams = {N: 1024, r: 8, p: 1, keyLength: 32}
const NOW = new Date('2030-01-10T12:00:00Z')
const CURRENT: CurrentBindings = {strategyName: 'sma-crossover', strategyHash: 'a'.repeat(64), configHash: 'b'.repeat(64), charterHash: 'c'.repeat(64)}

let home: string
let otherHome: string
let pin: PinRecord
let key: SigningKey
let otherKey: SigningKey

function body(overrides: Partial<ApprovalBody> = {}): Omit<ApprovalBody, 'keyId'> {
  return {
    version: 1,
    id: '0123456789abcdef',
    sector: 'coinbase',
    venue: 'coinbase',
    mode: 'canary',
    bindings: {strategy: {name: 'sma-crossover', hash: 'a'.repeat(64)}, config: 'b'.repeat(64), charter: 'c'.repeat(64)},
    snapshot: {id: 'abcdef0123', commit: 'abcdef0123'.padEnd(40, '0'), kind: 'snapshot'},
    approver: 'alice',
    createdAt: '2030-01-09T12:00:00.000Z',
    expiresAt: '2030-01-16T12:00:00.000Z',
    ...overrides,
  }
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rick-approvals-'))
  otherHome = mkdtempSync(join(tmpdir(), 'rick-approvals-other-'))
  pin = (await setPin({home, pin: 'pin-of-alice', params: FAST})).record
  key = await unlockSigningKey(pin, 'pin-of-alice')
  const other = (await setPin({home: otherHome, pin: 'pin-of-mallory', params: FAST})).record
  otherKey = await unlockSigningKey(other, 'pin-of-mallory')
})
afterAll(() => {
  rmSync(home, {recursive: true, force: true})
  rmSync(otherHome, {recursive: true, force: true})
})

describe('verifyApproval', () => {
  it('accepts an untouched approval whose bindings match', () => {
    const check = verifyApproval(signApproval(body(), key), pin, CURRENT, NOW)
    expect(check).toMatchObject({valid: true, reasons: [], id: '0123456789abcdef', approver: 'alice'})
  })

  it('voids it when the strategy code changed', () => {
    const check = verifyApproval(signApproval(body(), key), pin, {...CURRENT, strategyHash: 'd'.repeat(64)}, NOW)
    expect(check.valid).toBe(false)
    expect(check.reasons).toEqual(["the code of strategy 'sma-crossover' changed since the approval"])
  })

  it('voids it when the strategy code is gone', () => {
    const check = verifyApproval(signApproval(body(), key), pin, {...CURRENT, strategyHash: null}, NOW)
    expect(check.reasons).toEqual(["the code of strategy 'sma-crossover' is missing"])
  })

  it('voids it when the sector config changed', () => {
    const check = verifyApproval(signApproval(body(), key), pin, {...CURRENT, configHash: 'e'.repeat(64)}, NOW)
    expect(check.reasons).toEqual(['the sector config changed since the approval'])
  })

  it("voids it when the charter's hard limits changed", () => {
    const check = verifyApproval(signApproval(body(), key), pin, {...CURRENT, charterHash: 'f'.repeat(64)}, NOW)
    expect(check.reasons).toEqual(["the charter's hard limits changed since the approval"])
  })

  it('voids it at and after expiry, not before', () => {
    const approval = signApproval(body(), key)
    expect(verifyApproval(approval, pin, CURRENT, new Date('2030-01-16T11:59:59.999Z')).valid).toBe(true)
    const at = verifyApproval(approval, pin, CURRENT, new Date('2030-01-16T12:00:00.000Z'))
    expect(at.valid).toBe(false)
    expect(at.reasons).toEqual(['expired at 2030-01-16T12:00:00.000Z'])
  })

  it('voids it when any field was edited (here: a later expiry)', () => {
    const tampered = {...signApproval(body(), key), expiresAt: '2031-01-01T00:00:00.000Z'}
    const check = verifyApproval(tampered, pin, CURRENT, NOW)
    expect(check.valid).toBe(false)
    expect(check.reasons[0]).toMatch(/signature does not match/)
  })

  it('voids it when the bound hash was edited to match new code', () => {
    const a = signApproval(body(), key)
    const tampered = {...a, bindings: {...a.bindings, strategy: {name: 'sma-crossover', hash: 'd'.repeat(64)}}}
    const check = verifyApproval(tampered, pin, {...CURRENT, strategyHash: 'd'.repeat(64)}, NOW)
    expect(check.valid).toBe(false)
    expect(check.reasons[0]).toMatch(/signature does not match/)
  })

  it('voids it when a field is added', () => {
    const check = verifyApproval({...signApproval(body(), key), note: 'harmless?'}, pin, CURRENT, NOW)
    expect(check.reasons[0]).toMatch(/signature does not match/)
  })

  it('voids one re-signed with another key, also when its keyId is forged', () => {
    const forged = signApproval(body(), otherKey)
    expect(verifyApproval(forged, pin, CURRENT, NOW).reasons[0]).toMatch(/signed by another key/)
    const disguised = {...forged, keyId: pin.signing.keyId}
    expect(verifyApproval(disguised, pin, CURRENT, NOW).reasons[0]).toMatch(/signature does not match/)
  })

  it('voids one whose signature was deleted or garbled', () => {
    const {signature: _s, ...unsigned} = signApproval(body(), key)
    expect(verifyApproval(unsigned, pin, CURRENT, NOW).reasons[0]).toMatch(/malformed \(signature is missing/)
    const garbled = {...signApproval(body(), key), signature: 'AAAA'}
    expect(verifyApproval(garbled, pin, CURRENT, NOW).reasons[0]).toMatch(/signature does not match/)
  })

  it('voids everything when the PIN record holds another public key', () => {
    const swapped: PinRecord = {...pin, signing: {...pin.signing, publicKey: otherKey.publicKey}}
    const check = verifyApproval(signApproval(body(), key), swapped, CURRENT, NOW)
    expect(check.valid).toBe(false)
    expect(check.reasons[0]).toMatch(/signature does not match/)
  })

  it('voids everything when no PIN is set', () => {
    expect(verifyApproval(signApproval(body(), key), undefined, CURRENT, NOW).reasons[0]).toMatch(/no charter PIN is set/)
  })

  it('never throws on junk', () => {
    for (const junk of [null, 42, 'x', [], {version: 1}, {...signApproval(body(), key), bindings: null}]) {
      const check = verifyApproval(junk, pin, CURRENT, NOW)
      expect(check.valid).toBe(false)
      expect(check.reasons[0]).toMatch(/malformed/)
    }
  })
})

describe('the approvals file', () => {
  it('keeps one approval per sector and mode, in a 0600 file', () => {
    saveApproval(home, signApproval(body({id: '1111111111111111'}), key))
    saveApproval(home, signApproval(body({id: '2222222222222222', mode: 'live'}), key))
    saveApproval(home, signApproval(body({id: '3333333333333333'}), key))
    saveApproval(home, signApproval(body({id: '4444444444444444', sector: 'oanda', venue: 'oanda'}), key))
    const ids = readApprovals(home).entries.map((e) => (e as SignedApproval).id)
    expect(ids.sort()).toEqual(['2222222222222222', '3333333333333333', '4444444444444444'])
    if (process.platform !== 'win32') expect(statSync(approvalsFilePath(home)).mode & 0o777).toBe(0o600)
  })

  it('revokes one mode or all of a sector', () => {
    expect(removeApprovals(home, 'coinbase', 'live')).toEqual({removed: 1})
    expect(removeApprovals(home, 'coinbase', 'live')).toEqual({removed: 0})
    expect(removeApprovals(home, 'oanda')).toEqual({removed: 1})
    expect(readApprovals(home).entries.map((e) => (e as SignedApproval).id)).toEqual(['3333333333333333'])
  })

  it('reports a damaged file and refuses to add to it', () => {
    const file = approvalsFilePath(home)
    const before = readFileSync(file, 'utf8')
    writeFileSync(file, '{"version": 1, "approvals": ')
    expect(readApprovals(home).problem).toMatch(/not valid JSON/)
    expect(removeApprovals(home, 'coinbase').problem).toMatch(/not valid JSON/)
    expect(() => saveApproval(home, signApproval(body(), key))).toThrow(/move it away/)
    writeFileSync(file, JSON.stringify({version: 2, approvals: []}))
    expect(readApprovals(home).problem).toMatch(/expected \{version: 1/)
    writeFileSync(file, before)
  })
})
