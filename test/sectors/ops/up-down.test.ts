// `rick down`'s service on the cases a CLI test cannot time: a sector that `rick up` is about to
// restart (no engine, yet it comes back), and a lock whose pid is some other program.
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {stopSectors} from '../../../src/sectors/ops/up/down-service.js'
import {writeUpRecord} from '../../../src/sectors/ops/up/up-file.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

function home(): string {
  const d = mkdtempSync(join(tmpdir(), 'rick-down-'))
  dirs.push(d)
  return d
}

describe('stopSectors', () => {
  it('a sector waiting for its restart under a live rick up is not reported stopped (exit 1)', async () => {
    const h = home()
    // This test process stands in for the live `rick up`.
    writeUpRecord(h, {pid: process.pid, startedAt: '2026-01-01T00:00:00Z', sectors: {fx: {pid: null, state: 'restarting', restarts: 1, lastExit: 'killed by SIGKILL'}}})
    const r = await stopSectors(['fx'], {home: h, timeoutMs: 1_000})
    expect(r.exitCode).toBe(1)
    expect(r.sectors[0]).toMatchObject({result: 'restarting', runsAs: 'up'})
    expect(r.sectors[0]!.detail).toContain(`\`rick up\` (pid ${process.pid}) starts it again after its back-off`)
  })

  it('a lock whose pid is not `rick run <sector>` is not signalled (exit 1)', async () => {
    const h = home()
    const other = spawn('sleep', ['30'], {stdio: 'ignore'})
    try {
      mkdirSync(join(h, 'locks'))
      writeFileSync(join(h, 'locks', 'fx.lock'), JSON.stringify({pid: other.pid, sector: 'fx'}))
      const r = await stopSectors(['fx'], {home: h, timeoutMs: 1_000})
      expect(r.exitCode).toBe(1)
      expect(r.sectors[0]).toMatchObject({result: 'refused', pid: other.pid})
      expect(other.exitCode).toBeNull()
      expect(other.signalCode).toBeNull()
    } finally {
      other.kill('SIGKILL')
    }
  })
})
