// The seal of a journal's files: what any write to them changes, cheap enough to take after every
// durable commit. The head file records it (head-file.ts); while it still matches, nothing but
// rick wrote the files since.
//
// journal.db: its mtime, size and inode (SQLite writes it only when it checkpoints).
// The -wal is not statted: reading a file's mtime makes Linux (multigrain timestamps) give its next
// write a fine-grained mtime, so a stat of the -wal after every commit dirtied its inode at every
// commit and cost a durable append ~15-20% (bench/journal.mjs). Its state comes from SQLite's
// wal-index instead, the -shm's header, as SQLite's own readers take it: frames in the log, the
// database's size, the last frame's checksum and the log's salts. Any commit, by any connection,
// changes it; reading it changes nothing.
import {accessSync, fstatSync, openSync, readSync, statSync} from 'node:fs'

/** The wal-index header (WalIndexHdr) is 48 bytes, kept twice: a reader trusts it when both agree. */
const HDR = 48
/** mxFrame, nPage, aFrameCksum[2], aSalt[2]: bytes 16..40 of the header. */
const STATE_FROM = 16
const STATE_TO = 40
const SALT_FROM = 32
const SALT_TO = 40
/** WalCkptInfo follows the two headers; its first field, nBackfill, counts frames checkpointed. */
const BACKFILL = 2 * HDR
const SHM_READ = BACKFILL + 4
const TRIES = 3

/** A seal that never matches: the state of the -wal could not be read. */
export const UNKNOWN = '?'

/**
 * The -shm of each journal, opened once per thread and NEVER closed. SQLite locks the -shm with
 * POSIX record locks, which belong to the process: closing any descriptor of the file drops every
 * lock the process holds on it, SQLite's own included. A reader in another process then took the
 * -shm for unused, rebuilt it, and the engine writing the journal died of SIGBUS in its mapping.
 * A descriptor per journal file for the life of the thread is the price.
 */
const shmFiles = new Map<string, {fd: number; ino: number}>()

/** Called once per Sealer (not per commit): the -shm may have been removed and made again since. */
function shmFd(journalPath: string): number | undefined {
  const path = `${journalPath}-shm`
  const known = shmFiles.get(path)
  // A -shm removed and made again (the last connection closed meanwhile) is another file.
  if (known !== undefined && statSync(path, {throwIfNoEntry: false})?.ino === known.ino) return known.fd
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return undefined
  }
  shmFiles.set(path, {fd, ino: fstatSync(fd).ino})
  return fd
}

/** The seal now, taken once (a journal that writes keeps a Sealer). */
export function sealOf(journalPath: string): string {
  return new Sealer(journalPath).seal()
}

/** Whether two seals say the files are as they were (an unreadable -wal state never matches). */
export function sameSeal(a: string, b: string): boolean {
  return a === b && !a.includes(UNKNOWN)
}

/**
 * Takes the seal after every durable commit of one open journal: its -shm stays open (SQLite
 * keeps that file while any connection is open; the journal's own is). Every call counts: it runs
 * right after the commit's fsync, where each syscall showed in the durable append's time. So
 * journal.db is statted again only when a checkpoint wrote to it since the last stat (in WAL mode
 * nothing else writes it): when the log's salts or the checkpoint's progress (nBackfill) moved.
 * A journal.db changed behind that (a hand edit) keeps its old part in the seal: it then never
 * matches, which only means a whole check at the next open.
 */
export class Sealer {
  private shm: number | undefined
  private readonly header = Buffer.alloc(SHM_READ)
  /** The wal-index's salts and nBackfill at the last stat of journal.db, and what it gave. */
  private checkpointKey = ''
  private database = ''

  constructor(private readonly journalPath: string) {}

  seal(): string {
    const wal = this.walPart()
    const key = wal === '-' || wal === UNKNOWN ? '' : this.header.toString('hex', SALT_FROM, SALT_TO) + this.header.toString('hex', BACKFILL, BACKFILL + 4)
    if (key === '' || key !== this.checkpointKey) {
      this.database = databasePart(this.journalPath)
      this.checkpointKey = key
    }
    return `${this.database} ${wal}`
  }

  /** Forgets the state; the -shm's descriptor stays open (see shmFiles). */
  close(): void {
    this.shm = undefined
    this.checkpointKey = ''
  }

  /** `-`: no log, or an empty one; else its state from the wal-index; UNKNOWN when that cannot be read. */
  private walPart(): string {
    if (this.shm === undefined) {
      this.shm = shmFd(this.journalPath)
      if (this.shm === undefined) return exists(`${this.journalPath}-wal`) ? UNKNOWN : '-'
    }
    const header = this.header
    for (let attempt = 0; attempt < TRIES; attempt++) {
      if (readSync(this.shm, header, 0, SHM_READ, 0) < SHM_READ) break
      // A writer updates the two copies one after the other: equal, the header is whole.
      if (header.compare(header, HDR, 2 * HDR, 0, HDR) !== 0) continue
      if (header[12] !== 1) break // isInit: not built yet
      const frames = header.readUInt32LE(STATE_FROM) // any byte order: zero is zero
      return frames === 0 ? '-' : header.toString('hex', STATE_FROM, STATE_TO)
    }
    return UNKNOWN
  }
}

function databasePart(path: string): string {
  // mtimeMs keeps the µs (a double); a number is cheaper than a bigint stat.
  const s = statSync(path, {throwIfNoEntry: false})
  return s === undefined ? '-' : `${s.mtimeMs},${s.size},${s.ino}`
}

/** Whether a file exists, asked without reading its times (see above). */
function exists(path: string): boolean {
  try {
    accessSync(path)
    return true
  } catch {
    return false
  }
}
