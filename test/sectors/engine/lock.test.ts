import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {acquireLock, lockFile, readLock, SectorLocked} from '../../../src/sectors/engine/lock.js'

const home = () => mkdtempSync(join(tmpdir(), 'rick-lock-'))

/** A pid that certainly does not run: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
  return Number(r.stdout)
}

describe('the sector lock', () => {
  it('is created with the pid, refuses a second engine, and is removed on release', () => {
    const h = home()
    const lock = acquireLock(h, {pid: process.pid, sector: 'oanda', runId: 'r1', mode: 'paper'})
    expect(JSON.parse(readFileSync(lockFile(h, 'oanda'), 'utf8'))).toMatchObject({pid: process.pid, sector: 'oanda', runId: 'r1'})
    let error: unknown
    try {
      acquireLock(h, {pid: process.pid, sector: 'oanda'})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SectorLocked)
    expect((error as Error).message).toMatch(new RegExp(`sector oanda is already running \\(pid ${process.pid}, run r1, mode paper`))
    expect((error as SectorLocked).exitCode).toBe(1)
    lock.release()
    expect(existsSync(lockFile(h, 'oanda'))).toBe(false)
  })

  it('locks sectors independently', () => {
    const h = home()
    const a = acquireLock(h, {pid: process.pid, sector: 'oanda'})
    const b = acquireLock(h, {pid: process.pid, sector: 'ibkr'})
    a.release()
    b.release()
  })

  it('takes over the stale lock of a dead engine and says whose it was', () => {
    const h = home()
    const dead = deadPid()
    mkdirSync(join(h, 'locks'), {recursive: true})
    writeFileSync(lockFile(h, 'coinbase'), JSON.stringify({pid: dead, sector: 'coinbase', runId: 'old'}))
    const lock = acquireLock(h, {pid: process.pid, sector: 'coinbase'})
    expect(lock.tookOver).toMatchObject({pid: dead, runId: 'old'})
    expect(readLock(h, 'coinbase')?.pid).toBe(process.pid)
    lock.release()
  })

  it('treats an unreadable lock file as stale', () => {
    const h = home()
    mkdirSync(join(h, 'locks'), {recursive: true})
    writeFileSync(lockFile(h, 'ibkr'), 'garbage')
    const lock = acquireLock(h, {pid: process.pid, sector: 'ibkr'})
    expect(lock.tookOver?.pid).toBe(0)
    lock.release()
  })
})
