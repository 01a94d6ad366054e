// CDP JWT authentication at the REST port, request by request: what Coinbase lets through and what
// gets its bare 401. Tokens are made by hand (ES256, JWS signature) so each claim can be spoiled.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {makeJwt, otherKey, raw, signed, startSim, type Harness} from './harness.js'

const ACCOUNTS = '/api/v3/brokerage/accounts'

describe('coinbase simulator, JWT authentication', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startSim()
  })
  afterAll(async () => h.close())

  const get = (token: string | undefined, path = ACCOUNTS) => raw(`${h.rest}${path}`, token === undefined ? {} : {headers: {Authorization: `Bearer ${token}`}})

  function expect401(r: {status: number; text: string; headers: Record<string, unknown>}): void {
    expect(r.status).toBe(401)
    expect(r.text).toBe('Unauthorized\n')
    expect(String(r.headers['content-type'])).toMatch(/^text\/plain/)
  }

  it('accepts a valid token (iss cdp) and one as ccxt and coinbase-advanced-py sign it (iss coinbase-cloud, aud retail_rest_api_proxy)', async () => {
    expect((await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}))).status).toBe(200)
    expect((await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {iss: 'coinbase-cloud'}))).status).toBe(200)
    // The query is not part of the uri claim.
    const r = await raw(`${h.rest}${ACCOUNTS}?limit=1`, {headers: {Authorization: `Bearer ${makeJwt(h, {method: 'GET', path: ACCOUNTS})}`}})
    expect(r.json.accounts).toHaveLength(1)
  })

  it('answers 401 Unauthorized for a missing, malformed or unsigned token', async () => {
    expect401(await get(undefined))
    expect401(await raw(`${h.rest}${ACCOUNTS}`, {headers: {Authorization: 'Basic abc'}}))
    expect401(await get('not.a.jwt'))
    expect401(await get(''))
    const good = makeJwt(h, {method: 'GET', path: ACCOUNTS})
    const [head, payload] = good.split('.')
    expect401(await get(`${head}.${payload}.`))
    // alg none with no signature, as an attacker would send.
    const none = `${Buffer.from(JSON.stringify({alg: 'none', kid: h.apiKey, nonce: 'x'})).toString('base64url')}.${payload}.`
    expect401(await get(none))
  })

  it('answers 401 for a token signed by another key, or naming another key', async () => {
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {signWith: otherKey()})))
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {sub: 'organizations/x/apiKeys/y'})))
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {kid: 'organizations/x/apiKeys/y'})))
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {iss: 'someone'})))
  })

  it('answers 401 for a token that is expired, not yet valid, or lives more than two minutes', async () => {
    const now = Math.floor(h.wall.now() / 1000)
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {nbf: now - 200, exp: now - 80})))
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {nbf: now + 60, exp: now + 120})))
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {nbf: now, exp: now + 600})))
    // A token expires with the wall clock, whatever the sim's speed (60x here: 3 wall s are 3 sim min).
    const token = makeJwt(h, {method: 'GET', path: ACCOUNTS}, {nbf: now, exp: now + 2})
    expect((await get(token)).status).toBe(200)
    h.wall.advance(3_000)
    expect401(await get(token))
  })

  it('answers 401 when the uri claim is for another path, method or host, or missing', async () => {
    const host = new URL(h.rest).host
    expect401(await get(makeJwt(h, {method: 'GET', path: '/api/v3/brokerage/portfolios'})))
    expect401(await get(makeJwt(h, {method: 'POST', path: ACCOUNTS})))
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {uri: `GET api.coinbase.com${ACCOUNTS}`})))
    expect401(await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {uri: null})))
    // ccxt strips only https:// from what it signs: an http:// prefix names the same request.
    expect((await get(makeJwt(h, {method: 'GET', path: ACCOUNTS}, {uri: `GET http://${host}${ACCOUNTS}`}))).status).toBe(200)
  })

  it('a create with a bad token executes nothing', async () => {
    const path = '/api/v3/brokerage/orders'
    const body = {client_order_id: 'auth-none', product_id: 'BTC-USD', side: 'BUY', order_configuration: {market_market_ioc: {quote_size: '100'}}}
    const r = await raw(`${h.rest}${path}`, {method: 'POST', body, headers: {Authorization: `Bearer ${makeJwt(h, {method: 'POST', path}, {signWith: otherKey()})}`}})
    expect401(r)
    const list = await signed(h, 'GET', '/api/v3/brokerage/orders/historical/batch')
    expect(list.json.orders).toEqual([])
    const usd = (await signed(h, 'GET', ACCOUNTS)).json.accounts.find((a: {currency: string}) => a.currency === 'USD')
    expect(usd.available_balance.value).toBe('100000.00')
  })

  it('serves public market data without a token; revokeKey refuses every authenticated request', async () => {
    expect((await raw(`${h.rest}/api/v3/brokerage/market/products`)).status).toBe(200)
    expect((await raw(`${h.rest}/api/v3/brokerage/time`)).status).toBe(200)
    expect((await raw(`${h.rest}/v2/currencies`)).status).toBe(200)
    // The private twin of a public path needs the token.
    expect401(await raw(`${h.rest}/api/v3/brokerage/products`))
    h.sim.faults.set({revokeKey: true})
    expect401(await signed(h, 'GET', ACCOUNTS))
    expect((await raw(`${h.rest}/api/v3/brokerage/market/products`)).status).toBe(200)
    h.sim.faults.set({revokeKey: false})
    expect((await signed(h, 'GET', ACCOUNTS)).status).toBe(200)
  })
})
