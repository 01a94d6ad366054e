// Read-only commands on a read-only `.rick/` (issue 11, section 2): `status`, `report`,
// `journal verify` and `journal export` read the journal without writing a byte next to it.
// As root chmod stops nothing, so the test checks what would have been written: every file under
// .rick keeps its size and mtime, and no -wal or -shm appears. Where it can (root with setpriv),
// it also runs them as `nobody`, for whom the folder really is read-only.
import {execa} from 'execa'
import {execFileSync} from 'node:child_process'
import {chmodSync, readdirSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {rick, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from './engine-fixture.js'

// A project of its own per test: what one test's commands leave next to the journal (a -wal, a
// -shm) would let the next one pass for the wrong reason.
let f: Fixture
beforeEach(async () => {
  f = fixtureProject()
  const r = await rick(['run', 'fx', '--speed', 'max', '--bars', '60', '--seed', '3'], {cwd: f.root, env: f.env})
  expect(r.exitCode, r.stderr).toBe(0)
})
afterEach(() => {
  chmodSync(f.home, 0o700)
  f.cleanup()
})

/** Every file under `dir`: its size and mtime. */
function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) {
    const path = join(e.parentPath, e.name)
    const s = statSync(path)
    out[path] = e.isDirectory() ? 'dir' : `${s.size} ${s.mtimeMs}`
  }
  return out
}

const COMMANDS = [['status'], ['report', 'fx'], ['journal', 'verify'], ['journal', 'export']]

function canSetpriv(): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true'])
    return true
  } catch {
    return false
  }
}

describe('read-only commands on a read-only .rick', () => {
  it('status, report, journal verify and journal export work and change nothing under .rick', async () => {
    chmodSync(f.home, 0o555)
    const before = listing(f.home)
    expect(Object.keys(before).some((p) => p.endsWith('-wal') || p.endsWith('-shm'))).toBe(false)
    for (const args of COMMANDS) {
      const r = await rick(args, {cwd: f.root, env: f.env})
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stderr).not.toMatch(/readonly|read-only database/)
      expect(listing(f.home), args.join(' ')).toEqual(before)
    }
  })

  it.runIf(canSetpriv())('the same commands as a user who cannot write there (nobody)', async () => {
    chmodSync(f.root, 0o755)
    chmodSync(f.home, 0o555)
    for (const file of readdirSync(f.home)) if (file.startsWith('journal.db')) chmodSync(join(f.home, file), 0o444)
    const before = listing(f.home)
    for (const args of COMMANDS) {
      const r = await asNobody(args)
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0)
      expect(r.stderr).not.toMatch(/readonly|read-only database/)
    }
    expect(listing(f.home)).toEqual(before)
  })
})

/** `rick …` run by nobody (setpriv), as a user without write access to the project would. */
async function asNobody(args: string[]): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, RICK_BIN, ...args], {
    cwd: f.root,
    reject: false,
    env: {...f.env, HOME: f.root, NO_COLOR: '1', NODE_ENV: 'production'},
  })
  return {exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr)}
}
