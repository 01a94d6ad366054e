import {Buffer} from 'node:buffer'

import {describe, expect, it} from 'vitest'

import {canonicalJson} from '../../../src/foundation/canonical.js'
import {scanPayloads} from '../../../src/foundation/journal/block-scan.js'
import {encodeChunk} from '../../../src/foundation/journal/blocks.js'
import {chunkOf} from '../../../src/foundation/journal/chunk.js'
import {EVENT_TYPES, type NewEvent} from '../../../src/foundation/journal/index.js'

/** Payloads whose text is hard to skip: brackets and quotes inside strings, escapes, nesting, UTF-8. */
const TRICKY: Array<NewEvent['payload']> = [
  {message: 'brackets ] } [ { and a quote " and a backslash \\ and "\\]"'},
  {message: 'héllo 日本 😀 lone \ud800 ctrl \u0001'},
  {order: {clientOrderId: 'c-1', instrument: 'BTC-USD', side: 'buy', type: 'limit', qty: 0.001, limitPrice: 61_000.5, tif: 'gtc', bracket: {stopLoss: 60_000, takeProfit: 62_000}}, reason: '[{"not": "json"}]'},
  {message: ''},
]

function blockText(events: NewEvent[]): Buffer {
  const texts: string[] = []
  encodeChunk(chunkOf(events), {seq: 0, hash: '0'.repeat(64)}, (b) => texts.push(b.events))
  expect(texts).toHaveLength(1)
  return Buffer.from(texts[0]!, 'utf8')
}

describe('scanPayloads', () => {
  it("finds every payload's exact stored text and type, whatever the payload holds", () => {
    const events: NewEvent[] = TRICKY.map((payload, i) => ({ts: i === 0 ? -5 : 1_700_000_000_000 + i, runId: 'run-a', sector: 'fx', type: i === 2 ? 'ORDER_INTENT' : 'STRATEGY_LOG', payload}) as NewEvent)
    const text = blockText(events)
    const seen: Array<[string, string]> = []
    const count = scanPayloads(text, (type, start, end) => seen.push([EVENT_TYPES[type]!, text.subarray(start, end).toString('utf8')]))
    expect(count).toBe(events.length)
    expect(seen).toEqual(events.map((e) => [e.type, canonicalJson(e.payload)]))
  })

  it('an empty block has no events', () => {
    expect(scanPayloads(Buffer.from('[]'), () => {})).toBe(0)
  })

  it('says -1 for text that is not a block as rick writes it', () => {
    const good = blockText([{ts: 1, runId: 'r', sector: 's', type: 'STRATEGY_LOG', payload: {message: 'm'}}]).toString('utf8')
    expect(good).toBe('[[1,"STRATEGY_LOG",{"message":"m"}]]')
    for (const bad of ['', '[', '{}', '[[1,"NOT_A_TYPE",{}]]', '[[x,"STRATEGY_LOG",{}]]', '[[1,"STRATEGY_LOG",{"message":"m"]]', '[[1,"STRATEGY_LOG",{"message":"m}]]', '[[1,"STRATEGY_LOG",[]]]', `${good} `, good.slice(0, -1)]) {
      expect(scanPayloads(Buffer.from(bad), () => {}), bad).toBe(-1)
    }
  })
})
