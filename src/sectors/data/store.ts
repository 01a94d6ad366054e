// The local bar store: one binary file per instrument, `<rickHome>/data/<instrument>.bars`.
// Format (little-endian), chosen so that a million bars load with one read and no parsing:
//   0  8 bytes  magic "RICKBARS"
//   8  u32      format version (1)
//  12  u32      header length in bytes (a multiple of 8)
//  16  f64      number of bars n
//  24  f64      bar period in ms
//  32  u32      byte length of the instrument id
//  36  u32      0
//  40  …        instrument id (UTF-8), zero-padded to the header length
// then six Float64 columns of n values each: ts, open, high, low, close, volume (ts ascending,
// unique). Loading maps the columns as Float64Array views over the file's bytes.
// The dataset's sha256 (journaled with a backtest's inputs) is the sha256 of the file.
import {createHash} from 'node:crypto'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {emptySeries, type BarSeries} from '../../foundation/domain/bars.js'
import {ExitCode, RickError, UsageError} from '../../foundation/errors.js'
import type {InputSource} from '../../foundation/journal/events.js'
import {seriesFeed, type BarFeed} from './feed.js'

export const BARS_EXTENSION = '.bars'
const MAGIC = 'RICKBARS'
const VERSION = 1
const COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const
const INSTRUMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export interface StoreOptions {
  /** rick's data folder (rickHome()); the store is its `data/` subfolder. */
  home: string
}

export interface DatasetInfo {
  instrument: string
  path: string
  bars: number
  /** ts of the first and last bar (epoch ms), undefined when empty. */
  from?: number
  to?: number
  periodMs: number
  bytes: number
  sha256: string
}

export interface RangeOptions extends StoreOptions {
  /** Inclusive bounds on the bar ts (epoch ms). */
  from?: number
  to?: number
}

/** A dataset that is missing, unreadable or not a bar file. */
export class DataError extends RickError {
  constructor(message: string, code = 'DATA_INVALID', exitCode: ExitCode = ExitCode.BadInput) {
    super(message, {code, exitCode})
  }
}

export function storeDir(options: StoreOptions): string {
  return join(options.home, 'data')
}

export function assertInstrumentId(instrument: string): void {
  if (!INSTRUMENT_ID.test(instrument)) {
    throw new UsageError(`instrument ${JSON.stringify(instrument)} cannot name a dataset; expected letters, digits, '.', '_' or '-' (e.g. EUR_USD, BTC-USD, MES-202612)`, 'BAD_INSTRUMENT')
  }
}

export function datasetPath(instrument: string, options: StoreOptions): string {
  assertInstrumentId(instrument)
  return join(storeDir(options), `${instrument}${BARS_EXTENSION}`)
}

/** Encodes a series in the store's format. */
export function encodeSeries(series: BarSeries): Buffer {
  const name = Buffer.from(series.instrument, 'utf8')
  const headerLength = align8(40 + name.length)
  const n = series.length
  const buf = Buffer.alloc(headerLength + COLUMNS.length * 8 * n)
  buf.write(MAGIC, 0, 'latin1')
  buf.writeUInt32LE(VERSION, 8)
  buf.writeUInt32LE(headerLength, 12)
  buf.writeDoubleLE(n, 16)
  buf.writeDoubleLE(series.periodMs, 24)
  buf.writeUInt32LE(name.length, 32)
  name.copy(buf, 40)
  COLUMNS.forEach((col, k) => {
    const src = series[col].subarray(0, n)
    Buffer.from(src.buffer, src.byteOffset, n * 8).copy(buf, headerLength + k * 8 * n)
  })
  return buf
}

/** Decodes a bar file; the columns are views over `bytes` when it is 8-byte aligned. */
export function decodeSeries(bytes: Uint8Array, where: string): BarSeries {
  const header = readHeader(bytes, where)
  const {n, headerLength} = header
  const need = headerLength + COLUMNS.length * 8 * n
  if (bytes.length < need) throw new DataError(`${where}: truncated bar file (${bytes.length} bytes, expected ${need} for ${n} bars)`)
  let base = bytes
  if ((bytes.byteOffset + headerLength) % 8 !== 0) base = Uint8Array.from(bytes)
  const series = emptySeries(header.instrument, header.periodMs, 0)
  series.length = n
  COLUMNS.forEach((col, k) => {
    series[col] = new Float64Array(base.buffer, base.byteOffset + headerLength + k * 8 * n, n)
  })
  return series
}

/** Writes a series as the instrument's dataset (atomically: a temporary file renamed into place). */
export function writeSeries(series: BarSeries, options: StoreOptions): string {
  const path = datasetPath(series.instrument, options)
  mkdirSync(storeDir(options), {recursive: true})
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, encodeSeries(series))
  renameSync(tmp, path)
  return path
}

/** The instrument's bars, optionally limited to [from, to] (inclusive, epoch ms). */
export function loadSeries(instrument: string, options: RangeOptions): BarSeries {
  const path = datasetPath(instrument, options)
  if (!existsSync(path)) {
    throw new DataError(`no dataset for ${instrument} in ${storeDir(options)}; import one with: rick data import <file.csv> --instrument ${instrument}`, 'DATASET_NOT_FOUND')
  }
  const series = decodeSeries(readAligned(path), path)
  if (options.from === undefined && options.to === undefined) return series
  const lo = options.from === undefined ? 0 : lowerBound(series.ts, series.length, options.from)
  const hi = options.to === undefined ? series.length : upperBound(series.ts, series.length, options.to)
  return sliceSeries(series, lo, Math.max(lo, hi))
}

/** A view of bars [start, end) of a series (no copy). */
export function sliceSeries(series: BarSeries, start: number, end: number): BarSeries {
  const out = emptySeries(series.instrument, series.periodMs, 0)
  for (const col of COLUMNS) out[col] = series[col].subarray(start, end)
  out.length = end - start
  return out
}

export function datasetInfo(instrument: string, options: StoreOptions): DatasetInfo {
  const path = datasetPath(instrument, options)
  if (!existsSync(path)) throw new DataError(`no dataset for ${instrument} in ${storeDir(options)}`, 'DATASET_NOT_FOUND')
  return infoOf(path, readAligned(path))
}

/** Every dataset in the store, by instrument id. */
export function listDatasets(options: StoreOptions): DatasetInfo[] {
  const dir = storeDir(options)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith(BARS_EXTENSION))
    .sort()
    .map((f) => {
      const path = join(dir, f)
      return infoOf(path, readAligned(path))
    })
}

/** sha256 of one dataset file, or of several (over `instrument:sha256` lines, in the order given). */
export function datasetSha256(instruments: readonly string[], options: StoreOptions): string {
  const hashes = instruments.map((i) => {
    const path = datasetPath(i, options)
    if (!existsSync(path)) throw new DataError(`no dataset for ${i} in ${storeDir(options)}`, 'DATASET_NOT_FOUND')
    return sha256(readFileSync(path))
  })
  if (hashes.length === 1) return hashes[0] as string
  return createHash('sha256')
    .update(instruments.map((i, k) => `${i}:${hashes[k]}\n`).join(''))
    .digest('hex')
}

/** Bars of several stored instruments interleaved by ts, with the InputSource to journal. */
export function datasetFeed(options: RangeOptions & {instruments: readonly string[]}): BarFeed {
  if (options.instruments.length === 0) throw new UsageError('a dataset feed needs at least one instrument')
  const series = options.instruments.map((i) => loadSeries(i, options))
  const source: InputSource = {
    kind: 'dataset',
    instruments: [...options.instruments],
    dataset: options.instruments.map((i) => `${i}${BARS_EXTENSION}`).join(','),
    sha256: datasetSha256(options.instruments, options),
    ...(options.from === undefined ? {} : {from: options.from}),
    ...(options.to === undefined ? {} : {to: options.to}),
  }
  return seriesFeed(series, source)
}

// --- internals

function infoOf(path: string, bytes: Uint8Array): DatasetInfo {
  const s = decodeSeries(bytes, path)
  return {
    instrument: s.instrument,
    path,
    bars: s.length,
    ...(s.length > 0 ? {from: s.ts[0] as number, to: s.ts[s.length - 1] as number} : {}),
    periodMs: s.periodMs,
    bytes: statSync(path).size,
    sha256: sha256(bytes),
  }
}

function readHeader(bytes: Uint8Array, where: string): {n: number; headerLength: number; periodMs: number; instrument: string} {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (buf.length < 40 || buf.toString('latin1', 0, 8) !== MAGIC) throw new DataError(`${where}: not a rick bar file (no RICKBARS header)`)
  const version = buf.readUInt32LE(8)
  if (version !== VERSION) throw new DataError(`${where}: bar file format version ${version}, this rick reads version ${VERSION}`)
  const headerLength = buf.readUInt32LE(12)
  const n = buf.readDoubleLE(16)
  const periodMs = buf.readDoubleLE(24)
  const nameLength = buf.readUInt32LE(32)
  if (!Number.isSafeInteger(n) || n < 0 || headerLength < 40 + nameLength || headerLength % 8 !== 0) throw new DataError(`${where}: corrupt bar file header`)
  return {n, headerLength, periodMs, instrument: buf.toString('utf8', 40, 40 + nameLength)}
}

/** Reads a file into an 8-byte-aligned buffer of its own, so columns can be viewed in place. */
function readAligned(path: string): Uint8Array {
  const size = statSync(path).size
  const bytes = new Uint8Array(new ArrayBuffer(size))
  const fd = openSync(path, 'r')
  try {
    let off = 0
    while (off < size) {
      const n = readSync(fd, bytes, off, size - off, off)
      if (n === 0) break
      off += n
    }
  } finally {
    closeSync(fd)
  }
  return bytes
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8
}

function lowerBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((ts[mid] as number) < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

function upperBound(ts: Float64Array, n: number, t: number): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((ts[mid] as number) <= t) lo = mid + 1
    else hi = mid
  }
  return lo
}
