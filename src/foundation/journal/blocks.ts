// Blocks: how consecutive events of one (run, sector) are stored in one row. The one encoder
// (chunk -> blocks, assigning seqs and chaining hashes) runs wherever a chunk is written: on the
// writer thread or on the calling thread; the decoder serves every read.
//
// events: a JSON array with one [ts, "TYPE", payload] per event, the payload being its canonical
// JSON text verbatim (the very text the event's hash covers). hashes: every event's sha256, hex,
// one after the other, in order. prev_hash: the hash before first_seq; last_hash: the hash of last_seq.
import {Buffer} from 'node:buffer'
import {hash} from 'node:crypto'

import type {Chunk} from './chunk.js'
import {EVENT_TYPES, type EventType, type JournalEvent} from './events.js'
import {eventHash} from './hash.js'
import {ascii, isWhole, writeWhole} from './json-bytes.js'
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
 * Reused buffers that encodeChunkBytes writes a block into: its events text, its hashes, and each
 * event's hash input. A chunk's payloads are UTF-8 bytes already (chunk.ts); here they are copied,
 * never decoded: nothing event-sized or block-sized is made on the JS heap but the hash strings.
 * The text buffer keeps the size of the largest block it has held.
 */
export class BlockBytes {
  text: Buffer = Buffer.allocUnsafeSlow(1 << 20)
  readonly hashes: Buffer = Buffer.allocUnsafeSlow(MAX_BLOCK_EVENTS * HASH_CHARS)
  /** `{"payload":` then the event's payload and the rest of its hash input (eventHashInput()). */
  input: Buffer = Buffer.allocUnsafeSlow(1 << 12)
  textBytes = 0

  constructor() {
    this.input.write(PAYLOAD_KEY, 0, 'latin1')
  }

  /** Room for `n` more bytes of events text. */
  textRoom(n: number): void {
    if (this.textBytes + n <= this.text.length) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.textBytes + n, 2 * this.text.length))
    this.text.copy(bigger, 0, 0, this.textBytes)
    this.text = bigger
  }

  /** Room for a hash input of `n` bytes (its prefix kept). */
  inputRoom(n: number): void {
    if (n <= this.input.length) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(n, 2 * this.input.length))
    bigger.write(PAYLOAD_KEY, 0, 'latin1')
    this.input = bigger
  }
}

/** How an event's hash input (eventHashInput) and its content hash's input (eventContentHash) begin. */
export const PAYLOAD_KEY = '{"payload":'
/** Where the payload starts in an event's hash input. */
const PAYLOAD_AT = PAYLOAD_KEY.length
export const OPEN_BRACKET = 0x5b
export const CLOSE_BRACKET = 0x5d
export const COMMA = 0x2c
/** `,"TYPE",` per type index: what follows ts in an events item. */
const ITEM_TYPE: readonly Uint8Array[] = EVENT_TYPES.map((t) => ascii(`,"${t}",`))
/** Digits of the longest ts written (a safe integer, maybe negative). */
const MAX_TS_DIGITS = 17
/** Parts of an event's hash input past its payload (eventHashInput()), as bytes. */
const PREV_KEY = ascii(',"prevHash":"')
const TS_KEY = ascii(',"ts":')
/** `,"type":"TYPE"}` per type index: how both hash inputs end. */
export const TYPE_TAIL: readonly Uint8Array[] = EVENT_TYPES.map((t) => ascii(`,"type":${JSON.stringify(t)}}`))
/** Room for the hash input past the payload, but for the block's middle: prevHash, seq, ts, type. */
const SUFFIX_ROOM = 160

/** Writes a safe integer (a ts, a seq) in decimal at `at`; returns where it ends. */
function writeInteger(out: Buffer, at: number, t: number): number {
  return isWhole(t) ? writeWhole(out, at, t) : at + out.write(String(t), at, 'latin1')
}

/** A hash as rick writes it: JSON-quoting it is adding quotes (event type names are plain too). */
const HEX_HASH = /^[0-9a-f]{64}$/

/** RUN_STARTED and RUN_STOPPED are blocks of their own: runs() reads them without decoding big blocks. */
const EDGE: ReadonlySet<string> = new Set<EventType>(['RUN_STARTED', 'RUN_STOPPED'])

/** One buffer set for encodeChunk (strings are copied out of it before it is reused). */
let stringScratch: BlockBytes | undefined

/**
 * Encodes a chunk as blocks, continuing the chain from `head` (which it advances), each block's
 * hashes and events as strings: for callers that keep them (durable appends, upgrades).
 */
export function encodeChunk(chunk: Chunk, head: Head, onBlock: (block: EncodedBlock) => void): void {
  encodeChunkBytes(chunk, head, (stringScratch ??= new BlockBytes()), (b) => {
    onBlock({...b, hashes: b.hashes.toString('latin1'), events: b.events.toString('utf8')})
  })
}

/**
 * Encodes a chunk as blocks, continuing the chain from `head` (which it advances). A block ends
 * where the run or sector changes, around RUN_STARTED/RUN_STOPPED, and at MAX_BLOCK_EVENTS. Its
 * hashes and events are bytes in `bytes`' buffers (the UTF-8 SQLite stores), valid until onBlock
 * returns.
 */
export function encodeChunkBytes(chunk: Chunk, head: Head, bytes: BlockBytes, onBlock: (block: EncodedBlockBytes) => void): void {
  const {ts, types, ends, text, origins} = chunk
  const count = chunk.count
  if (count > 0 && ends[count - 1] !== text.length) {
    throw new Error(`journal chunk of ${count} events ends its payloads at byte ${String(ends[count - 1])} of ${text.length}`)
  }
  const hashes = bytes.hashes
  let origin = 0
  let nextOrigin = origins.length > 1 ? origins[1]![0] : Number.POSITIVE_INFINITY
  let runId = origins[0]?.[1] ?? ''
  let sector = origins[0]?.[2] ?? ''
  let seq = head.seq
  let prev = head.hash
  // Every hash this computes is plain hex; only the head read from the file is checked (JSON-quoted,
  // anything else is not `"${hex}"`).
  let plainPrev = HEX_HASH.test(prev)
  let i = 0
  let from = 0
  while (i < count) {
    // One block: from event i while the origin stays and no edge event interrupts.
    if (i >= nextOrigin) {
      origin++
      runId = origins[origin]![1]
      sector = origins[origin]![2]
      nextOrigin = origin + 1 < origins.length ? origins[origin + 1]![0] : Number.POSITIVE_INFINITY
    }
    const firstSeq = seq + 1
    const prevHash = prev
    const firstType = EVENT_TYPES[types[i]!]!
    const end = EDGE.has(firstType) ? i + 1 : Math.min(count, nextOrigin, i + MAX_BLOCK_EVENTS)
    // eventHashInput() past the payload, from the prevHash's closing quote to the seq: the same
    // for the whole block, quoted once.
    const afterHex = Buffer.from(`","runId":${JSON.stringify(runId)},"sector":${JSON.stringify(sector)},"seq":`, 'utf8')
    bytes.textBytes = 0
    bytes.textRoom(1)
    bytes.text[bytes.textBytes++] = OPEN_BRACKET
    let kinds = 0
    let j = i
    for (; j < end; j++) {
      const code = types[j]!
      if (j > i && EDGE.has(EVENT_TYPES[code]!)) break
      const to = ends[j]!
      seq++
      if (plainPrev) prev = encodeEvent(bytes, j > i, ts[j]!, code, text.subarray(from, to), seq, prev, afterHex)
      else {
        // The chain's head as read from the file, not plain hex: the definition, once.
        const payload = Buffer.from(text.buffer, text.byteOffset + from, to - from).toString('utf8')
        encodeItem(bytes, j > i, ts[j]!, code, text.subarray(from, to))
        prev = eventHash(seq, ts[j]!, runId, sector, EVENT_TYPES[code]!, payload, prev)
        plainPrev = true
      }
      hashes.write(prev, (j - i) * HASH_CHARS, 'latin1')
      kinds |= KIND_BIT[EVENT_TYPES[code]!]
      from = to
    }
    bytes.textRoom(1)
    bytes.text[bytes.textBytes++] = CLOSE_BRACKET
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
      hashes: hashes.subarray(0, (j - i) * HASH_CHARS),
      events: bytes.text.subarray(0, bytes.textBytes),
    })
    i = j
  }
  head.seq = seq
  head.hash = prev
}

/**
 * One event of a block: its events item, then its hash input after a plain hex `prev`; returns
 * its hash. Its own function, so that V8 optimizes this loop body from its first calls rather than
 * the whole encoder by on-stack replacement, which it then rebuilt at every path it had not seen.
 */
function encodeEvent(bytes: BlockBytes, comma: boolean, t: number, code: number, payload: Uint8Array, seq: number, prev: string, afterHex: Uint8Array): string {
  encodeItem(bytes, comma, t, code, payload)
  // {"payload":…,"prevHash":…,"runId":…,"sector":…,"seq":…,"ts":…,"type":…}, written as bytes
  // past the payload (no string per event).
  const length = payload.length
  bytes.inputRoom(PAYLOAD_AT + length + SUFFIX_ROOM + afterHex.length)
  const input = bytes.input
  input.set(payload, PAYLOAD_AT)
  let p = PAYLOAD_AT + length
  for (let k = 0; k < PREV_KEY.length; k++) input[p++] = PREV_KEY[k]!
  p += input.write(prev, p, 'latin1')
  for (let k = 0; k < afterHex.length; k++) input[p++] = afterHex[k]!
  p = writeInteger(input, p, seq)
  for (let k = 0; k < TS_KEY.length; k++) input[p++] = TS_KEY[k]!
  p = writeInteger(input, p, t)
  const tail = TYPE_TAIL[code]!
  for (let k = 0; k < tail.length; k++) input[p++] = tail[k]!
  return hash('sha256', new Uint8Array(input.buffer, input.byteOffset, p), 'hex')
}

/** An events item `[ts,"TYPE",payload]`, after a comma unless it is the block's first. */
function encodeItem(bytes: BlockBytes, comma: boolean, t: number, code: number, payload: Uint8Array): void {
  const item = ITEM_TYPE[code]!
  const length = payload.length
  bytes.textRoom(2 + MAX_TS_DIGITS + item.length + length + 1)
  const out = bytes.text
  let at = bytes.textBytes
  if (comma) out[at++] = COMMA
  out[at++] = OPEN_BRACKET
  at = writeInteger(out, at, t)
  for (let k = 0; k < item.length; k++) out[at++] = item[k]!
  out.set(payload, at)
  at += length
  out[at++] = CLOSE_BRACKET
  bytes.textBytes = at
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
