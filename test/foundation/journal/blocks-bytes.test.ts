// The block encoder works on bytes (payloads copied as UTF-8, hash inputs assembled in a buffer).
// Here it is held to the definition, written the plain way with strings: each event's hash is
// eventHash() over its canonical JSON, the events text is the JSON array of [ts, "TYPE", payload],
// blocks split where the run or sector changes, around RUN_STARTED/RUN_STOPPED, at
// MAX_BLOCK_EVENTS and at the end of a chunk.
import {describe, expect, it} from 'vitest'

import {canonicalJson} from '../../../src/foundation/canonical.js'
import {BlockBytes, encodeChunk, encodeChunkBytes, type EncodedBlock} from '../../../src/foundation/journal/blocks.js'
import {chunkOf} from '../../../src/foundation/journal/chunk.js'
import {eventHash, type NewEvent} from '../../../src/foundation/journal/index.js'
import {KIND_BIT, MAX_BLOCK_EVENTS} from '../../../src/foundation/journal/schema.js'

/** Text JSON and UTF-8 make hard: non-ASCII, astral characters, escapes, an escaped lone surrogate, a payload larger than the first buffer. */
const ODD = ['héllo wörld', '日本語テキスト', 'emoji 😀🎉', 'quote " back \\ ctrl \u0001', 'lone \ud800 surrogate', 'x'.repeat(1_200_000)]

function events(): NewEvent[] {
  const out: NewEvent[] = []
  for (let i = 0; i < 6000; i++) {
    const runId = i < 3000 ? 'run-a' : 'run-ü'
    const sector = i % 1000 < 500 ? 'crypto' : 'fx'
    const ts = 1_700_000_000_000 + i * 60_000
    const id = `${runId}-${i}`
    if (i % 1777 === 0) out.push({ts, runId, sector, type: 'STRATEGY_LOG', payload: {message: ODD[5]!}})
    else if (i % 1901 === 0) out.push({ts, runId, sector, type: 'RUN_STOPPED', payload: {reason: 'data-exhausted', barsProcessed: i, summary: {trades: 0, fills: 0, denials: 0, realizedPnl: 0, fees: 0, equity: 0}}})
    else if (i % 7 === 0) out.push({ts, runId, sector, type: 'STRATEGY_LOG', payload: {message: ODD[i % 5]!}})
    else if (i % 3 === 0) out.push({ts, runId, sector, type: 'ORDER_INTENT', payload: {order: {clientOrderId: id, instrument: 'BTC-USD', side: 'buy', type: 'limit', qty: 0.001, limitPrice: 61_000.5, tif: 'gtc'}, reason: ODD[i % 5]!}})
    else if (i % 3 === 1) out.push({ts, runId, sector, type: 'ORDER_ACK', payload: {clientOrderId: id, venueOrderId: `paper-${i}`}})
    else out.push({ts, runId, sector, type: 'FILL', payload: {fill: {clientOrderId: id, venueOrderId: `paper-${i}`, fillId: `paper-${i}-1`, instrument: 'BTC-USD', side: 'sell', qty: 0.001, price: 61_000.5 + i, fee: 3, liquidity: 'maker', ts}}})
  }
  return out
}

/** The blocks of one chunk of events, by the definition. */
function reference(list: readonly NewEvent[], head: {seq: number; hash: string}): EncodedBlock[] {
  const blocks: EncodedBlock[] = []
  const edge = (e: NewEvent) => e.type === 'RUN_STARTED' || e.type === 'RUN_STOPPED'
  let i = 0
  while (i < list.length) {
    const first = list[i]!
    let j = i + 1
    if (!edge(first)) {
      while (j < list.length && j - i < MAX_BLOCK_EVENTS && !edge(list[j]!) && list[j]!.runId === first.runId && list[j]!.sector === first.sector) j++
    }
    const prevHash = head.hash
    const items: string[] = []
    let hashes = ''
    let kinds = 0
    for (const e of list.slice(i, j)) {
      const payload = canonicalJson(e.payload)
      head.seq++
      head.hash = eventHash(head.seq, e.ts, e.runId, e.sector, e.type, payload, head.hash)
      hashes += head.hash
      items.push(`[${e.ts},${JSON.stringify(e.type)},${payload}]`)
      kinds |= KIND_BIT[e.type]
    }
    blocks.push({firstSeq: head.seq - (j - i) + 1, lastSeq: head.seq, runId: first.runId, sector: first.sector, kinds, firstTs: first.ts, lastTs: list[j - 1]!.ts, prevHash, lastHash: head.hash, hashes, events: `[${items.join(',')}]`})
    i = j
  }
  return blocks
}

describe('the block encoder', () => {
  it('gives the blocks of the definition, as strings and as the UTF-8 bytes SQLite stores, in chunks of any size', () => {
    const all = events()
    for (const size of [100, 2048, 6000]) {
      const expected: EncodedBlock[] = []
      const asText: EncodedBlock[] = []
      const asBytes: EncodedBlock[] = []
      const h0 = {seq: 5, hash: 'f'.repeat(64)}
      const h1 = {...h0}
      const h2 = {...h0}
      const bytes = new BlockBytes()
      for (let i = 0; i < all.length; i += size) {
        const slice = all.slice(i, i + size)
        expected.push(...reference(slice, h0))
        // As the writer thread gets it: a structured clone.
        const chunk = structuredClone(chunkOf(slice))
        encodeChunk(chunk, h1, (b) => asText.push(b))
        // The buffers are reused: read before the next block overwrites them.
        encodeChunkBytes(chunk, h2, bytes, (b) => asBytes.push({...b, hashes: b.hashes.toString('latin1'), events: b.events.toString('utf8')}))
      }
      expect(h1).toEqual(h0)
      expect(h2).toEqual(h0)
      expect(asText).toEqual(expected)
      expect(asBytes).toEqual(expected)
    }
  })

  it('writes any safe-integer time the way JSON does', () => {
    const times = [0, 7, 99_999_999, 100_000_000, 100_000_001, 1_704_067_200_000, 999_999_999_999_999, 1e15, Number.MAX_SAFE_INTEGER, -1, -1_704_067_200_000, Number.MIN_SAFE_INTEGER]
    const list: NewEvent[] = times.map((ts, i) => ({ts, runId: 'r', sector: 's', type: 'STRATEGY_LOG', payload: {message: `t${i}`}}))
    const got: EncodedBlock[] = []
    encodeChunk(chunkOf(list), {seq: 0, hash: '0'.repeat(64)}, (b) => got.push(b))
    expect(got).toEqual(reference(list, {seq: 0, hash: '0'.repeat(64)}))
    expect(JSON.parse(got[0]!.events).map((item: unknown[]) => item[0])).toEqual(times)
  })

  it('continues a chain whose head is not plain hex (quoted as JSON, as eventHash does)', () => {
    const list = events().slice(1, 40)
    const head = {seq: 9, hash: 'odd "head" ü'}
    const expected = reference(list, {...head})
    const got: EncodedBlock[] = []
    encodeChunk(chunkOf(list), {...head}, (b) => got.push(b))
    expect(got).toEqual(expected)
  })
})
