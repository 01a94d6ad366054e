// An engine is found by a restore whatever RICK_HOME either of them uses: the engine lock registers
// it in the git dir of its project's repository, the restore guard reads it there.
import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {CharterDenied} from '../../../src/foundation/errors.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {findGitDir, registryFolder} from '../../../src/foundation/snapshots/engine-registry.js'
import {markProcess, processStart} from '../../../src/foundation/snapshots/process-mark.js'
import {restoreLockFile} from '../../../src/foundation/snapshots/restore-lock.js'
import {restoreSnapshot} from '../../../src/foundation/snapshots/restore.js'
import {acquireLock, lockFile} from '../../../src/sectors/engine/lock.js'
import {assertRestoreAllowed} from '../../../src/sectors/restore-guard.js'
import {commitAll, makeRepo, removeTempDirs, tempDir, write} from '../../foundation/snapshots/fixture.js'
import {deadPid, killLiveProcesses, liveProcess, thrown} from '../../foundation/snapshots/process-fixture.js'
import {makeRepoWithSubmodule} from '../../foundation/snapshots/submodule-fixture.js'

afterEach(killLiveProcesses)
afterAll(removeTempDirs)

function denial(fn: () => unknown): CharterDenied {
  const error = thrown(fn)
  expect(error).toBeInstanceOf(CharterDenied)
  return error as CharterDenied
}

/** A project in a subfolder of a repository, and two rick homes outside it. */
function project(): {repo: string; project: string; gitDir: string; homeA: string; homeB: string} {
  const repo = makeRepo()
  write(repo, 'trading/config/trading_sectors.yaml', 'sectors: {}\n')
  commitAll(repo)
  return {repo, project: join(repo, 'trading'), gitDir: join(repo, '.git'), homeA: tempDir('rick-home-a-'), homeB: tempDir('rick-home-b-')}
}

describe('an engine registered with its repository', () => {
  it('denies a restore run with another RICK_HOME while it runs, and no longer once released', () => {
    const p = project()
    const pid = liveProcess()
    const lock = acquireLock(p.homeA, {pid, sector: 'oanda', mode: 'paper', project: p.project})
    expect(readdirSync(registryFolder(p.gitDir))).toHaveLength(1)

    const denied = denial(() => assertRestoreAllowed(p.homeB, [p.gitDir]))
    expect(denied.code).toBe('ENGINE_RUNNING')
    expect(denied.exitCode).toBe(3)
    expect(denied.message).toContain(`an engine is running: oanda (pid ${pid}) with RICK_HOME ${p.homeA}.`)
    // The same engine seen through its own home is named once.
    expect(denial(() => assertRestoreAllowed(p.homeA, [p.gitDir])).message).toContain(`an engine is running: oanda (pid ${pid}). A restore`)

    lock.release()
    expect(readdirSync(registryFolder(p.gitDir))).toEqual([])
    expect(() => assertRestoreAllowed(p.homeB, [p.gitDir])).not.toThrow()
  })

  it('does not block once its process is dead or its pid belongs to another process, and a damaged entry does not either', () => {
    const p = project()
    const crashed = acquireLock(p.homeA, {pid: deadPid(), sector: 'oanda', project: p.project})
    expect(crashed).toBeDefined()
    expect(() => assertRestoreAllowed(p.homeB, [p.gitDir])).not.toThrow()

    // A live process whose start time is not the one recorded: the pid was recycled.
    const pid = liveProcess()
    acquireLock(p.homeA, {pid, sector: 'ibkr', project: p.project})
    const [file] = readdirSync(registryFolder(p.gitDir))
      .map((n) => join(registryFolder(p.gitDir), n))
      .filter((f) => JSON.parse(readFileSync(f, 'utf8')).sector === 'ibkr')
    expect(denial(() => assertRestoreAllowed(p.homeB, [p.gitDir])).message).toContain('ibkr')
    if (processStart(pid) !== undefined) {
      const entry = JSON.parse(readFileSync(file!, 'utf8'))
      writeFileSync(file!, JSON.stringify({...entry, pidStart: '1'}))
      expect(() => assertRestoreAllowed(p.homeB, [p.gitDir])).not.toThrow()
    }
    writeFileSync(file!, '{"pid": ')
    expect(() => assertRestoreAllowed(p.homeB, [p.gitDir])).not.toThrow()
  })

  it('on another machine cannot be asked: the restore is denied and told which file to remove', () => {
    const p = project()
    const folder = registryFolder(p.gitDir)
    mkdirSync(folder, {recursive: true})
    const file = join(folder, 'remote.json')
    writeFileSync(file, JSON.stringify({pid: 4242, host: 'some-other-host', sector: 'coinbase', home: '/srv/rick', project: p.project}))
    const denied = denial(() => assertRestoreAllowed(p.homeB, [p.gitDir]))
    expect(denied.message).toContain(`coinbase (pid 4242) with RICK_HOME /srv/rick on host some-other-host (if it no longer runs there, remove ${file})`)
  })

  it('is not registered outside a repository, and a registry that cannot be written stops the engine from starting', () => {
    const outside = tempDir('rick-no-repo-')
    expect(findGitDir(outside)).toBeNull()
    const home = tempDir('rick-home-')
    acquireLock(home, {pid: process.pid, sector: 'oanda', project: outside}).release()

    const p = project()
    // A file where the registry folder goes: mkdir fails for root too.
    writeFileSync(join(p.gitDir, 'rick'), 'in the way\n')
    const error = thrown(() => acquireLock(p.homeA, {pid: process.pid, sector: 'oanda', project: p.project}))
    expect(error.code).toBe('ENGINE_REGISTRY')
    expect(error.message).toContain(`cannot register the engine of oanda with the repository of ${p.project}`)
    // The sector lock was given back.
    expect(existsSync(lockFile(p.homeA, 'oanda'))).toBe(false)
  })

  it('does not start while a snapshot restore rewrites its repository, and gives its sector lock back', () => {
    const p = project()
    const restoring = liveProcess()
    const file = restoreLockFile(p.gitDir)
    mkdirSync(dirname(file), {recursive: true})
    writeFileSync(file, JSON.stringify({...markProcess(restoring), target: 'abc123'}))
    const error = thrown(() => acquireLock(p.homeA, {pid: process.pid, sector: 'oanda', project: p.project}))
    expect(error.code).toBe('RESTORE_RUNNING')
    expect(error.message).toBe(`a snapshot restore is rewriting ${p.project} (pid ${restoring}, restoring snapshot abc123): start oanda once it is done.`)
    expect(existsSync(lockFile(p.homeA, 'oanda'))).toBe(false)
    expect(readdirSync(registryFolder(p.gitDir))).toEqual([])
  })

  it('in a submodule denies a restore of the superproject that writes there', async () => {
    const {dir, sub} = makeRepoWithSubmodule()
    const snap = await createSnapshot({cwd: dir})
    write(sub, 'strategy.ts', 'export const fast = 6\n')
    const pid = liveProcess()
    acquireLock(tempDir('rick-home-sub-'), {pid, sector: 'oanda', project: sub})
    expect(findGitDir(sub)).toBe(join(dir, '.git/modules/lib'))

    const home = tempDir('rick-home-other-')
    const failure = await restoreSnapshot(dir, snap.id, {guard: (gitDirs) => assertRestoreAllowed(home, gitDirs)}).catch((e: unknown) => e)

    expect(failure).toBeInstanceOf(CharterDenied)
    expect((failure as Error).message).toContain(`oanda (pid ${pid})`)
    expect(readFileSync(join(sub, 'strategy.ts'), 'utf8')).toBe('export const fast = 6\n')
  })
})
