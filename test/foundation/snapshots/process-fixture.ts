// Processes standing in for an engine or a restore: a live one whose pid a lock records, and the
// pid of one that has exited.
import {execa, type ResultPromise} from 'execa'
import {spawnSync} from 'node:child_process'

const live: ResultPromise[] = []

/** Starts a process that idles for a minute; killLiveProcesses() (afterEach) ends it. */
export function liveProcess(): number {
  const child = execa('node', ['-e', 'setTimeout(() => {}, 60000)'])
  live.push(child)
  return child.pid!
}

export async function killLiveProcesses(): Promise<void> {
  for (const child of live.splice(0)) {
    child.kill('SIGKILL')
    await child.catch(() => undefined)
  }
}

/** A pid that certainly does not run: a child that has exited. */
export function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'}).stdout)
}

/** What `fn` throws (a test failure when it does not). */
export function thrown(fn: () => unknown): Error & {code?: string} {
  try {
    fn()
  } catch (error) {
    return error as Error & {code?: string}
  }
  throw new Error('expected a throw')
}
