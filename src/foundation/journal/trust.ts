// What a writer checks before it trusts a journal: every writable open (run, backtest, halt,
// resume, upgrade through a write) goes through here, so nothing appends to a journal that does
// not verify, that is shorter than the head it recorded, or that replaced a journal which held events.
//
// Incremental: the head file (head-file.ts) records the last seq and hash rick wrote or verified,
// and a seal of the files at that moment. While the seal matches, no one but rick wrote the files
// since, and only the blocks after that seq (usually none) are checked: start-up does not grow
// with the journal. When it does not match (the files were written outside rick: a sqlite3 shell,
// a restored backup, a crash that lost the head's last write), the whole chain is checked, the
// file's pages too (quick_check), and the head's seq and hash must be in it.
import {statSync} from 'node:fs'

import {HeadFile, readHead, type JournalHead} from './head-file.js'
import {GENESIS_HASH} from './schema.js'
import {sameSeal, sealOf} from './seal.js'
import {JournalError, sqliteError, type Database} from './sqlite.js'
import type {JournalTrust} from './types.js'
import {checkChain, GENESIS, headProblem, lostJournal, type ChainPoint} from './verify.js'
import type {BadEvent} from './schema-v1.js'

/** Read before SQLite opens the file (opening creates it, and files next to it). */
export interface BeforeOpen {
  head: JournalHead | undefined
  seal: string
}

/**
 * The recorded head and the files' seal, before the database is opened. Refuses at once when the
 * head says there were events and there is no database to hold them (no file, or an empty one
 * with no -wal to recover from): creating one would start a new account in its place.
 */
export function beforeOpen(path: string): BeforeOpen {
  const head = readHead(path)
  const seal = sealOf(path)
  if (head !== undefined && head.seq > 0 && size(path) === 0 && size(`${path}-wal`) === 0) throw lostJournal(path, head)
  return {head, seal}
}

/** Before the tables of an empty database are created: refuses if the head says it held events. */
export function refuseIfLost(db: Database, path: string, before: BeforeOpen): void {
  if (before.head === undefined || before.head.seq === 0) return
  if ((db.pragma('user_version', {simple: true}) as number) === 0) throw lostJournal(path, before.head)
}

/**
 * After the schema checks of a writable open: verifies the chain (incrementally when it may),
 * compares it with the recorded head, records the head anew, and returns the head file for the
 * journal's appends to keep up to date.
 */
export function trustJournal(db: Database, path: string, before: BeforeOpen): {trust: JournalTrust; headFile: HeadFile} {
  const {head, seal} = before
  let outcome: {checked: JournalTrust['checked']; events: number; last: ChainPoint; problem: BadEvent | undefined}
  try {
    // One read transaction: the chain as of one moment, whoever else appends meanwhile.
    outcome = db
      .transaction(() => {
        const start = head !== undefined && sameSeal(head.seal, seal) && endsBlock(db, head) ? head : GENESIS
        const hasBlocks = db.prepare('SELECT 1 FROM blocks LIMIT 1').get() !== undefined
        const checked = start !== GENESIS ? 'incremental' : hasBlocks ? 'full' : 'new'
        if (checked === 'full') quickCheck(db, path)
        const check = checkChain(db, start)
        const problem = check.bad ?? headProblem(db, path, check.lastSeq, head)
        return {checked, events: check.events, last: {seq: check.lastSeq, hash: check.lastHash}, problem} as const
      })
      .deferred()
  } catch (error) {
    throw unreadable(path, error)
  }
  const {checked, events, last, problem} = outcome
  if (problem !== undefined) throw untrusted(path, problem)
  const headFile = HeadFile.open(path)
  try {
    if (head === undefined || head.seq !== last.seq || head.hash !== last.hash || head.seal !== seal) {
      // The seal read before the open: what this check covered. Anything written since makes the
      // next open check the whole chain rather than trust it unseen. A journal made just now is ours.
      headFile.write({...last, seal: checked === 'new' ? sealOf(path) : seal}, true)
    }
  } catch (error) {
    headFile.close()
    throw new JournalError(`cannot write the journal's head file ${headFile.path}: ${(error as Error).message}`, 'JOURNAL_HEAD_UNWRITABLE')
  }
  return {trust: {checked, events, lastSeq: last.seq}, headFile}
}

/** The head is the end of a block with the hash it recorded (else the whole chain is checked). */
function endsBlock(db: Database, head: JournalHead): boolean {
  if (head.seq === 0) return head.hash === GENESIS_HASH
  const row = db.prepare('SELECT last_seq, last_hash FROM blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1').raw(true).get(head.seq) as [number, string] | undefined
  return row !== undefined && row[0] === head.seq && row[1] === head.hash
}

/** SQLite's own check of every page (a damaged page an append would never read). */
function quickCheck(db: Database, path: string): void {
  const rows = db.pragma('quick_check(5)') as Array<{quick_check: string}>
  const problems = rows
    .map((r) => r.quick_check.replace(/\*\*\* in database \w+ \*\*\*\s*/g, '').replace(/\s+/g, ' ').trim())
    .filter((r) => r !== 'ok' && r !== '')
  if (problems.length > 0) {
    throw new JournalError(
      `the journal ${path} is damaged: SQLite's check of its pages finds ${problems.join('; ')}. rick appends only to a journal that verifies. ${WHAT_TO_DO(path)}`,
      'JOURNAL_UNREADABLE',
    )
  }
}

const WHAT_TO_DO = (path: string): string =>
  `See what is wrong with \`rick journal verify --journal ${path}\`; then restore the journal and its head file (${path}.head) from a backup, or move ${path}, its -wal and its head file aside to start a new journal.`

function untrusted(path: string, bad: BadEvent): JournalError {
  const code = bad.code === 'truncated' ? 'JOURNAL_TRUNCATED' : bad.code === 'head-mismatch' ? 'JOURNAL_HEAD_MISMATCH' : 'JOURNAL_BROKEN'
  return new JournalError(`the journal ${path} does not verify at seq ${bad.seq} (${bad.code}: ${bad.reason}). rick appends only to a journal that verifies. ${WHAT_TO_DO(path)}`, code)
}

function unreadable(path: string, error: unknown): Error {
  if (error instanceof JournalError) return error
  const said = sqliteError(error, path)
  if (!(said instanceof JournalError)) return said
  return new JournalError(`${said.message.replace(/\.$/, '')}: rick appends only to a journal that verifies. ${WHAT_TO_DO(path)}`, said.code, undefined, error)
}

function size(path: string): number {
  return statSync(path, {throwIfNoEntry: false})?.size ?? 0
}
