// The "journal hash" of a run: what golden tests pin and what `replay` compares. It covers what
// the run did (each event's type and payload, in order) and leaves out where it was recorded
// (seq, ts, run id, chain hashes), which legitimately differ between a run and its replay.
import {Buffer} from 'node:buffer'
import {createHash, hash as oneShotHash, type Hash} from 'node:crypto'

import {canonicalJson} from '../canonical.js'
import {scanPayloads} from './block-scan.js'
import {PAYLOAD_KEY, TYPE_TAIL} from './blocks.js'
import {EVENT_TYPES, type EventType} from './events.js'
import {MAX_BLOCK_EVENTS} from './schema.js'
import {eventContentHash} from './hash.js'
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
  const blocks = journal.runBlockTexts?.(runId)
  if (blocks !== undefined) {
    const fast = hashFromBlocks(blocks, exclude)
    if (fast !== undefined) return fast
  }
  const hash = createHash('sha256')
  for (const e of journal.events({runId})) {
    if (exclude.has(e.type)) continue
    hash.update(eventContentHash(e.type, canonicalJson(e.payload)))
    hash.update('\n')
  }
  return hash.digest('hex')
}

const NEWLINE = 0x0a
/** A line of the run's hash input: a content hash in hex, then a newline. */
const LINE = 65

/**
 * The same hash, from the payloads' stored text (which is their canonical JSON: it is what the chain
 * hashes), without decoding them; undefined when a block is not shaped as expected.
 */
function hashFromBlocks(blocks: Iterable<Uint8Array>, exclude: ReadonlySet<string>): string | undefined {
  const skip = EVENT_TYPES.map((t) => exclude.has(t))
  const hash: Hash = createHash('sha256')
  let input = Buffer.allocUnsafe(1 << 12)
  input.write(PAYLOAD_KEY, 0, 'latin1')
  // A block's lines (hex + "\n" per event), given to the run's hash in one update.
  let lines = Buffer.allocUnsafe(MAX_BLOCK_EVENTS * LINE)
  let used = 0
  for (const text of blocks) {
    used = 0
    const ok = scanPayloads(text, (type, start, end) => {
      if (skip[type]) return
      const tail = TYPE_TAIL[type]!
      const length = PAYLOAD_KEY.length + (end - start) + tail.length
      if (length > input.length) {
        input = Buffer.allocUnsafe(2 * length)
        input.write(PAYLOAD_KEY, 0, 'latin1')
      }
      input.set(text.subarray(start, end), PAYLOAD_KEY.length)
      input.set(tail, PAYLOAD_KEY.length + (end - start))
      if (used + LINE > lines.length) {
        const bigger = Buffer.allocUnsafe(2 * lines.length)
        lines.copy(bigger, 0, 0, used)
        lines = bigger
      }
      used += lines.write(oneShotHash('sha256', input.subarray(0, length), 'hex'), used, 'latin1')
      lines[used++] = NEWLINE
    })
    if (ok < 0) return undefined
    hash.update(lines.subarray(0, used))
  }
  return hash.digest('hex')
}
