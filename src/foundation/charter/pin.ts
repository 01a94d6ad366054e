// The charter PIN. Stored only as a scrypt hash; a second scrypt derivation (separate salt) gives
// the seed of an Ed25519 key that signs approvals. Only the PUBLIC key is stored, so anyone can
// verify an approval but only someone who knows the PIN can make one.
import {createPrivateKey, createPublicKey, randomBytes, scrypt, timingSafeEqual, type KeyObject} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'

import {sha256Hex} from '../canonical.js'
import {systemClock} from '../clock.js'
import {ExitCode, RickError, UsageError} from '../errors.js'
import {attemptPin, realSleep, recordPinSet, WrongPin} from './pin-attempts.js'
import {checkPinStrength, MIN_PIN_LENGTH} from './pin-strength.js'
import {ensurePrivateDir, pinFilePath, writePrivateFile} from './store.js'

export {MIN_PIN_LENGTH, WrongPin}

export interface ScryptParams {
  N: number
  r: number
  p: number
  keyLength: number
}

/** 2^15 × 8 × 128 bytes = 32 MiB and ~0.1 s per derivation on a laptop core. */
export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({N: 2 ** 15, r: 8, p: 1, keyLength: 32})
const MAX_PIN_LENGTH = 1024

export interface PinRecord {
  version: 1
  kdf: 'scrypt'
  /** Kept in the file so the cost can be raised later without breaking existing records. */
  params: ScryptParams
  /** base64 salt and hash of the PIN itself. */
  salt: string
  hash: string
  signing: {
    algorithm: 'ed25519'
    /** base64 salt of the scrypt derivation that yields the Ed25519 seed. */
    salt: string
    /** base64 SPKI DER of the public key. */
    publicKey: string
    /** First 16 hex of sha256(SPKI DER): names the key inside approvals. */
    keyId: string
  }
  createdAt: string
}

export interface SigningKey {
  privateKey: KeyObject
  publicKey: string
  keyId: string
}

// RFC 8410 PKCS#8 wrapping of a raw 32-byte Ed25519 seed: node builds the key pair from it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

function deriveKey(pin: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * params.N * params.r + 1024 * 1024
    scrypt(pin.normalize('NFC'), salt, params.keyLength, {N: params.N, r: params.r, p: params.p, maxmem}, (err, key) =>
      err ? reject(err) : resolve(key),
    )
  })
}

function keyPairFromSeed(seed: Buffer): {privateKey: KeyObject; publicKey: string; keyId: string} {
  const privateKey = createPrivateKey({key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8'})
  const spki = createPublicKey(privateKey).export({format: 'der', type: 'spki'})
  return {privateKey, publicKey: spki.toString('base64'), keyId: keyIdOf(spki)}
}

export function keyIdOf(spkiDer: Buffer): string {
  return sha256Hex(spkiDer).slice(0, 16)
}

/** Rejects PINs that are too short, too long or contain line breaks (stdin reads lines); strength: pin-strength.ts. */
export function checkPinFormat(pin: string): void {
  if (pin.length < MIN_PIN_LENGTH) {
    throw new UsageError(`the PIN is too short: expected at least ${MIN_PIN_LENGTH} characters, found ${pin.length}`, 'CHARTER_PIN_FORMAT')
  }
  if (pin.length > MAX_PIN_LENGTH) {
    throw new UsageError(`the PIN is too long: expected at most ${MAX_PIN_LENGTH} characters`, 'CHARTER_PIN_FORMAT')
  }
  if (/[\r\n]/.test(pin)) throw new UsageError('the PIN must not contain line breaks', 'CHARTER_PIN_FORMAT')
}

export function hasPin(home: string): boolean {
  return existsSync(pinFilePath(home))
}

/** The stored PIN record, or undefined when no PIN is set; a damaged record is an error. */
export function readPinRecord(home: string): PinRecord | undefined {
  const file = pinFilePath(home)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new RickError(`cannot read the charter PIN file ${file}: ${(error as Error).message}`, {code: 'CHARTER_PIN_UNREADABLE'})
  }
  const problem = pinRecordProblem(text)
  if (typeof problem === 'string') {
    throw new RickError(`the charter PIN file ${file} is damaged (${problem}); restore it from a backup or delete it and run \`rick charter init\` (every approval is then void)`, {
      code: 'CHARTER_PIN_CORRUPT',
      exitCode: ExitCode.Failure,
    })
  }
  return problem
}

function pinRecordProblem(text: string): PinRecord | string {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return 'not JSON'
  }
  const r = data as Partial<PinRecord> | null
  if (!r || typeof r !== 'object') return 'not an object'
  if (r.version !== 1 || r.kdf !== 'scrypt') return 'unknown version or kdf'
  const p = r.params
  if (!p || ![p.N, p.r, p.p, p.keyLength].every((n) => Number.isInteger(n) && n > 0)) return 'bad scrypt params'
  if (p.keyLength < 32 || (p.N & (p.N - 1)) !== 0) return 'bad scrypt params'
  if (typeof r.salt !== 'string' || typeof r.hash !== 'string') return 'missing salt or hash'
  const s = r.signing
  if (!s || s.algorithm !== 'ed25519' || typeof s.salt !== 'string' || typeof s.publicKey !== 'string' || typeof s.keyId !== 'string') {
    return 'missing signing key'
  }
  if (keyIdOf(Buffer.from(s.publicKey, 'base64')) !== s.keyId) return 'key id does not match the public key'
  return r as PinRecord
}

/** True when `pin` is the stored PIN (constant-time comparison). */
export async function verifyPin(record: PinRecord, pin: string): Promise<boolean> {
  const expected = Buffer.from(record.hash, 'base64')
  const actual = await deriveKey(pin, Buffer.from(record.salt, 'base64'), {...record.params, keyLength: expected.length})
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

export function noPinError(): RickError {
  return new RickError('no charter PIN is set: run `rick charter init` first to choose one', {
    code: 'CHARTER_NO_PIN',
    exitCode: ExitCode.BadInput,
  })
}

/**
 * The approval signing key, derived from the PIN. Refuses a wrong PIN, and a PIN file whose
 * public key does not come from the PIN (the file was edited).
 */
export async function unlockSigningKey(record: PinRecord, pin: string): Promise<SigningKey> {
  const key = await tryUnlockSigningKey(record, pin)
  if (!key) throw new WrongPin()
  return key
}

/** The signing key, or undefined for a wrong PIN (for callers that count tries). */
export async function tryUnlockSigningKey(record: PinRecord, pin: string): Promise<SigningKey | undefined> {
  if (!(await verifyPin(record, pin))) return undefined
  const seed = await deriveKey(pin, Buffer.from(record.signing.salt, 'base64'), {...record.params, keyLength: 32})
  const pair = keyPairFromSeed(seed)
  const stored = Buffer.from(record.signing.publicKey, 'base64')
  const derived = Buffer.from(pair.publicKey, 'base64')
  if (stored.length !== derived.length || !timingSafeEqual(stored, derived)) {
    throw new RickError(
      'the public key in the charter PIN file does not belong to this PIN: the file was altered. Run `rick charter init` again (every approval is then void).',
      {code: 'CHARTER_PIN_CORRUPT'},
    )
  }
  return pair
}

export interface SetPinOptions {
  home: string
  pin: string
  /** Required when a PIN is already set. */
  oldPin?: string
  /** Cost parameters; tests pass a low N explicitly, the default never changes. */
  params?: ScryptParams
  now?: () => Date
  /** How the delay after wrong current PINs is waited out (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>
  onWait?: (ms: number, failures: number) => void
}

/**
 * Sets (or replaces) the PIN. A new PIN means a new signing key, so every existing approval
 * becomes void; the caller says so to the user.
 */
export async function setPin(options: SetPinOptions): Promise<{record: PinRecord; replaced: boolean}> {
  checkPinFormat(options.pin)
  // Before the current PIN is tried: a weak new PIN must not cost the user a try.
  checkPinStrength(options.pin)
  const now = options.now ?? systemClock
  const existing = readPinRecord(options.home)
  if (existing) {
    const oldPin = options.oldPin
    if (oldPin === undefined) {
      throw new UsageError('a charter PIN is already set: give the current PIN to replace it', 'CHARTER_PIN_EXISTS')
    }
    const gate = {home: options.home, action: 'change-pin' as const, now, sleep: options.sleep ?? realSleep, onWait: options.onWait}
    await attemptPin(gate, async () => ((await verifyPin(existing, oldPin)) ? true : undefined))
  }
  const params = {...(options.params ?? DEFAULT_SCRYPT_PARAMS)}
  const salt = randomBytes(16)
  const signingSalt = randomBytes(16)
  const hash = await deriveKey(options.pin, salt, params)
  const seed = await deriveKey(options.pin, signingSalt, {...params, keyLength: 32})
  const pair = keyPairFromSeed(seed)
  const record: PinRecord = {
    version: 1,
    kdf: 'scrypt',
    params,
    salt: salt.toString('base64'),
    hash: hash.toString('base64'),
    signing: {algorithm: 'ed25519', salt: signingSalt.toString('base64'), publicKey: pair.publicKey, keyId: pair.keyId},
    createdAt: now().toISOString(),
  }
  ensurePrivateDir(options.home)
  writePrivateFile(pinFilePath(options.home), `${JSON.stringify(record, null, 2)}\n`)
  recordPinSet(options.home, now())
  return {record, replaced: existing !== undefined}
}
