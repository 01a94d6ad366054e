// The simulator's accounting checked against an independent computation from what the wire shows:
// a seeded run of market orders, trade closes and position closes on four instruments (USD, JPY and
// GBP quotes, so three ways of converting P&L into USD), then every ORDER_FILL is replayed here.
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {seededRandom} from '../../../../src/foundation/random.js'
import {type Harness, sdk, startSim} from './harness.js'

let h: Harness
beforeEach(async () => {
  h = await startSim({seed: 11})
})
afterEach(async () => {
  await h.close()
})

const INSTRUMENTS = ['EUR_USD', 'USD_JPY', 'GBP_USD', 'EUR_GBP']
const DP: Record<string, number> = {EUR_USD: 5, USD_JPY: 3, GBP_USD: 5, EUR_GBP: 5}
const MARGIN: Record<string, string> = {EUR_USD: '0.02', USD_JPY: '0.04', GBP_USD: '0.05', EUR_GBP: '0.05'}

/** A decimal string as a whole number of 10^-dp steps. */
function steps(text: string, dp: number): number {
  const [w = '0', f = ''] = text.replace('-', '').split('.')
  const n = Number(w + f.padEnd(dp, '0').slice(0, dp))
  return text.startsWith('-') ? -n : n
}
/** Money text as whole 1e-4 of USD. */
const cents4 = (text: string): number => steps(text, 4)

/** round(n × 10^-dp × Π factors) in whole 1e-4, half away from zero, exactly (BigInt rationals). */
function exact4(n: number, dp: number, factors: string[]): number {
  let num = BigInt(n) * 10_000n
  let den = 10n ** BigInt(dp)
  for (const f of factors) {
    const [w = '0', frac = ''] = f.split('.')
    num *= BigInt(w + frac)
    den *= 10n ** BigInt(frac.length)
  }
  const neg = num < 0n
  const a = neg ? -num : num
  const q = a / den + ((a % den) * 2n >= den ? 1n : 0n)
  return Number(neg ? -q : q)
}

interface OpenTrade {
  instrument: string
  units: number
  priceTicks: number
}

describe('OANDA simulator accounting', () => {
  it('balance, P&L, trades, positions, NAV and margin agree with an independent replay of the fills', async () => {
    const r = seededRandom(2024)
    for (let step = 0; step < 60; step++) {
      const instrument = INSTRUMENTS[Math.floor(r.next() * INSTRUMENTS.length)] as string
      const roll = r.next()
      if (roll < 0.65) {
        const units = (r.next() < 0.5 ? -1 : 1) * (1 + Math.floor(r.next() * 20_000))
        const res = await sdk(h.api, 'order.create', h.account, {order: {type: 'MARKET', instrument, units: String(units)}})
        expect(res.statusCode).toBe('201')
      } else if (roll < 0.85) {
        const open = (await sdk(h.api, 'trade.listOpen', h.account)).body.trades
        if (open.length > 0) {
          const t = open[Math.floor(r.next() * open.length)]
          const size = Math.abs(Number(t.currentUnits))
          const units = r.next() < 0.5 ? 'ALL' : String(1 + Math.floor(r.next() * size))
          expect((await sdk(h.api, 'trade.close', h.account, t.id, {units})).statusCode).toBe('200')
        }
      } else {
        const pos = (await sdk(h.api, 'position.get', h.account, instrument)).body.position
        const body: Record<string, string> = {}
        if (pos.long.units !== '0') body.longUnits = 'ALL'
        if (pos.short.units !== '0') body.shortUnits = 'ALL'
        if (Object.keys(body).length > 0) expect((await sdk(h.api, 'position.close', h.account, instrument, body)).statusCode).toBe('200')
      }
      h.wall.advance(500 + Math.floor(r.next() * 4_000))
    }

    // Replay every fill from the transaction history.
    const last = (await sdk(h.api, 'account.summary', h.account)).body.lastTransactionID
    const txs = JSON.parse((await sdk(h.api, 'transaction.range', h.account, {from: 1, to: last})).rawBody).transactions as Array<Record<string, any>>
    expect(txs.map((t) => Number(t.id))).toEqual(Array.from({length: Number(last)}, (_, i) => i + 1))
    let balance = cents4('100000.0000')
    let fills = 0
    const trades = new Map<string, OpenTrade>()
    const net = new Map<string, number>()
    for (const tx of txs) {
      if (tx.type !== 'ORDER_FILL') continue
      fills++
      const dp = DP[tx.instrument] as number
      const price = steps(tx.price, dp)
      let pl = 0
      for (const close of [...(tx.tradesClosed ?? []), ...(tx.tradeReduced ? [tx.tradeReduced] : [])]) {
        const t = trades.get(close.tradeID) as OpenTrade
        const closed = Number(close.units) // the fill's sign: minus the trade's
        expect(Math.sign(closed)).toBe(-Math.sign(t.units))
        const quote = -closed * (price - t.priceTicks)
        const factor = quote >= 0 ? tx.gainQuoteHomeConversionFactor : tx.lossQuoteHomeConversionFactor
        expect(cents4(close.realizedPL)).toBe(exact4(quote, dp, [factor]))
        pl += cents4(close.realizedPL)
        t.units += closed
        if (t.units === 0) trades.delete(close.tradeID)
      }
      if (tx.tradeOpened) {
        expect(tx.tradeOpened.tradeID).toBe(tx.id)
        trades.set(tx.id, {instrument: tx.instrument, units: Number(tx.tradeOpened.units), priceTicks: price})
      }
      expect(cents4(tx.pl)).toBe(pl)
      balance += pl
      expect(cents4(tx.accountBalance)).toBe(balance)
      net.set(tx.instrument, (net.get(tx.instrument) ?? 0) + Number(tx.units))
      expect(tx.financing).toBe('0.0000')
      expect(tx.commission).toBe('0.0000')
    }
    expect(fills).toBeGreaterThan(30)

    const account = JSON.parse((await sdk(h.api, 'account.get', h.account)).rawBody).account
    expect(cents4(account.balance)).toBe(balance)
    expect(cents4(account.pl)).toBe(balance - cents4('100000.0000'))
    // Open trades: the same ids, units and prices as the replay.
    const openTrades = account.trades as Array<{id: string; instrument: string; currentUnits: string; price: string; unrealizedPL: string; marginUsed: string}>
    expect(openTrades.map((t) => t.id).sort()).toEqual([...trades.keys()].sort())
    for (const t of openTrades) {
      const mine = trades.get(t.id) as OpenTrade
      expect(Number(t.currentUnits)).toBe(mine.units)
      expect(steps(t.price, DP[t.instrument] as number)).toBe(mine.priceTicks)
    }
    // Positions: net units per instrument = the sum of every fill's units.
    for (const instrument of INSTRUMENTS) {
      const p = account.positions.find((x: {instrument: string}) => x.instrument === instrument)
      const units = p ? Number(p.long.units) + Number(p.short.units) : 0
      expect(units, instrument).toBe(net.get(instrument) ?? 0)
      const fromTrades = [...trades.values()].filter((t) => t.instrument === instrument).reduce((n, t) => n + t.units, 0)
      expect(units, instrument).toBe(fromTrades)
    }
    // Unrealized P&L and margin of each open trade from the current prices and home conversions.
    const pricing = JSON.parse((await sdk(h.api, 'pricing.get', h.account, {instruments: INSTRUMENTS.join(','), includeHomeConversions: true})).rawBody)
    const positionValue = new Map<string, string>(pricing.homeConversions.map((c: {currency: string; positionValue: string}) => [c.currency, c.positionValue]))
    let upl = 0
    let margin = 0
    for (const t of openTrades) {
      const dp = DP[t.instrument] as number
      const p = pricing.prices.find((x: {instrument: string}) => x.instrument === t.instrument)
      const units = Number(t.currentUnits)
      const closeAt = steps(units > 0 ? p.bids[0].price : p.asks[0].price, dp)
      const quote = units * (closeAt - steps(t.price, dp))
      const factor = quote >= 0 ? p.quoteHomeConversionFactors.positiveUnits : p.quoteHomeConversionFactors.negativeUnits
      expect(cents4(t.unrealizedPL), `uPL of ${t.id}`).toBe(exact4(quote, dp, [factor]))
      const twiceMid = steps(p.bids[0].price, dp) + steps(p.asks[0].price, dp)
      const value = positionValue.get(t.instrument.split('_')[1] as string) as string
      expect(cents4(t.marginUsed), `margin of ${t.id}`).toBe(exact4(Math.abs(units) * twiceMid, dp, ['0.5', value, MARGIN[t.instrument] as string]))
      upl += cents4(t.unrealizedPL)
      margin += cents4(t.marginUsed)
    }
    expect(cents4(account.unrealizedPL)).toBe(upl)
    expect(cents4(account.NAV)).toBe(balance + upl)
    expect(cents4(account.marginUsed)).toBe(margin)
    expect(cents4(account.marginAvailable)).toBe(Math.max(0, balance + upl - margin))
    expect(account.openTradeCount).toBe(trades.size)
  })
})
