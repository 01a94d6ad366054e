import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {RickError} from '../../../src/foundation/errors.js'
import {listSnapshots} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot, isTreeDirty} from '../../../src/foundation/snapshots/create.js'
import {restoreSnapshot} from '../../../src/foundation/snapshots/restore.js'
import {commitAll, fingerprint, git, removeTempDirs, workingFiles, write} from './fixture.js'
import {makeRepoWithSubmodule} from './submodule-fixture.js'

afterAll(removeTempDirs)

const files = (dir: string) => workingFiles(dir, {skip: (p) => p === 'lib/.git' || p.endsWith('/.git')})

describe('snapshots of a repository with a submodule', () => {
  it('record the submodule working tree and its commit, and a restore brings both back; the undo too', async () => {
    const {dir, sub} = makeRepoWithSubmodule()
    // State A: the submodule is dirty in every way (edit, deletion, untracked file).
    write(sub, 'strategy.ts', 'export const fast = 8 // tuned\n')
    rmSync(join(sub, 'util/math.ts'))
    write(sub, 'notes.md', 'untracked in the submodule\n')
    write(dir, 'app.ts', 'import "./lib/strategy" // A\n')
    const stateA = files(dir)
    const subHeadA = git(sub, 'rev-parse', 'HEAD').trim()
    const a = await createSnapshot({cwd: dir, message: 'state A'})
    expect(a.filesChanged).toBe(2)

    // State B: an agent commits in the submodule (its HEAD moves) and edits more.
    write(sub, 'strategy.ts', 'export const fast = 99\n')
    commitAll(sub, 'agent commit')
    write(sub, 'strategy.ts', 'export const fast = 100\n')
    rmSync(join(sub, 'notes.md'))
    write(sub, 'extra.ts', 'export {}\n')
    write(dir, 'app.ts', 'import "./lib/strategy" // B\n')
    const stateB = files(dir)
    const subHeadB = git(sub, 'rev-parse', 'HEAD').trim()
    const superBefore = fingerprint(dir)

    const result = await restoreSnapshot(dir, a.id)

    expect(files(dir)).toEqual(stateA)
    expect(result.submodules).toEqual([{path: 'lib', head: subHeadB, snapshotHead: subHeadA}])
    // Written: app.ts at the top, strategy.ts and notes.md in the submodule; deleted: its extra.ts.
    expect({written: result.written, deleted: result.deleted}).toEqual({written: 3, deleted: 1})
    // HEADs and the index are the user's: they stay.
    expect(git(sub, 'rev-parse', 'HEAD').trim()).toBe(subHeadB)
    expect(fingerprint(dir).head).toBe(superBefore.head)
    expect(fingerprint(dir).indexBytes).toBe(superBefore.indexBytes)

    await restoreSnapshot(dir, result.undo.id)
    expect(files(dir)).toEqual(stateB)
  })

  it('a change only inside the submodule makes the tree dirty, and is restored', async () => {
    const {dir, sub} = makeRepoWithSubmodule()
    const clean = await createSnapshot({cwd: dir})
    expect(await isTreeDirty(dir)).toBe(false)
    write(sub, 'strategy.ts', 'export const fast = 1\n')
    expect(await isTreeDirty(dir)).toBe(true)
    const result = await restoreSnapshot(dir, clean.id)
    expect(readFileSync(join(sub, 'strategy.ts'), 'utf8')).toBe('export const fast = 5\n')
    expect(result.written).toBe(1)
    expect(git(sub, 'status', '--porcelain')).toBe('')
  })

  it('refuses, changing nothing, when the submodule is no longer checked out', async () => {
    const {dir, sub} = makeRepoWithSubmodule()
    write(sub, 'strategy.ts', 'export const fast = 7\n')
    const a = await createSnapshot({cwd: dir})
    git(dir, 'submodule', '--quiet', 'deinit', '-f', 'lib')
    write(dir, 'app.ts', 'changed at the top\n')
    const before = files(dir)
    const count = (await listSnapshots(dir)).length

    const failure = await restoreSnapshot(dir, a.id).catch((error: unknown) => error)

    expect(failure).toBeInstanceOf(RickError)
    expect((failure as RickError).code).toBe('SNAPSHOT_SUBMODULE')
    expect((failure as Error).message).toContain('submodule lib is not checked out')
    expect((failure as Error).message).toContain('git submodule update --init lib')
    expect((failure as Error).message).toContain('Nothing was changed.')
    expect(files(dir)).toEqual(before)
    expect(await listSnapshots(dir)).toHaveLength(count)
  })

  it('refuses, changing nothing, when the submodule commit the snapshot needs is gone', async () => {
    const {dir, sub} = makeRepoWithSubmodule()
    write(sub, 'strategy.ts', 'export const fast = 7\n')
    const a = await createSnapshot({cwd: dir})
    // Someone prunes the submodule's snapshots and collects its garbage.
    for (const ref of git(sub, 'for-each-ref', '--format=%(refname)', 'refs/rick/').split('\n').filter(Boolean)) git(sub, 'update-ref', '-d', ref)
    git(sub, 'reflog', 'expire', '--expire=now', '--all')
    git(sub, 'gc', '--quiet', '--prune=now')
    write(sub, 'strategy.ts', 'export const fast = 9\n')
    const before = files(dir)

    const failure = await restoreSnapshot(dir, a.id).catch((error: unknown) => error)

    expect((failure as RickError).code).toBe('SNAPSHOT_SUBMODULE')
    expect((failure as Error).message).toMatch(/submodule lib: commit [0-9a-f]{40} of the snapshot is not in its repository/)
    expect(files(dir)).toEqual(before)
  })
})
