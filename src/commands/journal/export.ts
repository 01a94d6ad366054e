import {Flags} from '@oclif/core'
import {closeSync, openSync, renameSync, rmSync, writeSync} from 'node:fs'
import {resolve} from 'node:path'

import {BaseCommand} from '../../cli/base-command.js'
import {journalFlag} from '../../cli/flags.js'
import {EXPORT_FORMATS, exportLines, openJournal, parseEventTypes, resolveJournalPath, type ExportFormat} from '../../foundation/journal/index.js'

/** Bytes gathered before each write: few syscalls, bounded memory for any journal size. */
const CHUNK = 1 << 16

export default class JournalExport extends BaseCommand {
  static override summary = 'Write journal events as JSON Lines or CSV.'

  static override description = `jsonl: one event per line, every field including prevHash and hash, the payload as an object (keys sorted).
csv: a header line, then seq,ts,iso_time,run_id,sector,type,hash,payload, the payload as its canonical JSON text (quoted as RFC 4180 says).

Events are written in seq order. Without --output they go to stdout. A file is written under a temporary name first and mode 0600, so a failed export never leaves half a file.

Exit codes: 0 exported, 1 no journal at that path or it cannot be read, 2 bad flags.`

  static override examples = [
    {description: 'Everything, as JSON Lines, to a file', command: '<%= config.bin %> <%= command.id %> --format jsonl -o journal.jsonl'},
    {description: 'One run\'s fills as CSV for a spreadsheet', command: '<%= config.bin %> <%= command.id %> --format csv --run 20250301-093000-oanda-7f3a --type FILL -o fills.csv'},
    {description: 'One sector\'s order events, piped to jq', command: `<%= config.bin %> <%= command.id %> --sector coinbase --type ORDER_INTENT,ORDER_DENIED | jq -c '{seq, type, payload}'`},
  ]

  static override flags = {
    format: Flags.string({description: 'Output format.', options: [...EXPORT_FORMATS], default: 'jsonl'}),
    run: Flags.string({char: 'r', description: 'Only events of this run id.'}),
    sector: Flags.string({char: 's', description: 'Only events of this sector.'}),
    type: Flags.string({char: 't', multiple: true, description: 'Only events of these types (repeat or comma-separate, e.g. FILL,ORDER_INTENT).'}),
    output: Flags.string({char: 'o', description: 'Write to this file instead of stdout.', helpValue: 'FILE'}),
    journal: journalFlag,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(JournalExport)
    const types = parseEventTypes(flags.type)
    const journal = openJournal({path: resolveJournalPath(flags.journal), readonly: true})
    try {
      let count = 0
      const events = journal.events({runId: flags.run, sector: flags.sector, types})
      const lines = exportLines(counted(events, () => count++), flags.format as ExportFormat)
      if (flags.output === undefined) await toStdout(lines)
      else {
        toFile(lines, resolve(flags.output))
        this.note(`exported ${count} event(s) as ${flags.format} to ${flags.output}`)
      }
    } finally {
      journal.close()
    }
  }
}

function* counted<T>(items: Iterable<T>, onItem: () => void): Generator<T> {
  for (const item of items) {
    onItem()
    yield item
  }
}

function toFile(lines: Iterable<string>, path: string): void {
  const temp = `${path}.tmp-${process.pid}`
  const fd = openSync(temp, 'w', 0o600)
  try {
    let chunk = ''
    for (const line of lines) {
      chunk += `${line}\n`
      if (chunk.length >= CHUNK) {
        writeSync(fd, chunk)
        chunk = ''
      }
    }
    if (chunk !== '') writeSync(fd, chunk)
    closeSync(fd)
    renameSync(temp, path)
  } catch (error) {
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
    rmSync(temp, {force: true})
    throw error
  }
}

async function toStdout(lines: Iterable<string>): Promise<void> {
  const out = process.stdout
  let closed = false
  // A reader that stops early (`| head`) ends the export quietly; it is not a failure.
  out.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') {
      process.stderr.write(`Error: writing the export failed: ${error.message}\n`)
      process.exitCode = 1
    }
    closed = true
    out.emit('drain')
  })
  let chunk = ''
  const flush = async (): Promise<void> => {
    const text = chunk
    chunk = ''
    if (!out.write(text)) await new Promise<void>((done) => out.once('drain', done))
  }
  for (const line of lines) {
    if (closed) return
    chunk += `${line}\n`
    if (chunk.length >= CHUNK) await flush()
  }
  if (chunk !== '' && !closed) await flush()
}
