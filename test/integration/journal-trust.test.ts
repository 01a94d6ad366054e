// The engine only appends to a journal that verifies (issue 11, section 2), through the built CLI:
// a row changed behind the triggers, a corrupt page, the last blocks deleted, and a -wal deleted
// during a run then SIGKILL each make the next `rick run` (and `rick backtest`) refuse, exit 1,
// naming what is wrong and what to do, and leave the journal as it was.
import Database from 'better-sqlite3'
import {spawn} from 'node:child_process'
import {closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'

import {RUN_STARTED_KIND} from '../../src/foundation/journal/schema.js'
import {rick, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from './engine-fixture.js'

const fixtures: Fixture[] = []
afterEach(() => {
  for (const f of fixtures.splice(0)) f.cleanup()
})

function project(): Fixture {
  const f = fixtureProject()
  fixtures.push(f)
  return f
}

async function paperRun(f: Fixture, bars: number, seed: number): Promise<void> {
  const r = await rick(['run', 'fx', '--speed', 'max', '--bars', String(bars), '--seed', String(seed)], {cwd: f.root, env: f.env})
  expect(r.exitCode, r.stderr).toBe(0)
}

/** The journal's last seq and event count, read with a plain SQLite connection (no rick code). */
function tally(path: string): {lastSeq: number; runs: number} {
  const db = new Database(path, {readonly: true})
  try {
    const lastSeq = (db.prepare('SELECT coalesce(max(last_seq), 0) FROM blocks').pluck().get() as number) ?? 0
    // By the blocks' kinds: a header column, read without the (maybe corrupt) pages of the events.
    const runs = db.prepare('SELECT count(*) FROM blocks WHERE kinds = ?').pluck().get(RUN_STARTED_KIND) as number
    return {lastSeq, runs}
  } finally {
    db.close()
  }
}

/** What someone with the sqlite3 shell does: drop the trigger, change the rows, put the trigger back. */
function behindTheTriggers(path: string, trigger: 'blocks_no_update' | 'blocks_no_delete', change: (db: Database.Database) => void): void {
  const db = new Database(path)
  try {
    const sql = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(trigger) as string
    db.exec(`DROP TRIGGER ${trigger}`)
    change(db)
    db.exec(sql)
  } finally {
    db.close()
  }
}

/** Exit 1, the problem named, what to do said (`advice`), no stack trace. */
function expectRefusal(r: {exitCode: number; stderr: string; stdout: string}, pattern: RegExp, advice = /rick journal verify/): void {
  expect(r.exitCode, r.stdout + r.stderr).toBe(1)
  expect(r.stderr).toMatch(pattern)
  expect(r.stderr).toMatch(advice)
  expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
}

describe('rick run refuses a journal that does not verify', () => {
  it('a FILL changed behind the triggers (the forged position is never adopted)', async () => {
    const f = project()
    await paperRun(f, 120, 3)
    let forgedSeq = 0
    behindTheTriggers(f.journal, 'blocks_no_update', (db) => {
      const row = db.prepare(`SELECT first_seq, events FROM blocks WHERE events LIKE '%"FILL",%' ORDER BY first_seq DESC LIMIT 1`).get() as {first_seq: number; events: string}
      const forged = row.events.replace(/"qty":\d+,"side"/, '"qty":7000,"side"')
      expect(forged).not.toBe(row.events)
      db.prepare('UPDATE blocks SET events = ? WHERE first_seq = ?').run(forged, row.first_seq)
      forgedSeq = row.first_seq
    })
    const before = tally(f.journal)

    const r = await rick(['run', 'fx', '--speed', 'max', '--bars', '20', '--seed', '4'], {cwd: f.root, env: f.env})
    expectRefusal(r, new RegExp(`seq ${forgedSeq}\\b`))
    expect(r.stdout).not.toMatch(/7000/)
    expect(tally(f.journal)).toEqual(before)
  })

  it('a corrupt page: run and backtest refuse where verify says the file is malformed', async () => {
    const f = project()
    // A backtest long enough that its blocks spill into overflow pages.
    expect((await rick(['backtest', 'fx', '--bars', '20000'], {cwd: f.root, env: f.env})).exitCode).toBe(0)
    const db = new Database(f.journal, {readonly: true})
    const [page, size] = [db.prepare(`SELECT min(pageno) FROM dbstat WHERE name = 'blocks' AND pagetype = 'overflow'`).pluck().get() as number, db.pragma('page_size', {simple: true}) as number]
    db.close()
    expect(page).toBeGreaterThan(1)
    // Garbage over the start of an old overflow page: the appending path never reads it.
    const fd = openSync(f.journal, 'r+')
    writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, (page - 1) * size)
    closeSync(fd)
    const verify = await rick(['journal', 'verify'], {cwd: f.root, env: f.env})
    expect(verify.exitCode).toBe(1)
    const before = tally(f.journal)

    expectRefusal(await rick(['run', 'fx', '--speed', 'max', '--bars', '20', '--seed', '5'], {cwd: f.root, env: f.env}), /damaged|malformed|not a readable/)
    expectRefusal(await rick(['backtest', 'fx', '--bars', '100'], {cwd: f.root, env: f.env}), /damaged|malformed|not a readable/)
    expect(tally(f.journal)).toEqual(before)
  })

  it('the last blocks deleted (from the last RUN_STARTED on): verify and run refuse, by the head', async () => {
    const f = project()
    await paperRun(f, 30, 3)
    await paperRun(f, 30, 4)
    const full = tally(f.journal)
    behindTheTriggers(f.journal, 'blocks_no_delete', (db) => {
      const last = db.prepare('SELECT max(first_seq) FROM blocks WHERE kinds = ?').pluck().get(RUN_STARTED_KIND) as number
      db.prepare('DELETE FROM blocks WHERE first_seq >= ?').run(last)
    })
    const cut = tally(f.journal)
    expect(cut.runs).toBe(1)

    const verify = await rick(['journal', 'verify', '--json'], {cwd: f.root, env: f.env})
    expect(verify.exitCode).toBe(1)
    expect(JSON.parse(verify.stdout)).toMatchObject({ok: false, code: 'truncated', lastSeq: cut.lastSeq, firstBadSeq: cut.lastSeq + 1, head: {seq: full.lastSeq}})

    expectRefusal(await rick(['run', 'fx', '--speed', 'max', '--bars', '20', '--seed', '5'], {cwd: f.root, env: f.env}), new RegExp(`seq ${full.lastSeq}`))
    expect(tally(f.journal)).toEqual(cut)
  })

  it('journal.db-wal deleted during a run, then SIGKILL: the next run refuses instead of starting a fresh account', async () => {
    const f = project()
    const head = `${f.journal}.head`
    const headText = (): string => (existsSync(head) ? readFileSync(head, 'latin1') : '')
    const child = spawn(process.execPath, [RICK_BIN, 'run', 'fx', '--speed', 'max', '--bars', '500000', '--seed', '3'], {cwd: f.root, env: f.env, stdio: 'ignore'})
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
    const wal = `${f.journal}-wal`
    const poll = async (done: () => boolean): Promise<boolean> => {
      for (let i = 0; i < 400 && !done(); i++) await new Promise((r) => setTimeout(r, 20))
      return done()
    }
    const fills = (): number => {
      try {
        const db = new Database(f.journal, {readonly: true})
        try {
          return db.prepare(`SELECT count(*) FROM blocks WHERE events LIKE '%"FILL",%'`).pluck().get() as number
        } finally {
          db.close()
        }
      } catch {
        return 0 // not created yet
      }
    }
    // The first run of this journal trades; all it wrote is in the WAL, none of it in journal.db yet.
    expect(await poll(() => existsSync(wal) && fills() >= 2)).toBe(true)
    rmSync(wal)
    // It goes on appending, to a file nobody can find any more (a rick with a head file says when).
    const seen = headText()
    if (seen !== '') expect(await poll(() => headText() !== seen)).toBe(true)
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    const db = statSync(f.journal)

    const r = await rick(['run', 'fx', '--speed', 'max', '--bars', '20', '--seed', '4'], {cwd: f.root, env: f.env})
    expectRefusal(r, /head file .* records that it held events up to seq \d+/, /Restore it from a backup/)
    // Nothing was made anew in its place.
    expect(statSync(f.journal)).toMatchObject({size: db.size, mtimeMs: db.mtimeMs})
  })
})
