// `rick snapshot restore` as a user meets its safety rules: an engine under another RICK_HOME
// stops it, a restore that cannot be done whole changes nothing and says why, and a submodule's
// changes are restored and reported.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {listSnapshots} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {acquireLock} from '../../../src/sectors/engine/lock.js'
import {git, makeTrickyRepo, removeTempDirs, tempDir, workingFiles, write} from '../../foundation/snapshots/fixture.js'
import {killLiveProcesses, liveProcess} from '../../foundation/snapshots/process-fixture.js'
import {canMakeUnwritable, makeRepoWithSubmodule, makeUnwritable} from '../../foundation/snapshots/submodule-fixture.js'
import {rick} from '../../helpers/cli.js'

afterEach(killLiveProcesses)
afterAll(removeTempDirs)

describe('rick snapshot restore', () => {
  it('is denied (exit 3) while an engine of this project runs under another RICK_HOME, and allowed once it is gone', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')
    const [engineHome, restoreHome] = [tempDir('rick-engine-home-'), tempDir('rick-restore-home-')]
    const engine = liveProcess()
    acquireLock(engineHome, {pid: engine, sector: 'oanda', mode: 'paper', project: dir})
    const denied = await rick(['snapshot', 'restore', snap.id, '--yes'], {cwd: dir, env: {RICK_HOME: restoreHome}})
    expect(denied.stderr).toContain(`an engine is running: oanda (pid ${engine}) with RICK_HOME ${engineHome}`)
    expect(denied.exitCode).toBe(3)
    expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('mine\n')
    await killLiveProcesses()
    // The registration now names a dead process: stale, it blocks nothing.
    const allowed = await rick(['snapshot', 'restore', snap.id, '--yes'], {cwd: dir, env: {RICK_HOME: restoreHome}})
    expect(allowed.exitCode).toBe(0)
    expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('before\n')
  })

  it.skipIf(!canMakeUnwritable)('that cannot be done whole changes nothing and exits 1 with the reason', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')
    write(dir, 'nested/deep/file.txt', 'mine too\n')
    const before = workingFiles(dir)
    const lock = makeUnwritable(join(dir, 'nested/deep'))!
    try {
      const result = await rick(['snapshot', 'restore', snap.id, '--yes', '--json'], {cwd: dir})
      expect(result.exitCode).toBe(1)
      const {error} = JSON.parse(result.stdout)
      expect(error.code).toBe('SNAPSHOT_RESTORE_BLOCKED')
      expect(error.message).toMatch(new RegExp(`^cannot restore snapshot ${snap.id}: nested/deep/file.txt cannot be replaced: the folder nested/deep is not writable \\(E(PERM|ACCES)`))
      expect(error.message).toMatch(/Nothing was changed\.$/)
      expect(workingFiles(dir)).toEqual(before)
      expect(await listSnapshots(dir)).toHaveLength(1)
    } finally {
      lock.undo()
    }
  })

  it('restores the changes inside a submodule and says so', async () => {
    const {dir, sub} = makeRepoWithSubmodule()
    write(sub, 'strategy.ts', 'export const fast = 8 // the good one\n')
    const snap = await createSnapshot({cwd: dir})
    write(sub, 'strategy.ts', 'export const fast = 800 // an agent\n')
    const subHead = git(sub, 'rev-parse', 'HEAD').trim()

    const result = await rick(['snapshot', 'restore', snap.id, '--yes'], {cwd: dir})

    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const [undo] = await listSnapshots(dir)
    expect(result.stdout).toBe(
      `Restored snapshot ${snap.id}: 1 file(s) written, 0 deleted (with submodule lib).\nThe previous state is snapshot ${undo!.id}; undo with: rick snapshot restore ${undo!.id} --yes`,
    )
    expect(readFileSync(join(sub, 'strategy.ts'), 'utf8')).toBe('export const fast = 8 // the good one\n')
    expect(git(sub, 'rev-parse', 'HEAD').trim()).toBe(subHead)
  })
})
