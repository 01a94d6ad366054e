import {describe, expect, it} from 'vitest'

import {Catalogue, listedQuarters, thirdFriday} from '../../../../plugins/ibkr/src/sim/catalogue.js'
import {dayOrderExpiry, CME_EQUITY, US_STOCK} from '../../../../plugins/ibkr/src/sim/hours.js'
import {contract, MES, SPY, T0} from './harness.js'

describe('ibkr sim catalogue', () => {
  const cat = new Catalogue(T0)

  it('lists the quarterly months from the front one, which rolls after its third Friday', () => {
    expect(thirdFriday(2026, 12)).toBe('20261218')
    expect(listedQuarters(T0).map((q) => q.lastTradeDate)).toEqual(['20261218', '20270319', '20270618', '20270917'])
    expect(listedQuarters(Date.parse('2026-12-19T12:00:00Z'))[0]?.lastTradeDate).toBe('20270319')
    const front = cat.front('MES')
    expect(front?.contract).toMatchObject({localSymbol: 'MESZ6', tradingClass: 'MES', exchange: 'CME', multiplier: '5', lastTradeDateOrContractMonth: '20261218'})
    expect(new Catalogue(Date.parse('2026-12-21T12:00:00Z')).front('MES')?.contract.localSymbol).toBe('MESH7')
  })

  it('matches queries as TWS does: a month, a last trade date, a local symbol, a conId; nothing for the unknown', () => {
    const [byMonth] = cat.details(MES, T0)
    expect(byMonth?.contract.localSymbol).toBe('MESZ6')
    expect(byMonth).toMatchObject({minTick: 0.25, contractMonth: '202612', realExpirationDate: '20261218', timeZoneId: 'US/Central', underSymbol: 'MES'})
    const conId = byMonth?.contract.conId as number
    expect(cat.details(contract({conId}), T0).map((d) => d.contract.localSymbol)).toEqual(['MESZ6'])
    expect(cat.details(contract({localSymbol: 'MESZ6', secType: 'FUT'}), T0)).toHaveLength(1)
    expect(cat.details(contract({symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '20261218'}), T0)).toHaveLength(1)
    expect(cat.details(contract({symbol: 'MES', secType: 'FUT', exchange: 'CME'}), T0)).toHaveLength(4)
    // The same conId at every start: conIds are IB's, not the seed's.
    expect(new Catalogue(T0 + 86_400_000).front('MES')?.contract.conId).toBe(conId)
    expect(cat.details(contract({symbol: 'MES', secType: 'FUT', lastTradeDateOrContractMonth: '202611'}), T0)).toEqual([])
    expect(cat.details(contract({symbol: 'NOPE', secType: 'STK'}), T0)).toEqual([])
    expect(cat.details(contract({conId: 1}), T0)).toEqual([])
    expect(cat.details(contract({}), T0)).toEqual([])
  })

  it('routes stocks SMART with their primary exchange', () => {
    const [spy] = cat.details(SPY, T0)
    expect(spy?.contract).toMatchObject({conId: 756733, exchange: 'SMART', primaryExchange: 'ARCA'})
    expect(spy?.timeZoneId).toBe('US/Eastern')
    expect(cat.details(contract({symbol: 'QQQ', secType: 'STK', exchange: 'SMART', currency: 'USD', primaryExchange: 'NASDAQ'}), T0)).toHaveLength(1)
    expect(cat.details(contract({symbol: 'QQQ', secType: 'STK', primaryExchange: 'ARCA'}), T0)).toEqual([])
    expect(cat.details(contract({symbol: 'EUR', secType: 'CASH', exchange: 'IDEALPRO', currency: 'USD'}), T0)[0]?.contract.localSymbol).toBe('EUR.USD')
    expect(cat.byInstrumentId('MES-202703')?.contract.localSymbol).toBe('MESH7')
    expect(cat.byInstrumentId('SPY')?.contract.conId).toBe(756733)
  })

  it("writes trading and liquid hours in TWS's format, in the exchange's zone", () => {
    const [mes] = cat.details(MES, T0)
    const days = mes?.tradingHours.split(';') ?? []
    expect(days.slice(0, 4)).toEqual(['20261207:1700-20261208:1600', '20261208:1700-20261209:1600', '20261209:1700-20261210:1600', '20261210:1700-20261211:1600'])
    expect(days).toContain('20261212:CLOSED')
    expect(mes?.liquidHours.split(';')[0]).toBe('20261208:0830-20261208:1500')
    const [spy] = cat.details(SPY, T0)
    expect(spy?.liquidHours.split(';')[0]).toBe('20261208:0930-20261208:1600')
    expect(spy?.tradingHours.split(';')[0]).toBe('20261208:0400-20261208:2000')
  })

  it('ends a DAY order at its session close: 16:00 CT for futures, 16:00 ET for stocks in regular hours', () => {
    expect(new Date(dayOrderExpiry(CME_EQUITY, T0, true)).toISOString()).toBe('2026-12-08T22:00:00.000Z')
    expect(new Date(dayOrderExpiry(US_STOCK, T0, false)).toISOString()).toBe('2026-12-08T21:00:00.000Z')
    // Placed on a Saturday: the next session's close (Monday).
    expect(new Date(dayOrderExpiry(US_STOCK, Date.parse('2026-12-12T15:00:00Z'), false)).toISOString()).toBe('2026-12-14T21:00:00.000Z')
    // Summer time: 16:00 CT is 21:00Z.
    expect(new Date(dayOrderExpiry(CME_EQUITY, Date.parse('2026-07-07T15:00:00Z'), true)).toISOString()).toBe('2026-07-07T21:00:00.000Z')
  })
})
