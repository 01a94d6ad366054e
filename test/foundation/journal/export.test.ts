import {afterAll, describe, expect, it} from 'vitest'

import {CSV_HEADER, eventHash, exportLines, openJournal, type JournalEvent} from '../../../src/foundation/journal/index.js'
import {parseCsv} from './csv.js'
import {barEvent, journalPath, logEvent, removeTempDirs, runStarted} from './fixture.js'

afterAll(removeTempDirs)

function awkwardJournal(): JournalEvent[] {
  const journal = openJournal({path: journalPath()})
  const events = [
    journal.append(runStarted('run, "quoted"', 'oanda')),
    journal.append({...logEvent(1, 'run, "quoted"', 'oanda'), payload: {message: 'line one\nline "two", with commas\r\nand ünïcödé ✓'}}),
    journal.append(barEvent(2, 'plain', 'coinbase')),
  ]
  journal.close()
  return events
}

describe('export', () => {
  it('jsonl: one canonical JSON event per line that parses back to the event', () => {
    const events = awkwardJournal()
    const lines = [...exportLines(events, 'jsonl')]
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(line).not.toMatch(/\n/)
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(events)
  })

  it('csv: header, then rows that parse back (RFC 4180) and re-hash to the stored hash', () => {
    const events = awkwardJournal()
    const text = `${[...exportLines(events, 'csv')].join('\n')}\n`
    const rows = parseCsv(text)
    expect(rows[0]!.join(',')).toBe(CSV_HEADER)
    expect(rows).toHaveLength(4)
    rows.slice(1).forEach((row, i) => {
      const e = events[i]!
      expect(row).toHaveLength(8)
      const [seq, ts, iso, runId, sector, type, hash, payload] = row as [string, string, string, string, string, string, string, string]
      expect({seq: Number(seq), ts: Number(ts), runId, sector, type, hash, payload: JSON.parse(payload) as unknown}).toEqual({
        seq: e.seq,
        ts: e.ts,
        runId: e.runId,
        sector: e.sector,
        type: e.type,
        hash: e.hash,
        payload: e.payload,
      })
      expect(iso).toBe(new Date(e.ts).toISOString())
      // The payload column is the canonical text the hash covers.
      expect(eventHash(Number(seq), Number(ts), runId, sector, type, payload, e.prevHash)).toBe(hash)
    })
  })

  it('csv of nothing is the header alone', () => {
    expect([...exportLines([], 'csv')]).toEqual([CSV_HEADER])
    expect([...exportLines([], 'jsonl')]).toEqual([])
  })
})
