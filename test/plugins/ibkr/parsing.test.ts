import {describe, expect, it} from 'vitest'

import {entryPrices, positionsOf, summaryOf} from '../../../plugins/ibkr/src/connector-account.js'
import {aggregate, barSizeFor, durationOf, historyBars} from '../../../plugins/ibkr/src/connector-history.js'
import {describeInstrument} from '../../../plugins/ibkr/src/instruments.js'
import {bracketChildren, ibOrders, OrderSpecError, statusOf} from '../../../plugins/ibkr/src/parsing-orders.js'
import {decimalToMicro, formatUtc, parseTradingHours, parseTwsTime, qualify, type IbkrInstrument} from '../../../plugins/ibkr/src/parsing.js'
import type {OrderRequest} from '../../../src/foundation/domain/orders.js'

const MES_BASE = describeInstrument({symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'})
const details = (conId: number, more: Record<string, unknown> = {}) => ({
  contract: {conId, symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '20261218', multiplier: '5', exchange: 'CME', currency: 'USD', localSymbol: 'MESZ6', tradingClass: 'MES'},
  minTick: 0.25,
  sizeIncrement: 1,
  timeZoneId: 'US/Central',
  tradingHours: '20261207:1700-20261208:1600;20261208:1700-20261209:1600;20261212:CLOSED',
  ...more,
})
const spec = (): IbkrInstrument => qualify(MES_BASE, [details(730283085)])
const order = (o: Partial<OrderRequest> = {}): OrderRequest => ({clientOrderId: 'mes-1', instrument: MES_BASE.id, side: 'buy', type: 'market', qty: 1, tif: 'day', ...o})

describe('times and amounts as TWS writes them', () => {
  it('trading hours across midnight in the contract zone; CLOSED days skipped; DST respected', () => {
    const s = parseTradingHours('20261207:1700-20261208:1600;20261212:CLOSED', 'US/Central')
    expect(s).toEqual([{open: Date.UTC(2026, 11, 7, 23, 0), close: Date.UTC(2026, 11, 8, 22, 0)}])
    // July: CDT (UTC-5).
    expect(parseTradingHours('20260707:0830-1500', 'US/Central')).toEqual([{open: Date.UTC(2026, 6, 7, 13, 30), close: Date.UTC(2026, 6, 7, 20, 0)}])
    expect(() => parseTradingHours('20261207:17-', 'US/Central')).toThrow()
  })

  it('execution and bar times: with a zone, UTC with a dash, epoch seconds, a bare date', () => {
    expect(parseTwsTime('20261208 09:30:05 US/Eastern')).toBe(Date.UTC(2026, 11, 8, 14, 30, 5))
    expect(parseTwsTime('20261208-14:30:05')).toBe(Date.UTC(2026, 11, 8, 14, 30, 5))
    expect(parseTwsTime('20261208  14:30:05')).toBe(Date.UTC(2026, 11, 8, 14, 30, 5))
    expect(parseTwsTime('1796745005')).toBe(1796745005000)
    expect(parseTwsTime('20261208', 'US/Central')).toBe(Date.UTC(2026, 11, 8, 6, 0))
    expect(() => parseTwsTime('yesterday')).toThrow()
    expect(formatUtc(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('20260102-03:04:05')
  })

  it('decimal text into micro units exactly, rounded half away from zero at the sixth decimal', () => {
    expect(decimalToMicro('1000000.00')).toBe(1_000_000_000_000)
    expect(decimalToMicro('0.1')).toBe(100_000)
    expect(decimalToMicro('-25001.87')).toBe(-25_001_870_000)
    expect(decimalToMicro('1.0000005')).toBe(1_000_001)
    expect(decimalToMicro('-1.0000005')).toBe(-1_000_001)
    expect(decimalToMicro(0.62)).toBe(620_000)
    expect(decimalToMicro('')).toBeNaN()
    expect(decimalToMicro('1,000')).toBeNaN()
  })
})

describe('contracts qualified by reqContractDetails', () => {
  it('tick, multiplier, conId and sessions from TWS', () => {
    const s = spec()
    expect(s).toMatchObject({id: 'MES-202612', tickSize: 0.25, multiplier: 5, lotSize: 1, ibkr: {conId: 730283085, secType: 'FUT', whatToShow: 'TRADES', timeZone: 'US/Central'}})
    expect(s.ibkr.sessions.length).toBe(2)
  })

  it('no answer, several contracts, or no minTick: errors naming the instrument', () => {
    expect(() => qualify(MES_BASE, [])).toThrow(/no contract for MES-202612/)
    expect(() => qualify(MES_BASE, [details(1), details(2)])).toThrow(/matches 2 contracts/)
    expect(qualify(MES_BASE, [details(1), details(1)]).ibkr.conId).toBe(1)
    expect(() => qualify(MES_BASE, [details(1, {minTick: 0})])).toThrow(/minimum tick/)
  })
})

describe("rick's orders as TWS orders", () => {
  it('types and tif; orderRef is the client order id; the parent of a plain order transmits', () => {
    expect(ibOrders(order(), spec(), [10])).toEqual([{orderId: 10, action: 'BUY', totalQuantity: 1, orderType: 'MKT', tif: 'DAY', orderRef: 'mes-1', transmit: true}])
    expect(ibOrders(order({type: 'stop-limit', side: 'sell', stopPrice: 5000, limitPrice: 4999.75, tif: 'gtc'}), spec(), [11])[0]).toMatchObject({action: 'SELL', orderType: 'STP LMT', auxPrice: 5000, lmtPrice: 4999.75, tif: 'GTC'})
  })

  it('a bracket: parent held, take-profit held, the stop transmits; children share the parent id and one OCA group', () => {
    const [p, tp, sl] = ibOrders(order({bracket: {stopLoss: 4990, takeProfit: 5010}}), spec(), [20, 21, 22])
    expect(p).toMatchObject({orderId: 20, transmit: false, orderRef: 'mes-1'})
    expect(tp).toMatchObject({orderId: 21, orderType: 'LMT', lmtPrice: 5010, action: 'SELL', parentId: 20, transmit: false, orderRef: 'mes-1-tp', tif: 'GTC', ocaType: 1})
    expect(sl).toMatchObject({orderId: 22, orderType: 'STP', auxPrice: 4990, action: 'SELL', parentId: 20, transmit: true, orderRef: 'mes-1-sl', tif: 'GTC', ocaType: 1})
    expect(tp?.ocaGroup).toBe(sl?.ocaGroup)
    expect(bracketChildren(order({bracket: {stopLoss: 4990, takeProfit: 5010}})).map((c) => [c.clientOrderId, c.type, c.side, c.parentId])).toEqual([['mes-1-tp', 'limit', 'sell', 'mes-1'], ['mes-1-sl', 'stop', 'sell', 'mes-1']])
  })

  it('what TWS would refuse or rick cannot say is refused before anything is sent', () => {
    const refused = (o: Partial<OrderRequest>): string => {
      try {
        ibOrders(order(o), spec(), [1, 2, 3])
        return 'sent'
      } catch (e) {
        return e instanceof OrderSpecError ? e.kind : String(e)
      }
    }
    expect(refused({postOnly: true, type: 'limit', limitPrice: 5000})).toBe('Unsupported')
    expect(refused({qty: 1.5})).toBe('InvalidOrder')
    expect(refused({qty: 0})).toBe('InvalidOrder')
    expect(refused({type: 'limit'})).toBe('InvalidOrder')
    expect(refused({type: 'limit', limitPrice: 5000.1})).toBe('InvalidOrder')
    expect(refused({bracket: {stopLoss: 5010, takeProfit: 4990}})).toBe('InvalidOrder')
    expect(refused({bracket: {stopLoss: 4990, takeProfit: 5010}, reduceOnly: true})).toBe('InvalidOrder')
    expect(refused({bracket: {stopLoss: 4990, takeProfit: 5010}, tif: 'ioc'})).toBe('InvalidOrder')
    expect(refused({clientOrderId: 'has blank'})).toBe('InvalidOrder')
  })

  it('TWS statuses as rick statuses', () => {
    expect(statusOf('PreSubmitted', 0, 1)).toBe('working')
    expect(statusOf('Submitted', 1, 2)).toBe('partially-filled')
    expect(statusOf('Filled', 2, 2)).toBe('filled')
    expect(statusOf('ApiCancelled', 0, 1)).toBe('cancelled')
    expect(statusOf('Inactive', 0, 1)).toBe('rejected')
    expect(statusOf('PendingSubmit', 0, 1)).toBe('pending')
  })
})

describe('the account and positions', () => {
  it("the sector's account only, exact micro units; a missing tag is an error", () => {
    const items = [
      [1, 'DU1', 'TotalCashValue', '999999.38', 'USD'],
      [1, 'DU1', 'NetLiquidation', '1000012.13', 'USD'],
      [1, 'DU1', 'BuyingPower', '3999000.00', 'USD'],
      [1, 'DU2', 'TotalCashValue', '5.00', 'USD'],
    ]
    expect(summaryOf(items, 'DU1')).toEqual({currency: 'USD', cash: 999_999_380_000, equity: 1_000_012_130_000, buyingPower: 3_999_000_000_000})
    expect(() => summaryOf(items.slice(1), 'DU1')).toThrow(/TotalCashValue/)
  })

  it('positions: avgCost per contract over the multiplier, flat ones left out; entry prices replayed from executions', () => {
    const idOf = (c: unknown) => String((c as {symbol: string}).symbol)
    const held = positionsOf([['DU1', {symbol: 'MES'}, 2, 25001.87], ['DU1', {symbol: 'SPY'}, 0, 0], ['DU9', {symbol: 'QQQ'}, 5, 400]], 'DU1', idOf, () => 5)
    expect(held).toEqual([{instrument: 'MES', qty: 2, avgPrice: 5000.374}])
    const exec = (id: string, side: string, shares: number, price: number, time: string) => [1, {symbol: 'MES'}, {execId: id, side, shares, price, time, acctNumber: 'DU1'}]
    const e = entryPrices([exec('a', 'BOT', 1, 5000, '20261208-14:00:00'), exec('b', 'BOT', 1, 5001, '20261208-14:01:00'), exec('b', 'BOT', 1, 5001, '20261208-14:01:00'), exec('c', 'SLD', 1, 5003, '20261208-14:02:00')], 'DU1', idOf, (x) => parseTwsTime(String(x.time)))
    expect(e.get('MES')).toEqual({qty: 1, avgPrice: 5000.5})
    const flip = entryPrices([exec('a', 'BOT', 1, 5000, '20261208-14:00:00'), exec('b', 'SLD', 3, 4990, '20261208-14:01:00')], 'DU1', idOf, (x) => parseTwsTime(String(x.time)))
    expect(flip.get('MES')).toEqual({qty: -2, avgPrice: 4990})
  })
})

describe('history paging', () => {
  it("a period TWS has, else the largest TWS size dividing it; durations in seconds up to a day", () => {
    expect(barSizeFor(60_000).name).toBe('1 min')
    expect(barSizeFor(45_000).name).toBe('15 secs')
    expect(barSizeFor(7 * 60_000).name).toBe('1 min')
    expect(() => barSizeFor(1_500)).toThrow()
    expect(durationOf(1200)).toBe('1200 S')
    expect(durationOf(3 * 86_400 + 1)).toBe('4 D')
  })

  it('aggregates on the epoch grid and keeps complete bars only', () => {
    const b = (ts: number, o: number, h: number, l: number, c: number, v: number) => ({instrument: 'X', ts, open: o, high: h, low: l, close: c, volume: v})
    const T = Date.UTC(2026, 0, 1)
    const out = aggregate([b(T + 15_000, 2, 3, 1, 2, 1), b(T, 1, 2, 1, 2, 1), b(T + 30_000, 2, 5, 2, 4, 2), b(T + 45_000, 4, 4, 3, 3, 1)], 45_000, 15_000, T + 60_000)
    expect(out).toEqual([b(T, 1, 5, 1, 4, 4)])
  })
  it('pages back from the end, each page ending where the last began, until the count is there; never the open bar', async () => {
    const s1 = {...spec(), ibkr: {...spec().ibkr, timeZone: 'UTC'}}
    const T = Date.UTC(2026, 11, 8, 14, 0)
    const asked: Array<[string, string, string]> = []
    // A TWS that answers at most 5 one-minute bars a page, on the minute grid, the last one the bar
    // the end falls in (still open when the end is now).
    const fetch = async (_s: IbkrInstrument, end: string, duration: string, size: string): Promise<unknown[][]> => {
      asked.push([end, duration, size])
      const endTs = parseTwsTime(end)
      const rows: unknown[][] = []
      const last = Math.ceil(endTs / 60_000) * 60_000 - 60_000
      for (let ts = last - 4 * 60_000; ts <= last; ts += 60_000) rows.push([1, String(ts / 1000), 10, 11, 9, 10.5, 3])
      return rows
    }
    const now = T + 30_000 // half-way through the 14:00 bar
    const bars = await historyBars({fetch}, s1, {instrument: s1.id, periodMs: 60_000, count: 12}, now)
    expect(bars.length).toBe(12)
    expect(bars.at(-1)?.ts).toBe(T - 60_000)
    for (const [i, b] of bars.entries()) if (i > 0) expect(b.ts - (bars[i - 1]?.ts ?? 0)).toBe(60_000)
    expect(asked.map((a) => a[0])).toEqual([formatUtc(now), formatUtc(T - 4 * 60_000), formatUtc(T - 9 * 60_000)])
    expect(asked.every((a) => a[2] === '1 min')).toBe(true)
  })
})
