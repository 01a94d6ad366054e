// Blocks: how consecutive events of one (run, sector) are stored in one row. The one encoder
// (chunk -> blocks, assigning seqs and chaining hashes) runs wherever a chunk is written: on the
// writer thread or on the calling thread; the decoder serves every read.
//
// events: a JSON array with one [ts, "TYPE", payload] per event, the payload being its canonical
// JSON text verbatim (the very text the event's hash covers). hashes: every event's sha256, hex,
// one after the other, in order. prev_hash: the hash before first_seq; last_hash: the hash of last_seq.
import {Buffer} from 'node:buffer'
import {hash} from 'node:crypto'

import {EVENT_TYPES, type EventType, type JournalEvent} from './events.js'
import {PACKED, TYPE_MASK, type Chunk} from './chunk.js'
import {compactJson, compactLength} from './compact.js'
import {eventHash} from './hash.js'
import {HASH_CHARS, KIND_BIT, MAX_BLOCK_EVENTS} from './schema.js'
import {JournalError} from './sqlite.js'

/** The head of the chain: the last seq and its hash (0 and genesis for an empty journal). */
export interface Head {
  seq: number
  hash: string
}

export interface EncodedBlock {
  firstSeq: number
  lastSeq: number
  runId: string
  sector: string
  kinds: number
  firstTs: number
  lastTs: number
  prevHash: string
  lastHash: string
  /** Every event's hash, hex, one after the other (HASH_CHARS each). */
  hashes: string
  events: string
}

/**
 * A block whose hashes and events are bytes (UTF-8, what SQLite stores for them) in BlockBytes'
 * buffers, valid only until the callback returns: what a writer inserts and then forgets.
 */
export interface EncodedBlockBytes extends Omit<EncodedBlock, 'hashes' | 'events'> {
  hashes: Buffer
  events: Buffer
}

/**
 * Reused buffers that encodeChunkBytes writes a block's hashes and events into, GROUP events at a
 * time. A block's events built as one string (a rope of thousands of pieces, ~400 KB) lived until
 * the block ended, was copied by every scavenge, then flattened into a large-object string and
 * copied again to UTF-8 to be bound; here a group of pieces is garbage as soon as it is written,
 * and nothing block-sized lives on the JS heap. Writer thread, 80,576 backtest-shaped events
 * (.scratch/w/wbench.mjs): ~255 -> ~213 ms of thread CPU with the payload slice in encode(); in
 * the 1M-bar backtest ~210 -> ~192 ms. One Buffer.write per event instead cost about what it
 * saved (~0.3 µs a call); groups of 32 or 256 were no better than 64.
 * The text buffer keeps the size of the largest block it has held.
 */
export class BlockBytes {
  private text: Buffer = Buffer.allocUnsafe(1 << 20)
  private readonly hashBuffer: Buffer = Buffer.allocUnsafe(MAX_BLOCK_EVENTS * HASH_CHARS)
  private textBytes = 0
  private hashBytes = 0
  private items = ''
  private hashes = ''
  private pending = 0

  begin(): void {
    this.textBytes = 0
    this.hashBytes = 0
    this.items = '['
    this.hashes = ''
    this.pending = 0
  }

  /** One event: its item of the events array (with its leading comma) and its hash. */
  add(item: string, hash: string): void {
    this.items += item
    this.hashes += hash
    if (++this.pending === GROUP) this.flush()
  }

  /** The block's hashes and events, valid until the next begin(). */
  end(): [hashes: Buffer, events: Buffer] {
    this.items += ']'
    this.flush()
    return [this.hashBuffer.subarray(0, this.hashBytes), this.text.subarray(0, this.textBytes)]
  }

  private flush(): void {
    const items = this.items
    // write() writes what fits and says nothing: room first (at most 3 UTF-8 bytes per UTF-16 unit).
    const needed = this.textBytes + 3 * items.length
    if (needed > this.text.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, 2 * this.text.length))
      this.text.copy(bigger, 0, 0, this.textBytes)
      this.text = bigger
    }
    this.textBytes += this.text.write(items, this.textBytes)
    this.hashBytes += this.hashBuffer.write(this.hashes, this.hashBytes, 'latin1')
    this.items = ''
    this.hashes = ''
    this.pending = 0
  }
}

/** Events BlockBytes gathers as strings before it writes them (~13 KB of backtest events). */
const GROUP = 64

/** What encode() hands over: an EncodedBlock or an EncodedBlockBytes. */
type AnyBlock = Omit<EncodedBlock, 'hashes' | 'events'> & {hashes: string | Buffer; events: string | Buffer}

/** Where the payload starts in an event's hash input (after `{"payload":`). */
const PAYLOAD_AT = '{"payload":'.length

/** A hash as rick writes it: JSON-quoting it is adding quotes (event type names are plain too). */
const HEX_HASH = /^[0-9a-f]{64}$/

/** RUN_STARTED and RUN_STOPPED are blocks of their own: runs() reads them without decoding big blocks. */
const EDGE: ReadonlySet<string> = new Set<EventType>(['RUN_STARTED', 'RUN_STOPPED'])

/** The payloads of a chunk that are not compact records, one string each. */
export function chunkPayloads(chunk: Chunk): string[] {
  if (chunk.texts.length === 0) return []
  let payloads: string[]
  if (chunk.texts.length === 1) payloads = chunk.texts[0]!.split('\n')
  else {
    payloads = []
    for (const text of chunk.texts) for (const payload of text.split('\n')) payloads.push(payload)
  }
  return payloads
}

/**
 * Encodes a chunk as blocks, continuing the chain from `head` (which it advances). A block ends
 * where the run or sector changes, around RUN_STARTED/RUN_STOPPED, and at MAX_BLOCK_EVENTS.
 */
export function encodeChunk(chunk: Chunk, head: Head, onBlock: (block: EncodedBlock) => void): void {
  encode(chunk, head, onBlock as (block: AnyBlock) => void, undefined)
}

/**
 * encodeChunk, each block's hashes and events written into `bytes`: the same rows, as the UTF-8
 * SQLite stores, valid until onBlock returns (.scratch/w/eqcheck.mjs compares the two).
 */
export function encodeChunkBytes(chunk: Chunk, head: Head, bytes: BlockBytes, onBlock: (block: EncodedBlockBytes) => void): void {
  encode(chunk, head, onBlock as (block: AnyBlock) => void, bytes)
}

function encode(chunk: Chunk, head: Head, onBlock: (block: AnyBlock) => void, bytes: BlockBytes | undefined): void {
  const payloads = chunkPayloads(chunk)
  const {ts, types, records, origins} = chunk
  let nextText = 0
  let nextRecord = 0
  let origin = 0
  let nextOrigin = origins.length > 1 ? origins[1]![0] : Number.POSITIVE_INFINITY
  let runId = origins[0]?.[1] ?? ''
  let sector = origins[0]?.[2] ?? ''
  let seq = head.seq
  let prev = head.hash
  // Every hash this computes is plain hex; only the head read from the file is checked.
  let plainPrev = HEX_HASH.test(prev)
  let i = 0
  while (i < chunk.count) {
    // One block: from event i while the origin stays and no edge event interrupts.
    if (i >= nextOrigin) {
      origin++
      runId = origins[origin]![1]
      sector = origins[origin]![2]
      nextOrigin = origin + 1 < origins.length ? origins[origin + 1]![0] : Number.POSITIVE_INFINITY
    }
    const firstSeq = seq + 1
    const prevHash = prev
    const firstType = EVENT_TYPES[types[i]! & TYPE_MASK]!
    const end = EDGE.has(firstType) ? i + 1 : Math.min(chunk.count, nextOrigin, i + MAX_BLOCK_EVENTS)
    let hashes = ''
    bytes?.begin()
    // eventHashInput(), with what is the same for the whole block quoted once (~0.4 µs an event).
    const middle = `","runId":${JSON.stringify(runId)},"sector":${JSON.stringify(sector)},"seq":`
    let kinds = 0
    let text = '['
    let j = i
    for (; j < end; j++) {
      const code = types[j]!
      const type = EVENT_TYPES[code & TYPE_MASK]!
      if (j > i && EDGE.has(type)) break
      const t = ts[j]!
      // Written twice below: a 13-digit ts is not a small integer, and its text is not cached.
      const tsText = String(t)
      let payload: string
      if ((code & PACKED) === 0) payload = payloads[nextText++]!
      else {
        payload = compactJson(records, nextRecord)
        nextRecord += compactLength(records, nextRecord)
      }
      seq++
      if (plainPrev) {
        const input = `{"payload":${payload},"prevHash":"${prev}${middle}${seq},"ts":${tsText},"type":"${type}"}`
        prev = hash('sha256', input, 'hex')
        // The payload's text, flat now inside the hashed input (hashing flattened it): the item
        // below copies it from there rather than walking its rope again (~10 ms of the writer
        // thread's ~225 per 80k backtest events).
        payload = input.slice(PAYLOAD_AT, PAYLOAD_AT + payload.length)
      } else prev = eventHash(seq, t, runId, sector, type, payload, prev)
      plainPrev = true
      kinds |= KIND_BIT[type]
      const item = `${j > i ? ',' : ''}[${tsText},"${type}",${payload}]`
      if (bytes === undefined) {
        hashes += prev
        text += item
      } else bytes.add(item, prev)
    }
    const written = bytes?.end()
    onBlock({
      firstSeq,
      lastSeq: seq,
      runId,
      sector,
      kinds,
      firstTs: ts[i]!,
      lastTs: ts[j - 1]!,
      prevHash,
      lastHash: prev,
      hashes: written === undefined ? hashes : written[0],
      events: written === undefined ? `${text}]` : written[1],
    })
    i = j
  }
  if (nextText !== payloads.length || nextRecord !== records.length) {
    throw new Error(`journal chunk of ${chunk.count} events holds ${payloads.length} payload texts and ${records.length} record slots; ${nextText} and ${nextRecord} were used`)
  }
  head.seq = seq
  head.hash = prev
}

/** A block row as the reader selects it. */
export type BlockRow = [firstSeq: number, lastSeq: number, runId: string, sector: string, prevHash: string, hashes: string, events: string]

/** The events of a block, in seq order (throws JOURNAL_CORRUPT when the row does not decode). */
export function decodeBlock(row: BlockRow, path: string): JournalEvent[] {
  const [firstSeq, lastSeq, runId, sector, prevHash, hashes, text] = row
  const count = lastSeq - firstSeq + 1
  let items: unknown
  try {
    items = JSON.parse(text)
  } catch {
    items = undefined
  }
  if (!Array.isArray(items) || items.length !== count || typeof hashes !== 'string' || hashes.length !== count * HASH_CHARS) {
    throw new JournalError(`the journal ${path} holds an unreadable block at seq ${firstSeq}..${lastSeq}; run \`rick journal verify\`.`, 'JOURNAL_CORRUPT')
  }
  const out: JournalEvent[] = new Array(count)
  for (let k = 0; k < count; k++) {
    const item = items[k] as [number, EventType, JournalEvent['payload']]
    out[k] = {
      seq: firstSeq + k,
      ts: item[0],
      runId,
      sector,
      type: item[1],
      payload: item[2],
      prevHash: k === 0 ? prevHash : hashes.slice((k - 1) * HASH_CHARS, k * HASH_CHARS),
      hash: hashes.slice(k * HASH_CHARS, (k + 1) * HASH_CHARS),
    }
  }
  return out
}
