// `rick sim` as a user runs it: the built CLI in its own process, its one JSON line, the official
// SDK against what it serves, then SIGTERM and a prompt exit 0.
import {spawn} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {EventName, IBApi, OrderAction, OrderType, SecType} from '@stoqey/ib'

import {RICK_BIN, rick} from '../helpers/cli.js'
import type {RunningSimulator} from '../../src/sectors/definition.js'
import {restJwt} from '../integration/coinbase-run-fixture.js'
import {sdk, sdkFor} from '../plugins/oanda/sim/harness.js'

function startCli(args: string[]) {
  const child = spawn(process.execPath, [RICK_BIN, ...args], {env: {...process.env, NO_COLOR: '1', NODE_ENV: 'production'}, stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.on('exit', (code, signal) => resolve({code, signal})))
  const firstLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line from rick sim in time; stderr: ${stderr}`)), 15_000)
    const check = (): void => {
      const nl = stdout.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve(stdout.slice(0, nl))
      }
    }
    child.stdout.on('data', check)
    void exited.then(() => {
      clearTimeout(timer)
      reject(new Error(`rick sim exited before serving; stderr: ${stderr}`))
    })
  })
  return {child, exited, firstLine, output: () => ({stdout, stderr})}
}

describe('rick sim', () => {
  it('oanda --json --port 0: one JSON line; the SDK trades against it; SIGTERM stops it promptly with exit 0', async () => {
    const cli = startCli(['sim', 'oanda', '--json', '--port', '0', '--speed', '60x', '--seed', '3'])
    try {
      const info = JSON.parse(await cli.firstLine)
      expect(Object.keys(info).sort()).toEqual(['accountId', 'rest', 'stream', 'token', 'venue'])
      expect(info.venue).toBe('oanda')
      expect(info.rest).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(info.stream).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const api = sdkFor(info.rest, info.token)
      const summary = await sdk(api, 'account.summary', info.accountId)
      expect(summary.statusCode).toBe('200')
      expect(summary.body.account.balance).toBe('100000.0000')
      const r = await sdk(api, 'order.create', info.accountId, {order: {type: 'MARKET', instrument: 'EUR_USD', units: '1000', clientExtensions: {id: 'cli-1'}}})
      expect(r.statusCode).toBe('201')
      expect(r.body.orderFillTransaction.tradeOpened.units).toBe('1000')
      const p1 = (await sdk(api, 'pricing.get', info.accountId, {instruments: 'EUR_USD'})).body.prices[0].time
      expect(Date.parse(p1)).toBeGreaterThan(0)
      const t0 = performance.now()
      cli.child.kill('SIGTERM')
      const {code, signal} = await cli.exited
      expect(performance.now() - t0).toBeLessThan(3_000)
      expect({code, signal}).toEqual({code: 0, signal: null})
      // Exactly one line of JSON on stdout.
      expect(cli.output().stdout.trim().split('\n')).toHaveLength(1)
    } finally {
      cli.child.kill('SIGKILL')
    }
  })

  it('coinbase --json: one JSON line with a CDP key pair; a JWT signed with it buys at the venue, a bad one gets 401; SIGTERM stops it', async () => {
    const cli = startCli(['sim', 'coinbase', '--json', '--seed', '3'])
    try {
      const info = JSON.parse(await cli.firstLine)
      expect(Object.keys(info).sort()).toEqual(['accountId', 'apiKey', 'apiSecret', 'rest', 'venue', 'ws'])
      expect(info).toMatchObject({venue: 'coinbase', rest: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), ws: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/)})
      expect(info.apiKey).toMatch(/^organizations\/[0-9a-f-]{36}\/apiKeys\/[0-9a-f-]{36}$/)
      expect(info.apiSecret).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+-----END EC PRIVATE KEY-----\n?$/)
      const sim = {credentials: {apiKey: info.apiKey, apiSecret: info.apiSecret}, endpoints: {rest: info.rest}} as unknown as RunningSimulator
      const path = '/api/v3/brokerage/orders'
      const body = JSON.stringify({client_order_id: 'cli-cb-1', product_id: 'BTC-USD', side: 'BUY', order_configuration: {market_market_ioc: {quote_size: '10'}}})
      const post = (jwt: string) => fetch(`${info.rest}${path}`, {method: 'POST', headers: {Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json'}, body})
      const ok = await post(restJwt(sim, 'POST', path))
      expect(ok.status).toBe(200)
      expect(await ok.json()).toMatchObject({success: true, success_response: {client_order_id: 'cli-cb-1', product_id: 'BTC-USD', side: 'BUY'}})
      // Signed for another path: refused as Coinbase refuses it.
      expect((await post(restJwt(sim, 'POST', '/api/v3/brokerage/accounts'))).status).toBe(401)
      cli.child.kill('SIGTERM')
      expect(await cli.exited).toEqual({code: 0, signal: null})
      expect(cli.output().stdout.trim().split('\n')).toHaveLength(1)
    } finally {
      cli.child.kill('SIGKILL')
    }
  })

  it('ibkr --json: {venue, host, port, account}; @stoqey/ib connects as to TWS, qualifies MES and buys one; faults switch over its control URL; SIGTERM stops it', async () => {
    const cli = startCli(['sim', 'ibkr', '--json', '--seed', '3', '--speed', '60x'])
    try {
      const info = JSON.parse(await cli.firstLine)
      expect(Object.keys(info).sort()).toEqual(['account', 'control', 'host', 'port', 'venue'])
      expect(info).toMatchObject({venue: 'ibkr', host: '127.0.0.1', port: expect.any(Number), account: expect.stringMatching(/^DU\d+$/), control: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/)})
      const client = new IBApi({host: info.host, port: info.port, clientId: 9, maxReqPerSec: 40})
      const seen: Array<[string, unknown[]]> = []
      for (const name of [EventName.nextValidId, EventName.managedAccounts, EventName.contractDetails, EventName.execDetails, EventName.info]) client.on(name, (...args: unknown[]) => seen.push([name, args]))
      const of = (name: EventName) => seen.filter(([n]) => n === name).map(([, a]) => a)
      const until = async (what: string, cond: () => boolean) => {
        const end = Date.now() + 10_000
        while (!cond()) {
          if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
          await new Promise((r) => setTimeout(r, 10))
        }
      }
      client.connect()
      try {
        await until('nextValidId', () => of(EventName.nextValidId).length > 0)
        await until('managedAccounts', () => of(EventName.managedAccounts).length > 0)
        expect(of(EventName.managedAccounts)[0]).toEqual([info.account])
        const mes = {symbol: 'MES', secType: SecType.FUT, exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}
        client.reqContractDetails(1, mes)
        await until('contract details', () => of(EventName.contractDetails).length > 0)
        const details = of(EventName.contractDetails)[0]![1] as {contract: {conId: number; multiplier: number}; minTick: number}
        expect(details).toMatchObject({minTick: 0.25, contract: {multiplier: 5}})
        client.placeOrder(of(EventName.nextValidId)[0]![0] as number, {...mes, conId: details.contract.conId}, {action: OrderAction.BUY, orderType: OrderType.MKT, totalQuantity: 1, orderRef: 'cli-ib-1', transmit: true})
        await until('the execution', () => of(EventName.execDetails).length > 0)
        expect(of(EventName.execDetails)[0]![2]).toMatchObject({side: 'BOT', shares: 1, orderRef: 'cli-ib-1', acctNumber: info.account})
        // The connectivity codes arrive as TWS sends them, on the client's `info` event.
        const r = await fetch(`${info.control}/__sim/actions/connectivityLost`, {method: 'POST', body: '{}'})
        expect(r.status).toBe(200)
        await until('1100', () => of(EventName.info).some((a) => a[1] === 1100))
      } finally {
        client.disconnect()
      }
      cli.child.kill('SIGTERM')
      expect(await cli.exited).toEqual({code: 0, signal: null})
      expect(cli.output().stdout.trim().split('\n')).toHaveLength(1)
    } finally {
      cli.child.kill('SIGKILL')
    }
  })

  it('without --json it prints one line; SIGINT stops it too', async () => {
    const cli = startCli(['sim', 'oanda'])
    try {
      const line = await cli.firstLine
      expect(line).toMatch(/^oanda simulator: rest http:\/\/127\.0\.0\.1:\d+, stream http:\/\/127\.0\.0\.1:\d+; account \d{3}-\d{3}-\d+-\d{3}; token [0-9a-f]{32}-[0-9a-f]{32} \(seed 1, speed 1x; Ctrl-C stops it\)$/)
      cli.child.kill('SIGINT')
      expect(await cli.exited).toEqual({code: 0, signal: null})
    } finally {
      cli.child.kill('SIGKILL')
    }
  })

  it('an unknown venue or a bad --speed is a usage error (exit 2)', async () => {
    const unknown = await rick(['sim', 'nope'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toMatch(/unknown venue 'nope' \(known: .*oanda/)
    const speed = await rick(['sim', 'oanda', '--speed', 'fast'])
    expect(speed.exitCode).toBe(2)
    expect(speed.stderr).toMatch(/--speed/)
  })
})
