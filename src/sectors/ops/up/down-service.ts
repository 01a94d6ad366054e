// `rick down`: stops sectors however they were started (`rick up`, systemd, by hand) the one way
// they all share: SIGTERM to the pid in the sector's lock (<rick home>/locks/<sector>.lock), on
// which `rick run` cancels its working orders, keeps its positions, journals RUN_STOPPED and
// exits 0, releasing the lock. Then it waits, bounded, until the lock is released.
// A sector under systemd comes back only if its unit says so (Restart=on-failure does not
// restart an exit 0); under `rick up` an exit 0 is a normal stop, not restarted either.
import {pidAlive, readLock} from '../../engine/lock.js'
import {howRunning, looksLikeRun, type RunsAs} from './how-running.js'
import {liveUpRecord} from './up-file.js'

export interface DownOutcome {
  sector: string
  /**
   * stopped: it ran and its lock is released; not-running: nothing to do; still-running: it did
   * not stop in time; restarting: no engine now, but `rick up` starts it again after its back-off;
   * refused: see detail.
   */
  result: 'stopped' | 'not-running' | 'still-running' | 'restarting' | 'refused'
  pid: number | null
  runsAs: RunsAs | null
  detail: string
  waitedMs: number
}

export interface DownResult {
  exitCode: number
  sectors: DownOutcome[]
}

export async function stopSectors(sectors: string[], o: {home: string; timeoutMs: number}): Promise<DownResult> {
  const outcomes = await Promise.all(sectors.map((s) => stopOne(s, o)))
  const exitCode = outcomes.some((r) => r.result === 'still-running' || r.result === 'restarting' || r.result === 'refused') ? 1 : 0
  return {exitCode, sectors: outcomes}
}

async function stopOne(sector: string, o: {home: string; timeoutMs: number}): Promise<DownOutcome> {
  const lock = readLock(o.home, sector)
  if (lock === undefined || lock.pid <= 0 || !pidAlive(lock.pid)) {
    // Between a crash and its restart there is no engine to signal, yet it comes back.
    const up = liveUpRecord(o.home)
    if (up?.sectors[sector]?.state === 'restarting') {
      return {sector, result: 'restarting', pid: null, runsAs: 'up', detail: `not running now, but \`rick up\` (pid ${up.pid}) starts it again after its back-off: stop \`rick up\` (Ctrl-C, or kill -TERM ${up.pid}) to keep it down`, waitedMs: 0}
    }
    return {sector, result: 'not-running', pid: null, runsAs: null, detail: lock === undefined ? 'not running' : 'not running (stale lock: its engine is gone)', waitedMs: 0}
  }
  const pid = lock.pid
  if (looksLikeRun(pid, sector) === false) {
    return {sector, result: 'refused', pid, runsAs: null, detail: `pid ${pid} in the lock is not \`rick run ${sector}\` (a reused pid?): not signalled; remove the lock if no engine runs`, waitedMs: 0}
  }
  const runsAs = howRunning(o.home, pid)
  const started = performance.now()
  try {
    process.kill(pid, 'SIGTERM')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ESRCH') return {sector, result: 'stopped', pid, runsAs, detail: 'ended before the signal', waitedMs: 0}
    return {sector, result: 'refused', pid, runsAs, detail: `cannot signal pid ${pid} (${code}): it runs as another user; stop it as that user (systemctl stop rick@${sector})`, waitedMs: 0}
  }
  // The lock is released (or the pid gone) once the engine has stopped.
  const released = () => readLock(o.home, sector)?.pid !== pid || !pidAlive(pid)
  while (!released() && performance.now() - started < o.timeoutMs) await new Promise((r) => setTimeout(r, 25))
  const waitedMs = Math.round(performance.now() - started)
  if (!released()) return {sector, result: 'still-running', pid, runsAs, detail: `pid ${pid} still runs after ${waitedMs} ms (kill -KILL ${pid} if it hangs)`, waitedMs}
  const note = runsAs === 'systemd' ? `; systemd does not restart a clean stop, but \`systemctl stop rick@${sector}\` keeps it down across a reboot` : ''
  return {sector, result: 'stopped', pid, runsAs, detail: `stopped (pid ${pid}, ${runsAs})${note}`, waitedMs}
}
