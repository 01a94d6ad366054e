// What a client may send: {type: 'subscribe' | 'unsubscribe', channel, product_ids?, jwt?} — one
// channel per message (the overview: "you must send a unique subscription message for each
// channel"). Checked in the order the venue's answers imply:
//
//   | check                                   | answer {type: 'error', message}          |
//   |-----------------------------------------|------------------------------------------|
//   | not a JSON object, type not (un)sub     | "failure to subscribe"                   |
//   | channel unknown                         | "authentication failure" (¹)             |
//   | jwt present but not valid               | "authentication failure"                 |
//   | user channel without a jwt              | "authentication failure"                 |
//   | product_ids not a list of strings,      | "failure to subscribe"                   |
//   |   an unknown product, or none given for |                                          |
//   |   a market-data channel                 |                                          |
//
// (¹) Recorded from production by more than one client: an unknown channel name ("heartbeat" for
// "heartbeats") is answered as an authentication failure. The JWT is checked whenever one is
// sent, on any channel: the official SDK signs every subscription once it has keys.
import type {CoinbaseWsFeed} from './ws-feed.js'
import {type Channel, isChannel} from './ws-wire.js'

export const AUTH_FAILURE = 'authentication failure'
export const SUBSCRIBE_FAILURE = 'failure to subscribe'

/** Channels that take no product ids (heartbeats) or where none means all (status, user). */
const PRODUCTS_OPTIONAL: ReadonlySet<Channel> = new Set<Channel>(['heartbeats', 'status', 'user'])

export interface ClientRequest {
  kind: 'subscribe' | 'unsubscribe'
  channel: Channel
  productIds: string[]
  /** The key name a valid JWT was signed for, when one came. */
  keyName: string | undefined
  /** The user the key belongs to (what the user channel's acknowledgement lists), with a valid JWT. */
  userId: string | undefined
}

export type ParsedRequest = {ok: true; request: ClientRequest} | {ok: false; message: string}

function fail(message: string): ParsedRequest {
  return {ok: false, message}
}

export function parseRequest(raw: string, feed: CoinbaseWsFeed): ParsedRequest {
  let msg: unknown
  try {
    msg = JSON.parse(raw)
  } catch {
    return fail(SUBSCRIBE_FAILURE)
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return fail(SUBSCRIBE_FAILURE)
  const m = msg as Record<string, unknown>
  if (m['type'] !== 'subscribe' && m['type'] !== 'unsubscribe') return fail(SUBSCRIBE_FAILURE)
  const channel = m['channel']
  if (!isChannel(channel)) return fail(AUTH_FAILURE)

  const jwt = m['jwt']
  let keyName: string | undefined
  let userId: string | undefined
  if (jwt !== undefined && jwt !== null && jwt !== '') {
    const auth = feed.verifyJwt(jwt)
    if (!auth.ok) return fail(AUTH_FAILURE)
    keyName = auth.keyName
    userId = auth.userId
  }
  if (channel === 'user' && keyName === undefined) return fail(AUTH_FAILURE)

  const ids = m['product_ids']
  if (ids !== undefined && ids !== null && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) return fail(SUBSCRIBE_FAILURE)
  const productIds = [...new Set((ids ?? []) as string[])]
  if (channel !== 'heartbeats') {
    const known = new Set(feed.products())
    if (productIds.some((id) => !known.has(id))) return fail(SUBSCRIBE_FAILURE)
  }
  if (productIds.length === 0 && !PRODUCTS_OPTIONAL.has(channel)) return fail(SUBSCRIBE_FAILURE)
  return {ok: true, request: {kind: m['type'], channel, productIds, keyName, userId}}
}
