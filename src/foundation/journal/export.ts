// Serialises events for `rick journal export`: JSON Lines (one JournalEvent per line, payload as
// an object) or CSV (RFC 4180; the payload as its canonical JSON text in the last column).
import {canonicalJson} from '../canonical.js'
import type {JournalEvent} from './events.js'

export type ExportFormat = 'jsonl' | 'csv'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['jsonl', 'csv']

export const CSV_HEADER = 'seq,ts,iso_time,run_id,sector,type,hash,payload'

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

export function csvLine(e: JournalEvent): string {
  return [String(e.seq), String(e.ts), new Date(e.ts).toISOString(), csvField(e.runId), csvField(e.sector), e.type, e.hash, csvField(canonicalJson(e.payload))].join(',')
}

/** Canonical JSON of the whole event (keys sorted), so an export line hashes the same everywhere. */
export function jsonlLine(e: JournalEvent): string {
  return canonicalJson(e)
}

/** Lines of an export, header first for CSV; each without its line break. */
export function* exportLines(events: Iterable<JournalEvent>, format: ExportFormat): Generator<string> {
  if (format === 'csv') yield CSV_HEADER
  const line = format === 'csv' ? csvLine : jsonlLine
  for (const e of events) yield line(e)
}
