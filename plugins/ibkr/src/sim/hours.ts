// Exchange time for the IBKR simulator: wall-clock times in the exchange's zone (US/Central for
// CME, US/Eastern for US stocks), and the trading / liquid hours TWS writes in contract details:
// `20261207:1700-20261208:1600;20261208:1700-20261209:1600;20261212:CLOSED` — one entry per
// calendar day in the exchange's zone, a session named by the day it ends on (a CME Globex
// session opening Sunday 17:00 CT is Monday's), a day without a session `YYYYMMDD:CLOSED`.
// Holidays are not modelled: every weekday trades.
//
// Zone offsets come from Intl (the tz database), a pure function of the instant, so a sim run is
// the same whatever zone this machine is in.

export interface SessionRule {
  /** IANA zone the hours are in. */
  zone: string
  /** TWS's name of it (contract details' timeZoneId). */
  twsZone: string
  /** Minutes after local midnight. `open > close`: the session opens the evening before. */
  tradingOpen: number
  tradingClose: number
  liquidOpen: number
  liquidClose: number
}

/** CME Globex equity index futures: Sun–Fri 17:00–16:00 CT, regular hours 08:30–15:00 CT. */
export const CME_EQUITY: SessionRule = {zone: 'America/Chicago', twsZone: 'US/Central', tradingOpen: 17 * 60, tradingClose: 16 * 60, liquidOpen: 8 * 60 + 30, liquidClose: 15 * 60}
/** US stocks at TWS: 04:00–20:00 ET with extended hours, regular 09:30–16:00 ET. */
export const US_STOCK: SessionRule = {zone: 'America/New_York', twsZone: 'US/Eastern', tradingOpen: 4 * 60, tradingClose: 20 * 60, liquidOpen: 9 * 60 + 30, liquidClose: 16 * 60}
/** IDEALPRO FX: Sun 17:15 – Fri 17:00 ET, with a daily break 17:00–17:15 ET. */
export const IDEALPRO: SessionRule = {zone: 'America/New_York', twsZone: 'US/Eastern', tradingOpen: 17 * 60 + 15, tradingClose: 17 * 60, liquidOpen: 17 * 60 + 15, liquidClose: 17 * 60}

const DAY_MS = 86_400_000
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'})
    formatters.set(zone, f)
  }
  return f
}

/** Local wall time of `ts` in `zone`, as if it were UTC (epoch ms). */
export function localAsUtc(ts: number, zone: string): number {
  const parts: Record<string, number> = {}
  for (const p of formatter(zone).formatToParts(ts)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return Date.UTC(parts.year as number, (parts.month as number) - 1, parts.day as number, parts.hour as number, parts.minute as number, parts.second as number) + (ts % 1000 + 1000) % 1000
}

/** The instant of a local wall time (`local` as if UTC) in `zone`. */
export function utcOfLocal(local: number, zone: string): number {
  // Two passes settle the offset around a daylight-saving change.
  let ts = local - (localAsUtc(local, zone) - local)
  ts = local - (localAsUtc(ts, zone) - ts)
  return ts
}

/** Local calendar day of `ts` in `zone`: its midnight as if UTC. */
export function localDay(ts: number, zone: string): number {
  const l = localAsUtc(ts, zone)
  return l - (((l % DAY_MS) + DAY_MS) % DAY_MS)
}

function ymd(localDayMs: number): string {
  const d = new Date(localDayMs)
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`
}

function hm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}${String(minutes % 60).padStart(2, '0')}`
}

/** Whether a session ends on this local day (weekdays only; FX and futures close Friday). */
function tradesOn(localDayMs: number): boolean {
  const dow = new Date(localDayMs).getUTCDay()
  return dow >= 1 && dow <= 5
}

/** A session ending on `localDayMs`: [open, close) as local times (as if UTC). */
function session(localDayMs: number, open: number, close: number): {open: number; close: number} {
  const start = open > close ? localDayMs - DAY_MS + open * 60_000 : localDayMs + open * 60_000
  return {open: start, close: localDayMs + close * 60_000}
}

function hoursText(rule: SessionRule, fromTs: number, days: number, open: number, close: number): string {
  const first = localDay(fromTs, rule.zone)
  const out: string[] = []
  for (let i = 0; i < days; i++) {
    const day = first + i * DAY_MS
    if (!tradesOn(day)) {
      out.push(`${ymd(day)}:CLOSED`)
      continue
    }
    const s = session(day, open, close)
    out.push(`${ymd(s.open)}:${hm(open)}-${ymd(s.close - 1)}:${hm(close)}`)
  }
  return out.join(';')
}

/** TWS's tradingHours for a week from the local day of `fromTs`. */
export function tradingHours(rule: SessionRule, fromTs: number, days = 7): string {
  return hoursText(rule, fromTs, days, rule.tradingOpen, rule.tradingClose)
}

/** TWS's liquidHours (regular trading hours). */
export function liquidHours(rule: SessionRule, fromTs: number, days = 7): string {
  return hoursText(rule, fromTs, days, rule.liquidOpen, rule.liquidClose)
}

function within(rule: SessionRule, ts: number, open: number, close: number): boolean {
  const local = localAsUtc(ts, rule.zone)
  const day = local - (((local % DAY_MS) + DAY_MS) % DAY_MS)
  for (const d of [day, day + DAY_MS]) {
    if (!tradesOn(d)) continue
    const s = session(d, open, close)
    if (local >= s.open && local < s.close) return true
  }
  return false
}

/** Whether `ts` is inside regular trading hours (historical bars with useRTH). */
export function inLiquidHours(rule: SessionRule, ts: number): boolean {
  return within(rule, ts, rule.liquidOpen, rule.liquidClose)
}

/**
 * When a DAY order placed at `ts` expires: the close of the session it was placed in (or of the
 * next session, when placed between sessions). `extended` (futures, whose trading day is the whole
 * Globex session, and stock orders with outsideRth) lives to the trading close, the others to the
 * liquid close.
 */
export function dayOrderExpiry(rule: SessionRule, ts: number, extended: boolean): number {
  const close = extended ? rule.tradingClose : rule.liquidClose
  const open = extended ? rule.tradingOpen : rule.liquidOpen
  const local = localAsUtc(ts, rule.zone)
  let day = local - (((local % DAY_MS) + DAY_MS) % DAY_MS)
  for (let i = 0; i < 10; i++, day += DAY_MS) {
    if (!tradesOn(day)) continue
    const s = session(day, open, close)
    if (local < s.close) return utcOfLocal(s.close, rule.zone)
  }
  return ts + 7 * DAY_MS
}
