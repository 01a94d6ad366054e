// How `rick run` ends when the world around it goes away: a dropped SSH session (SIGHUP), a
// SIGTERM in the first moments of start-up, a reader that closed its end of the output pipe.
// Every case must end as a normal stop does: exit 0, RUN_STOPPED for a run that started, no lock.
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {EventPayloads} from '../../src/foundation/journal/events.js'
import {lockFile} from '../../src/sectors/engine/lock.js'
import {RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, readJournal, type Fixture} from './engine-fixture.js'
import {background, pollUntil} from './run-process.js'

let f: Fixture
beforeEach(() => {
  f = fixtureProject()
})
afterEach(() => f.cleanup())

const lock = () => lockFile(f.home, 'fx')
const eventCount = () => (existsSync(f.journal) ? safeRead().length : 0)

function safeRead() {
  try {
    return readJournal(f.journal)
  } catch {
    return [] // the engine is still creating it
  }
}

/** Every run that started has its RUN_STOPPED; returns the RUN_STOPPED payloads. */
function pairedRuns(): Array<EventPayloads['RUN_STOPPED']> {
  if (!existsSync(f.journal)) return []
  const events = readJournal(f.journal)
  const started = events.filter((e) => e.type === 'RUN_STARTED').map((e) => e.runId)
  const stopped = events.filter((e) => e.type === 'RUN_STOPPED')
  expect(stopped.map((e) => e.runId)).toEqual(started)
  return stopped.map((e) => e.payload as EventPayloads['RUN_STOPPED'])
}

/** Whether the process has its own handler for SIGHUP (Node catches SIGINT/SIGTERM by default, never SIGHUP). */
function catchesHangup(pid: number): boolean {
  try {
    const m = /SigCgt:\s*([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m !== null && (BigInt(`0x${m[1]}`) & 1n) === 1n
  } catch {
    return false
  }
}

const linux = existsSync('/proc/self/status')
const python = spawnSync('python3', ['-c', 'import pty'], {stdio: 'ignore'}).status === 0

// Runs a command on a pseudo-terminal, and once it printed its "stop" line closes the terminal's
// other end, as sshd does when the connection drops: the kernel sends SIGHUP and every later write
// to the terminal fails (EIO). Prints the command's exit code (negative: killed by that signal).
const HANGUP = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
seen, deadline = b'', time.time() + 20
while b'Ctrl-C' not in seen and time.time() < deadline:
    if select.select([fd], [], [], 0.2)[0]:
        try: seen += os.read(fd, 65536)
        except OSError: break
os.close(fd)
print('exit', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
`

describe('rick run: signals and a closed output', () => {
  it('SIGHUP (a dropped SSH session) stops the engine as SIGINT does: exit 0, RUN_STOPPED, no lock', async () => {
    const run = background(f, ['run', 'fx', '--paper', '--speed', '20ms'])
    await run.started
    run.child.kill('SIGHUP')
    expect(await run.exited).toBe(0)
    expect(run.err()).toMatch(/SIGHUP: stopping fx/)
    expect(run.out()).toMatch(/\nstopped: signal after \d+ bars\n/)
    expect(pairedRuns().map((s) => s.reason)).toEqual(['signal'])
    expect(existsSync(lock())).toBe(false)
  })

  it.skipIf(!python)('a terminal that hangs up under a run (the SSH session dropped): exit 0, RUN_STOPPED, no lock', () => {
    const r = spawnSync('python3', ['-c', HANGUP, process.execPath, RICK_BIN, 'run', 'fx', '--paper', '--speed', '5ms'], {cwd: f.root, env: {...f.env, NO_COLOR: '1'}, encoding: 'utf8', timeout: 30_000})
    // Not 129 (killed by SIGHUP), nor 134 (Node aborting as it restores a terminal that is gone).
    expect(r.stdout.trim()).toBe('exit 0')
    expect(pairedRuns().map((s) => s.reason)).toEqual(['signal'])
    expect(existsSync(lock())).toBe(false)
  })

  it.skipIf(!linux)('stop handling is in before start-up does anything: a SIGTERM at that first moment ends cleanly', async () => {
    const run = background(f, ['run', 'fx', '--paper', '--speed', '20ms'])
    const pid = run.child.pid!
    expect(await pollUntil(() => catchesHangup(pid), 10_000, run.exited, 1)).toBe(true)
    // Nothing of the start-up has happened yet when the handlers are in.
    expect(existsSync(lock())).toBe(false)
    expect(existsSync(f.journal)).toBe(false)
    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
    expect(existsSync(lock())).toBe(false)
    pairedRuns()
  })

  it('a SIGTERM while the engine is starting (lock taken, not yet trading) ends cleanly: exit 0, no stale lock, no run left open', async () => {
    const run = background(f, ['run', 'fx', '--paper', '--speed', '20ms'])
    expect(await pollUntil(() => existsSync(lock()), 10_000, run.exited, 1)).toBe(true)
    run.child.kill('SIGTERM')
    expect(await run.exited).toBe(0)
    expect(run.err()).toMatch(/SIGTERM: stopping fx/)
    expect(existsSync(lock())).toBe(false)
    for (const s of pairedRuns()) expect(s.reason).toBe('signal')
  })

  it('a reader that closes stdout and stderr (`2>&1 | head`) neither stops nor breaks the engine; SIGINT then stops it cleanly', async () => {
    const run = background(f, ['run', 'fx', '--paper', '--speed', '5ms'])
    await run.started
    run.child.stdout.destroy()
    run.child.stderr.destroy()
    const atClose = eventCount()
    // Still trading unseen: orders, fills and checkpoints keep reaching the journal.
    expect(await pollUntil(() => eventCount() >= atClose + 4, 8000, run.exited, 20)).toBe(true)
    expect(run.child.exitCode).toBe(null)
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(0)
    const stops = pairedRuns()
    expect(stops.map((s) => s.reason)).toEqual(['signal'])
    expect(existsSync(lock())).toBe(false)
  })
})
