// What `rick data download` has already asked the venue for, per dataset: the time ranges the venue
// answered in full, kept next to the bars as `<rickHome>/data/<instrument>.coverage.json`.
//
// Why not just "continue after the last stored bar": a venue has real gaps (weekends, holidays, an
// instrument not yet listed) that a re-run must not ask for again, and a download that backfills
// before the first stored bar and is interrupted leaves a hole inside the stored span that a re-run
// must ask for. Only a record of what was answered tells the two apart.
//
// The record names the sha256 of the bar file it describes, so it is never trusted for bars it
// does not describe (`rick data import --replace`, a file copied in). A flush writes the record
// first, naming both the new file's sha256 and the old one's, then the bar file: an interruption
// between the two writes leaves a record that still describes the file on disk.
import {existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {datasetPath, storeDir, type StoreOptions} from './store.js'

/** Half-open [from, to) in epoch ms. */
export type Interval = [number, number]

export interface CoverageRecord {
  version: 1
  instrument: string
  periodMs: number
  /** sha256 of the bar file these intervals describe. */
  sha256: string
  covered: Interval[]
  /** The record of the file it replaced: still true when the bar file was not rewritten yet. */
  previous?: {sha256: string; covered: Interval[]}
}

export function coveragePath(instrument: string, options: StoreOptions): string {
  datasetPath(instrument, options) // validates the id
  return join(storeDir(options), `${instrument}.coverage.json`)
}

/**
 * The intervals known to be answered for the bar file whose sha256 is `sha256`; undefined when no
 * record describes that file (none kept, unreadable, another period, or the file was replaced).
 */
export function readCoverage(instrument: string, sha256: string, periodMs: number, options: StoreOptions): Interval[] | undefined {
  const path = coveragePath(instrument, options)
  if (!existsSync(path)) return undefined
  let record: unknown
  try {
    record = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
  if (!isRecord(record) || record.instrument !== instrument || record.periodMs !== periodMs) return undefined
  if (record.sha256 === sha256) return record.covered
  if (record.previous?.sha256 === sha256) return record.previous.covered
  return undefined
}

/** Writes the record atomically (a temporary file renamed into place). */
export function writeCoverage(record: CoverageRecord, options: StoreOptions): void {
  const path = coveragePath(record.instrument, options)
  mkdirSync(storeDir(options), {recursive: true})
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, `${JSON.stringify(record)}\n`)
  renameSync(tmp, path)
}

/** `list` with `add` merged in: sorted, disjoint, touching intervals joined. */
export function addInterval(list: readonly Interval[], add: Interval): Interval[] {
  if (!(add[1] > add[0])) return list.map((i): Interval => [i[0], i[1]])
  const out: Interval[] = []
  let [lo, hi] = add
  let placed = false
  for (const [a, b] of list) {
    if (b < lo) out.push([a, b])
    else if (a > hi) {
      if (!placed) {
        out.push([lo, hi])
        placed = true
      }
      out.push([a, b])
    } else {
      lo = Math.min(lo, a)
      hi = Math.max(hi, b)
    }
  }
  if (!placed) out.push([lo, hi])
  return out
}

/** The parts of [from, to) that no interval of `covered` (sorted, disjoint) holds. */
export function missingIntervals(from: number, to: number, covered: readonly Interval[]): Interval[] {
  const out: Interval[] = []
  let at = from
  for (const [a, b] of covered) {
    if (b <= at) continue
    if (a >= to) break
    if (a > at) out.push([at, a])
    at = Math.max(at, b)
    if (at >= to) break
  }
  if (at < to) out.push([at, to])
  return out
}

function isIntervals(v: unknown): v is Interval[] {
  return Array.isArray(v) && v.every((i) => Array.isArray(i) && i.length === 2 && Number.isFinite(i[0]) && Number.isFinite(i[1]) && i[0] < i[1])
}

function isRecord(v: unknown): v is CoverageRecord {
  if (typeof v !== 'object' || v === null) return false
  const r = v as Record<string, unknown>
  if (r.version !== 1 || typeof r.sha256 !== 'string' || !isIntervals(r.covered)) return false
  if (r.previous === undefined) return true
  const p = r.previous as Record<string, unknown> | null
  return typeof p === 'object' && p !== null && typeof p.sha256 === 'string' && isIntervals(p.covered)
}
