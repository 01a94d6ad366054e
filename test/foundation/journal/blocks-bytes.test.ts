// The two encoders of blocks.ts: strings (durable appends, upgrades) and bytes (batches: the writer
// thread and inline). The same chunk must give the same blocks, byte for byte, whichever encodes it.
import {describe, expect, it} from 'vitest'

import {BlockBytes, encodeChunk, encodeChunkBytes, type EncodedBlock} from '../../../src/foundation/journal/blocks.js'
import {ChunkBuilder} from '../../../src/foundation/journal/chunk.js'
import type {NewEvent} from '../../../src/foundation/journal/index.js'

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
    else out.push({ts, runId, sector, type: 'FILL', payload: {fill: {clientOrderId: id, venueOrderId: `paper-${i}`, fillId: `paper-${i}-1`, instrument: 'BTC-USD', side: 'sell', qty: 0.001, price: 61_000.5, fee: 3, liquidity: 'maker', ts}}})
  }
  return out
}

describe('block encoders', () => {
  it('give the same blocks as strings and as UTF-8 bytes, packed or not, in chunks of any size', () => {
    const all = events()
    for (const pack of [false, true]) {
      for (const size of [100, 2048, 6000]) {
        const asText: EncodedBlock[] = []
        const asBytes: Array<Omit<EncodedBlock, 'hashes' | 'events'> & {hashes: Buffer; events: Buffer}> = []
        const h1 = {seq: 5, hash: 'f'.repeat(64)}
        const h2 = {...h1}
        const bytes = new BlockBytes()
        for (let i = 0; i < all.length; i += size) {
          const builder = new ChunkBuilder()
          builder.pack = pack
          for (const e of all.slice(i, i + size)) builder.add(e)
          const chunk = structuredClone(builder.chunk())
          encodeChunk(chunk, h1, (b) => asText.push(b))
          // The buffers are reused: copied before the next block overwrites them.
          encodeChunkBytes(chunk, h2, bytes, (b) => asBytes.push({...b, hashes: Buffer.from(b.hashes), events: Buffer.from(b.events)}))
        }
        expect(h2).toEqual(h1)
        expect(asBytes).toHaveLength(asText.length)
        asText.forEach((t, k) => {
          const b = asBytes[k]!
          const {hashes, events: text, ...header} = t
          expect({...b, hashes: undefined, events: undefined}).toEqual({...header, hashes: undefined, events: undefined})
          expect(b.hashes.equals(Buffer.from(hashes, 'utf8'))).toBe(true)
          expect(b.events.equals(Buffer.from(text, 'utf8'))).toBe(true)
        })
      }
    }
  })
})
