// TWS payloads (as @stoqey/ib decodes them) as rick's domain model: contracts and their details,
// trading hours, TWS's time formats, decimal amounts. Pure functions; everything the socket says is
// read defensively (a field may be missing, a number may come as a string).
//
// Money: TWS sends amounts as decimal text (account values) or doubles (commissions); they become
// integer micro units here, once (decimalToMicro reads the decimal text exactly, without a float).
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import type {Micro} from '../../../src/foundation/domain/money.js'
import {instrumentId} from './instruments.js'

/** A contract as rick sends it to TWS and reads it back (the fields rick uses, @stoqey/ib's names). */
export interface IbContract {
  conId?: number
  symbol?: string
  secType?: string
  lastTradeDateOrContractMonth?: string
  strike?: number
  right?: string
  multiplier?: number | string
  exchange?: string
  primaryExch?: string
  currency?: string
  localSymbol?: string
  tradingClass?: string
}

/** One trading session in epoch ms, [open, close). */
export interface Session {
  open: number
  close: number
}

/** An instrument as qualified by TWS: rick's fields plus what orders and data requests need. */
export interface IbkrInstrument extends Instrument {
  ibkr: {
    conId: number
    contract: IbContract
    secType: string
    /** TWS's time zone of the contract (e.g. US/Central). */
    timeZone: string
    /** Sessions from the contract's trading hours (the next few days TWS lists). */
    sessions: Session[]
    /** TRADES for what trades on an exchange, MIDPOINT for FX (no trades), for bars and history. */
    whatToShow: 'TRADES' | 'MIDPOINT'
  }
}

export class ParseError extends Error {}

export const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '')
export const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN)
export const rec = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {})

/** The contract to ask TWS about for one configured instrument (sector.instruments[i]). */
export function contractOfSpec(spec: Record<string, unknown>): IbContract {
  const c: IbContract = {symbol: str(spec.symbol), secType: str(spec.secType), exchange: str(spec.exchange), currency: str(spec.currency)}
  if (spec.lastTradeDateOrContractMonth !== undefined) c.lastTradeDateOrContractMonth = str(spec.lastTradeDateOrContractMonth)
  if (spec.multiplier !== undefined) c.multiplier = str(spec.multiplier)
  if (spec.localSymbol !== undefined) c.localSymbol = str(spec.localSymbol)
  if (spec.primaryExchange !== undefined) c.primaryExch = str(spec.primaryExchange)
  if (spec.strike !== undefined) c.strike = num(spec.strike)
  if (spec.right !== undefined) c.right = str(spec.right)
  return c
}

/**
 * The configured instrument refined by TWS's contract details: the tick (minTick), the multiplier,
 * the size increment and the trading hours. TWS answers every contract that matches; one conId is
 * needed, so a query that matches several (a future without its month, a stock on several
 * exchanges) is an error naming what to add.
 */
export function qualify(base: Instrument, answers: readonly unknown[]): IbkrInstrument {
  const byConId = new Map<number, Record<string, unknown>>()
  for (const a of answers) {
    const d = rec(a)
    const conId = num(rec(d.contract).conId)
    if (Number.isInteger(conId) && conId > 0) byConId.set(conId, d)
  }
  if (byConId.size === 0) throw new ParseError(`TWS knows no contract for ${base.id}`)
  if (byConId.size > 1) {
    const which = [...byConId.values()].map((d) => describeContract(rec(d.contract))).join('; ')
    throw new ParseError(`${base.id} matches ${byConId.size} contracts at TWS (${which}); make it unique with localSymbol, primaryExchange, multiplier or the full expiry`)
  }
  const [conId, d] = [...byConId.entries()][0] as [number, Record<string, unknown>]
  const c = rec(d.contract)
  const minTick = num(d.minTick)
  if (!(minTick > 0)) throw new ParseError(`${base.id}: TWS gave no minimum tick (minTick ${str(d.minTick) || 'missing'})`)
  const multiplier = num(c.multiplier)
  const increment = num(d.sizeIncrement)
  const secType = str(c.secType) || 'STK'
  const timeZone = str(d.timeZoneId)
  const contract: IbContract = {conId, symbol: str(c.symbol), secType, exchange: str(c.exchange), currency: str(c.currency)}
  for (const k of ['lastTradeDateOrContractMonth', 'localSymbol', 'tradingClass', 'primaryExch', 'right'] as const) if (str(c[k]) !== '') contract[k] = str(c[k])
  if (multiplier > 0) contract.multiplier = str(c.multiplier)
  if (num(c.strike) > 0) contract.strike = num(c.strike)
  let sessions: Session[] = []
  try {
    sessions = parseTradingHours(str(d.tradingHours), timeZone)
  } catch {
    sessions = []
  }
  return {
    ...base,
    tickSize: minTick,
    multiplier: multiplier > 0 ? multiplier : base.multiplier,
    lotSize: increment > 0 && increment >= 1 ? increment : 1,
    quoteCurrency: str(c.currency) || base.quoteCurrency,
    ibkr: {conId, contract, secType, timeZone, sessions, whatToShow: secType === 'CASH' ? 'MIDPOINT' : 'TRADES'},
  }
}

function describeContract(c: Record<string, unknown>): string {
  return [str(c.localSymbol) || str(c.symbol), str(c.secType), str(c.lastTradeDateOrContractMonth), str(c.exchange), `conId ${str(c.conId)}`].filter((x) => x !== '').join(' ')
}

/** rick's id of a contract TWS reports (positions, executions): the configured one by conId, else built from its fields. */
export function idOfContract(contract: unknown, byConId: ReadonlyMap<number, string>): string {
  const c = rec(contract)
  const known = byConId.get(num(c.conId))
  if (known !== undefined) return known
  return instrumentId({...c, strike: c.strike})
}

/**
 * TWS's trading hours, `20261207:1700-20261208:1600;20261208:CLOSED;…`, in the contract's time zone
 * (`timeZoneId`, e.g. US/Central), as sessions in epoch ms. Older TWS wrote `20261207:0930-1600`
 * (same day); both are read.
 */
export function parseTradingHours(text: string, timeZone: string): Session[] {
  const out: Session[] = []
  for (const part of text.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
    if (/^\d{8}:CLOSED$/.test(part)) continue
    let m = /^(\d{8}):(\d{4})-(\d{8}):(\d{4})$/.exec(part)
    if (m === null) {
      const same = /^(\d{8}):(\d{4})-(\d{4})$/.exec(part)
      if (same === null) throw new ParseError(`trading hours: cannot read ${JSON.stringify(part)}`)
      m = [part, same[1] as string, same[2] as string, same[1] as string, same[3] as string] as unknown as RegExpExecArray
    }
    const open = zonedEpoch(m[1] as string, m[2] as string, timeZone)
    const close = zonedEpoch(m[3] as string, m[4] as string, timeZone)
    if (close > open) out.push({open, close})
  }
  return out.sort((a, b) => a.open - b.open)
}

/** `yyyymmdd` and `hhmm` (or `hh:mm:ss`) in an IANA/TWS time zone, as epoch ms. */
export function zonedEpoch(date: string, time: string, timeZone: string): number {
  const d = /^(\d{4})(\d{2})(\d{2})$/.exec(date)
  const t = /^(\d{2}):?(\d{2})(?::?(\d{2}))?$/.exec(time)
  if (d === null || t === null) throw new ParseError(`cannot read the time ${date} ${time}`)
  const asUtc = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3] ?? 0))
  const zone = tzName(timeZone)
  if (zone === 'UTC') return asUtc
  // The zone's offset at that wall time: once for a first guess, again at the guess (DST edges).
  const first = asUtc - offsetMs(asUtc, zone)
  return asUtc - offsetMs(first, zone)
}

/** TWS's zone names that are not IANA names. */
const TZ_ALIASES: Readonly<Record<string, string>> = {EST: 'America/New_York', EST5EDT: 'America/New_York', CST: 'America/Chicago', CST6CDT: 'America/Chicago', MET: 'Europe/Berlin', GMT: 'UTC', 'Europe/Kiev': 'Europe/Kyiv'}

function tzName(tz: string): string {
  const name = TZ_ALIASES[tz] ?? (tz === '' ? 'UTC' : tz)
  try {
    new Intl.DateTimeFormat('en-US', {timeZone: name})
    return name
  } catch {
    throw new ParseError(`unknown time zone ${JSON.stringify(tz)}`)
  }
}

const FORMATS = new Map<string, Intl.DateTimeFormat>()

/** How far the zone is ahead of UTC at an instant, in ms. */
function offsetMs(at: number, zone: string): number {
  let f = FORMATS.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'})
    FORMATS.set(zone, f)
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]))
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second))
  return wall - Math.floor(at / 1000) * 1000
}

/**
 * A time as TWS writes it, in epoch ms: `20261208 14:30:05 US/Eastern` (an execution, a bar), the
 * same without a zone (`20261208  14:30:05`: TWS's login zone, which rick cannot know: taken as
 * `fallbackZone`), `20261208-14:30:05` (UTC), or epoch seconds (`1796745005`).
 */
export function parseTwsTime(text: string, fallbackZone = 'UTC'): number {
  const s = text.trim()
  if (/^\d{9,11}$/.test(s)) return Number(s) * 1000
  let m = /^(\d{8})-(\d{2}:\d{2}:\d{2})$/.exec(s)
  if (m !== null) return zonedEpoch(m[1] as string, m[2] as string, 'UTC')
  m = /^(\d{8})\s+(\d{2}:\d{2}:\d{2})(?:\s+(\S+))?$/.exec(s)
  if (m !== null) return zonedEpoch(m[1] as string, m[2] as string, m[3] ?? fallbackZone)
  m = /^(\d{8})$/.exec(s)
  if (m !== null) return zonedEpoch(m[1] as string, '0000', fallbackZone)
  throw new ParseError(`cannot read the TWS time ${JSON.stringify(text)}`)
}

/** Epoch ms as TWS's UTC form `yyyymmdd-hh:mm:ss` (execution filters, history end times). */
export function formatUtc(ts: number): string {
  const d = new Date(ts)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
}

/**
 * A decimal amount as integer micro units, read from its text (no float on the way), rounded half
 * away from zero at the sixth decimal. `1234.5678901` → 1_234_567_890. NaN for what is not a number.
 */
export function decimalToMicro(value: string | number): Micro {
  const text = typeof value === 'number' ? numberText(value) : value.trim()
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (m === null || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return Number.NaN
  if (m[4] !== undefined) return Math.round(Number(text) * 1_000_000)
  const negative = m[1] === '-'
  const whole = m[2] === '' || m[2] === undefined ? '0' : m[2]
  const frac = (m[3] ?? '').padEnd(7, '0')
  let micro = Number(whole) * 1_000_000 + Number(frac.slice(0, 6))
  if (Number(frac[6]) >= 5) micro += 1
  return negative ? -micro : micro
}

/** A double as the shortest text that reads back as it (what TWS meant: 1.25, not 1.2499999). */
function numberText(n: number): string {
  return Number.isFinite(n) ? String(n) : 'x'
}
