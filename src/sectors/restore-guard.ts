// The charter's check before a snapshot restore: code must not change under a running engine.
// A restore rewrites strategies and config while an engine may be trading with them, so it is
// denied while any sector's lock is held by a live process (a stale lock of a dead engine does
// not count). Deny on error: an unreadable locks folder is a denial too.
import {readdirSync} from 'node:fs'
import {join} from 'node:path'

import {CharterDenied} from '../foundation/errors.js'
import {type LockInfo, pidAlive, readLock} from './engine/lock.js'

/** Engines whose lock is held by a live process. */
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

/** Throws CharterDenied (exit 3) unless a restore may go ahead now. */
export function assertRestoreAllowed(home: string): void {
  let running: LockInfo[]
  try {
    running = runningEngines(home)
  } catch (error) {
    throw new CharterDenied(`cannot tell whether an engine is running (${(error as Error).message}): restore refused`, 'CHARTER_ERROR')
  }
  if (running.length > 0) {
    const list = running.map((l) => `${l.sector} (pid ${l.pid})`).join(', ')
    throw new CharterDenied(`an engine is running: ${list}. A restore would change its code under it; stop it first (kill -INT <pid>), then restore.`, 'ENGINE_RUNNING')
  }
}
