// The simulator's contracts: CME/CBOT equity index futures (the micro and e-mini quarterly months
// H/M/U/Z, the front four listed from the sim's start date), US stocks and ETFs routed SMART, and
// EUR.USD on IDEALPRO. conIds of stocks and EUR.USD are IBKR's own; futures get a fixed conId made
// from the local symbol (IBKR's are arbitrary numbers too), so they do not change with the seed.
// Margins are IBKR's approximate requirements for a US retail account (mid 2024); what matters for
// the simulation is that an account without the initial margin is refused (201).
import type {SimContract, SimContractDetails} from './seam.js'
import {CME_EQUITY, IDEALPRO, liquidHours, tradingHours, US_STOCK, type SessionRule} from './hours.js'

export interface Product {
  contract: SimContract
  minTick: number
  /** Numeric multiplier (1 when the contract has none). */
  multiplier: number
  session: SessionRule
  /** Where the price path starts, and its annualised volatility. */
  referencePrice: number
  annualVol: number
  spreadTicks: number
  /** Futures and FX: USD per contract/unit. Stocks: a fraction of the position's value. */
  initMargin: number
  maintMargin: number
  marginIsRate: boolean
  /** Futures: the exchange's and the regulator's fee per contract (USD), commissions.ts adds IBKR's. */
  exchangeFee: number
  longName: string
  industry: string
  category: string
  subcategory: string
  stockType: string
  /** Futures: the last trade date YYYYMMDD and the month YYYYMM. */
  lastTradeDate: string
  contractMonth: string
  validExchanges: string
}

interface FutureSpec {
  exchange: string
  multiplier: string
  minTick: number
  reference: number
  vol: number
  init: number
  maint: number
  /** CME/CBOT exchange fee per contract for a non-member (USD). */
  fee: number
  name: string
}

export const FUTURES: Readonly<Record<string, FutureSpec>> = {
  MES: {exchange: 'CME', multiplier: '5', minTick: 0.25, reference: 5000, vol: 0.16, init: 2_500, maint: 2_270, fee: 0.35, name: 'Micro E-Mini S&P 500 Stock Price Index'},
  ES: {exchange: 'CME', multiplier: '50', minTick: 0.25, reference: 5000, vol: 0.16, init: 25_000, maint: 22_700, fee: 1.38, name: 'E-mini S&P 500'},
  MNQ: {exchange: 'CME', multiplier: '2', minTick: 0.25, reference: 18000, vol: 0.2, init: 3_700, maint: 3_360, fee: 0.35, name: 'Micro E-Mini Nasdaq-100 Index'},
  NQ: {exchange: 'CME', multiplier: '20', minTick: 0.25, reference: 18000, vol: 0.2, init: 37_000, maint: 33_600, fee: 1.38, name: 'E-mini Nasdaq-100'},
  M2K: {exchange: 'CME', multiplier: '5', minTick: 0.1, reference: 2000, vol: 0.22, init: 1_000, maint: 900, fee: 0.35, name: 'Micro E-Mini Russell 2000 Index'},
  RTY: {exchange: 'CME', multiplier: '50', minTick: 0.1, reference: 2000, vol: 0.22, init: 10_000, maint: 9_000, fee: 1.38, name: 'E-mini Russell 2000 Index'},
  MYM: {exchange: 'CBOT', multiplier: '0.5', minTick: 1, reference: 39000, vol: 0.15, init: 1_600, maint: 1_450, fee: 0.35, name: 'Micro E-Mini Dow Jones Industrial Average Index'},
  YM: {exchange: 'CBOT', multiplier: '5', minTick: 1, reference: 39000, vol: 0.15, init: 16_000, maint: 14_500, fee: 1.38, name: 'E-mini Dow Jones Industrial Average'},
}

interface StockSpec {
  conId: number
  primary: string
  reference: number
  etf: boolean
  name: string
}

export const STOCKS: Readonly<Record<string, StockSpec>> = {
  SPY: {conId: 756733, primary: 'ARCA', reference: 500, etf: true, name: 'SPDR S&P 500 ETF TRUST'},
  QQQ: {conId: 320227571, primary: 'NASDAQ', reference: 440, etf: true, name: 'INVESCO QQQ TRUST SERIES 1'},
  IWM: {conId: 9579970, primary: 'ARCA', reference: 200, etf: true, name: 'ISHARES RUSSELL 2000 ETF'},
  DIA: {conId: 73128548, primary: 'ARCA', reference: 390, etf: true, name: 'SPDR DJ INDUSTRIAL AVERAGE'},
  AAPL: {conId: 265598, primary: 'NASDAQ', reference: 190, etf: false, name: 'APPLE INC'},
  MSFT: {conId: 272093, primary: 'NASDAQ', reference: 420, etf: false, name: 'MICROSOFT CORP'},
  NVDA: {conId: 4815747, primary: 'NASDAQ', reference: 900, etf: false, name: 'NVIDIA CORP'},
  AMZN: {conId: 3691937, primary: 'NASDAQ', reference: 180, etf: false, name: 'AMAZON.COM INC'},
  TSLA: {conId: 76792991, primary: 'NASDAQ', reference: 180, etf: false, name: 'TESLA INC'},
}

const MONTH_CODES = 'FGHJKMNQUVXZ'
const QUARTERLY = [3, 6, 9, 12]
const LISTED_MONTHS = 4
const ORDER_TYPES = 'ACTIVETIM,AD,ADJUST,ALERT,ALLOC,AVGCOST,BASKET,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,IOC,LIT,LMT,MIT,MKT,MTL,NONALGO,OCA,SCALE,SCALERST,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF'
const STOCK_EXCHANGES = 'SMART,AMEX,NYSE,CBOE,PHLX,ISE,CHX,ARCA,ISLAND,DRCTEDGE,BEX,BATS,EDGEA,BYX,IEX,LTSE,MEMX,PEARL'

/** FNV-1a of a text: fixed ids that do not depend on the seed. */
export function hashText(text: string, seed = 0): number {
  let h = 0x811c9dc5 ^ (seed >>> 0)
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** Third Friday of a month (CME equity index futures' last trade date), as YYYYMMDD. */
export function thirdFriday(year: number, month: number): string {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay()
  const day = 1 + ((5 - first + 7) % 7) + 14
  return `${year}${pad2(month)}${pad2(day)}`
}

/** The quarterly months listed at `ts`: the first one whose last trade date is not yet past, and the next ones. */
export function listedQuarters(ts: number, count = LISTED_MONTHS): Array<{year: number; month: number; lastTradeDate: string}> {
  const d = new Date(ts)
  const today = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`
  const out: Array<{year: number; month: number; lastTradeDate: string}> = []
  let year = d.getUTCFullYear()
  let q = QUARTERLY.findIndex((m) => m >= d.getUTCMonth() + 1)
  while (out.length < count) {
    const month = QUARTERLY[q] as number
    const last = thirdFriday(year, month)
    if (last >= today) out.push({year, month, lastTradeDate: last})
    if (++q === QUARTERLY.length) {
      q = 0
      year++
    }
  }
  return out
}

function emptyContract(): SimContract {
  return {conId: 0, symbol: '', secType: '', lastTradeDateOrContractMonth: '', strike: 0, right: '', multiplier: '', exchange: '', primaryExchange: '', currency: 'USD', localSymbol: '', tradingClass: ''}
}

function future(symbol: string, spec: FutureSpec, q: {year: number; month: number; lastTradeDate: string}): Product {
  const localSymbol = `${symbol}${MONTH_CODES[q.month - 1]}${q.year % 10}`
  const contractMonth = `${q.year}${pad2(q.month)}`
  return {
    contract: {...emptyContract(), conId: 600_000_000 + (hashText(`${localSymbol}:${q.year}`) % 100_000_000), symbol, secType: 'FUT', lastTradeDateOrContractMonth: q.lastTradeDate, multiplier: spec.multiplier, exchange: spec.exchange, localSymbol, tradingClass: symbol},
    minTick: spec.minTick,
    multiplier: Number(spec.multiplier),
    session: CME_EQUITY,
    referencePrice: spec.reference,
    annualVol: spec.vol,
    spreadTicks: 1,
    initMargin: spec.init,
    maintMargin: spec.maint,
    marginIsRate: false,
    exchangeFee: spec.fee,
    longName: spec.name,
    industry: '',
    category: '',
    subcategory: '',
    stockType: '',
    lastTradeDate: q.lastTradeDate,
    contractMonth,
    validExchanges: spec.exchange,
  }
}

function stock(symbol: string, spec: StockSpec): Product {
  return {
    contract: {...emptyContract(), conId: spec.conId, symbol, secType: 'STK', exchange: 'SMART', primaryExchange: spec.primary, localSymbol: symbol, tradingClass: spec.primary === 'NASDAQ' ? 'NMS' : symbol},
    minTick: 0.01,
    multiplier: 1,
    session: US_STOCK,
    referencePrice: spec.reference,
    annualVol: spec.etf ? 0.16 : 0.3,
    spreadTicks: 1,
    // Reg T: 50 % initial, 25 % maintenance.
    initMargin: 0.5,
    maintMargin: 0.25,
    marginIsRate: true,
    exchangeFee: 0,
    longName: spec.name,
    industry: spec.etf ? 'Funds' : 'Technology',
    category: spec.etf ? 'Equity Fund' : 'Computers',
    subcategory: spec.etf ? 'Growth-Large Cap' : 'Computers',
    stockType: spec.etf ? 'ETF' : 'COMMON',
    lastTradeDate: '',
    contractMonth: '',
    validExchanges: STOCK_EXCHANGES,
  }
}

function eurUsd(): Product {
  return {
    contract: {...emptyContract(), conId: 12087792, symbol: 'EUR', secType: 'CASH', exchange: 'IDEALPRO', localSymbol: 'EUR.USD', tradingClass: 'EUR.USD'},
    minTick: 0.00005,
    multiplier: 1,
    session: IDEALPRO,
    referencePrice: 1.08,
    annualVol: 0.08,
    spreadTicks: 2,
    // IBKR's FX margin for EUR.USD: about 3 % initial, 2.5 % maintenance.
    initMargin: 0.03,
    maintMargin: 0.025,
    marginIsRate: true,
    exchangeFee: 0,
    longName: 'European Monetary Union Euro',
    industry: '',
    category: '',
    subcategory: '',
    stockType: '',
    lastTradeDate: '',
    contractMonth: '',
    validExchanges: 'IDEALPRO',
  }
}

export class Catalogue {
  private readonly byConId = new Map<number, Product>()

  /** Everything the sim can trade at `startTs` (futures: the quarterly months listed then). */
  constructor(startTs: number) {
    const quarters = listedQuarters(startTs)
    for (const [symbol, spec] of Object.entries(FUTURES)) for (const q of quarters) this.add(future(symbol, spec, q))
    for (const [symbol, spec] of Object.entries(STOCKS)) this.add(stock(symbol, spec))
    this.add(eurUsd())
  }

  private add(p: Product): void {
    this.byConId.set(p.contract.conId, p)
  }

  get(conId: number): Product | undefined {
    return this.byConId.get(conId)
  }

  all(): Product[] {
    return [...this.byConId.values()]
  }

  /** A rick instrument id (`MES-202612`, `SPY`, `EUR.USD`; a future without a month is its front month). */
  byInstrumentId(id: string): Product | undefined {
    const fut = /^([A-Z0-9]+)-(\d{6})$/.exec(id)
    if (fut) return this.find({...emptyContract(), symbol: fut[1] as string, secType: 'FUT', lastTradeDateOrContractMonth: fut[2] as string})[0]
    const fx = /^([A-Z]{3})\.([A-Z]{3})$/.exec(id)
    if (fx) return this.find({...emptyContract(), symbol: fx[1] as string, secType: 'CASH', currency: fx[2] as string})[0]
    if (FUTURES[id] !== undefined) return this.front(id)
    return this.find({...emptyContract(), symbol: id, secType: 'STK'})[0]
  }

  /** The front month of a future. */
  front(symbol: string): Product | undefined {
    return this.find({...emptyContract(), symbol, secType: 'FUT'}).sort((a, b) => a.lastTradeDate.localeCompare(b.lastTradeDate))[0]
  }

  /**
   * The contracts a query names, as TWS matches reqContractDetails: by conId alone when one is
   * given; otherwise every field that is set must agree (symbol, secType, exchange — SMART
   * matches any stock —, primaryExchange, currency, the expiry as a month YYYYMM or a last trade
   * date YYYYMMDD, localSymbol, tradingClass, multiplier). A future without an expiry matches every
   * listed month. No symbol and no localSymbol names nothing.
   */
  find(q: SimContract): Product[] {
    if (q.conId > 0) {
      const p = this.byConId.get(q.conId)
      return p === undefined ? [] : [p]
    }
    const symbol = q.symbol.toUpperCase()
    const local = q.localSymbol.toUpperCase()
    if (symbol === '' && local === '') return []
    const exchange = q.exchange.toUpperCase()
    const expiry = q.lastTradeDateOrContractMonth
    return this.all().filter((p) => {
      const c = p.contract
      if (symbol !== '' && c.symbol !== symbol) return false
      if (local !== '' && c.localSymbol !== local) return false
      if (q.secType !== '' && c.secType !== q.secType.toUpperCase()) return false
      if (exchange !== '' && exchange !== c.exchange && !(c.secType === 'STK' && (exchange === c.primaryExchange || p.validExchanges.split(',').includes(exchange)))) return false
      if (q.primaryExchange !== '' && c.primaryExchange !== q.primaryExchange.toUpperCase()) return false
      if (q.currency !== '' && c.currency !== q.currency.toUpperCase()) return false
      if (q.tradingClass !== '' && c.tradingClass !== q.tradingClass.toUpperCase()) return false
      if (q.multiplier !== '' && Number(q.multiplier) !== p.multiplier) return false
      if (expiry !== '') {
        if (c.secType !== 'FUT') return false
        if (expiry.length === 6 ? p.contractMonth !== expiry : p.lastTradeDate !== expiry) return false
      }
      return true
    })
  }

  /** reqContractDetails: [] for an unknown contract (the wire answers error 200). */
  details(q: SimContract, now: number): SimContractDetails[] {
    return this.find(q).map((p) => detailsOf(p, now))
  }
}

export function detailsOf(p: Product, now: number): SimContractDetails {
  const c = p.contract
  const fut = c.secType === 'FUT'
  return {
    contract: {...c},
    marketName: fut ? c.tradingClass : c.secType === 'CASH' ? c.localSymbol : c.tradingClass,
    minTick: p.minTick,
    minSize: '1',
    sizeIncrement: '1',
    priceMagnifier: 1,
    orderTypes: ORDER_TYPES,
    validExchanges: p.validExchanges,
    longName: p.longName,
    contractMonth: p.contractMonth,
    industry: p.industry,
    category: p.category,
    subcategory: p.subcategory,
    timeZoneId: p.session.twsZone,
    tradingHours: tradingHours(p.session, now),
    liquidHours: liquidHours(p.session, now),
    realExpirationDate: p.lastTradeDate,
    underConId: fut ? 500_000_000 + (hashText(`${c.symbol}:IND`) % 100_000_000) : 0,
    underSymbol: fut ? c.symbol : '',
    underSecType: fut ? 'IND' : '',
    stockType: p.stockType,
  }
}
