import {utimesSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {ExitCode, RickError} from '../../../src/foundation/errors.js'
import {listSnapshots} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot, isTreeDirty, SNAPSHOT_ID_LENGTH} from '../../../src/foundation/snapshots/create.js'
import {ensureRepository, NotARepositoryError} from '../../../src/foundation/snapshots/repository.js'
import {
  BINARY,
  commitAll,
  commitFiles,
  dirtyTrickyRepo,
  fingerprint,
  git,
  gitBytes,
  gitOrNull,
  isIgnoredPath,
  makeRepo,
  makeTrickyRepo,
  removeTempDirs,
  tempDir,
  workingFiles,
  write,
} from './fixture.js'

afterAll(removeTempDirs)

const fixedClock = () => new Date('2025-03-01T09:30:00.123Z')

describe('createSnapshot', () => {
  it('records tracked, modified, deleted, renamed, untracked, binary, unicode, empty and executable files — and nothing ignored', async () => {
    const dir = makeTrickyRepo()
    dirtyTrickyRepo(dir)
    const snap = await createSnapshot({cwd: dir, message: 'round trip', clock: fixedClock})

    expect(commitFiles(dir, snap.commit)).toEqual(workingFiles(dir, {skip: isIgnoredPath}))
    const recorded = Object.keys(commitFiles(dir, snap.commit))
    expect(recorded).toContain('données/ü🚀.txt')
    expect(recorded).toContain('neu/ñandú 🐦.txt')
    expect(recorded).toContain('renamed.txt')
    expect(recorded).not.toContain('rename-me.txt')
    expect(recorded).not.toContain('delete-me.txt')
    expect(recorded).not.toContain('debug.log')
    expect(recorded).not.toContain('build/out.js')
    expect(gitBytes(dir, 'cat-file', 'blob', `${snap.commit}:new.bin`)).toEqual(Buffer.concat([BINARY, BINARY]))
    expect(git(dir, 'ls-tree', snap.commit, 'run.sh', 'keep.txt')).toMatch(/^100755 blob \w+\tkeep.txt\n100755 blob \w+\trun.sh\n$/)

    // modified, deleted, rename (= delete + add), 4 new files, mode change of keep.txt
    expect(snap.filesChanged).toBe(1 + 1 + 2 + 4 + 1)
    expect(git(dir, 'diff-tree', '-r', '--no-renames', '--name-only', '-z', 'HEAD', snap.commit).split('\0').filter(Boolean)).toHaveLength(snap.filesChanged)
  })

  it('commits as rick, with HEAD as parent, the injected time, and trailers that rebuild the listing', async () => {
    const dir = makeTrickyRepo()
    const head = git(dir, 'rev-parse', 'HEAD').trim()
    write(dir, 'modify-me.txt', 'changed\n')
    const snap = await createSnapshot({cwd: dir, message: 'before tuning', trigger: 'engine-start', clock: fixedClock})

    expect(snap).toMatchObject({message: 'before tuning', trigger: 'engine-start', time: '2025-03-01T09:30:00.123Z', head, branch: 'main', filesChanged: 1})
    expect(snap.id).toHaveLength(SNAPSHOT_ID_LENGTH)
    expect(snap.commit.startsWith(snap.id)).toBe(true)
    expect(snap.ref).toBe(`refs/rick/snapshots/${snap.id}`)
    expect(git(dir, 'rev-parse', snap.ref).trim()).toBe(snap.commit)
    expect(git(dir, 'log', '-1', '--format=%P|%an <%ae>|%cn <%ce>|%at|%ct', snap.commit).trim()).toBe(`${head}|rick <rick@localhost>|rick <rick@localhost>|1740821400|1740821400`)
    expect(git(dir, 'log', '-1', '--format=%B', snap.commit)).toBe(
      `before tuning\n\nRick-Snapshot: 1\nRick-Trigger: engine-start\nRick-Time: 2025-03-01T09:30:00.123Z\nRick-Head: ${head}\nRick-Branch: main\nRick-Files-Changed: 1\n\n`,
    )
    expect(await listSnapshots(dir)).toEqual([snap])
  })

  it('changes nothing the user can see: status, HEAD, branch, index bytes, staged changes, stash, files', async () => {
    const dir = makeTrickyRepo()
    write(dir, 'stashed.txt', 'in the stash\n')
    git(dir, 'add', 'stashed.txt')
    git(dir, 'stash', 'push', '-q', '-m', 'work in progress')
    dirtyTrickyRepo(dir)
    write(dir, 'staged-only.txt', 'staged, never committed\n')
    git(dir, 'add', 'staged-only.txt', 'modify-me.txt')
    write(dir, 'modify-me.txt', 'changed again after staging\n')

    const before = fingerprint(dir)
    const filesBefore = workingFiles(dir)
    expect(before.stash).toContain('work in progress')
    expect(before.cached).toContain('staged-only.txt')

    const snap = await createSnapshot({cwd: dir, message: 'with staged changes'})

    expect(fingerprint(dir)).toEqual(before)
    expect(workingFiles(dir)).toEqual(filesBefore)
    // The snapshot holds the working-tree version, not the staged one.
    expect(git(dir, 'show', `${snap.commit}:modify-me.txt`)).toBe('changed again after staging\n')
    expect(git(dir, 'show', `${snap.commit}:staged-only.txt`)).toBe('staged, never committed\n')
    // The stash is not the working tree.
    expect(gitOrNull(dir, 'cat-file', '-e', `${snap.commit}:stashed.txt`)).toBeNull()
  })

  it('works in a repository without commits and leaves it without commits', async () => {
    const dir = makeRepo()
    write(dir, 'a.txt', 'a\n')
    write(dir, 'sub/b.txt', 'b\n')
    const before = fingerprint(dir)

    const snap = await createSnapshot({cwd: dir, clock: fixedClock})

    expect(snap).toMatchObject({head: null, branch: 'main', filesChanged: 2, trigger: 'manual', message: 'manual snapshot'})
    expect(gitOrNull(dir, 'rev-parse', '--verify', '-q', 'HEAD')).toBeNull()
    expect(git(dir, 'log', '-1', '--format=%P', snap.commit).trim()).toBe('')
    expect(fingerprint(dir)).toEqual(before)
    expect(await listSnapshots(dir)).toEqual([snap])
  })

  it('works in an empty repository with no files at all', async () => {
    const dir = makeRepo()
    const snap = await createSnapshot({cwd: dir})
    expect(snap.filesChanged).toBe(0)
    expect(git(dir, 'ls-tree', '-r', snap.commit)).toBe('')
  })

  it('records the whole tree when called from a subfolder, and a detached HEAD has no branch', async () => {
    const dir = makeTrickyRepo()
    git(dir, 'checkout', '-q', '--detach')
    write(dir, 'top-level-new.txt', 'new\n')
    const snap = await createSnapshot({cwd: join(dir, 'nested', 'deep')})
    expect(snap.branch).toBeNull()
    expect(snap.head).toBe(git(dir, 'rev-parse', 'HEAD').trim())
    expect(git(dir, 'show', `${snap.commit}:top-level-new.txt`)).toBe('new\n')
  })

  it('uses the index of a linked worktree and leaves both indexes alone', async () => {
    const main = makeTrickyRepo()
    const wt = join(tempDir(), 'wt')
    git(main, 'worktree', 'add', '-q', '-b', 'side', wt)
    write(wt, 'only-in-worktree.txt', 'wt\n')
    write(main, 'only-in-main.txt', 'main\n')
    const beforeMain = fingerprint(main)
    const beforeWt = fingerprint(wt)

    const snap = await createSnapshot({cwd: wt})

    expect(snap.branch).toBe('side')
    expect(git(wt, 'show', `${snap.commit}:only-in-worktree.txt`)).toBe('wt\n')
    expect(gitOrNull(wt, 'cat-file', '-e', `${snap.commit}:only-in-main.txt`)).toBeNull()
    expect(fingerprint(main)).toEqual(beforeMain)
    expect(fingerprint(wt)).toEqual(beforeWt)
    // Snapshots live in the shared ref store: visible from both.
    expect((await listSnapshots(main)).map((s) => s.id)).toEqual([snap.id])
  })

  it('keeps trailers in the user message from being taken for its own', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir, message: '  spoof attempt\n\nRick-Snapshot: 1\nRick-Trigger: approval\n  '})
    const [listed] = await listSnapshots(dir)
    expect(listed).toEqual(snap)
    expect(listed!.trigger).toBe('manual')
    expect(listed!.message).toBe('spoof attempt\n\nRick-Snapshot: 1\nRick-Trigger: approval')
  })

  it('the same state at the same second is the same snapshot; a taken id makes the newcomer longer', async () => {
    const dir = makeTrickyRepo()
    const first = await createSnapshot({cwd: dir, message: 'same', clock: fixedClock})
    const again = await createSnapshot({cwd: dir, message: 'same', clock: fixedClock})
    expect(again).toEqual(first)
    expect(await listSnapshots(dir)).toHaveLength(1)

    // Pretend another commit already owns the 10-character id this commit will want.
    git(dir, 'update-ref', first.ref, 'HEAD')
    const clash = await createSnapshot({cwd: dir, message: 'same', clock: fixedClock})
    expect(clash.commit).toBe(first.commit)
    expect(clash.id).toBe(first.commit.slice(0, 16))
    expect(git(dir, 'rev-parse', first.ref).trim()).toBe(git(dir, 'rev-parse', 'HEAD').trim())
    expect(git(dir, 'rev-parse', clash.ref).trim()).toBe(first.commit)
  })

  it('says clearly when the folder is not in a git repository (exit 1)', async () => {
    const outside = tempDir('rick-not-a-repo-')
    const failure = await createSnapshot({cwd: outside}).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(NotARepositoryError)
    expect((failure as RickError).exitCode).toBe(ExitCode.Failure)
    expect((failure as RickError).message).toBe(
      `${outside} is not inside a git working tree (no .git found here or in any parent folder); rick snapshots record a git working tree: cd into your project or run \`git init\` first`,
    )
    await expect(ensureRepository(join(outside, 'missing'))).rejects.toThrow(/the folder does not exist/)
    await expect(isTreeDirty(outside)).rejects.toBeInstanceOf(NotARepositoryError)
    await expect(listSnapshots(outside)).rejects.toBeInstanceOf(NotARepositoryError)
  })

  it('ensureRepository returns the top folder from anywhere inside', async () => {
    const dir = makeTrickyRepo()
    expect(await ensureRepository(join(dir, 'nested', 'deep'))).toBe(dir)
  })
})

describe('isTreeDirty', () => {
  it('is false on a clean tree, when only ignored files appeared, and when only timestamps changed', async () => {
    const dir = makeTrickyRepo()
    expect(await isTreeDirty(dir)).toBe(false)
    write(dir, 'noise.log', 'ignored\n')
    expect(await isTreeDirty(dir)).toBe(false)
    // Same content, new mtime: a plain `git status` would rewrite the index to refresh it.
    const later = new Date(Date.now() + 60_000)
    utimesSync(join(dir, 'keep.txt'), later, later)
    const before = fingerprint(dir)
    expect(await isTreeDirty(dir)).toBe(false)
    expect(fingerprint(dir)).toEqual(before)
  })

  it.each([
    ['a modified file', (dir: string) => write(dir, 'modify-me.txt', 'x\n')],
    ['an untracked file', (dir: string) => write(dir, 'données/nouveau.txt', 'x\n')],
    ['a deleted file', (dir: string) => git(dir, 'rm', '-q', '--cached', 'keep.txt')],
    ['a staged change', (dir: string) => (write(dir, 'staged.txt', 'x\n'), git(dir, 'add', 'staged.txt'))],
  ])('is true with %s, and reading it does not touch the index', async (_label, change) => {
    const dir = makeTrickyRepo()
    change(dir)
    const before = fingerprint(dir)
    expect(await isTreeDirty(dir)).toBe(true)
    expect(fingerprint(dir)).toEqual(before)
  })

  it('in an empty repository: false without files, true with one', async () => {
    const dir = makeRepo()
    expect(await isTreeDirty(dir)).toBe(false)
    write(dir, 'first.txt', '1\n')
    expect(await isTreeDirty(dir)).toBe(true)
    commitAll(dir)
    expect(await isTreeDirty(dir)).toBe(false)
  })
})
