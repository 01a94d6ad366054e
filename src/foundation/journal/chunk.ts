// What the calling thread hands to a writer: events validated, each payload's canonical JSON
// written at add() as UTF-8 bytes (the payload as it is at that moment), everything in typed
// arrays, so that posting a chunk to the writer thread copies a few buffers and the thread decodes
// nothing. Seq and hashes are not here: the writer assigns them from the head of the chain inside
// its transaction.
import {canonicalJson} from '../canonical.js'
import {ExitCode} from '../errors.js'
import {EVENT_TYPES, type NewEvent} from './events.js'
import {writeHotPayload} from './hot-payloads.js'
import {JsonBytes} from './json-bytes.js'
import {JournalError} from './sqlite.js'

/** A plain object of typed arrays (structured-clonable): written inline or posted to the writer thread. */
export interface Chunk {
  count: number
  /** Per event: engine clock, epoch ms. */
  ts: Float64Array
  /** Per event: index in EVENT_TYPES. */
  types: Uint8Array
  /** Per event: where its payload ends in `text` (it starts where the previous one ends). */
  ends: Uint32Array
  /** The payloads' canonical JSON, UTF-8, one after the other. */
  text: Uint8Array
  /** [index of the first event, runId, sector], wherever the run or sector changes. */
  origins: Array<[number, string, string]>
}

export const TYPE_INDEX: ReadonlyMap<string, number> = new Map(EVENT_TYPES.map((t, i) => [t, i]))

/** Events a builder has room for before it grows (a batch is BATCH_SIZE). */
const INITIAL_EVENTS = 256

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

/** Gathers events into a Chunk; add() validates and writes the payload's JSON at once. */
export class ChunkBuilder {
  private ts = new Float64Array(INITIAL_EVENTS)
  private types = new Uint8Array(INITIAL_EVENTS)
  private ends = new Uint32Array(INITIAL_EVENTS)
  private readonly json = new JsonBytes()
  private n = 0
  private origins: Array<[number, string, string]> = []
  private runId = ''
  private sector = ''

  get count(): number {
    return this.n
  }

  add(e: NewEvent): void {
    // Everything that can throw comes before anything is kept: a bad event leaves no trace.
    const type = typeIndex(e)
    this.origin(e)
    const json = this.json
    // writeHotPayload checks the whole shape before it writes; the general path throws before it writes.
    if (!writeHotPayload(e.type, e.payload, json)) json.text(payloadText(e))
    this.push(e.ts, type, e.runId, e.sector)
  }

  /**
   * An event whose payload is already canonical JSON (an upgrade copies verified rows): no checks
   * beyond the origin's, the caller vouches for the rest.
   */
  addJson(ts: number, type: number, runId: string, sector: string, payloadJson: string): void {
    this.json.text(payloadJson)
    this.push(ts, type, runId, sector)
  }

  /** What is gathered so far, as a Chunk of copies (the builder keeps writing its own buffers). */
  chunk(): Chunk {
    const n = this.n
    return {count: n, ts: this.ts.slice(0, n), types: this.types.slice(0, n), ends: this.ends.slice(0, n), text: this.json.copy(), origins: this.origins}
  }

  reset(): void {
    this.n = 0
    this.json.pos = 0
    this.origins = []
  }

  /** Checks the event's run and sector where they change (they are stored as SQLite TEXT). */
  private origin(e: NewEvent): void {
    if (this.n > 0 && e.runId === this.runId && e.sector === this.sector) return
    // A lone surrogate would come back changed and break the chain.
    if (!wellFormed(e.runId)) throw badEvent(e, 'runId must be well-formed Unicode (it holds a lone surrogate)')
    if (!wellFormed(e.sector)) throw badEvent(e, 'sector must be well-formed Unicode (it holds a lone surrogate)')
  }

  private push(ts: number, type: number, runId: string, sector: string): void {
    const n = this.n
    if (n === this.ts.length) this.grow()
    if (n === 0 || runId !== this.runId || sector !== this.sector) {
      this.runId = runId
      this.sector = sector
      this.origins.push([n, runId, sector])
    }
    this.ts[n] = ts
    this.types[n] = type
    this.ends[n] = this.json.pos
    this.n = n + 1
  }

  private grow(): void {
    const size = 2 * this.ts.length
    const ts = new Float64Array(size)
    const types = new Uint8Array(size)
    const ends = new Uint32Array(size)
    ts.set(this.ts)
    types.set(this.types)
    ends.set(this.ends)
    this.ts = ts
    this.types = types
    this.ends = ends
  }
}

/** chunkOf's builder: chunk() copies, so one can serve every (synchronous) call. */
let scratch: ChunkBuilder | undefined

/** A chunk of these events, validated (nothing is kept from a list with a bad event). */
export function chunkOf(events: readonly NewEvent[]): Chunk {
  const builder = (scratch ??= new ChunkBuilder())
  builder.reset()
  for (const e of events) builder.add(e)
  return builder.chunk()
}
