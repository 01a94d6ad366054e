import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {canonicalJson, hashCanonical, sha256Hex} from '../../../src/foundation/canonical.js'
import {eventContentHash, eventHash, GENESIS_HASH} from '../../../src/foundation/journal/index.js'
import {eventHashInput} from '../../../src/foundation/journal/hash.js'

describe('event hashes', () => {
  it('hash the canonical JSON of {seq, ts, runId, sector, type, payload, prevHash}, for any payload and strings', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.integer({min: 0, max: Number.MAX_SAFE_INTEGER}),
        fc.string({minLength: 1}),
        fc.string({minLength: 1}),
        fc.constantFrom('BAR', 'FILL', 'ORDER_INTENT'),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        (seq, ts, runId, sector, type, payload, prevHash) => {
          const payloadJson = canonicalJson(payload)
          const fields = {seq, ts, runId, sector, type, payload: JSON.parse(payloadJson) as unknown, prevHash}
          expect(eventHashInput(seq, ts, runId, sector, type, payloadJson, prevHash)).toBe(canonicalJson(fields))
          expect(eventHash(seq, ts, runId, sector, type, payloadJson, prevHash)).toBe(hashCanonical(fields))
        },
      ),
      {numRuns: 300},
    )
  })

  it('pinned: the first event of a journal hashes to this exact value', () => {
    const payloadJson = canonicalJson({message: 'hello', n: 1})
    expect(eventHash(1, 1_741_012_200_000, 'run-1', 'oanda', 'STRATEGY_LOG', payloadJson, GENESIS_HASH)).toBe(
      sha256Hex(`{"payload":{"message":"hello","n":1},"prevHash":"${GENESIS_HASH}","runId":"run-1","sector":"oanda","seq":1,"ts":1741012200000,"type":"STRATEGY_LOG"}`),
    )
    // Pinned literally: changing how events are hashed invalidates every journal ever written.
    expect(eventHash(1, 1_741_012_200_000, 'run-1', 'oanda', 'STRATEGY_LOG', payloadJson, GENESIS_HASH)).toBe('b751d957ff39920818c9943237250f0b6012e5f73ca262939a1093a8a5f1e71b')
  })

  it('content hashes cover type and payload only', () => {
    expect(eventContentHash('FILL', '{"a":1}')).toBe(hashCanonical({type: 'FILL', payload: {a: 1}}))
    expect(eventContentHash('FILL', '{"a":1}')).not.toBe(eventContentHash('BAR', '{"a":1}'))
  })
})
