import {Buffer} from 'node:buffer'

import {afterAll, describe, expect, it} from 'vitest'

import {hashCanonical, sha256Hex} from '../../../src/foundation/canonical.js'
import {openJournal, runHash, type EventFilter, type Journal, type NewEvent} from '../../../src/foundation/journal/index.js'
import {barEvent, journalPath, removeTempDirs, runStarted, runStopped} from './fixture.js'

afterAll(removeTempDirs)

/** A small run: start, three bars, an intent, stop. `shift` moves every timestamp. */
function writeRun(journal: Journal, runId: string, sector: string, options: {shift?: number; fillQty?: number; version?: string} = {}): void {
  const shift = options.shift ?? 0
  const moved = <T extends NewEvent>(e: T): T => ({...e, ts: e.ts + shift})
  const started = runStarted(runId, sector)
  journal.append(moved({...started, payload: {...started.payload, version: options.version ?? '0.1.0'}}))
  const batch = journal.batch()
  for (let i = 1; i <= 3; i++) batch.add({...barEvent(i, runId, sector), ts: barEvent(i).ts + shift})
  batch.close()
  journal.append(
    moved({
      ts: barEvent(3).ts,
      runId,
      sector,
      type: 'ORDER_INTENT',
      payload: {order: {clientOrderId: 'c-1', instrument: 'BTC-USD', side: 'buy', type: 'market', qty: options.fillQty ?? 0.01, tif: 'gtc'}, reason: 'cross'},
    }),
  )
  journal.append(moved(runStopped(runId, sector, 4)))
}

describe('runHash', () => {
  it('is the same for a run and its replay: other run id, other seqs and timestamps, other rick version', () => {
    const journal = openJournal({path: journalPath()})
    writeRun(journal, 'run-original', 'coinbase')
    writeRun(journal, 'run-other', 'oanda', {fillQty: 0.02})
    writeRun(journal, 'run-replay', 'coinbase', {shift: 86_400_000, version: '0.2.0'})
    const original = runHash(journal, 'run-original')
    expect(original).toMatch(/^[0-9a-f]{64}$/)
    expect(runHash(journal, 'run-replay')).toBe(original)
    // A different order quantity is a different run.
    expect(runHash(journal, 'run-other')).not.toBe(original)
    // RUN_STARTED included on request: the version now differs.
    expect(runHash(journal, 'run-replay', {exclude: []})).not.toBe(runHash(journal, 'run-original', {exclude: []}))
    journal.close()
  })

  it('is pinned for a fixed run (golden: changing what it covers changes every pinned backtest)', () => {
    const journal = openJournal({path: journalPath()})
    writeRun(journal, 'run-golden', 'coinbase')
    expect(runHash(journal, 'run-golden')).toBe('3f0919c9157b58b33d28f41b9aa2b804447cff53e81b11e1b0d340a588de56fe')
    // The definition: sha256 over sha256(canonical {payload, type}) + "\n" of each event but RUN_STARTED/RUN_STOPPED.
    const lines = [...journal.events({runId: 'run-golden'})]
      .filter((e) => e.type !== 'RUN_STARTED' && e.type !== 'RUN_STOPPED')
      .map((e) => `${hashCanonical({type: e.type, payload: e.payload})}\n`)
    expect(lines).toHaveLength(4)
    expect(runHash(journal, 'run-golden')).toBe(sha256Hex(lines.join('')))
    journal.close()
  })

  it("reads the payloads' stored text, and gives the definition's hash: many blocks, odd text, other runs between", () => {
    const journal = openJournal({path: journalPath()})
    journal.append(runStarted('run-odd', 'fx'))
    const batch = journal.batch({size: 1000})
    const odd = ['brackets ] } [ { "quoted" \\ back', 'héllo 日本 😀 lone \ud800', '']
    for (let i = 0; i < 9000; i++) {
      batch.add({ts: 1_700_000_000_000 + i, runId: i % 1000 === 999 ? 'run-between' : 'run-odd', sector: 'fx', type: 'STRATEGY_LOG', payload: {message: `${odd[i % 3]} ${i}`}})
    }
    batch.close()
    journal.append(runStopped('run-odd', 'fx', 9001))
    const definition = (j: Journal, runId: string): string =>
      sha256Hex(
        [...j.events({runId})]
          .filter((e) => e.type !== 'RUN_STARTED' && e.type !== 'RUN_STOPPED')
          .map((e) => `${hashCanonical({type: e.type, payload: e.payload})}\n`)
          .join(''),
      )
    expect(runHash(journal, 'run-odd')).toBe(definition(journal, 'run-odd'))
    expect(runHash(journal, 'run-between')).toBe(definition(journal, 'run-between'))
    // From the block texts alone: events() is not needed.
    const blocksOnly = {
      events: () => {
        throw new Error('decoded')
      },
      runBlockTexts: (runId: string) => journal.runBlockTexts!(runId),
    } as unknown as Journal
    expect(runHash(blocksOnly, 'run-odd')).toBe(definition(journal, 'run-odd'))

    // A journal without block texts, or whose block is not shaped as expected: the same hash, from events().
    // (runHash reads only these two methods.)
    const withoutBlocks = {events: (f?: EventFilter) => journal.events(f)} as Journal
    expect(runHash(withoutBlocks, 'run-odd')).toBe(definition(journal, 'run-odd'))
    const cutBlock = {...withoutBlocks, runBlockTexts: () => [Buffer.from('[[1,"STRATEGY_LOG",{"message":"cut')]} as Journal
    expect(runHash(cutBlock, 'run-odd')).toBe(definition(journal, 'run-odd'))
    journal.close()
  })

  it('of an unknown run: the hash of nothing', () => {
    const journal = openJournal({path: journalPath()})
    expect(runHash(journal, 'nope')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    journal.close()
  })
})
