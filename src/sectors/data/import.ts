// `rick data import`: a CSV file of bars into the local store, merged with what is there (a row
// for a ts already stored replaces it), unless `replace` asks for a fresh dataset.
import {existsSync, readFileSync, statSync} from 'node:fs'

import {emptySeries, type BarSeries} from '../../foundation/domain/bars.js'
import {UsageError} from '../../foundation/errors.js'
import {CsvFormatError, inferPeriodMs, parseBarsCsv, type RejectedRow} from './csv.js'
import {DataError, datasetInfo, datasetPath, loadSeries, writeSeries, type DatasetInfo, type StoreOptions} from './store.js'

export interface ImportOptions extends StoreOptions {
  file: string
  instrument: string
  /** Drop the instrument's stored bars first instead of merging. */
  replace?: boolean
}

export interface ImportResult {
  instrument: string
  file: string
  /** Data rows in the file (header, blank and comment lines not counted). */
  rows: number
  /** Valid bars read from the file (after removing duplicate ts). */
  imported: number
  /** Of those, bars whose ts was new to the store / already stored (replaced). */
  added: number
  replaced: number
  rejected: RejectedRow[]
  /** The dataset after the import. */
  dataset: DatasetInfo
  /** First and last ts of the imported bars (epoch ms). */
  from?: number
  to?: number
}

export function importCsv(options: ImportOptions): ImportResult {
  const {file, instrument} = options
  const path = datasetPath(instrument, options) // validates the id first
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such file: ${file}`, 'FILE_NOT_FOUND')
  let parsed
  try {
    parsed = parseBarsCsv(readFileSync(file, 'utf8'), instrument)
  } catch (error) {
    if (error instanceof CsvFormatError) throw new DataError(`${file}:${error.line}: ${error.message}`, 'CSV_INVALID')
    throw error
  }
  const incoming = parsed.series
  if (incoming.length === 0) {
    const first = parsed.rejected.slice(0, 5).map((r) => `  line ${r.line}: ${r.reason}`)
    const head = `${file}: no valid bars in ${parsed.rows} data row(s); nothing imported`
    throw new DataError(first.length > 0 ? [`${head}. First problems:`, ...first].join('\n') : `${head} (expected rows of ts,open,high,low,close[,volume] after the header)`, 'CSV_NO_BARS')
  }
  const existing = !options.replace && existsSync(path) ? loadSeries(instrument, options) : undefined
  const {merged, replaced} = existing ? mergeSeries(existing, incoming) : {merged: incoming, replaced: 0}
  writeSeries(merged, options)
  return {
    instrument,
    file,
    rows: parsed.rows,
    imported: incoming.length,
    added: incoming.length - replaced,
    replaced,
    rejected: parsed.rejected,
    dataset: datasetInfo(instrument, options),
    from: incoming.ts[0] as number,
    to: incoming.ts[incoming.length - 1] as number,
  }
}

/** Union of two sorted, unique-ts series; `b` wins on equal ts. */
export function mergeSeries(a: BarSeries, b: BarSeries): {merged: BarSeries; replaced: number} {
  const out = emptySeries(b.instrument, 0, a.length + b.length)
  let i = 0
  let j = 0
  let k = 0
  let replaced = 0
  const take = (s: BarSeries, idx: number) => {
    out.ts[k] = s.ts[idx] as number
    out.open[k] = s.open[idx] as number
    out.high[k] = s.high[idx] as number
    out.low[k] = s.low[idx] as number
    out.close[k] = s.close[idx] as number
    out.volume[k] = s.volume[idx] as number
    k++
  }
  while (i < a.length || j < b.length) {
    const ta = i < a.length ? (a.ts[i] as number) : Infinity
    const tb = j < b.length ? (b.ts[j] as number) : Infinity
    if (ta < tb) take(a, i++)
    else if (tb < ta) take(b, j++)
    else {
      take(b, j++)
      i++
      replaced++
    }
  }
  const merged = emptySeries(b.instrument, 0, 0)
  for (const col of ['ts', 'open', 'high', 'low', 'close', 'volume'] as const) merged[col] = out[col].slice(0, k)
  merged.length = k
  merged.periodMs = inferPeriodMs(merged.ts, k) ?? b.periodMs
  return {merged, replaced}
}
