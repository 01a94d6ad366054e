// Parsing of OANDA v20 payloads, shaped as OANDA's reference documents them (field names, decimal
// strings, RFC 3339 times with nanoseconds; the fill below is the order endpoint's own example).
import {describe, expect, it} from 'vitest'

import {
  decimal,
  decimalToMicro,
  formatTime,
  granularityFor,
  isRickOrder,
  OandaParseError,
  orderRequestBody,
  orderState,
  OrderSpecError,
  parseAccountSummary,
  parseCandles,
  parseFill,
  parseInstrument,
  parsePosition,
  parsePricingLine,
  parseTime,
  parseTrade,
  parseTransaction,
  parseTransactionLine,
  sumDecimals,
  transactionClientId,
  transactionEvents,
  type OandaInstrumentDetails,
} from '../../../plugins/oanda/src/parsing.js'
import {describeInstrument} from '../../../plugins/oanda/src/instruments.js'
import {roundToTick} from '../../../src/foundation/domain/instrument.js'
import type {OrderRequest} from '../../../src/foundation/domain/orders.js'

const EUR_USD_RAW = {
  name: 'EUR_USD', type: 'CURRENCY', displayName: 'EUR/USD', pipLocation: -4, displayPrecision: 5, tradeUnitsPrecision: 0,
  minimumTradeSize: '1', maximumTrailingStopDistance: '1.00000', minimumTrailingStopDistance: '0.00050', maximumPositionSize: '0', maximumOrderUnits: '100000000', marginRate: '0.0333',
}
const USD_JPY_RAW = {...EUR_USD_RAW, name: 'USD_JPY', displayName: 'USD/JPY', pipLocation: -2, displayPrecision: 3, marginRate: '0.04'}
const SPX_RAW = {name: 'SPX500_USD', type: 'CFD', displayName: 'US SPX 500', pipLocation: 0, displayPrecision: 1, tradeUnitsPrecision: 1, minimumTradeSize: '0.1', maximumOrderUnits: '3000', marginRate: '0.05'}

const EUR: OandaInstrumentDetails = parseInstrument(EUR_USD_RAW, 'oanda').oanda
const SPX: OandaInstrumentDetails = parseInstrument(SPX_RAW, 'oanda').oanda

function order(o: Partial<OrderRequest> = {}): OrderRequest {
  return {clientOrderId: 'run1-7', instrument: 'EUR_USD', side: 'buy', type: 'market', qty: 1000, tif: 'gtc', ...o}
}

describe('primitives', () => {
  it('reads decimal strings strictly', () => {
    expect(decimal('1.10523', 'p')).toBe(1.10523)
    expect(decimal('-1000', 'u')).toBe(-1000)
    for (const bad of ['', ' 1', '1e5', '1.', '.5', 'NaN', 'Infinity', '0x10', '1,5', 1.5, null, undefined]) expect(() => decimal(bad, 'p'), String(bad)).toThrow(OandaParseError)
  })
  it('money to micro units digit by digit, rounding half away from zero past the sixth decimal', () => {
    expect(decimalToMicro('100000.0000', 'b')).toBe(100_000_000_000)
    expect(decimalToMicro('43650.69807', 'b')).toBe(43_650_698_070)
    expect(decimalToMicro('0.1', 'b') + decimalToMicro('0.2', 'b')).toBe(decimalToMicro('0.3', 'b'))
    expect(decimalToMicro('1.0000005', 'b')).toBe(1_000_001)
    expect(decimalToMicro('1.0000004999', 'b')).toBe(1_000_000)
    expect(decimalToMicro('-2.5000005', 'b')).toBe(-2_500_001)
    expect(decimalToMicro('-0.0000001', 'b')).toBe(0)
    expect(Object.is(decimalToMicro('-0.0000001', 'b'), -0)).toBe(false)
    expect(() => decimalToMicro('99999999999.5', 'b')).toThrow(/too large/)
    expect(() => decimalToMicro('12.3.4', 'b')).toThrow(OandaParseError)
    expect(() => decimalToMicro(12.5, 'b')).toThrow(/decimal string/)
  })
  it('sums units exactly', () => {
    expect(sumDecimals(['0.3', '-0.1'], 'u')).toBe(0.2)
    expect(sumDecimals(['1000', '-1000'], 'u')).toBe(0)
    expect(sumDecimals(['12.5', '-0.25'], 'u')).toBe(12.25)
  })
  it('reads RFC 3339 with nanoseconds, offsets and UNIX seconds', () => {
    expect(parseTime('2016-06-22T18:41:29.285982286Z', 't')).toBe(Date.UTC(2016, 5, 22, 18, 41, 29, 285))
    expect(parseTime('2016-06-22T18:41:29Z', 't')).toBe(Date.UTC(2016, 5, 22, 18, 41, 29))
    expect(parseTime('2016-06-22T20:41:29.5+02:00', 't')).toBe(Date.UTC(2016, 5, 22, 18, 41, 29, 500))
    expect(parseTime('1466620889.285982286', 't')).toBe(1466620889285)
    expect(parseTime('1466620889', 't')).toBe(1466620889000)
    for (const bad of ['2016-02-30T00:00:00Z', '2016-06-22 18:41:29Z', '2016-06-22T25:00:00Z', '2016-06-22T18:41:29.1234567890Z', '', 'yesterday', 1466620889]) {
      expect(() => parseTime(bad, 't'), String(bad)).toThrow(OandaParseError)
    }
    expect(formatTime(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('2024-01-02T03:04:05.006Z')
  })
})

describe('instruments', () => {
  it('tick from displayPrecision (not the pip), lot from tradeUnitsPrecision, OANDA details kept', () => {
    const eur = parseInstrument(EUR_USD_RAW, 'oanda', describeInstrument('EUR_USD'))
    expect(eur).toMatchObject({id: 'EUR_USD', venue: 'oanda', kind: 'fx', tickSize: 0.00001, lotSize: 1, minNotional: 0, multiplier: 1, quoteCurrency: 'USD', referencePrice: 1.08})
    expect(eur.oanda).toEqual({type: 'CURRENCY', displayPrecision: 5, pipLocation: -4, tradeUnitsPrecision: 0, minimumTradeSize: 1, marginRate: 0.0333, maximumOrderUnits: 100000000})
    expect(parseInstrument(USD_JPY_RAW, 'oanda').tickSize).toBe(0.001)
    const spx = parseInstrument(SPX_RAW, 'oanda')
    expect(spx).toMatchObject({kind: 'cfd', tickSize: 0.1, lotSize: 0.1, quoteCurrency: 'USD'})
    expect(spx.oanda.minimumTradeSize).toBe(0.1)
    // rick's own rounding works on these ticks without dust.
    expect(roundToTick(1.105234, eur.tickSize)).toBe(1.10523)
  })
  it('refuses a malformed instrument', () => {
    expect(() => parseInstrument({...EUR_USD_RAW, displayPrecision: '5'}, 'oanda')).toThrow(/displayPrecision: expected an integer/)
    expect(() => parseInstrument({...EUR_USD_RAW, type: 'CRYPTO'}, 'oanda')).toThrow(/type/)
    expect(() => parseInstrument({...EUR_USD_RAW, marginRate: '0'}, 'oanda')).toThrow(/marginRate/)
    expect(() => parseInstrument({...EUR_USD_RAW, minimumTradeSize: undefined}, 'oanda')).toThrow(/minimumTradeSize/)
    expect(() => parseInstrument({...EUR_USD_RAW, tradeUnitsPrecision: -1}, 'oanda')).toThrow(/out of range/)
    expect(() => parseInstrument([], 'oanda')).toThrow(/expected an object/)
  })
})

describe('order requests', () => {
  it('market: signed units, FOK for gtc/day, IOC for ioc, client extensions tagged rick', () => {
    expect(orderRequestBody(order(), EUR)).toEqual({type: 'MARKET', instrument: 'EUR_USD', units: '1000', timeInForce: 'FOK', positionFill: 'DEFAULT', clientExtensions: {id: 'run1-7', tag: 'rick'}})
    expect(orderRequestBody(order({side: 'sell', tif: 'day'}), EUR)).toMatchObject({units: '-1000', timeInForce: 'FOK'})
    expect(orderRequestBody(order({tif: 'ioc'}), EUR).timeInForce).toBe('IOC')
  })
  it('limit and stop: price at the display precision, gtc→GTC, day→GFD, ioc→IOC', () => {
    expect(orderRequestBody(order({type: 'limit', limitPrice: 1.1, tif: 'gtc'}), EUR)).toMatchObject({type: 'LIMIT', price: '1.10000', timeInForce: 'GTC'})
    expect(orderRequestBody(order({type: 'stop', stopPrice: 1.10523, tif: 'day', side: 'sell'}), EUR)).toMatchObject({type: 'STOP', price: '1.10523', units: '-1000', timeInForce: 'GFD'})
    expect(orderRequestBody(order({type: 'limit', limitPrice: 0.1 + 0.2, tif: 'ioc'}), EUR)).toMatchObject({price: '0.30000', timeInForce: 'IOC'})
  })
  it('units at the units precision, exactly', () => {
    expect(orderRequestBody(order({instrument: 'SPX500_USD', qty: 0.3}), SPX).units).toBe('0.3')
    expect(orderRequestBody(order({instrument: 'SPX500_USD', qty: 0.1 + 0.2, side: 'sell'}), SPX).units).toBe('-0.3')
    expect(orderRequestBody(order({instrument: 'SPX500_USD', qty: 12}), SPX).units).toBe('12.0')
    expect(orderRequestBody(order({qty: 123456789}), EUR).units).toBe('123456789')
  })
  it('bracket: take-profit and stop-loss on fill with their own client ids; reduce-only', () => {
    const b = orderRequestBody(order({type: 'limit', limitPrice: 1.1, bracket: {stopLoss: 1.095, takeProfit: 1.11}}), EUR)
    expect(b.takeProfitOnFill).toEqual({price: '1.11000', timeInForce: 'GTC', clientExtensions: {id: 'run1-7-tp', tag: 'rick'}})
    expect(b.stopLossOnFill).toEqual({price: '1.09500', timeInForce: 'GTC', clientExtensions: {id: 'run1-7-sl', tag: 'rick'}})
    expect(orderRequestBody(order({reduceOnly: true, side: 'sell'}), EUR).positionFill).toBe('REDUCE_ONLY')
  })
  it('refuses what OANDA cannot take as asked, never rounding an order', () => {
    const spec = (o: Partial<OrderRequest>): OrderSpecError => {
      try {
        orderRequestBody(order(o), EUR)
      } catch (e) {
        return e as OrderSpecError
      }
      throw new Error('no error')
    }
    expect(spec({qty: 1000.5})).toMatchObject({kind: 'InvalidOrder', message: expect.stringMatching(/more than 0 decimals/)})
    expect(spec({qty: 0}).kind).toBe('InvalidOrder')
    expect(spec({qty: Number.NaN}).kind).toBe('InvalidOrder')
    expect(spec({type: 'limit', limitPrice: 1.105235}).message).toMatch(/more than 5 decimals/)
    expect(spec({type: 'limit'}).message).toMatch(/needs a positive limitPrice/)
    expect(spec({type: 'stop', stopPrice: -1}).message).toMatch(/stopPrice/)
    expect(spec({type: 'stop-limit', stopPrice: 1.1, limitPrice: 1.1})).toMatchObject({kind: 'Unsupported'})
    expect(spec({type: 'limit', limitPrice: 1.1, postOnly: true})).toMatchObject({kind: 'Unsupported', message: expect.stringMatching(/no post-only/)})
    expect(spec({clientOrderId: 'a/b'}).message).toMatch(/clientOrderId/)
    expect(spec({clientOrderId: 'x'.repeat(126)}).message).toMatch(/clientOrderId/)
    expect(spec({tif: 'gtd' as never}).message).toMatch(/tif/)
    expect(spec({reduceOnly: true, bracket: {stopLoss: 1, takeProfit: 2}}).message).toMatch(/reduce-only/)
    expect(spec({bracket: {stopLoss: 1.0950001, takeProfit: 1.11}}).message).toMatch(/stopLoss/)
  })
})

// The create, fill and cancel of OANDA's order endpoint example (ids and values as documented).
const FILL = {
  accountBalance: '43650.69807', accountID: '101-004-1435156-001', batchID: '6373', financing: '0.00000', id: '6374', instrument: 'EUR_USD', orderID: '6373', pl: '0.00000',
  price: '1.13034', reason: 'MARKET_ORDER', time: '2016-06-22T18:41:29.285982286Z', tradeOpened: {tradeID: '6374', units: '100'}, type: 'ORDER_FILL', units: '100', userID: 1435156,
}
const CREATE = {
  accountID: '101-004-1435156-001', batchID: '6373', id: '6373', instrument: 'EUR_USD', positionFill: 'DEFAULT', reason: 'CLIENT_ORDER', time: '2016-06-22T18:41:29.264030555Z',
  timeInForce: 'FOK', type: 'MARKET_ORDER', units: '100', userID: 1435156, clientExtensions: {id: 'run1-7', tag: 'rick'},
}

describe('transactions → events', () => {
  it('an order create with a client id is an ack with the venue order id', () => {
    const tx = parseTransaction(CREATE)
    expect(tx).toMatchObject({id: '6373', seq: 6373, type: 'MARKET_ORDER', ts: Date.parse('2016-06-22T18:41:29.264Z')})
    expect(transactionEvents(tx)).toEqual([{kind: 'ack', clientOrderId: 'run1-7', venueOrderId: '6373', ts: tx.ts}])
    expect(transactionEvents(parseTransaction({...CREATE, clientExtensions: undefined}))).toEqual([])
  })
  it('a fill: fillId is the transaction id, units give side and qty, fee from commission + guaranteed execution fee', () => {
    const fill = parseFill(parseTransaction({...FILL, clientOrderID: 'run1-7', commission: '0.0150', guaranteedExecutionFee: '0.0025', financing: '-1.2345'}))
    expect(fill).toEqual({clientOrderId: 'run1-7', venueOrderId: '6373', fillId: '6374', instrument: 'EUR_USD', side: 'buy', qty: 100, price: 1.13034, fee: 17_500, liquidity: 'taker', ts: Date.UTC(2016, 5, 22, 18, 41, 29, 285)})
    const sell = parseFill(parseTransaction({...FILL, clientOrderID: 'x', units: '-250', tradeReduced: {tradeID: '1', units: '-250', price: '1.13030'}, tradeOpened: undefined}))
    expect(sell).toMatchObject({side: 'sell', qty: 250, price: 1.1303, fee: 0})
    expect(parseFill(parseTransaction(FILL))).toBeUndefined()
  })
  it('a fill over several trades is priced at their unit-weighted average', () => {
    const tx = parseTransaction({...FILL, clientOrderID: 'c', units: '-300', tradeOpened: {tradeID: '9', units: '-100', price: '1.20000'}, tradesClosed: [{tradeID: '7', units: '-200', price: '1.20003'}]})
    expect(parseFill(tx)?.price).toBeCloseTo(1.20002, 12)
    const broken = parseTransaction({...FILL, clientOrderID: 'c', units: '-300', tradeOpened: {tradeID: '9', units: '-100', price: '1.2'}})
    expect(parseFill(broken)?.price).toBe(1.13034)
  })
  it('refuses a fill it cannot trust', () => {
    expect(() => parseFill(parseTransaction({...FILL, clientOrderID: 'c', units: '0'}))).toThrow(/0 units/)
    expect(() => parseFill(parseTransaction({...FILL, clientOrderID: 'c', price: 'abc', tradeOpened: undefined}))).toThrow(/price/)
    expect(() => parseFill(parseTransaction({...FILL, clientOrderID: 'c', commission: 'free'}))).toThrow(/commission/)
    expect(() => parseTransaction({...FILL, id: 'x1'})).toThrow(/transaction id/)
    expect(() => parseTransaction({...FILL, time: 'now'})).toThrow(/time/)
  })
  it('*_ORDER_REJECT is a reject with OANDA\'s rejectReason as code', () => {
    const tx = parseTransaction({...CREATE, id: '6375', type: 'MARKET_ORDER_REJECT', rejectReason: 'INSUFFICIENT_MARGIN'})
    expect(transactionEvents(tx)).toEqual([{kind: 'reject', clientOrderId: 'run1-7', code: 'INSUFFICIENT_MARGIN', reason: 'OANDA MARKET_ORDER_REJECT: INSUFFICIENT_MARGIN', ts: tx.ts}])
    const limit = parseTransaction({...CREATE, type: 'LIMIT_ORDER_REJECT', rejectReason: 'PRICE_PRECISION_EXCEEDED'})
    expect(transactionEvents(limit)[0]).toMatchObject({kind: 'reject', code: 'PRICE_PRECISION_EXCEEDED'})
  })
  it('ORDER_CANCEL is a cancel with its reason; TIME_IN_FORCE_EXPIRED an expiry', () => {
    const base = {id: '6380', time: '2016-06-22T18:41:30Z', type: 'ORDER_CANCEL', orderID: '6379', clientOrderID: 'run1-8'}
    expect(transactionEvents(parseTransaction({...base, reason: 'CLIENT_REQUEST'}))).toEqual([{kind: 'cancel', clientOrderId: 'run1-8', reason: 'CLIENT_REQUEST', ts: Date.UTC(2016, 5, 22, 18, 41, 30)}])
    expect(transactionEvents(parseTransaction({...base, reason: 'LINKED_TRADE_CLOSED', clientOrderID: 'run1-8-sl'}))[0]).toMatchObject({kind: 'cancel', clientOrderId: 'run1-8-sl', reason: 'LINKED_TRADE_CLOSED'})
    expect(transactionEvents(parseTransaction({...base, reason: 'TIME_IN_FORCE_EXPIRED'}))).toEqual([{kind: 'expire', clientOrderId: 'run1-8', ts: Date.UTC(2016, 5, 22, 18, 41, 30)}])
    expect(transactionEvents(parseTransaction({...base, clientOrderID: undefined, reason: 'CLIENT_REQUEST'}))).toEqual([])
  })
  it('a take-profit / stop-loss created on fill acks <entry>-tp / <entry>-sl', () => {
    const tp = parseTransaction({id: '6375', time: '2016-06-22T18:41:29.285982286Z', type: 'TAKE_PROFIT_ORDER', tradeID: '6374', price: '1.14000', timeInForce: 'GTC', reason: 'ON_FILL', orderFillTransactionID: '6374', clientExtensions: {id: 'run1-7-tp', tag: 'rick'}})
    const sl = parseTransaction({id: '6376', time: '2016-06-22T18:41:29.285982286Z', type: 'STOP_LOSS_ORDER', tradeID: '6374', price: '1.12000', timeInForce: 'GTC', reason: 'ON_FILL', clientExtensions: {id: 'run1-7-sl', tag: 'rick'}})
    expect(transactionEvents(tp)).toEqual([{kind: 'ack', clientOrderId: 'run1-7-tp', venueOrderId: '6375', ts: tp.ts}])
    expect(transactionEvents(sl)[0]).toMatchObject({kind: 'ack', clientOrderId: 'run1-7-sl', venueOrderId: '6376'})
    expect(transactionClientId(tp)).toBe('run1-7-tp')
    expect(transactionClientId(parseTransaction({...FILL, clientOrderID: 'run1-7'}))).toBe('run1-7')
  })
  it('the account\'s other transactions give no event', () => {
    for (const type of ['DAILY_FINANCING', 'ORDER_CANCEL_REJECT', 'CLIENT_CONFIGURE', 'TRANSFER_FUNDS', 'MARGIN_CALL_ENTER', 'ORDER_CLIENT_EXTENSIONS_MODIFY']) {
      expect(transactionEvents(parseTransaction({id: '1', time: '2016-06-22T18:41:29Z', type, clientOrderID: 'run1-7'}))).toEqual([])
    }
  })
  it('stream lines: a heartbeat names the last transaction id', () => {
    expect(parseTransactionLine({type: 'HEARTBEAT', lastTransactionID: '6374', time: '2016-06-22T18:41:48.258142231Z'})).toEqual({kind: 'heartbeat', ts: Date.UTC(2016, 5, 22, 18, 41, 48, 258), lastTransactionID: '6374'})
    expect(parseTransactionLine(FILL)).toMatchObject({kind: 'transaction', tx: {id: '6374'}})
    expect(() => parseTransactionLine({type: 'HEARTBEAT', time: '2016-06-22T18:41:48Z'})).toThrow(/lastTransactionID/)
  })
})

describe('orders → OrderState', () => {
  const limit = {
    id: '6375', createTime: '2016-06-22T18:41:29.264030555Z', state: 'PENDING', type: 'LIMIT', instrument: 'EUR_USD', units: '-250', price: '1.13500', timeInForce: 'GTC',
    positionFill: 'DEFAULT', triggerCondition: 'DEFAULT', clientExtensions: {id: 'run1-9', tag: 'rick'}, takeProfitOnFill: {price: '1.12000', timeInForce: 'GTC'}, stopLossOnFill: {price: '1.14000', timeInForce: 'GTC'},
  }
  it('a pending limit is working, with its prices, bracket and venue id', () => {
    expect(orderState(limit)).toEqual({
      clientOrderId: 'run1-9', instrument: 'EUR_USD', side: 'sell', type: 'limit', qty: 250, tif: 'gtc', status: 'working', filledQty: 0, avgFillPrice: 0,
      venueOrderId: '6375', updatedAt: Date.UTC(2016, 5, 22, 18, 41, 29, 264), limitPrice: 1.135, bracket: {takeProfit: 1.12, stopLoss: 1.14},
    })
    expect(orderState({...limit, state: 'TRIGGERED'})?.status).toBe('working')
    expect(orderState({...limit, state: 'CANCELLED', cancelledTime: '2016-06-22T19:00:00Z'})).toMatchObject({status: 'cancelled', updatedAt: Date.UTC(2016, 5, 22, 19)})
    expect(orderState({...limit, type: 'STOP', timeInForce: 'GFD', positionFill: 'REDUCE_ONLY'})).toMatchObject({type: 'stop', stopPrice: 1.135, tif: 'day', reduceOnly: true})
  })
  it('a filled order carries its fill\'s size and price', () => {
    const fill = parseFill(parseTransaction({...FILL, clientOrderID: 'run1-7'}))
    const market = {id: '6373', createTime: CREATE.time, state: 'FILLED', type: 'MARKET', instrument: 'EUR_USD', units: '100', timeInForce: 'FOK', positionFill: 'DEFAULT', fillingTransactionID: '6374', filledTime: FILL.time, clientExtensions: {id: 'run1-7', tag: 'rick'}}
    expect(orderState(market, {fill})).toMatchObject({type: 'market', status: 'filled', filledQty: 100, avgFillPrice: 1.13034, tif: 'gtc', updatedAt: Date.UTC(2016, 5, 22, 18, 41, 29, 285)})
  })
  it('take-profit and stop-loss orders take instrument and size from their trade', () => {
    const trade = parseTrade({id: '6374', instrument: 'EUR_USD', price: '1.13034', openTime: FILL.time, initialUnits: '100', currentUnits: '100', state: 'OPEN'})
    const tp = {id: '6375', createTime: FILL.time, state: 'PENDING', type: 'TAKE_PROFIT', tradeID: '6374', price: '1.14000', timeInForce: 'GTC', triggerCondition: 'DEFAULT', clientExtensions: {id: 'run1-7-tp', tag: 'rick'}}
    expect(orderState(tp, {trade})).toMatchObject({clientOrderId: 'run1-7-tp', instrument: 'EUR_USD', side: 'sell', qty: 100, type: 'limit', limitPrice: 1.14, reduceOnly: true, parentId: 'run1-7'})
    expect(orderState({...tp, type: 'STOP_LOSS', clientExtensions: {id: 'run1-7-sl', tag: 'rick'}}, {trade})).toMatchObject({type: 'stop', stopPrice: 1.14, side: 'sell', parentId: 'run1-7'})
    expect(() => orderState(tp)).toThrow(/needs its trade/)
    expect(parseTrade({id: '1', instrument: 'EUR_USD', initialUnits: '-50', currentUnits: '0'}).units).toBe(-50)
  })
  it('orders without a client id, or of types rick never sends, are not rick\'s', () => {
    expect(orderState({...limit, clientExtensions: undefined})).toBeUndefined()
    expect(orderState({...limit, type: 'MARKET_IF_TOUCHED'})).toBeUndefined()
    expect(isRickOrder(limit)).toBe(true)
    expect(isRickOrder({...limit, clientExtensions: {id: 'mine', tag: 'manual'}})).toBe(false)
    expect(() => orderState({...limit, state: 'PARTIALLY_FILLED'})).toThrow(/state/)
    expect(() => orderState({...limit, units: '1e3'})).toThrow(/units/)
  })
})

describe('positions and account', () => {
  it('net position from long and short units, average price of the side it is on', () => {
    const side = (units: string, averagePrice?: string) => ({units, averagePrice, pl: '0', unrealizedPL: '0', resettablePL: '0', tradeIDs: []})
    expect(parsePosition({instrument: 'EUR_USD', long: side('1000', '1.10010'), short: side('0')})).toEqual({instrument: 'EUR_USD', qty: 1000, avgPrice: 1.1001})
    expect(parsePosition({instrument: 'USD_JPY', long: side('0'), short: side('-250', '150.123')})).toEqual({instrument: 'USD_JPY', qty: -250, avgPrice: 150.123})
    expect(parsePosition({instrument: 'EUR_USD', long: side('300', '1.1'), short: side('-100', '1.2')})).toEqual({instrument: 'EUR_USD', qty: 200, avgPrice: 1.1})
    expect(parsePosition({instrument: 'EUR_USD', long: side('0'), short: side('0')})).toBeUndefined()
    expect(() => parsePosition({instrument: 'EUR_USD', long: side('10'), short: side('0')})).toThrow(/averagePrice/)
    expect(() => parsePosition({instrument: 'EUR_USD', long: side('10', '1.1')})).toThrow(/short/)
  })
  it('account summary: balance → cash, NAV → equity, marginAvailable → buying power, in micro units', () => {
    const a = parseAccountSummary({id: '101-004-1435156-001', currency: 'USD', balance: '100000.1234565', NAV: '99990.5', marginAvailable: '96653.0', unrealizedPL: '-9.6234565', lastTransactionID: '6374', openTradeCount: 1})
    expect(a).toEqual({snapshot: {currency: 'USD', cash: 100_000_123_457, equity: 99_990_500_000, buyingPower: 96_653_000_000}, lastTransactionID: '6374'})
    expect(() => parseAccountSummary({currency: 'USD', balance: 'lots', NAV: '1', lastTransactionID: '1'})).toThrow(/balance/)
    expect(() => parseAccountSummary({currency: 'USD', balance: '1', NAV: '1'})).toThrow(/lastTransactionID/)
  })
})

describe('candles and prices', () => {
  const candle = (time: string, o: string, h: string, l: string, c: string, complete = true, volume = 10) => ({complete, volume, time, mid: {o, h, l, c}})
  it('complete mid candles only, oldest first', () => {
    const body = {instrument: 'EUR_USD', granularity: 'M1', candles: [candle('2016-10-17T15:16:00.000000000Z', '1.09946', '1.09952', '1.09942', '1.09950'), candle('2016-10-17T15:17:00.000000000Z', '1.09950', '1.09960', '1.09949', '1.09955', false)]}
    expect(parseCandles(body, 'EUR_USD')).toEqual([{instrument: 'EUR_USD', ts: Date.UTC(2016, 9, 17, 15, 16), open: 1.09946, high: 1.09952, low: 1.09942, close: 1.0995, volume: 10}])
    expect(parseCandles({candles: [candle('1476717360.000000000', '1', '2', '0.5', '1.5')]}, 'X')[0]?.ts).toBe(1476717360000)
  })
  it('refuses malformed candles', () => {
    expect(() => parseCandles({candles: [candle('2016-10-17T15:16:00Z', '1.1', '1.0', '1.05', '1.1')]}, 'X')).toThrow(/inconsistent/)
    expect(() => parseCandles({candles: [{time: '2016-10-17T15:16:00Z', complete: true, volume: 1, bid: {o: '1', h: '1', l: '1', c: '1'}}]}, 'X')).toThrow(/mid/)
    expect(() => parseCandles({candles: [{...candle('2016-10-17T15:16:00Z', '1', '1', '1', '1'), complete: 'true'}]}, 'X')).toThrow(/complete/)
    expect(() => parseCandles({candles: [candle('2016-10-17T15:17:00Z', '1', '1', '1', '1'), candle('2016-10-17T15:16:00Z', '1', '1', '1', '1')]}, 'X')).toThrow(/not after/)
    expect(() => parseCandles({}, 'X')).toThrow(/candles/)
    expect(() => parseCandles({candles: [candle('2016-10-17T15:16:00Z', '1', 'NaN', '1', '1')]}, 'X')).toThrow(/mid.h/)
  })
  it('granularities for rick\'s bar periods', () => {
    expect([5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000, 86_400_000].map(granularityFor)).toEqual(['S5', 'S15', 'M1', 'M5', 'M15', 'H1', 'D'])
    expect(granularityFor(7_000)).toBeUndefined()
    expect(granularityFor(604_800_000)).toBeUndefined()
  })
  it('a PRICE line is a tick: best bid and ask, mid as price, the venue\'s time', () => {
    const line = {
      type: 'PRICE', instrument: 'EUR_USD', time: '2016-09-20T15:05:47.960449532Z', status: 'tradeable', tradeable: true, closeoutBid: '1.11635', closeoutAsk: '1.11656',
      bids: [{liquidity: 10000000, price: '1.11644'}, {liquidity: 10000000, price: '1.11643'}], asks: [{liquidity: 10000000, price: '1.11650'}, {liquidity: 10000000, price: '1.11651'}],
    }
    expect(parsePricingLine(line)).toEqual({kind: 'price', instrument: 'EUR_USD', tick: {instrument: 'EUR_USD', ts: Date.UTC(2016, 8, 20, 15, 5, 47, 960), bid: 1.11644, ask: 1.1165, price: (1.11644 + 1.1165) / 2, volume: 0}})
    expect(parsePricingLine({...line, bids: [{price: '1.11643'}, {price: '1.11644'}]})).toMatchObject({tick: {bid: 1.11644}})
    expect(parsePricingLine({...line, asks: []})).toEqual({kind: 'price', instrument: 'EUR_USD', tick: undefined})
    expect(parsePricingLine({type: 'HEARTBEAT', time: '2016-09-20T15:05:50.163791738Z'})).toEqual({kind: 'heartbeat', ts: Date.UTC(2016, 8, 20, 15, 5, 50, 163)})
    expect(() => parsePricingLine({...line, bids: [{price: '-1'}]})).toThrow(/positive/)
    expect(() => parsePricingLine({...line, bids: 'x'})).toThrow(/bids/)
    expect(() => parsePricingLine({...line, type: 'PRICES'})).toThrow(/PRICE or HEARTBEAT/)
    expect(() => parsePricingLine({...line, time: undefined})).toThrow(/time/)
  })
})
