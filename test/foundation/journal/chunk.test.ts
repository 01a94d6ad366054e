// What add() takes from an event: its payload as it is at that moment, written as canonical JSON
// in UTF-8 (from the known shape for ORDER_INTENT, ORDER_ACK and FILL, through canonicalJson for
// the rest). Either way the blocks written are byte for byte those of the reference encoding.
import {describe, expect, it} from 'vitest'

import {canonicalJson} from '../../../src/foundation/canonical.js'
import {encodeChunk, type EncodedBlock} from '../../../src/foundation/journal/blocks.js'
import {ChunkBuilder, chunkOf, TYPE_INDEX, type Chunk} from '../../../src/foundation/journal/chunk.js'
import {GENESIS_HASH, type NewEvent} from '../../../src/foundation/journal/index.js'
import {logEvent, mixedEvents, orderEvent} from './fixture.js'

function build(events: readonly NewEvent[]): Chunk {
  const builder = new ChunkBuilder()
  for (const e of events) builder.add(e)
  return builder.chunk()
}

function encode(chunk: Chunk): EncodedBlock[] {
  const blocks: EncodedBlock[] = []
  encodeChunk(chunk, {seq: 0, hash: GENESIS_HASH}, (b) => blocks.push(b))
  return blocks
}

/** The payloads of a chunk, decoded. */
function payloads(chunk: Chunk): string[] {
  const out: string[] = []
  let from = 0
  for (const end of chunk.ends) {
    out.push(Buffer.from(chunk.text.subarray(from, end)).toString('utf8'))
    from = end
  }
  return out
}

describe('chunks', () => {
  it('hold each payload as its canonical JSON, with the event times, types and origins', () => {
    const events = mixedEvents(3000)
    const chunk = build(events)
    expect(chunk.count).toBe(events.length)
    expect(payloads(chunk)).toEqual(events.map((e) => canonicalJson(e.payload)))
    expect([...chunk.ts]).toEqual(events.map((e) => e.ts))
    expect([...chunk.types]).toEqual(events.map((e) => TYPE_INDEX.get(e.type)))
    const origins: Array<[number, string, string]> = []
    events.forEach((e, i) => {
      const last = origins.at(-1)
      if (last === undefined || last[1] !== e.runId || last[2] !== e.sector) origins.push([i, e.runId, e.sector])
    })
    expect(chunk.origins).toEqual(origins)
  })

  it('are copies: the builder goes on, reset or not, without touching a chunk it gave', () => {
    const builder = new ChunkBuilder()
    const first = [orderEvent(1, 0), orderEvent(1, 1), orderEvent(1, 2)]
    for (const e of first) builder.add(e)
    const chunk = builder.chunk()
    const before = structuredClone(chunk)
    builder.add(logEvent(2))
    builder.reset()
    for (let i = 0; i < 600; i++) builder.add(orderEvent(i, i))
    expect(chunk).toEqual(before)
    expect(payloads(builder.chunk())).toHaveLength(600)
    expect(encode(chunk)).toEqual(encode(chunkOf(first)))
  })

  it('payloads that are not exactly the hot shapes take the general path, to the same text', () => {
    const fill = orderEvent(1, 2)
    const odd: NewEvent[] = [
      {...fill, payload: {fill: {...(fill.payload as {fill: object}).fill, extra: 'kept'}}} as unknown as NewEvent,
      {...orderEvent(2, 1), payload: {clientOrderId: 'c', venueOrderId: 7}} as unknown as NewEvent,
      {...orderEvent(3, 0), payload: Object.assign(Object.create({inherited: 1}) as object, {order: {}, reason: 'r'})} as NewEvent,
    ]
    expect(payloads(build(odd))).toEqual(odd.map((e) => canonicalJson(e.payload)))
  })

  it('a payload changed after add() is written as it was; a bad one throws and leaves no trace', () => {
    const builder = new ChunkBuilder()
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
