// `<rick home>/up.json`: what a live `rick up` started — its own pid and each sector's child pid —
// so `rick status` can tell a sector run by `rick up` from one started by hand or by systemd.
// Written whole through a rename (a reader never sees half a file); removed when `rick up` ends.
import {readFileSync, renameSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {pidAlive} from '../../engine/lock.js'

export interface UpSector {
  /** The child's pid, null while it waits to be restarted or after it ended. */
  pid: number | null
  state: 'running' | 'restarting' | 'stopped' | 'failed'
  restarts: number
  lastExit: string | null
}

export interface UpRecord {
  pid: number
  startedAt: string
  sectors: Record<string, UpSector>
}

export function upFile(home: string): string {
  return join(home, 'up.json')
}

export function writeUpRecord(home: string, record: UpRecord): void {
  const file = upFile(home)
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`)
  renameSync(tmp, file)
}

export function removeUpRecord(home: string, pid: number): void {
  if (readUpRecord(home)?.pid !== pid) return
  try {
    unlinkSync(upFile(home))
  } catch {
    // already gone
  }
}

/** The record of a `rick up` that still runs; a file left by one that died reads as none. */
export function liveUpRecord(home: string): UpRecord | undefined {
  const r = readUpRecord(home)
  return r !== undefined && pidAlive(r.pid) ? r : undefined
}

function readUpRecord(home: string): UpRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(upFile(home), 'utf8')) as UpRecord
    return typeof r.pid === 'number' && typeof r.sectors === 'object' ? r : undefined
  } catch {
    return undefined
  }
}
