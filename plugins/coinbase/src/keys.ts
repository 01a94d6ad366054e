// A CDP API key pair checked before any request: Coinbase answers a key in the wrong format with a
// bare 401 that names nothing, so rick says which variable is wrong and what it must hold instead.
//
// What rick takes (ccxt signs REST and websocket JWTs with ES256 from exactly this):
// - key name: `organizations/{org}/apiKeys/{id}` (the CDP key's name, not its public key);
// - private key: an EC key on P-256 (prime256v1) as a SEC1 PEM, `-----BEGIN EC PRIVATE KEY-----`.
//   Env files often hold it on one line with literal `\n`: those become line breaks. ccxt's signer
//   parses the PEM itself and needs the curve and the public key inside it, so the key is written
//   out again by node:crypto in that complete SEC1 form.
//
// Refused with BrokerError('AuthFailed'), each with what to do: a legacy HMAC secret (Coinbase
// stopped issuing them and ccxt would sign with HMAC, which Advanced Trade refuses), an Ed25519 CDP
// key (ccxt signs those only for the v2 API), a PKCS#8 or RSA PEM, a public key, an encrypted key,
// an EC key on another curve. Messages name the variable, never its value.
import {createPrivateKey, type KeyObject} from 'node:crypto'

import type {ErrorClasses} from './errors.js'

export interface CdpKey {
  /** `organizations/{org}/apiKeys/{id}`. */
  keyName: string
  /** SEC1 PEM of the P-256 private key, with real line breaks. Never logged. */
  privateKeyPem: string
}

export interface KeyVariables {
  /** NAME of the variable holding the key name (for messages). */
  keyEnv: string
  /** NAME of the variable holding the private key (for messages). */
  secretEnv: string
}

export const KEY_NAME = /^organizations\/[A-Za-z0-9-]+\/apiKeys\/[A-Za-z0-9-]+$/

const NEEDED_SECRET = 'a CDP API private key: an EC P-256 key in SEC1 PEM form, starting "-----BEGIN EC PRIVATE KEY-----" (create an ECDSA key at https://portal.cdp.coinbase.com, not Ed25519)'
const NEEDED_NAME = 'the CDP API key name, "organizations/{org_id}/apiKeys/{key_id}"'

/** The key pair as ccxt must get it, or a BrokerError('AuthFailed') saying what is wrong. */
export function checkCdpKey(core: ErrorClasses, vars: KeyVariables, keyValue: string | undefined, secretValue: string | undefined): CdpKey {
  const fail = (message: string): never => {
    throw new core.BrokerError('AuthFailed', `Coinbase: ${message}`)
  }
  const keyName = unquote(keyValue ?? '').trim()
  if (keyValue === undefined) fail(`${vars.keyEnv} is not set; it must hold ${NEEDED_NAME}`)
  if (keyName === '') fail(`${vars.keyEnv} is empty; it must hold ${NEEDED_NAME}`)
  if (secretValue === undefined) fail(`${vars.secretEnv} is not set; it must hold ${NEEDED_SECRET}`)
  const pem = normalizePem(secretValue ?? '')
  if (pem === '') fail(`${vars.secretEnv} is empty; it must hold ${NEEDED_SECRET}`)

  if (keyName.startsWith('-----BEGIN')) fail(`${vars.keyEnv} holds a PEM key; it must hold ${NEEDED_NAME} (the private key goes in ${vars.secretEnv})`)
  if (!KEY_NAME.test(keyName)) {
    const hint = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(keyName)
      ? ' (a bare key id is the name of an Ed25519 CDP key or of a legacy key: rick needs an ECDSA key\'s full name)'
      : /^[A-Za-z0-9]{16}$/.test(keyName)
        ? ' (this looks like a legacy Coinbase API key, which Advanced Trade no longer takes)'
        : ''
    fail(`${vars.keyEnv} does not hold a CDP key name${hint}; it must hold ${NEEDED_NAME}`)
  }

  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1]
  if (label === undefined) {
    const bytes = base64Length(pem)
    if (bytes === 64 || bytes === 32) fail(`${vars.secretEnv} holds an Ed25519 CDP key (base64); rick needs ${NEEDED_SECRET}`)
    fail(`${vars.secretEnv} holds no PEM key (a legacy HMAC API secret?); rick needs ${NEEDED_SECRET}`)
  }
  if (label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: 4,ENCRYPTED/.test(pem)) fail(`${vars.secretEnv} holds an encrypted key; rick needs ${NEEDED_SECRET}, unencrypted (openssl ec -in key.pem -out key-sec1.pem)`)
  if (label === 'PUBLIC KEY' || label === 'EC PUBLIC KEY') fail(`${vars.secretEnv} holds a public key; rick needs the private key: ${NEEDED_SECRET}`)
  if (label === 'RSA PRIVATE KEY') fail(`${vars.secretEnv} holds an RSA key; rick needs ${NEEDED_SECRET}`)
  if (label !== 'EC PRIVATE KEY' && label !== 'PRIVATE KEY') fail(`${vars.secretEnv} holds a PEM "${label}"; rick needs ${NEEDED_SECRET}`)

  let key: KeyObject
  try {
    key = createPrivateKey({key: pem, format: 'pem'})
  } catch {
    return fail(`${vars.secretEnv} holds a PEM that does not parse (cut short, or line breaks lost?); rick needs ${NEEDED_SECRET}`)
  }
  const type = key.asymmetricKeyType
  if (label === 'PRIVATE KEY') {
    const what = type === 'ed25519' ? 'an Ed25519 key' : type === 'rsa' ? 'an RSA key' : type === 'ec' ? 'an EC key in PKCS#8 form ("BEGIN PRIVATE KEY")' : `a ${String(type)} key in PKCS#8 form`
    const convert = type === 'ec' ? ' (convert it: openssl ec -in key.pem -out key-sec1.pem)' : ''
    fail(`${vars.secretEnv} holds ${what}; rick needs ${NEEDED_SECRET}${convert}`)
  }
  if (type !== 'ec') fail(`${vars.secretEnv} holds a ${String(type)} key; rick needs ${NEEDED_SECRET}`)
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (curve !== 'prime256v1') fail(`${vars.secretEnv} holds an EC key on curve ${String(curve)}; rick needs ${NEEDED_SECRET}`)
  return {keyName, privateKeyPem: String(key.export({format: 'pem', type: 'sec1'})).trim() + '\n'}
}

/** A PEM as an env file may hold it: quoted, on one line with literal `\n`, with CRLF. */
export function normalizePem(value: string): string {
  return unquote(value.trim())
    .replace(/\\r\\n|\\n|\\r/g, '\n')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n')
}

function unquote(v: string): string {
  const t = v.trim()
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0] ? t.slice(1, -1) : t
}

/** Bytes a base64 string decodes to, or undefined when it is not base64. */
function base64Length(v: string): number | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 !== 0) return undefined
  return Buffer.from(v, 'base64').length
}
