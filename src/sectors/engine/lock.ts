// One engine per sector: `<rickHome>/locks/<sector>.lock`, created with O_EXCL and holding the
// owner's pid. A lock whose pid is dead (the engine crashed or was killed) is stale and taken over
// with a notice; a live one refuses the second engine. The engine is also registered in its
// project's git dir, where a snapshot restore run with any RICK_HOME finds it (engine-registry.ts).
import {closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'

import {RickError} from '../../foundation/errors.js'
import {pidAlive, registerEngine, type EngineRegistration} from '../../foundation/snapshots/engine-registry.js'
import {activeRestore} from '../../foundation/snapshots/restore-lock.js'

export {pidAlive}

export interface LockInfo {
  pid: number
  sector: string
  runId?: string
  mode?: string
  journal?: string
  /** ISO time the engine took the lock (wall clock: only for people reading it). */
  startedAt?: string
  /**
   * The project folder the engine runs (its strategies and config). Given, the engine is
   * registered in the git dir of the project's repository, so that `rick snapshot restore` is
   * refused there whatever RICK_HOME it runs with; without it only restores sharing this rick
   * home see the engine.
   */
  project?: string
}

export interface SectorLock {
  file: string
  info: LockInfo
  /** Set when a stale lock of a dead engine was taken over. */
  tookOver?: LockInfo
  release(): void
}

export function lockFile(home: string, sector: string): string {
  return join(home, 'locks', `${sector}.lock`)
}

/** The lock's content, or undefined when there is none; a damaged file reads as pid 0 (stale). */
export function readLock(home: string, sector: string): LockInfo | undefined {
  let text: string
  try {
    text = readFileSync(lockFile(home, sector), 'utf8')
  } catch {
    return undefined
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockInfo>
    if (typeof parsed.pid === 'number') return {...parsed, pid: parsed.pid, sector}
  } catch {
    // fall through: an unreadable lock is treated as stale
  }
  return {pid: 0, sector}
}

export class SectorLocked extends RickError {
  readonly holder: LockInfo
  constructor(sector: string, file: string, holder: LockInfo) {
    const what = [holder.runId ? `run ${holder.runId}` : undefined, holder.mode ? `mode ${holder.mode}` : undefined, holder.startedAt ? `since ${holder.startedAt}` : undefined]
      .filter(Boolean)
      .join(', ')
    super(
      `sector ${sector} is already running (pid ${holder.pid}${what ? `, ${what}` : ''}); one engine per sector. ` +
        `Stop it first (kill -INT ${holder.pid}), or remove ${file} if you are sure no engine runs.`,
      {code: 'SECTOR_LOCKED'},
    )
    this.holder = holder
  }
}

const held = new Set<string>()

/** Takes the sector's lock or throws SectorLocked (exit 1). */
export function acquireLock(home: string, info: LockInfo): SectorLock {
  const file = lockFile(home, info.sector)
  mkdirSync(join(home, 'locks'), {recursive: true})
  let tookOver: LockInfo | undefined
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644)
      try {
        writeSync(fd, `${JSON.stringify(info)}\n`)
      } finally {
        closeSync(fd)
      }
      held.add(file)
      let released = false
      const registration = register(home, info, () => {
        held.delete(file)
        removeOwnLock(home, info, file)
      })
      const lock: SectorLock = {
        file,
        info,
        release() {
          if (released) return
          released = true
          registration?.release()
          held.delete(file)
          removeOwnLock(home, info, file)
        },
      }
      if (tookOver) lock.tookOver = tookOver
      return lock
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = readLock(home, info.sector)
    if (holder === undefined) continue
    // Our own pid on a lock this process does not hold: a previous life of a recycled pid
    // (containers start the engine as pid 1 every time), so stale.
    const ours = holder.pid === process.pid && !held.has(file)
    if (!ours && pidAlive(holder.pid)) throw new SectorLocked(info.sector, file, holder)
    tookOver = holder
    try {
      unlinkSync(file)
    } catch {
      // someone else removed it first; try again
    }
  }
  throw new RickError(`could not take the lock ${file}: it keeps changing (another engine starting at the same time?)`, {code: 'SECTOR_LOCKED'})
}

/**
 * Registers the engine with its project's repository, then makes sure no snapshot restore is
 * rewriting it (the restore takes its lock before it looks for engines: see restore-lock.ts).
 * Deny on error: an engine a restore cannot see must not start, so a failure gives the sector
 * lock back (`undo`) and throws.
 */
function register(home: string, info: LockInfo, undo: () => void): EngineRegistration | null {
  if (info.project === undefined) return null
  let registration: EngineRegistration | null
  try {
    const {pid, sector, project, runId, mode, startedAt} = info
    registration = registerEngine({pid, sector, home, project, runId, mode, startedAt})
  } catch (error) {
    undo()
    throw new RickError(
      `cannot register the engine of ${info.sector} with the repository of ${info.project} (${(error as Error).message}): ` +
        'a snapshot restore would not know it runs. Make the git dir writable for this user (a systemd unit: ReadWritePaths=), then start again.',
      {code: 'ENGINE_REGISTRY', cause: error},
    )
  }
  const restore = registration === null ? null : activeRestore(registration.gitDir)
  if (restore !== null) {
    registration?.release()
    undo()
    throw new RickError(`a snapshot restore is rewriting ${info.project} (pid ${restore.pid}, restoring snapshot ${restore.target}): start ${info.sector} once it is done.`, {
      code: 'RESTORE_RUNNING',
    })
  }
  return registration
}

/** Only our own lock is removed: a takeover by someone else after a crash is theirs. */
function removeOwnLock(home: string, info: LockInfo, file: string): void {
  if (readLock(home, info.sector)?.pid !== info.pid) return
  try {
    unlinkSync(file)
  } catch {
    // already gone
  }
}
