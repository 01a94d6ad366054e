// The CDP JWT of one Coinbase request, signed with node:crypto. ccxt builds the same token (its
// createAuthToken: the claims and header below are ccxt 4.5's, which Coinbase accepts) but signs
// P-256 in pure JavaScript: 1-2.5 ms a request against ~0.06 ms here (bench/coinbase-live.mjs,
// tick to order). ccxt still sends, times and spaces every request; only the signature is ours.
import {createPrivateKey, randomBytes, sign, type KeyObject} from 'node:crypto'

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url')

export class AuthTokens {
  private readonly key: KeyObject

  constructor(
    private readonly keyName: string,
    privateKeyPem: string,
  ) {
    this.key = createPrivateKey(privateKeyPem)
  }

  /**
   * `seconds`: the issue time (this machine's clock, as Coinbase checks it). With a method and URL,
   * a REST token whose `uri` is "METHOD host/path" (the URL without its https:// and query, as ccxt
   * writes it); without, a websocket token (no uri).
   */
  token(seconds: number, method?: string, url?: string): string {
    const claims: Record<string, unknown> = {aud: ['retail_rest_api_proxy'], iss: 'coinbase-cloud', nbf: seconds, exp: seconds + 120, sub: this.keyName, iat: seconds}
    if (method !== undefined && url !== undefined) {
      const uri = `${method} ${url.replace('https://', '')}`
      const q = uri.indexOf('?')
      claims.uri = q > 0 ? uri.slice(0, q) : uri
    }
    const head = b64({alg: 'ES256', typ: 'JWT', kid: this.keyName, nonce: randomBytes(16).toString('hex')})
    const body = b64(claims)
    const signature = sign('sha256', Buffer.from(`${head}.${body}`), {key: this.key, dsaEncoding: 'ieee-p1363'}).toString('base64url')
    return `${head}.${body}.${signature}`
  }
}
