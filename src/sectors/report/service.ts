// `rick report` as a service: opens the journal read-only, picks the runs (one run, or the latest
// run of each sector), and projects each from its own events only.
import {existsSync} from 'node:fs'

import {UsageError} from '../../foundation/errors.js'
import {openJournal, type Journal, type JournalEvent, type RunStartedPayload} from '../../foundation/journal/index.js'
import type {Instrument} from '../../foundation/domain/instrument.js'
import {syntheticFeed, type BarFeed} from '../data/feed.js'
import {reportFromJournal, type RunReport} from './journal.js'

export interface JournalReportOptions {
  journalPath: string
  sector?: string | undefined
  runId?: string | undefined
}

export interface JournalReport {
  journal: string
  /** Runs in the journal (of the sector, when given). */
  runsInJournal: number
  reports: RunReport[]
}

export function journalReport(options: JournalReportOptions): JournalReport {
  const journal = options.journalPath
  if (!existsSync(journal)) return {journal, runsInJournal: 0, reports: []}
  const store = openJournal({path: journal, readonly: true})
  try {
    const runs = store.runs(options.sector === undefined ? {} : {sector: options.sector})
    let chosen: string[]
    if (options.runId !== undefined) {
      const run = runs.find((r) => r.runId === options.runId)
      if (run === undefined) {
        const known = store.runs().slice(-5).map((r) => `${r.runId} (${r.sector})`)
        const scope = options.sector === undefined ? '' : ` of sector "${options.sector}"`
        throw new UsageError(
          `no run "${options.runId}"${scope} in the journal ${journal}; ${known.length > 0 ? `latest runs: ${known.join(', ')}` : 'it has no runs yet'}`,
          'UNKNOWN_RUN',
        )
      }
      chosen = [run.runId]
    } else {
      // The latest run of each sector, sectors in the order their latest run started.
      const latest = new Map<string, string>()
      for (const r of runs) latest.set(r.sector, r.runId)
      chosen = [...latest.values()]
    }
    const reports = chosen.flatMap((runId) => reportFromJournal(store.events({runId}), {runId, prior: priorEvents(store, runId), marks: regeneratedBars(store, runId)}))
    return {journal, runsInJournal: runs.length, reports}
  } finally {
    store.close()
  }
}

/** Simulations of their own, never an account (the engine's recovery skips them the same way). */
const SIMULATIONS = new Set(['backtest', 'replay'])

/**
 * The FILL and BAR events of the earlier runs of the same account (sector, venue, environment) as
 * `runId`: a paper or live run continues its account and may start with its positions.
 */
function* priorEvents(store: Journal, runId: string): Generator<JournalEvent> {
  const startOf = (id: string): RunStartedPayload | undefined => {
    for (const e of store.events({runId: id, types: ['RUN_STARTED'], limit: 1})) return e.payload as RunStartedPayload
    return undefined
  }
  const run = store.runs().find((r) => r.runId === runId)
  const me = run && startOf(runId)
  if (run === undefined || me === undefined || SIMULATIONS.has(me.environment)) return
  for (const earlier of store.runs({sector: run.sector})) {
    if (earlier.firstSeq >= run.firstSeq) break
    const s = startOf(earlier.runId)
    if (s === undefined || s.venue !== me.venue || s.environment !== me.environment) continue
    yield* store.events({runId: earlier.runId, types: ['FILL', 'BAR']})
  }
}

/**
 * The bars of a run on synthetic inputs that did not journal them, generated again from the seed,
 * when RUN_STARTED describes the instruments well enough (kind, tick size, reference price): the
 * same bars the run saw, so the report's equity curve is the engine's.
 */
function regeneratedBars(store: Journal, runId: string): BarFeed | undefined {
  let started: RunStartedPayload | undefined
  for (const e of store.events({runId, types: ['RUN_STARTED'], limit: 1})) started = e.payload as RunStartedPayload
  if (started === undefined || started.inputs.kind !== 'synthetic') return undefined
  for (const _ of store.events({runId, types: ['BAR'], limit: 1})) return undefined
  const described = (started as {instruments?: Array<Partial<Instrument>>}).instruments ?? []
  const inputs = started.inputs
  const instruments: Instrument[] = []
  for (const id of inputs.instruments) {
    const d = described.find((i) => i.id === id)
    if (d?.kind === undefined || !(typeof d.referencePrice === 'number' && d.referencePrice > 0) || !(typeof d.tickSize === 'number' && d.tickSize > 0)) return undefined
    instruments.push({id, venue: started.venue, kind: d.kind, tickSize: d.tickSize, lotSize: d.lotSize ?? 1, minNotional: 0, multiplier: d.multiplier ?? 1, quoteCurrency: d.quoteCurrency ?? '', referencePrice: d.referencePrice})
  }
  return syntheticFeed({instruments, seed: inputs.seed, startTs: inputs.startTs, periodMs: inputs.periodMs})
}
