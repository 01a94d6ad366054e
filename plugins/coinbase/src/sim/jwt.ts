// CDP JWT verification, as Coinbase checks a request's `Authorization: Bearer <JWT>`:
//   header  alg ES256, kid = the key name, a nonce (any non-empty string);
//   claims  sub = the key name; iss `cdp` (the CDP docs) or `coinbase-cloud` (what ccxt 4.5 and
//           coinbase-advanced-py send); aud, when present, one of the CDP audiences; nbf ≤ now,
//           exp > now, exp - nbf ≤ 120 s (Coinbase's two minutes); REST tokens carry
//           `uri` = "METHOD host/path" (no query), or `uris` holding it (CDP's newer form);
//           websocket tokens carry no uri;
//   signature ES256 over `header.payload`, raw r||s (JWS), with the simulator's public key.
//
// Which clock: the client signs nbf/exp with ITS wall clock, so they are checked against the
// simulator's WALL clock (real time in `rick sim`; the test's ManualWall), never against sim time:
// at --speed 60x, or with a startTs in the past, sim time is far from the time the client
// signed with, and every honest token would look expired or not yet valid.
import {verify} from 'node:crypto'

import type {SimKey} from './credentials.js'

export type JwtCheck = {ok: true; keyName: string} | {ok: false; reason: string}

const ISSUERS = new Set(['cdp', 'coinbase-cloud'])
const AUDIENCES = new Set(['retail_rest_api_proxy', 'public_websocket_api', 'cdp_service'])
const MAX_LIFETIME_S = 120
/** Leeway for a client clock slightly ahead of ours (nbf a little in the future). */
const SKEW_S = 5

export interface RestTarget {
  method: string
  /** The Host header of the request (127.0.0.1:PORT). */
  host: string
  /** Path without the query. */
  path: string
}

export function verifyJwt(token: unknown, key: SimKey, nowMs: number, target?: RestTarget): JwtCheck {
  if (typeof token !== 'string' || token.length === 0 || token.length > 8192) return {ok: false, reason: 'no token'}
  const parts = token.split('.')
  if (parts.length !== 3) return {ok: false, reason: 'not a JWT'}
  const [h, p, s] = parts as [string, string, string]
  const header = decodeJson(h)
  const claims = decodeJson(p)
  if (header === undefined || claims === undefined) return {ok: false, reason: 'undecodable JWT'}
  if (header.alg !== 'ES256') return {ok: false, reason: `alg ${String(header.alg)} is not ES256`}
  if (header.kid !== key.name) return {ok: false, reason: 'kid is not this key'}
  if (typeof header.nonce !== 'string' || header.nonce.length === 0) return {ok: false, reason: 'no nonce'}
  const signature = Buffer.from(s, 'base64url')
  if (signature.length !== 64 || !verify('sha256', Buffer.from(`${h}.${p}`), {key: key.publicKey, dsaEncoding: 'ieee-p1363'}, signature)) return {ok: false, reason: 'bad signature'}
  if (claims.sub !== key.name) return {ok: false, reason: 'sub is not this key'}
  if (typeof claims.iss !== 'string' || !ISSUERS.has(claims.iss)) return {ok: false, reason: 'unknown issuer'}
  if (claims.aud !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!aud.some((a) => typeof a === 'string' && AUDIENCES.has(a))) return {ok: false, reason: 'unknown audience'}
  }
  const now = Math.floor(nowMs / 1000)
  const nbf = claims.nbf
  const exp = claims.exp
  if (typeof nbf !== 'number' || typeof exp !== 'number' || !Number.isFinite(nbf) || !Number.isFinite(exp)) return {ok: false, reason: 'nbf/exp missing'}
  if (nbf > now + SKEW_S) return {ok: false, reason: 'not yet valid'}
  if (exp <= now) return {ok: false, reason: 'expired'}
  if (exp - nbf > MAX_LIFETIME_S) return {ok: false, reason: 'lifetime over 2 minutes'}
  if (target !== undefined && !uriMatches(claims, target)) return {ok: false, reason: 'uri does not match the request'}
  return {ok: true, keyName: key.name}
}

/**
 * "GET 127.0.0.1:PORT/api/v3/brokerage/accounts". A scheme prefix is tolerated: ccxt removes only
 * `https://` from the URL it signs, so against a plain-http simulator its uri starts `http://`.
 */
function uriMatches(claims: Record<string, unknown>, t: RestTarget): boolean {
  const expected = `${t.method.toUpperCase()} ${t.host}${t.path}`
  const candidates = [claims.uri, ...(Array.isArray(claims.uris) ? claims.uris : [])]
  return candidates.some((c) => typeof c === 'string' && c.replace(/^([A-Z]+) https?:\/\//, '$1 ') === expected)
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
