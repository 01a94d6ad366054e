// Bars from CSV text: `ts|time|date, open, high, low, close[, volume]`, with or without a header,
// comma / semicolon / tab separated, timestamps as ISO 8601 (UTC unless a zone is given) or epoch
// seconds / milliseconds (microseconds and nanoseconds are recognised by their size). Bad rows are
// rejected one by one with their line number and the reason; the good ones come back sorted by ts,
// one bar per ts (a later row for the same ts replaces an earlier one).
import {emptySeries, type BarSeries} from '../../foundation/domain/bars.js'
import {isoUtc, utcMs} from './time.js'

export interface RejectedRow {
  /** 1-based line number in the file. */
  line: number
  code: 'columns' | 'timestamp' | 'number' | 'ohlc' | 'duplicate'
  reason: string
}

export interface ParsedCsv {
  series: BarSeries
  /** Column names as found in the header, or undefined when the file has none. */
  header?: string[]
  /** Data rows read (not counting the header, blank and comment lines). */
  rows: number
  rejected: RejectedRow[]
}

export class CsvFormatError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message)
  }
}

type Column = 'ts' | 'date' | 'time' | 'open' | 'high' | 'low' | 'close' | 'volume'

const ALIASES: Record<string, Column> = {
  ts: 'ts',
  t: 'ts',
  timestamp: 'ts',
  datetime: 'ts',
  date_time: 'ts',
  time: 'time',
  date: 'date',
  open: 'open',
  o: 'open',
  high: 'high',
  h: 'high',
  low: 'low',
  l: 'low',
  close: 'close',
  c: 'close',
  volume: 'volume',
  vol: 'volume',
  v: 'volume',
}

interface Layout {
  ts?: number
  date?: number
  time?: number
  open: number
  high: number
  low: number
  close: number
  volume?: number
  width: number
}

const POSITIONAL: Layout = {ts: 0, open: 1, high: 2, low: 3, close: 4, volume: 5, width: 5}
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i
const EPOCH = /^\d+(\.\d+)?$/

/** Parses CSV text into a sorted, deduplicated series. Throws CsvFormatError only when the file as a whole cannot be read. */
export function parseBarsCsv(text: string, instrument: string, periodMsHint?: number): ParsedCsv {
  const lines = text.split(/\r?\n/)
  let lineNo = 0
  let first: string | undefined
  while (lineNo < lines.length) {
    const l = (lines[lineNo] as string).trim()
    lineNo++
    if (l !== '' && !l.startsWith('#')) {
      first = l
      break
    }
  }
  if (first === undefined) throw new CsvFormatError('the file has no rows; expected lines of ts,open,high,low,close[,volume]', 1)
  const sep = first.includes(',') ? ',' : first.includes(';') ? ';' : first.includes('\t') ? '\t' : ','
  const firstCells = splitRow(first, sep)
  let layout = POSITIONAL
  let header: string[] | undefined
  let startLine = lineNo - 1 // index of the first data line
  if (looksLikeHeader(firstCells)) {
    header = firstCells
    layout = layoutFromHeader(firstCells, lineNo)
    startLine = lineNo
  }

  const n = lines.length - startLine
  const ts = new Float64Array(n)
  const open = new Float64Array(n)
  const high = new Float64Array(n)
  const low = new Float64Array(n)
  const close = new Float64Array(n)
  const volume = new Float64Array(n)
  const lineOf = new Int32Array(n)
  const rejected: RejectedRow[] = []
  let count = 0
  let rows = 0
  for (let i = startLine; i < lines.length; i++) {
    const raw = lines[i] as string
    const lineNumber = i + 1
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    rows++
    const cells = splitRow(trimmed, sep)
    if (cells.length < layout.width) {
      rejected.push({line: lineNumber, code: 'columns', reason: `expected at least ${layout.width} columns (${header ? header.join(sep) : 'ts,open,high,low,close[,volume]'}), found ${cells.length}: ${clip(trimmed)}`})
      continue
    }
    const tsText = layout.ts !== undefined ? (cells[layout.ts] as string) : `${cells[layout.date as number]} ${cells[layout.time as number]}`
    const t = parseTimestamp(tsText)
    if (typeof t === 'string') {
      rejected.push({line: lineNumber, code: 'timestamp', reason: t})
      continue
    }
    const o = num(cells[layout.open])
    const h = num(cells[layout.high])
    const lo = num(cells[layout.low])
    const c = num(cells[layout.close])
    const vText = layout.volume !== undefined ? cells[layout.volume] : undefined
    const v = vText === undefined || vText.trim() === '' ? 0 : num(vText)
    const bad = firstBad([['open', o, cells[layout.open]], ['high', h, cells[layout.high]], ['low', lo, cells[layout.low]], ['close', c, cells[layout.close]]])
    if (bad) {
      rejected.push({line: lineNumber, code: 'number', reason: bad})
      continue
    }
    if (!(v >= 0)) {
      rejected.push({line: lineNumber, code: 'number', reason: `volume must be a number ≥ 0, found ${JSON.stringify(vText)}`})
      continue
    }
    const ohlc = ohlcProblem(o, h, lo, c)
    if (ohlc) {
      rejected.push({line: lineNumber, code: 'ohlc', reason: ohlc})
      continue
    }
    ts[count] = t
    open[count] = o
    high[count] = h
    low[count] = lo
    close[count] = c
    volume[count] = v
    lineOf[count] = lineNumber
    count++
  }

  // Sort by ts (stable, so among equal ts the later line comes last and wins).
  const order = Array.from({length: count}, (_, k) => k)
  let sorted = true
  for (let k = 1; k < count; k++) if ((ts[k] as number) < (ts[k - 1] as number)) sorted = false
  if (!sorted) order.sort((a, b) => (ts[a] as number) - (ts[b] as number) || a - b)
  const keep: number[] = []
  for (let k = 0; k < count; k++) {
    const idx = order[k] as number
    const next = order[k + 1]
    if (next !== undefined && ts[next] === ts[idx]) {
      rejected.push({line: lineOf[idx] as number, code: 'duplicate', reason: `duplicate ts ${isoUtc(ts[idx] as number)}: replaced by line ${lineOf[next]}`})
      continue
    }
    keep.push(idx)
  }
  rejected.sort((a, b) => a.line - b.line)

  const series = emptySeries(instrument, 0, keep.length)
  keep.forEach((idx, k) => {
    series.ts[k] = ts[idx] as number
    series.open[k] = open[idx] as number
    series.high[k] = high[idx] as number
    series.low[k] = low[idx] as number
    series.close[k] = close[idx] as number
    series.volume[k] = volume[idx] as number
  })
  series.periodMs = inferPeriodMs(series.ts, series.length) ?? periodMsHint ?? 60_000
  return {series, header, rows, rejected}
}

/** Epoch ms of an ISO 8601 or epoch (s/ms/µs/ns) timestamp, or a message saying what is wrong. */
export function parseTimestamp(text: string): number | string {
  const s = unquote(text.trim())
  if (s === '') return 'empty timestamp; expected ISO 8601 (2024-03-01T09:30:00Z) or epoch seconds/milliseconds'
  if (EPOCH.test(s)) {
    const v = Number(s)
    // By size: seconds until the year 5138, then ms, µs, ns.
    const ms = v < 1e11 ? v * 1000 : v < 1e14 ? v : v < 1e17 ? v / 1000 : v / 1e6
    if (!(ms > 0) || !Number.isFinite(ms)) return `timestamp ${JSON.stringify(s)} is not a positive epoch time`
    return Math.round(ms)
  }
  const m = ISO.exec(s)
  if (!m) return `timestamp ${JSON.stringify(s)} is neither ISO 8601 (2024-03-01T09:30:00Z, 2024-03-01 09:30) nor epoch seconds/milliseconds`
  const [, y, mo, d, hh, mi, ss, frac, zone] = m
  const fracMs = frac ? Math.round(Number(`0${frac}`) * 1000) : 0
  const local = utcMs(Number(y), Number(mo), Number(d), Number(hh ?? 0), Number(mi ?? 0), Number(ss ?? 0), fracMs)
  if (local === undefined) return `timestamp ${JSON.stringify(s)} is not a valid date or time`
  // Without a zone the time is UTC; with one, subtract its offset.
  return zone && zone.toUpperCase() !== 'Z' ? local - zoneOffsetMs(zone) : local
}

/** The most common gap between consecutive bars (the bar period), or undefined with fewer than two bars. */
export function inferPeriodMs(ts: Float64Array, length: number): number | undefined {
  const counts = new Map<number, number>()
  for (let i = 1; i < length; i++) {
    const d = (ts[i] as number) - (ts[i - 1] as number)
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1)
  }
  let best: number | undefined
  let bestCount = 0
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && best !== undefined && d < best)) {
      best = d
      bestCount = c
    }
  }
  return best
}

function zoneOffsetMs(zone: string): number {
  const z = zone.replace(':', '')
  const sign = z.startsWith('-') ? -1 : 1
  return sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000
}

function looksLikeHeader(cells: string[]): boolean {
  // A header when the first cell is not a timestamp, or some price cell is not a number.
  const first = unquote((cells[0] ?? '').trim())
  if (typeof parseTimestamp(first) === 'string') return true
  return cells.slice(1, 5).some((c) => Number.isNaN(num(c)))
}

function layoutFromHeader(cells: string[], line: number): Layout {
  const found: Partial<Record<Column, number>> = {}
  cells.forEach((cell, i) => {
    const key = ALIASES[unquote(cell.trim()).toLowerCase().replace(/[\s-]+/g, '_').replace(/^<|>$/g, '')]
    if (key !== undefined && found[key] === undefined) found[key] = i
  })
  // "date,time,…" (two columns) or one timestamp column named ts/time/date/timestamp.
  let tsLayout: Pick<Layout, 'ts' | 'date' | 'time'>
  if (found.ts !== undefined) tsLayout = {ts: found.ts}
  else if (found.date !== undefined && found.time !== undefined) tsLayout = {date: found.date, time: found.time}
  else if (found.date !== undefined || found.time !== undefined) tsLayout = {ts: (found.date ?? found.time) as number}
  else throw new CsvFormatError(`line ${line}: the header ${JSON.stringify(cells.join(','))} has no timestamp column; expected one named ts, time, date or timestamp`, line)
  const missing = (['open', 'high', 'low', 'close'] as const).filter((k) => found[k] === undefined)
  if (missing.length > 0) throw new CsvFormatError(`line ${line}: the header ${JSON.stringify(cells.join(','))} has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}; expected ts,open,high,low,close[,volume]`, line)
  const used = [tsLayout.ts, tsLayout.date, tsLayout.time, found.open, found.high, found.low, found.close].filter((v): v is number => v !== undefined)
  return {...tsLayout, open: found.open as number, high: found.high as number, low: found.low as number, close: found.close as number, volume: found.volume, width: Math.max(...used) + 1}
}

function splitRow(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep)
  // Quoted cells (rare in price files): a minimal RFC 4180 reader.
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === sep) {
      out.push(cur)
      cur = ''
    } else cur += ch
  }
  out.push(cur)
  return out
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s
}

function num(cell: string | undefined): number {
  if (cell === undefined) return Number.NaN
  const s = unquote(cell.trim())
  return s === '' ? Number.NaN : Number(s)
}

function firstBad(fields: Array<[string, number, string | undefined]>): string | undefined {
  for (const [name, v, raw] of fields) {
    if (!Number.isFinite(v)) return `${name} is not a number: ${JSON.stringify((raw ?? '').trim())}`
    if (!(v > 0)) return `${name} must be positive, found ${v}`
  }
  return undefined
}

function ohlcProblem(o: number, h: number, l: number, c: number): string | undefined {
  if (h < l) return `high ${h} is below low ${l}`
  if (h < o || h < c) return `high ${h} is below ${h < o ? `open ${o}` : `close ${c}`}`
  if (l > o || l > c) return `low ${l} is above ${l > o ? `open ${o}` : `close ${c}`}`
  return undefined
}

function clip(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s)
}
