import {Flags} from '@oclif/core'
import {existsSync} from 'node:fs'

import {BaseCommand} from '../../cli/base-command.js'
import {journalFlag} from '../../cli/flags.js'
import {
  formatEventLine,
  openJournal,
  parseEventTypes,
  resolveJournalPath,
  type EventFilter,
  type Journal,
  type JournalEvent,
} from '../../foundation/journal/index.js'

export interface JournalTailResult {
  journal: string
  /** Oldest first. */
  events: JournalEvent[]
}

export default class JournalTail extends BaseCommand {
  static override summary = 'Show the latest journal events, one line each; --follow keeps printing new ones.'

  static override description = `Each line: seq, time (UTC, engine clock), sector, type and a short account of the payload (the order, the fill, the denial code, the state change…). Filters combine: --sector, --run and --type (repeatable or comma-separated).

--follow (-f) keeps the journal open read-only and prints events as engines write them (it checks for new ones every quarter second, a cheap indexed lookup); Ctrl-C ends it with exit 0. With --json and --follow each event is printed as one JSON object per line; with --json alone the output is {journal, events}.

Exit codes: 0 (also when there are no events yet), 1 the journal cannot be read, 2 bad flags.`

  static override examples = [
    {description: 'The last 20 events of every sector', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Follow one sector\'s orders and fills as they happen', command: '<%= config.bin %> <%= command.id %> -f --sector oanda --type ORDER_INTENT,ORDER_DENIED,FILL'},
    {description: 'The last 100 events of one run', command: '<%= config.bin %> <%= command.id %> --run 20250301-093000-oanda-7f3a -n 100'},
    {description: 'Risk state changes as JSON lines, for a script', command: '<%= config.bin %> <%= command.id %> -f --type RISK_STATE --json | jq -c .payload'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    follow: Flags.boolean({char: 'f', description: 'Keep printing new events until Ctrl-C.'}),
    sector: Flags.string({char: 's', description: 'Only events of this sector.'}),
    type: Flags.string({char: 't', multiple: true, description: 'Only events of these types (repeat or comma-separate, e.g. FILL,ORDER_DENIED).'}),
    run: Flags.string({char: 'r', description: 'Only events of this run id.'}),
    lines: Flags.integer({char: 'n', min: 0, default: 20, description: 'How many of the latest matching events to show first.'}),
    journal: journalFlag,
    'poll-ms': Flags.integer({min: 10, default: 250, hidden: true, description: 'How often --follow looks for new events.'}),
  }

  async run(): Promise<JournalTailResult | undefined> {
    const {flags} = await this.parse(JournalTail)
    const path = resolveJournalPath(flags.journal)
    const filter: EventFilter = {sector: flags.sector, runId: flags.run, types: parseEventTypes(flags.type)}
    const json = this.jsonEnabled()
    if (!flags.follow) {
      if (!existsSync(path)) {
        if (!json) this.log(`No events yet: there is no journal at ${path} (the first \`rick run\` or \`rick backtest\` creates it).`)
        return {journal: path, events: []}
      }
      const journal = openJournal({path, readonly: true})
      try {
        const events = latest(journal, filter, flags.lines)
        if (!json) this.log(events.length === 0 ? `No events yet${filterText(flags) ? ` matching ${filterText(flags)}` : ''} in ${path}.` : lines(events))
        return {journal: path, events}
      } finally {
        journal.close()
      }
    }
    await this.follow(path, filter, flags.lines, flags['poll-ms'], json)
    return undefined
  }

  private async follow(path: string, filter: EventFilter, first: number, pollMs: number, json: boolean): Promise<void> {
    const stop = stopSignal()
    // The sector column only widens, so lines printed later still line up with earlier ones.
    let width = 8
    const print = (events: JournalEvent[]): void => {
      if (events.length === 0) return
      width = Math.max(width, ...events.map((e) => e.sector.length))
      process.stdout.write(json ? events.map((e) => `${JSON.stringify(e)}\n`).join('') : `${lines(events, width)}\n`)
    }
    if (!existsSync(path)) {
      this.note(`No events yet: there is no journal at ${path}; waiting for one (Ctrl-C to stop).`)
      while (!existsSync(path) && !stop.stopped) await stop.sleep(pollMs)
      if (stop.stopped) return
    }
    // A reader that watches: SQLite's shared read mode, which sees what writers append meanwhile.
    const journal = openJournal({path, readonly: true, follow: true})
    try {
      print(latest(journal, filter, first))
      let seen = journal.lastSeq()
      while (!stop.stopped) {
        await stop.sleep(pollMs)
        if (stop.stopped) break
        const last = journal.lastSeq()
        if (last <= seen) continue
        print([...journal.events({...filter, afterSeq: seen, beforeSeq: last + 1})])
        seen = last
      }
    } finally {
      stop.dispose()
      journal.close()
    }
  }
}

/** The newest `n` matching events, oldest first. */
function latest(journal: Journal, filter: EventFilter, n: number): JournalEvent[] {
  if (n === 0) return []
  return [...journal.events({...filter, reverse: true, limit: n})].reverse()
}

function lines(events: JournalEvent[], minWidth = 6): string {
  const width = Math.max(minWidth, ...events.map((e) => e.sector.length))
  return events.map((e) => formatEventLine(e, width)).join('\n')
}

function filterText(flags: {sector?: string; run?: string; type?: string[]}): string {
  const parts: string[] = []
  if (flags.sector) parts.push(`--sector ${flags.sector}`)
  if (flags.run) parts.push(`--run ${flags.run}`)
  if (flags.type) parts.push(`--type ${flags.type.join(',')}`)
  return parts.join(' ')
}

/** SIGINT/SIGTERM end --follow cleanly (exit 0) instead of killing the process mid-read. */
function stopSignal(): {readonly stopped: boolean; sleep(ms: number): Promise<void>; dispose(): void} {
  let stopped = false
  let wake: (() => void) | undefined
  let timer: NodeJS.Timeout | undefined
  const onSignal = (): void => {
    stopped = true
    if (timer !== undefined) clearTimeout(timer)
    wake?.()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return {
    get stopped() {
      return stopped
    },
    sleep: (ms) =>
      new Promise<void>((done) => {
        wake = done
        timer = setTimeout(done, ms)
      }),
    dispose() {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    },
  }
}
