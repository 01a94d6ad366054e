// Which engines run on a working tree, whatever RICK_HOME each one uses. A restore must not change
// code under a running engine, but the sector locks live in each engine's rick home, which a
// restore run with another RICK_HOME (or none) never sees. So an engine also registers in the git
// dir of its project's repository: the one place every process working on that tree shares,
// whatever its environment (systemd's PrivateTmp hides /tmp; the unit may write the git dir,
// where snapshots go). One file per rick home and sector, written whole (rename), removed when
// the engine stops; a crashed engine's file names a dead process and no longer counts.
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

import {liveness, markProcess, type ProcessMark} from './process-mark.js'

export {pidAlive} from './process-mark.js'

export interface EngineEntry extends ProcessMark {
  sector: string
  /** Its rick data folder (RICK_HOME). */
  home: string
  /** Its project folder. */
  project: string
  runId?: string
  mode?: string
  startedAt?: string
}

export interface RegisteredEngine extends EngineEntry {
  /** The registry file: removing it by hand is the way out when a process elsewhere can no longer be asked. */
  file: string
  /** Set when the engine runs on another machine, so whether it still runs cannot be told from here. */
  elsewhere?: true
}

export interface EngineRegistration {
  file: string
  /** The git dir it is registered in. */
  gitDir: string
  release(): void
}

/**
 * The git dir of the repository whose working tree holds `folder`, found as git finds it (the
 * nearest `.git` folder, or `.git` file of a submodule or linked worktree); null outside one.
 */
export function findGitDir(folder: string): string | null {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git')
    const info = statOrNull(dotGit)
    if (info?.isDirectory()) return dotGit
    if (info?.isFile()) {
      const match = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))
      return match ? resolve(dir, match[1]!.trim()) : null
    }
    if (dirname(dir) === dir) return null
  }
}

export function registryFolder(gitDir: string): string {
  return join(gitDir, 'rick', 'engines')
}

/**
 * Records a running engine in the git dir of its project's repository; null when the project is
 * in no repository (no snapshot can be restored over it). Throws when the file cannot be written.
 */
export function registerEngine(entry: Omit<EngineEntry, 'host' | 'pidStart'>): EngineRegistration | null {
  const gitDir = findGitDir(entry.project)
  if (gitDir === null) return null
  const folder = registryFolder(gitDir)
  const file = join(folder, `${entryKey(entry.home, entry.sector)}.json`)
  const full: EngineEntry = {...entry, ...markProcess(entry.pid)}
  mkdirSync(folder, {recursive: true})
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(full)}\n`)
  renameSync(temporary, file)
  let released = false
  return {
    file,
    gitDir,
    release() {
      if (released) return
      released = true
      // Only our own entry goes: an engine of the same home and sector started since is not ours.
      if (readEntry(file)?.pid !== entry.pid) return
      try {
        unlinkSync(file)
      } catch {
        // already gone
      }
    },
  }
}

/**
 * The engines registered in these git dirs that still run (or may: those on another machine).
 * Throws when a registry folder cannot be read: the caller denies on error.
 */
export function registeredEngines(gitDirs: readonly string[]): RegisteredEngine[] {
  const running: RegisteredEngine[] = []
  for (const gitDir of new Set(gitDirs)) {
    const folder = registryFolder(gitDir)
    let names: string[]
    try {
      names = readdirSync(folder)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw error
    }
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = join(folder, name)
      // A damaged entry names no process to ask: like a damaged sector lock, it is stale. Stale
      // entries are left in place, not deleted, so that no race can delete a live one: the
      // next engine of that home and sector writes over it.
      const entry = readEntry(file)
      if (entry === undefined) continue
      const state = liveness(entry)
      if (state === 'elsewhere') running.push({...entry, file, elsewhere: true})
      else if (state === 'running') running.push({...entry, file})
    }
  }
  return running
}

function readEntry(file: string): EngineEntry | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<EngineEntry>
    if (typeof parsed.pid !== 'number' || typeof parsed.sector !== 'string' || typeof parsed.host !== 'string') return undefined
    return parsed as EngineEntry
  } catch {
    return undefined
  }
}

/** One file per rick home and sector: the same pair as a sector lock. */
function entryKey(home: string, sector: string): string {
  let real = resolve(home)
  try {
    real = realpathSync.native(real)
  } catch {
    // not created yet: its path as given
  }
  return createHash('sha256').update(`${real}\0${sector}`).digest('hex').slice(0, 16)
}

/** stat, not lstat: git follows a `.git` that is a symbolic link. */
function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path)
  } catch {
    return null
  }
}
