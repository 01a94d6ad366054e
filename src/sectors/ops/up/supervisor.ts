// `rick up`: every sector as its own `rick run <sector>` child, supervised by the rules of the
// systemd unit (ops/rick@.service), so a sector behaves the same under either:
//
// | child ends with          | what `rick up` does                                            |
// |--------------------------|----------------------------------------------------------------|
// | 0 (signal, --bars, down) | a normal stop: not restarted                                   |
// | 2 (config/flags)         | not restarted (RestartPreventExitStatus=2 3): starting again   |
// | 3 (charter denied)       |   cannot fix it; `rick up` later exits 1                       |
// | anything else, a signal  | restarted after a back-off (Restart=on-failure): the delay     |
// |   (crash, SIGKILL, OOM)  |   doubles per crash up to 60 s; a run of 10 minutes resets it; |
// |                          |   5 crashes in 10 minutes give up (StartLimitBurst=5)          |
//
// Children run in process groups of their own: a Ctrl-C in the terminal reaches `rick up` alone,
// which then sends SIGTERM to each (the engine cancels its working orders, keeps its positions,
// journals RUN_STOPPED, exits 0) and waits; a second Ctrl-C sends SIGKILL, and so does the end
// of the stop grace (the unit's TimeoutStopSec=). One sector crashing
// never touches the others. Output goes line by line to `<rick home>/logs/<sector>.log` and,
// prefixed with the sector's name, to the terminal.
import {spawn, type ChildProcess} from 'node:child_process'
import {createWriteStream, mkdirSync, type WriteStream} from 'node:fs'
import {join} from 'node:path'
import {createInterface} from 'node:readline'

import {removeUpRecord, writeUpRecord, type UpRecord, type UpSector} from './up-file.js'

/** Exit statuses that a restart cannot fix (the unit's RestartPreventExitStatus=). */
export const NO_RESTART_EXITS = [2, 3] as const
export const START_LIMIT_BURST = 5
export const START_LIMIT_INTERVAL_MS = 600_000
export const MAX_RESTART_DELAY_MS = 60_000

export interface SupervisorOptions {
  sectors: string[]
  /** Flags given to every `rick run <sector>` (mode, --speed, --bars, ...). */
  runArgs: string[]
  home: string
  cwd: string
  env: NodeJS.ProcessEnv
  /** How to start rick itself: node and its bin/run.js. */
  node: string
  script: string
  /** First restart delay; it doubles with each crash in a row. */
  restartDelayMs: number
  /** How long a stop waits after SIGTERM before it kills what still runs (the unit's TimeoutStopSec=). */
  stopGraceMs: number
  /** One line for the terminal. */
  print(line: string): void
  /** Wall clock (for the crash window only). */
  now(): number
  /** Where stop signals come from; returns the unsubscribe. Default: SIGINT, SIGTERM and SIGHUP of this process. */
  listen?(stop: (signal: NodeJS.Signals) => void): () => void
}

function processSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']
  for (const s of signals) process.on(s, stop)
  return () => {
    for (const s of signals) process.off(s, stop)
  }
}

export interface SupervisorResult {
  exitCode: number
  sectors: Array<{sector: string} & UpSector>
}

interface Child {
  sector: string
  info: UpSector
  proc: ChildProcess | null
  log: WriteStream
  crashes: number[]
  startedAt: number
  timer: NodeJS.Timeout | null
}

export async function superviseSectors(o: SupervisorOptions): Promise<SupervisorResult> {
  mkdirSync(join(o.home, 'logs'), {recursive: true})
  const width = Math.max(...o.sectors.map((s) => s.length))
  const record: UpRecord = {pid: process.pid, startedAt: new Date(o.now()).toISOString(), sectors: {}}
  const children = new Map<string, Child>()
  let stopping = false
  let killTimer: NodeJS.Timeout | null = null
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))

  const save = () => {
    for (const c of children.values()) record.sectors[c.sector] = {...c.info}
    writeUpRecord(o.home, record)
  }
  const say = (c: Child, line: string) => {
    c.log.write(`${line}\n`)
    o.print(`${c.sector.padEnd(width)} | ${line}`)
  }
  const settle = () => {
    for (const c of children.values()) if (c.proc !== null || c.timer !== null) return
    done()
  }

  const start = (c: Child) => {
    c.timer = null
    const proc = spawn(o.node, [o.script, 'run', c.sector, ...o.runArgs], {cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    c.proc = proc
    c.startedAt = o.now()
    c.info = {...c.info, pid: proc.pid ?? null, state: 'running'}
    c.log.write(`--- rick up: rick run ${[c.sector, ...o.runArgs].join(' ')} (pid ${proc.pid}) at ${new Date(c.startedAt).toISOString()}\n`)
    for (const stream of [proc.stdout!, proc.stderr!]) createInterface({input: stream}).on('line', (line) => say(c, line))
    proc.on('error', (error) => say(c, `rick up: could not start: ${error.message}`))
    proc.on('close', (code, signal) => ended(c, code, signal))
    save()
  }

  const ended = (c: Child, code: number | null, signal: NodeJS.Signals | null) => {
    c.proc = null
    const how = signal !== null ? `killed by ${signal}` : `exit ${code}`
    c.info = {...c.info, pid: null, lastExit: how}
    if (code === 0 || stopping) {
      c.info.state = code === 0 ? 'stopped' : 'failed'
      say(c, `rick up: ${c.sector} stopped (${how})`)
    } else if (code !== null && (NO_RESTART_EXITS as readonly number[]).includes(code)) {
      c.info.state = 'failed'
      say(c, `rick up: ${c.sector} ended with ${how} (${code === 2 ? 'bad config or flags' : 'denied by the charter'}): not restarted; fix it, then start it again`)
    } else {
      const now = o.now()
      // A long healthy run forgets the earlier crashes, as systemd's start-limit window does.
      if (now - c.startedAt >= START_LIMIT_INTERVAL_MS) c.crashes = []
      c.crashes = [...c.crashes.filter((t) => now - t < START_LIMIT_INTERVAL_MS), now]
      if (c.crashes.length >= START_LIMIT_BURST) {
        c.info.state = 'failed'
        say(c, `rick up: ${c.sector} ${how}, ${c.crashes.length} crashes within 10 minutes: giving up (see ${join(o.home, 'logs', `${c.sector}.log`)})`)
      } else {
        const delay = Math.min(o.restartDelayMs * 2 ** (c.crashes.length - 1), MAX_RESTART_DELAY_MS)
        c.info = {...c.info, state: 'restarting', restarts: c.info.restarts + 1}
        say(c, `rick up: ${c.sector} ${how}: restarting in ${delay} ms (crash ${c.crashes.length} of ${START_LIMIT_BURST - 1} allowed in 10 minutes)`)
        c.timer = setTimeout(() => start(c), delay)
      }
    }
    save()
    settle()
  }

  const killAll = (why: string) => {
    o.print(`rick up: ${why}: killing every sector still running (SIGKILL)`)
    for (const c of children.values()) c.proc?.kill('SIGKILL')
  }
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return killAll(`${signal} again`)
    stopping = true
    killTimer = setTimeout(() => killAll(`still running ${o.stopGraceMs / 1000} s after SIGTERM`), o.stopGraceMs)
    o.print(`rick up: ${signal}: stopping every sector (SIGTERM to each; ${signal} again kills them)`)
    for (const c of children.values()) {
      if (c.timer !== null) {
        clearTimeout(c.timer)
        c.timer = null
        c.info = {...c.info, state: 'stopped'}
      }
      c.proc?.kill('SIGTERM')
    }
    save()
    settle()
  }
  const unlisten = (o.listen ?? processSignals)(stop)

  try {
    for (const sector of o.sectors) {
      const c: Child = {
        sector,
        info: {pid: null, state: 'running', restarts: 0, lastExit: null},
        proc: null,
        log: createWriteStream(join(o.home, 'logs', `${sector}.log`), {flags: 'a'}),
        crashes: [],
        startedAt: 0,
        timer: null,
      }
      children.set(sector, c)
      start(c)
    }
    await finished
  } finally {
    if (killTimer !== null) clearTimeout(killTimer)
    unlisten()
    removeUpRecord(o.home, process.pid)
    await Promise.all([...children.values()].map((c) => new Promise<void>((resolve) => c.log.end(resolve))))
  }
  const sectors = [...children.values()].map((c) => ({sector: c.sector, ...c.info}))
  const exitCode = sectors.some((s) => s.state === 'failed') ? 1 : 0
  return {exitCode, sectors}
}
