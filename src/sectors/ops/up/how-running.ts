// How a running engine was started, from what Linux says about its pid: a child of the live
// `rick up` recorded in up.json, a systemd service (systemd puts INVOCATION_ID in every service's
// environment; /proc/<pid>/environ is readable for the same user, and for another user's engine a
// parent that is pid 1 says the same), or by hand (anything else: a terminal, a VS Code task).
import {readFileSync} from 'node:fs'

import {liveUpRecord} from './up-file.js'

export type RunsAs = 'up' | 'systemd' | 'by hand'

export function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return Number.isInteger(ppid) ? ppid : undefined
  } catch {
    return undefined
  }
}

function environ(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
  } catch {
    return undefined
  }
}

export function howRunning(home: string, pid: number): RunsAs {
  const ppid = parentPid(pid)
  const up = liveUpRecord(home)
  if (up !== undefined && ppid === up.pid) return 'up'
  const env = environ(pid)
  if (env !== undefined) return env.some((v) => v.startsWith('INVOCATION_ID=')) ? 'systemd' : 'by hand'
  return ppid === 1 ? 'systemd' : 'by hand'
}

/** Whether the process looks like `rick run <sector>` (a pid in a stale lock may have been reused). */
export function looksLikeRun(pid: number, sector: string): boolean | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    const i = argv.indexOf('run')
    return i >= 0 && argv[i + 1] === sector
  } catch {
    return undefined
  }
}
