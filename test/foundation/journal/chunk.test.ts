// What add() takes from an event: its payload as it is at that moment, as canonical JSON or (for
// ORDER_INTENT, ORDER_ACK and FILL while a writer thread keeps up) as a compact record whose JSON
// the writer writes. Either way the blocks written are byte for byte the same.
import {describe, expect, it} from 'vitest'

import {canonicalJson} from '../../../src/foundation/canonical.js'
import {encodeChunk, type EncodedBlock} from '../../../src/foundation/journal/blocks.js'
import {ChunkBuilder, PACKED, type Chunk} from '../../../src/foundation/journal/chunk.js'
import {GENESIS_HASH, type NewEvent} from '../../../src/foundation/journal/index.js'
import {logEvent, mixedEvents, orderEvent} from './fixture.js'

function build(events: readonly NewEvent[], pack: boolean): Chunk {
  const builder = new ChunkBuilder()
  builder.pack = pack
  for (const e of events) builder.add(e)
  return builder.chunk()
}

function encode(chunk: Chunk): EncodedBlock[] {
  const blocks: EncodedBlock[] = []
  encodeChunk(chunk, {seq: 0, hash: GENESIS_HASH}, (b) => blocks.push(b))
  return blocks
}

describe('chunks', () => {
  it('packed or not, the same events encode to the same blocks', () => {
    const events = mixedEvents(3000)
    const packed = build(events, true)
    const plain = build(events, false)
    expect(packed.types.filter((t) => t & PACKED).length).toBeGreaterThan(1000)
    expect(packed.texts.join('\n').split('\n').length).toBeLessThan(events.length / 2)
    expect(plain.records).toEqual([])
    expect(encode(packed)).toEqual(encode(plain))
  })

  it('payloads that are not exactly the packed shapes take the general path', () => {
    const fill = orderEvent(1, 2)
    const odd: NewEvent[] = [
      {...fill, payload: {fill: {...(fill.payload as {fill: object}).fill, extra: 'kept'}}} as unknown as NewEvent,
      {...orderEvent(2, 1), payload: {clientOrderId: 'c', venueOrderId: 7}} as unknown as NewEvent,
      {...orderEvent(3, 0), payload: Object.assign(Object.create({inherited: 1}) as object, {order: {}, reason: 'r'})} as NewEvent,
    ]
    const chunk = build(odd, true)
    expect(chunk.types.filter((t) => t & PACKED)).toEqual([])
    expect(encode(chunk)).toEqual(encode(build(odd, false)))
  })

  it('a payload changed after add() is written as it was; a bad one throws and leaves no trace', () => {
    const builder = new ChunkBuilder()
    builder.pack = true
    const intent = orderEvent(1, 0) as NewEvent<'ORDER_INTENT'>
    const before = canonicalJson(intent.payload)
    builder.add(intent)
    intent.payload.order.qty = 1
    intent.payload.reason = 'changed'
    const fill = orderEvent(2, 2) as NewEvent<'FILL'>
    expect(() => builder.add({...fill, payload: {fill: {...fill.payload.fill, price: Number.NaN}}})).toThrow(/payload is not JSON/)
    expect(() => builder.add({...logEvent(3), runId: 'r\udc00'})).toThrow(/well-formed Unicode/)
    builder.add(fill)
    expect(builder.count).toBe(2)
    const [block] = encode(builder.chunk())
    expect(JSON.parse(block!.events)).toEqual([
      [intent.ts, 'ORDER_INTENT', JSON.parse(before)],
      [fill.ts, 'FILL', fill.payload],
    ])
    expect(block!.events).toBe(`[[${intent.ts},"ORDER_INTENT",${before}],[${fill.ts},"FILL",${canonicalJson(fill.payload)}]]`)
  })
})
