// One restore at a time in a repository; a restore killed halfway is found and reported by the next.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {RickError} from '../../../src/foundation/errors.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {markProcess} from '../../../src/foundation/snapshots/process-mark.js'
import {restoreLockFile} from '../../../src/foundation/snapshots/restore-lock.js'
import {restoreSnapshot} from '../../../src/foundation/snapshots/restore.js'
import {makeTrickyRepo, removeTempDirs, workingFiles, write} from './fixture.js'
import {deadPid, killLiveProcesses, liveProcess} from './process-fixture.js'

afterEach(killLiveProcesses)
afterAll(removeTempDirs)

function lockAs(dir: string, pid: number, fields: Record<string, unknown>): string {
  const file = restoreLockFile(join(dir, '.git'))
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, JSON.stringify({...markProcess(pid), ...fields}))
  return file
}

describe('the restore lock', () => {
  it('refuses a restore while another one runs in the repository, changing nothing', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')
    const other = liveProcess()
    lockAs(dir, other, {target: 'abc123'})
    const before = workingFiles(dir)

    const failure = await restoreSnapshot(dir, snap.id).catch((e: unknown) => e)

    expect((failure as RickError).code).toBe('SNAPSHOT_RESTORE_BUSY')
    expect((failure as Error).message).toBe(`another restore is running in this repository (pid ${other}, restoring snapshot abc123): wait until it is done. Nothing was changed.`)
    expect(workingFiles(dir)).toEqual(before)
  })

  it('left by a restore that was killed halfway is taken over, and the next restore says so', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'half written\n')
    const dead = deadPid()
    const file = lockAs(dir, dead, {target: 'abc123', undo: 'def456'})

    const result = await restoreSnapshot(dir, snap.id)

    expect(result.interrupted).toEqual({target: 'abc123', undo: 'def456', pid: dead})
    expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('before\n')
    expect(existsSync(file)).toBe(false)
  })

  it('is given back when a restore is refused', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')
    const failure = await restoreSnapshot(dir, snap.id, {
      guard: () => {
        expect(existsSync(restoreLockFile(join(dir, '.git')))).toBe(true)
        throw new RickError('an engine is running', {code: 'ENGINE_RUNNING'})
      },
    }).catch((e: unknown) => e)
    expect((failure as RickError).code).toBe('ENGINE_RUNNING')
    expect(existsSync(restoreLockFile(join(dir, '.git')))).toBe(false)
  })
})
