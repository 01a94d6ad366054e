// One restore at a time in a repository, and no engine starting during one. A restore holds
// `<git dir>/rick/restore.json` (created exclusively) in every repository it writes in, from
// before it checks for engines until its last write; an engine registers first and then looks
// for it (sectors/engine/lock.ts). Whichever comes second sees the other, so neither can slip in
// between the other's check and its work. A restore killed halfway leaves the file behind naming
// a dead process: the next restore takes it over and reports that the earlier one was cut short.
import {mkdirSync, openSync, closeSync, readFileSync, renameSync, unlinkSync, writeSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {RickError} from '../errors.js'
import {liveness, markProcess, type ProcessMark} from './process-mark.js'

export interface RestoreMark extends ProcessMark {
  /** The snapshot being restored. */
  target: string
  /** Its pre-restore snapshot, once taken: what to restore when the restore was cut short. */
  undo?: string
}

export interface RestoreLock {
  /** A restore that was killed before it finished, found when taking the lock over. */
  interrupted?: RestoreMark
  /** Records the pre-restore snapshot in the lock, for whoever finds it after a crash. */
  note(undo: string): void
  release(): void
}

export function restoreLockFile(gitDir: string): string {
  return join(gitDir, 'rick', 'restore.json')
}

/** Takes the restore lock of every repository in `gitDirs`, or throws (taking none). */
export function takeRestoreLocks(gitDirs: readonly string[], target: string): RestoreLock {
  const taken: Array<{file: string; mark: RestoreMark}> = []
  let interrupted: RestoreMark | undefined
  try {
    for (const gitDir of new Set(gitDirs)) {
      const one = takeOne(gitDir, target)
      taken.push(one)
      interrupted ??= one.interrupted
    }
  } catch (error) {
    for (const t of taken) removeOwn(t.file, t.mark)
    throw error
  }
  return {
    ...(interrupted === undefined ? {} : {interrupted}),
    note(undo) {
      for (const t of taken) {
        t.mark = {...t.mark, undo}
        const temporary = `${t.file}.${process.pid}.tmp`
        writeFileSync(temporary, `${JSON.stringify(t.mark)}\n`)
        renameSync(temporary, t.file)
      }
    },
    release() {
      for (const t of taken.splice(0)) removeOwn(t.file, t.mark)
    },
  }
}

/** The restore running in this repository now (or on another machine, which cannot be asked), or null. */
export function activeRestore(gitDir: string): RestoreMark | null {
  const mark = readMark(restoreLockFile(gitDir))
  return mark !== undefined && liveness(mark) !== 'gone' ? mark : null
}

function takeOne(gitDir: string, target: string): {file: string; mark: RestoreMark; interrupted?: RestoreMark} {
  const file = restoreLockFile(gitDir)
  const mark: RestoreMark = {...markProcess(process.pid), target}
  let interrupted: RestoreMark | undefined
  try {
    mkdirSync(join(gitDir, 'rick'), {recursive: true})
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o644)
        try {
          writeSync(fd, `${JSON.stringify(mark)}\n`)
        } finally {
          closeSync(fd)
        }
        return {file, mark, ...(interrupted === undefined ? {} : {interrupted})}
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const holder = readMark(file)
      if (holder !== undefined) {
        const state = liveness(holder)
        if (state !== 'gone') throw busy(file, holder, state === 'elsewhere')
        interrupted = holder
      }
      try {
        unlinkSync(file)
      } catch {
        // someone else removed it first; try again
      }
    }
  } catch (error) {
    if (error instanceof RickError) throw error
    throw new RickError(`cannot take the restore lock ${file} (${(error as Error).message}): restore refused`, {code: 'SNAPSHOT_RESTORE_LOCK', cause: error})
  }
  throw new RickError(`cannot take the restore lock ${file}: it keeps changing (another restore starting at the same time?)`, {code: 'SNAPSHOT_RESTORE_BUSY'})
}

function busy(file: string, holder: RestoreMark, elsewhere: boolean): RickError {
  const where = elsewhere ? ` on host ${holder.host} (if it no longer runs there, remove ${file})` : ''
  return new RickError(`another restore is running in this repository (pid ${holder.pid}${where}, restoring snapshot ${holder.target}): wait until it is done. Nothing was changed.`, {
    code: 'SNAPSHOT_RESTORE_BUSY',
  })
}

function readMark(file: string): RestoreMark | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<RestoreMark>
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string' && typeof parsed.target === 'string') return parsed as RestoreMark
  } catch {
    // missing, or damaged: a damaged lock names no process to wait for
  }
  return undefined
}

function removeOwn(file: string, mark: RestoreMark): void {
  const current = readMark(file)
  if (current?.pid !== mark.pid || current.pidStart !== mark.pidStart) return
  try {
    unlinkSync(file)
  } catch {
    // already gone
  }
}
