// The journal's head, kept where the store does not own it: `journal.db.head`, a small file beside
// the database. Deleting the last blocks, or losing the database (a deleted -wal, a file replaced
// by an empty one), leaves a journal that verifies on its own; against the head it does not.
//
// One record of RECORD_BYTES, rewritten in place (one pwrite at offset 0, inside one disk sector):
//   rick journal head 1 seq=<last seq> hash=<its hash> seal=<journal.db> <-wal> sum=<…>
// `seal` is what a write to journal.db or its -wal changes (seal.ts): when it still matches,
// nothing but rick wrote the files since rick wrote this record, and the open only checks what
// came after `seq`. `sum` lets a torn or hand-edited record be told from a valid one.
//
// It is written after every durable commit (the commit is on disk first, so the head is never
// ahead of the database) without an fsync of its own: a second fsync per commit doubled the cost
// of a durable append (see bench/journal.mjs). A process that dies keeps the write (it is in the
// page cache); only a power loss can lose it, and then the head is behind, never ahead: the next
// open finds the seal changed and checks the whole journal. Closing a journal fsyncs it. A batch
// commit (not durable) refreshes only the seal (refreshSeal).
import {closeSync, constants, fsyncSync, openSync, readFileSync, writeSync} from 'node:fs'
import {dirname} from 'node:path'

import {sealOf} from './seal.js'
import {JournalError} from './sqlite.js'

/** The head as recorded: the last seq rick wrote or verified, its hash, and the files' seal then. */
export interface JournalHead {
  seq: number
  hash: string
  seal: string
}

const MAGIC = 'rick journal head 1'
/** Fixed size: the record is always rewritten whole, as one 512-byte sector. */
const RECORD_BYTES = 512
const RECORD = /^rick journal head 1 seq=(\d+) hash=([0-9a-f]{64}) seal=(\S+ \S+) sum=([0-9a-f]{16}) *\n$/
/** A reader that meets a record being rewritten reads again (a write is one syscall: it is short). */
const READ_TRIES = 5

export function headPath(journalPath: string): string {
  return `${journalPath}.head`
}

/**
 * 16 hex digits over the record's text: two FNV-1a hashes (32-bit, different bases). Enough to
 * tell a torn or hand-edited record from one rick wrote, at a fraction of sha256's cost on the
 * durable append's path (the chain's own hashes are what make the journal tamper-evident).
 */
function sum(text: string): string {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}

/** The record as bytes, into `out` (RECORD_BYTES, padded with spaces, ending in a line feed). */
export function formatHead(head: JournalHead, out: Buffer = Buffer.alloc(RECORD_BYTES)): Buffer {
  const body = `${MAGIC} seq=${head.seq} hash=${head.hash} seal=${head.seal}`
  const line = `${body} sum=${sum(body)}`
  if (line.length + 1 > RECORD_BYTES) throw new JournalError(`journal head record too long (${line.length} bytes)`, 'JOURNAL_HEAD_UNREADABLE')
  out.fill(0x20)
  out.write(line, 0, 'latin1')
  out[RECORD_BYTES - 1] = 0x0a
  return out
}

/** The recorded head, or undefined when there is no head file (or an empty one: never written). */
export function readHead(journalPath: string): JournalHead | undefined {
  const path = headPath(journalPath)
  let text = ''
  for (let attempt = 0; attempt < READ_TRIES; attempt++) {
    try {
      text = readFileSync(path, 'latin1')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new JournalError(`cannot read the journal's head file ${path}: ${(error as Error).message}`, 'JOURNAL_HEAD_UNREADABLE')
    }
    if (text.length === 0) return undefined
    const m = RECORD.exec(text)
    if (m !== null && sum(`${MAGIC} seq=${m[1]} hash=${m[2]} seal=${m[3]}`) === m[4]) return {seq: Number(m[1]), hash: m[2]!, seal: m[3]!}
  }
  throw new JournalError(
    `the journal's head file ${path} is not one rick wrote (it was edited, or cut short). It records how far the journal went; without it rick cannot tell whether events were removed. Check the journal with \`rick journal verify\`; if it is the journal you expect, move ${path} aside and rick records the head anew.`,
    'JOURNAL_HEAD_UNREADABLE',
  )
}

/** The head file of one open journal, kept open: a durable append rewrites it with one pwrite. */
export class HeadFile {
  private fd: number | undefined
  private readonly record = Buffer.alloc(RECORD_BYTES)

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd
  }

  /** Opens (or creates, 0600, its folder fsynced so that the new name survives) the head file. */
  static open(journalPath: string): HeadFile {
    const path = headPath(journalPath)
    let fd: number
    let created = false
    try {
      try {
        fd = openSync(path, constants.O_RDWR)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600)
        created = true
      }
    } catch (error) {
      throw new JournalError(`cannot open the journal's head file ${path}: ${(error as Error).message}`, 'JOURNAL_HEAD_UNREADABLE')
    }
    const file = new HeadFile(path, fd)
    if (created) syncDir(dirname(path))
    return file
  }

  /** Rewrites the record; `sync`: and waits until it is on disk. */
  write(head: JournalHead, sync: boolean): void {
    if (this.fd === undefined) return
    const record = formatHead(head, this.record)
    writeSync(this.fd, record, 0, record.length, 0)
    if (sync) fsyncSync(this.fd)
  }

  close(): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }
}

/**
 * After a batch commit (synchronous=NORMAL, not on disk yet): the recorded seq stays at the last
 * durable one, only the seal is brought up to date, so that the next open still knows nothing but
 * rick wrote, and checks just the blocks past that seq. Runs on the writer thread too.
 */
export function refreshSeal(journalPath: string): void {
  try {
    const head = readHead(journalPath)
    if (head === undefined) return
    const fd = openSync(headPath(journalPath), constants.O_RDWR)
    try {
      const record = formatHead({...head, seal: sealOf(journalPath)})
      writeSync(fd, record, 0, record.length, 0)
    } finally {
      closeSync(fd)
    }
  } catch {
    // A seal left behind only makes the next open check the whole chain.
  }
}

/** fsync a folder (so that a file just created in it is there after a power loss); best effort. */
export function syncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, constants.O_RDONLY)
    fsyncSync(fd)
  } catch {
    // Some filesystems refuse fsync on a folder; the file itself is still written.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
