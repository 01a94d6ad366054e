// The simulator's CDP API key, made when it starts and derived from the seed, so the same seed gives
// the same key name and key pair (a test value: `rick sim coinbase --json` prints it). A CDP key is
// a name `organizations/{org uuid}/apiKeys/{key uuid}` and a P-256 private key in SEC1 PEM
// (`-----BEGIN EC PRIVATE KEY-----`), the format Coinbase's key file gives and ccxt parses.
import {createECDH, createPrivateKey, createPublicKey, type KeyObject} from 'node:crypto'

import type {Random} from '../../../../src/foundation/random.js'

export interface SimKey {
  /** organizations/{uuid}/apiKeys/{uuid} */
  name: string
  /** SEC1 PEM of the private key. */
  privatePem: string
  publicKey: KeyObject
  privateKey: KeyObject
}

/** A version-4-shaped uuid from the generator (deterministic; not random in the crypto sense). */
export function seededUuid(random: Random): string {
  const bytes = Array.from({length: 16}, () => Math.floor(random.next() * 256))
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function makeSimKey(random: Random): SimKey {
  const org = seededUuid(random)
  const id = seededUuid(random)
  const ecdh = createECDH('prime256v1')
  // A scalar outside [1, n-1] is refused by setPrivateKey; the next draw is then used (1 in 2^32).
  for (;;) {
    const scalar = Buffer.from(Array.from({length: 32}, () => Math.floor(random.next() * 256)))
    try {
      ecdh.setPrivateKey(scalar)
      break
    } catch {
      continue
    }
  }
  const pub = ecdh.getPublicKey() // 0x04 || X || Y
  const jwk = {kty: 'EC', crv: 'P-256', d: ecdh.getPrivateKey().toString('base64url'), x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33, 65).toString('base64url')}
  const privateKey = createPrivateKey({key: jwk, format: 'jwk'})
  const publicKey = createPublicKey({key: {kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y}, format: 'jwk'})
  const privatePem = privateKey.export({type: 'sec1', format: 'pem'}).toString()
  return {name: `organizations/${org}/apiKeys/${id}`, privatePem, publicKey, privateKey}
}
