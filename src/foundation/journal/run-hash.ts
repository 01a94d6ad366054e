// The "journal hash" of a run: what golden tests pin and what `replay` compares. It covers what
// the run did (each event's type and payload, in order) and leaves out where it was recorded
// (seq, ts, run id, chain hashes), which legitimately differ between a run and its replay.
import {createHash} from 'node:crypto'

import type {EventType} from './events.js'
import {eventContentHash} from './hash.js'
import {canonicalJson} from '../canonical.js'
import type {Journal} from './types.js'

export interface RunHashOptions {
  /**
   * Event types left out. Default: RUN_STARTED and RUN_STOPPED, which carry the environment
   * (rick's version, snapshot, charter decision) and why the run ended, not what it did.
   */
  exclude?: EventType[]
}

export const RUN_HASH_DEFAULT_EXCLUDE: readonly EventType[] = ['RUN_STARTED', 'RUN_STOPPED']

/** sha256 over the run's event content hashes (eventContentHash), one per line, in seq order. */
export function runHash(journal: Journal, runId: string, options: RunHashOptions = {}): string {
  const exclude = new Set<string>(options.exclude ?? RUN_HASH_DEFAULT_EXCLUDE)
  const hash = createHash('sha256')
  for (const e of journal.events({runId})) {
    if (exclude.has(e.type)) continue
    hash.update(eventContentHash(e.type, canonicalJson(e.payload)))
    hash.update('\n')
  }
  return hash.digest('hex')
}
