// Telling whether the process that wrote a lock or a registration still runs, from the file alone:
// its pid, the time that process started (a recycled pid is another process) and its machine (a
// pid means nothing on another one: a shared folder, a container).
import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'

export interface ProcessMark {
  pid: number
  /** When the process started (Linux: clock ticks after boot), where the system says. */
  pidStart?: string
  host: string
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The start time of a process as the kernel counts it (field 22 of /proc/<pid>/stat), where there is one. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

export function markProcess(pid: number): ProcessMark {
  const pidStart = processStart(pid)
  return {pid, host: hostname(), ...(pidStart === undefined ? {} : {pidStart})}
}

/**
 * `running`, `gone`, or `elsewhere` when it ran on another machine (it cannot be asked from
 * here). The calling process itself never counts: it is not the one it waits for.
 */
export function liveness(mark: ProcessMark): 'running' | 'gone' | 'elsewhere' {
  if (mark.host !== hostname()) return 'elsewhere'
  if (mark.pid === process.pid || !pidAlive(mark.pid)) return 'gone'
  const start = processStart(mark.pid)
  return mark.pidStart === undefined || start === undefined || start === mark.pidStart ? 'running' : 'gone'
}
