import {createPrivateKey, generateKeyPairSync} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {checkCdpKey, normalizePem} from '../../../plugins/coinbase/src/keys.js'
import {BrokerError, NetworkError} from '../../../src/foundation/domain/broker-errors.js'

const core = {BrokerError, NetworkError}
const vars = {keyEnv: 'CB_KEY', secretEnv: 'CB_SECRET'}
const NAME = 'organizations/0a1b2c3d-0000-4000-8000-000000000001/apiKeys/9f8e7d6c-0000-4000-8000-000000000002'

const ec = (curve: string, type: 'sec1' | 'pkcs8' = 'sec1'): string => String(generateKeyPairSync('ec', {namedCurve: curve}).privateKey.export({format: 'pem', type}))
const P256 = ec('prime256v1')

/** What checkCdpKey threw (a BrokerError), with the checks every refusal must pass. */
function refusal(key: string | undefined, secret: string | undefined): BrokerError {
  let thrown: unknown
  try {
    checkCdpKey(core, vars, key, secret)
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(BrokerError)
  const e = thrown as BrokerError
  expect(e.kind).toBe('AuthFailed')
  // Never the value: no PEM body, no secret text in the message.
  if (secret !== undefined && secret.length > 20) {
    for (const line of secret.split(/\n|\\n/).filter((l) => l.length > 20 && !l.startsWith('-----'))) expect(e.message).not.toContain(line)
    expect(e.message).not.toContain(secret.slice(0, 40))
  }
  return e
}

describe('CDP key pair: accepted', () => {
  it('a key name and a SEC1 P-256 PEM; the PEM comes out complete (curve and public key for ccxt) and equal as a key', () => {
    const k = checkCdpKey(core, vars, NAME, P256)
    expect(k.keyName).toBe(NAME)
    expect(k.privateKeyPem.startsWith('-----BEGIN EC PRIVATE KEY-----\n')).toBe(true)
    const a = createPrivateKey(P256).export({format: 'jwk'})
    const b = createPrivateKey(k.privateKeyPem).export({format: 'jwk'})
    expect(b).toEqual(a)
  })

  it('a PEM on one line with literal \\n (as env files hold it), quoted, with CRLF and blanks around', () => {
    const oneLine = P256.trim().replace(/\n/g, '\\n')
    for (const v of [oneLine, `"${oneLine}"`, `'${oneLine}'`, `  ${P256.replace(/\n/g, '\r\n')}  `, `${oneLine}\\n`]) {
      const k = checkCdpKey(core, vars, `  ${NAME} `, v)
      expect(createPrivateKey(k.privateKeyPem).export({format: 'jwk'})).toEqual(createPrivateKey(P256).export({format: 'jwk'}))
      expect(k.keyName).toBe(NAME)
    }
  })

  it('normalizePem keeps a well-formed PEM as it is (but for a final newline)', () => {
    expect(normalizePem(P256)).toBe(P256.trim())
  })
})

describe('CDP key pair: refused before any request, naming the variable and the format needed', () => {
  it('variables not set or empty', () => {
    expect(refusal(undefined, P256).message).toMatch(/CB_KEY is not set.*organizations\/\{org_id\}\/apiKeys\/\{key_id\}/)
    expect(refusal('  ', P256).message).toMatch(/CB_KEY is empty/)
    expect(refusal(NAME, undefined).message).toMatch(/CB_SECRET is not set.*BEGIN EC PRIVATE KEY/)
    expect(refusal(NAME, ' \\n ').message).toMatch(/CB_SECRET is empty/)
  })

  it('a key name that is not organizations/{org}/apiKeys/{id}', () => {
    expect(refusal('abcdEFGH12345678', P256).message).toMatch(/CB_KEY does not hold a CDP key name \(this looks like a legacy Coinbase API key/)
    expect(refusal('0a1b2c3d-0000-4000-8000-000000000001', P256).message).toMatch(/CB_KEY .*Ed25519 CDP key or of a legacy key/)
    expect(refusal('organizations/x/apiKeys/', P256).message).toMatch(/CB_KEY does not hold a CDP key name/)
    expect(refusal(P256, P256).message).toMatch(/CB_KEY holds a PEM key.*CB_SECRET/)
  })

  it('a legacy HMAC secret', () => {
    expect(refusal(NAME, 'Zk3xA9qL0pR7tY2uI8oP5aS1dF6gH4jK').message).toMatch(/CB_SECRET holds no PEM key \(a legacy HMAC API secret\?\).*SEC1 PEM/)
  })

  it('an Ed25519 CDP key, as base64 and as a PEM', () => {
    const {privateKey} = generateKeyPairSync('ed25519')
    const raw = Buffer.concat([privateKey.export({format: 'der', type: 'pkcs8'}).subarray(-32), Buffer.alloc(32, 7)]).toString('base64')
    expect(raw.length).toBe(88)
    expect(refusal(NAME, raw).message).toMatch(/CB_SECRET holds an Ed25519 CDP key \(base64\).*not Ed25519/)
    expect(refusal(NAME, String(privateKey.export({format: 'pem', type: 'pkcs8'}))).message).toMatch(/CB_SECRET holds an Ed25519 key; rick needs/)
  })

  it('a PKCS#8 P-256 key: the conversion to run', () => {
    expect(refusal(NAME, ec('prime256v1', 'pkcs8')).message).toMatch(/CB_SECRET holds an EC key in PKCS#8 form .*openssl ec -in key.pem -out key-sec1.pem/)
  })

  it('RSA keys (PKCS#1 and PKCS#8), a public key, an encrypted key', () => {
    const rsa = generateKeyPairSync('rsa', {modulusLength: 1024})
    expect(refusal(NAME, String(rsa.privateKey.export({format: 'pem', type: 'pkcs1'}))).message).toMatch(/CB_SECRET holds an RSA key/)
    expect(refusal(NAME, String(rsa.privateKey.export({format: 'pem', type: 'pkcs8'}))).message).toMatch(/CB_SECRET holds an RSA key/)
    const pair = generateKeyPairSync('ec', {namedCurve: 'prime256v1'})
    expect(refusal(NAME, String(pair.publicKey.export({format: 'pem', type: 'spki'}))).message).toMatch(/CB_SECRET holds a public key/)
    const encrypted = String(pair.privateKey.export({format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw'}))
    expect(refusal(NAME, encrypted).message).toMatch(/CB_SECRET holds an encrypted key/)
  })

  it('an EC key on another curve; a PEM cut short', () => {
    expect(refusal(NAME, ec('secp384r1')).message).toMatch(/CB_SECRET holds an EC key on curve secp384r1/)
    expect(refusal(NAME, ec('secp256k1')).message).toMatch(/curve secp256k1/)
    const cut = P256.split('\n').filter((_, i) => i !== 2).join('\n')
    expect(refusal(NAME, cut).message).toMatch(/CB_SECRET holds a PEM that does not parse/)
  })
})
