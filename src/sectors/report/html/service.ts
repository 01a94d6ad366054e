// `rick report --html FILE` as a service: the same report as `rick report --json` (journalReport,
// reportJson), plus each run's RUN_STARTED record for its config, rendered into one HTML file.
import {existsSync, writeFileSync} from 'node:fs'

import {RickError} from '../../../foundation/errors.js'
import {openJournal, type RunStartedPayload} from '../../../foundation/journal/index.js'
import {reportJson, type ReportJson} from '../format.js'
import {journalReport, type JournalReportOptions} from '../service.js'
import {reportHtml} from './render.js'

export interface HtmlReportResult {
  report: ReportJson
  /** The file written, and its size in bytes. */
  file: string
  bytes: number
}

export function writeHtmlReport(options: JournalReportOptions & {file: string}): HtmlReportResult {
  const result = journalReport(options)
  // The page draws each run's equity curve; what --json prints stays what `rick report --json` prints.
  const report = reportJson(result.reports, options.journalPath)
  const started = runStarts(options.journalPath, report.runs.map((r) => r.runId))
  const html = reportHtml({report: reportJson(result.reports, options.journalPath, {curve: true}), started})
  try {
    writeFileSync(options.file, html)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : (error as Error).message
    throw new RickError(`cannot write the HTML report to ${options.file}: ${reason}`, {code: 'WRITE_FAILED', cause: error})
  }
  return {report, file: options.file, bytes: Buffer.byteLength(html)}
}

function runStarts(journalPath: string, runIds: readonly string[]): Map<string, RunStartedPayload> {
  const out = new Map<string, RunStartedPayload>()
  if (runIds.length === 0 || !existsSync(journalPath)) return out
  const store = openJournal({path: journalPath, readonly: true})
  try {
    for (const runId of runIds) for (const e of store.events({runId, types: ['RUN_STARTED'], limit: 1})) out.set(runId, e.payload as RunStartedPayload)
  } finally {
    store.close()
  }
  return out
}
