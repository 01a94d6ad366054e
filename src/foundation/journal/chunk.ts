// What the calling thread hands to a writer: events validated, payloads taken as they are at
// add() (their canonical JSON, or for the three kinds a backtest writes by the ten thousand, their
// fields: see compact.ts), packed so that posting them to the writer thread is cheap. Seq and
// hashes are not here: the writer assigns them from the head of the chain inside its transaction.
import {canonicalJson} from '../canonical.js'
import {ExitCode} from '../errors.js'
import {compactJson, packPayload, type CompactValue} from './compact.js'
import {EVENT_TYPES, type NewEvent} from './events.js'
import {JournalError} from './sqlite.js'

/** A plain object (structured-clonable): the same value is written inline or posted to the writer thread. */
export interface Chunk {
  count: number
  /** Per event: engine clock, epoch ms. */
  ts: number[]
  /** Per event: index in EVENT_TYPES, plus PACKED when its payload is a compact record. */
  types: number[]
  /**
   * The other payloads' canonical JSON, in order, up to GROUP of them per string, joined by '\n'
   * (which canonical JSON never contains: control characters inside strings are escaped, and
   * there is no whitespace).
   */
  texts: string[]
  /** Compact records of the packed payloads, in order, one after the other (compact.ts). */
  records: CompactValue[]
  /** [index of the first event, runId, sector], wherever the run or sector changes. */
  origins: Array<[number, string, string]>
}

/**
 * Payloads joined per string. canonicalJson returns ropes (strings built by concatenation); each
 * one kept alive until the chunk is posted costs ~0.5 µs (old-space promotion, then flattening
 * in postMessage). Joining every 64 while they are young costs ~0.1 µs per event, and postMessage
 * then copies a few flat strings (measured on 80k backtest-shaped payloads).
 */
const GROUP = 64

/** Flag on a `types` entry: the payload is the next compact record. */
export const PACKED = 0x40
export const TYPE_MASK = 0x3f

const TYPE_INDEX: ReadonlyMap<string, number> = new Map(EVENT_TYPES.map((t, i) => [t, i]))

function badEvent(e: NewEvent, why: string): JournalError {
  return new JournalError(`cannot journal ${String(e?.type)} event: ${why}.`, 'JOURNAL_BAD_EVENT', ExitCode.Failure)
}

/** Checks an event; returns the index of its type (throws JOURNAL_BAD_EVENT). */
function typeIndex(e: NewEvent): number {
  const index = TYPE_INDEX.get(e.type)
  if (index === undefined) throw badEvent(e, `unknown type (expected one of ${EVENT_TYPES.join(', ')})`)
  if (!Number.isSafeInteger(e.ts)) throw badEvent(e, `ts must be integer epoch ms, found ${String(e.ts)}`)
  if (typeof e.runId !== 'string' || e.runId === '') throw badEvent(e, 'runId must be a non-empty string')
  if (typeof e.sector !== 'string' || e.sector === '') throw badEvent(e, 'sector must be a non-empty string')
  if (e.payload === null || typeof e.payload !== 'object') throw badEvent(e, 'payload must be an object')
  return index
}

function wellFormed(s: string): boolean {
  return (s as string & {isWellFormed(): boolean}).isWellFormed()
}

function payloadText(e: NewEvent): string {
  try {
    return canonicalJson(e.payload)
  } catch (error) {
    throw badEvent(e, `payload is not JSON (${(error as Error).message})`)
  }
}

/** Scratch record for hotText (emptied before each use). */
const scratch: CompactValue[] = []

/**
 * The payload's canonical JSON through its compact record (compact.ts) for the three shapes a
 * backtest writes most; undefined for anything else. Same text as canonicalJson, written from a
 * known shape instead of walking the object.
 */
function hotText(e: NewEvent): string | undefined {
  scratch.length = 0
  return packPayload(e.type, e.payload, scratch) ? compactJson(scratch, 0) : undefined
}

/** Gathers events into a Chunk; add() validates and takes the payload's text at once. */
export class ChunkBuilder {
  private ts: number[] = []
  private types: number[] = []
  private texts: string[] = []
  private group: string[] = []
  private records: CompactValue[] = []
  private origins: Array<[number, string, string]> = []
  private runId = ''
  private sector = ''
  /**
   * Whether add() packs the payloads it can (compact.ts) instead of writing their JSON: that moves
   * ~0.5 µs an event from the calling thread to the writer, which pays it instead. Worth it only
   * while a writer thread keeps up (the journal decides per chunk); the calling thread writing
   * inline would pay both.
   */
  pack = false

  get count(): number {
    return this.ts.length
  }

  add(e: NewEvent): void {
    // Everything that can throw comes before anything is kept: a bad event leaves no trace.
    let code = typeIndex(e)
    const n = this.ts.length
    const origin = n === 0 || e.runId !== this.runId || e.sector !== this.sector
    if (origin) {
      // Stored as SQLite TEXT (UTF-8): a lone surrogate would come back changed and break the chain.
      if (!wellFormed(e.runId)) throw badEvent(e, 'runId must be well-formed Unicode (it holds a lone surrogate)')
      if (!wellFormed(e.sector)) throw badEvent(e, 'sector must be well-formed Unicode (it holds a lone surrogate)')
    }
    let text: string | undefined
    // packPayload copies the fields (strings and numbers: the payload as it is now) or changes nothing.
    if (this.pack && packPayload(e.type, e.payload, this.records)) code |= PACKED
    else text = hotText(e) ?? payloadText(e)
    if (origin) {
      this.runId = e.runId
      this.sector = e.sector
      this.origins.push([n, e.runId, e.sector])
    }
    this.ts.push(e.ts)
    this.types.push(code)
    if (text !== undefined && this.group.push(text) === GROUP) {
      this.texts.push(this.group.join('\n'))
      this.group = []
    }
  }

  /** What is gathered so far, as a Chunk (the builder keeps it until reset()). */
  chunk(): Chunk {
    if (this.group.length > 0) {
      this.texts.push(this.group.join('\n'))
      this.group = []
    }
    return {count: this.ts.length, ts: this.ts, types: this.types, texts: this.texts, records: this.records, origins: this.origins}
  }

  reset(): void {
    this.ts = []
    this.types = []
    this.texts = []
    this.group = []
    this.records = []
    this.origins = []
  }
}

/** A chunk of these events, validated (nothing is kept from a list with a bad event). */
export function chunkOf(events: readonly NewEvent[]): Chunk {
  const builder = new ChunkBuilder()
  for (const e of events) builder.add(e)
  return builder.chunk()
}
