// The charter's check before a snapshot restore: code must not change under a running engine.
// A restore rewrites strategies and config while an engine may be trading with them, so it is
// denied while an engine runs on the working tree: one whose sector lock in this rick home is held
// by a live process, or one registered in the git dir of a repository the restore writes in —
// which engines with any RICK_HOME do (see foundation/snapshots/engine-registry.ts). A stale lock
// or registration of a dead engine does not count. Deny on error: an unreadable locks or registry
// folder is a denial too.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'

import {CharterDenied} from '../foundation/errors.js'
import {registeredEngines, type RegisteredEngine} from '../foundation/snapshots/engine-registry.js'
import {repositoryState} from '../foundation/snapshots/repository.js'
import {type LockInfo, pidAlive, readLock} from './engine/lock.js'

/** Engines whose lock in this rick home is held by a live process. */
export function runningEngines(home: string): LockInfo[] {
  let names: string[]
  try {
    names = readdirSync(join(home, 'locks'))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return names
    .filter((n) => n.endsWith('.lock'))
    .map((n) => readLock(home, n.slice(0, -'.lock'.length)))
    .filter((l): l is LockInfo => l !== undefined && l.pid !== process.pid && pidAlive(l.pid))
}

/**
 * Throws CharterDenied (exit 3) unless a restore may go ahead now: no engine runs with this rick
 * home, nor is registered in any of `gitDirs` (the repositories the restore writes in).
 */
export function assertRestoreAllowed(home: string, gitDirs: readonly string[] = []): void {
  let local: LockInfo[]
  let registered: RegisteredEngine[]
  try {
    local = runningEngines(home)
    registered = registeredEngines(gitDirs)
  } catch (error) {
    throw new CharterDenied(`cannot tell whether an engine is running (${(error as Error).message}): restore refused`, 'CHARTER_ERROR')
  }
  const seen = new Set(local.map((l) => `${l.pid}\0${l.sector}`))
  const elsewhere = registered.filter((r) => !seen.has(`${r.pid}\0${r.sector}`))
  if (local.length + elsewhere.length === 0) return
  const list = [...local.map((l) => `${l.sector} (pid ${l.pid})`), ...elsewhere.map(describe)].join(', ')
  throw new CharterDenied(`an engine is running: ${list}. A restore would change its code under it; stop it first (kill -INT <pid>), then restore.`, 'ENGINE_RUNNING')
}

/** The same check for the repository around `cwd`, before a restore has worked out what it writes. */
export async function assertRestoreAllowedIn(cwd: string, home: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  assertRestoreAllowed(home, [(await repositoryState(cwd, env)).gitDir])
}

function describe(r: RegisteredEngine): string {
  const where = `${r.sector} (pid ${r.pid}) with RICK_HOME ${r.home}`
  return r.elsewhere ? `${where} on host ${r.host} (if it no longer runs there, remove ${r.file})` : where
}
