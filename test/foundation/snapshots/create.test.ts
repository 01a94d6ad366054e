import {execFileSync} from 'node:child_process'
import {rmSync, utimesSync} from 'node:fs'
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
  makeRepoWithSecrets,
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

/** Whether git's object store holds a blob with exactly these bytes. */
function hasBlob(dir: string, content: string): boolean {
  const sha = execFileSync('git', ['hash-object', '--stdin'], {cwd: dir, input: content, encoding: 'utf8'}).trim()
  return gitOrNull(dir, 'cat-file', '-e', sha) !== null
}

describe('createSnapshot leaves out rick data and secrets', () => {
  it('never records .rick/ or .env / .env.* (tracked or not, anywhere), never hashes them, and keeps the templates', async () => {
    const dir = makeRepoWithSecrets()
    write(dir, '.env', 'UNTRACKED_SECRET=s3cr3t-untracked\n')
    write(dir, '.env.local', 'TRACKED_SECRET=changed-since-commit\n')
    write(dir, 'config/.env.production', 'PROD_TOKEN=s3cr3t-prod\n')
    write(dir, 'services/api/.env', 'NESTED=s3cr3t-nested\n')
    write(dir, '.rick/approvals.json', '{"approvals":["changed"]}\n')
    write(dir, '.rick/pin.json', '{"hash":"s3cr3t-pin"}\n')
    write(dir, '.env.example', 'API_KEY=\nNEW_KEY=\n')
    write(dir, 'config/.env.sample', 'SAMPLE=1\n')
    write(dir, 'deploy/.env.template', 'TEMPLATE=1\n')
    write(dir, '.envrc', 'use nvm\n')
    write(dir, '.rickrc', 'not rick data\n')
    write(dir, 'notes/.rick/readme.txt', 'only the top-level .rick is rick data\n')
    const before = fingerprint(dir)

    const snap = await createSnapshot({cwd: dir, env: {}})

    expect(Object.keys(commitFiles(dir, snap.commit)).sort()).toEqual([
      '.env.example',
      '.envrc',
      '.rickrc',
      'app.ts',
      'config/.env.sample',
      'deploy/.env.template',
      'notes/.rick/readme.txt',
    ])
    expect(git(dir, 'show', `${snap.commit}:.env.example`)).toBe('API_KEY=\nNEW_KEY=\n')
    // Modified .env.example, new sample, template, .envrc, .rickrc and notes; the tracked
    // .env.local and .rick/approvals.json missing from the snapshot are not "changes".
    expect(snap.filesChanged).toBe(6)
    for (const secret of ['UNTRACKED_SECRET=s3cr3t-untracked\n', 'TRACKED_SECRET=changed-since-commit\n', 'PROD_TOKEN=s3cr3t-prod\n', 'NESTED=s3cr3t-nested\n', '{"hash":"s3cr3t-pin"}\n', '{"approvals":["changed"]}\n']) {
      expect(hasBlob(dir, secret), secret).toBe(false)
    }
    // The real index still tracks them: only the snapshot leaves them out.
    expect(fingerprint(dir)).toEqual(before)
  })

  it('leaves out the folder RICK_HOME points to inside the repository, and a project\'s .rick in a subfolder', async () => {
    const dir = makeRepo()
    write(dir, 'a.txt', 'a\n')
    write(dir, 'var/rick/approvals.json', '{}\n')
    write(dir, 'trading/config/trading_sectors.yaml', 'sectors: {}\n')
    write(dir, 'trading/.rick/approvals.json', '{}\n')
    write(dir, 'trading/strategy.ts', 'export {}\n')

    const withHome = await createSnapshot({cwd: dir, env: {RICK_HOME: join(dir, 'var/rick')}})
    expect(Object.keys(commitFiles(dir, withHome.commit)).sort()).toEqual(['a.txt', 'trading/.rick/approvals.json', 'trading/config/trading_sectors.yaml', 'trading/strategy.ts'])

    const fromProject = await createSnapshot({cwd: join(dir, 'trading'), env: {}, message: 'from the project folder'})
    expect(Object.keys(commitFiles(dir, fromProject.commit)).sort()).toEqual(['a.txt', 'trading/config/trading_sectors.yaml', 'trading/strategy.ts', 'var/rick/approvals.json'])
  })

  it('works when .gitignore ignores them (as a project should), even with a tracked file inside an ignored folder', async () => {
    const dir = makeRepo()
    write(dir, '.gitignore', '.rick/\n.env*\n!.env.example\nvar/\n')
    write(dir, 'a.txt', 'a\n')
    write(dir, '.rick/approvals.json', '{"approvals":["forced"]}\n')
    write(dir, 'var/we*ird [home]/pin.json', 'forced\n')
    write(dir, '.env.example', 'K=\n')
    git(dir, 'add', '-A')
    git(dir, 'add', '-f', '.rick/approvals.json', 'var/we*ird [home]/pin.json')
    commitAll(dir, 'initial')
    write(dir, '.rick/approvals.json', '{"approvals":["revoked"]}\n')
    write(dir, '.rick/pin.json', '{}\n')
    write(dir, 'var/we*ird [home]/pin.json', 'changed\n')
    write(dir, '.env', 'S=1\n')
    write(dir, '.env.example', 'K=\nL=\n')

    const snap = await createSnapshot({cwd: dir, env: {RICK_HOME: 'var/we*ird [home]'}})

    expect(Object.keys(commitFiles(dir, snap.commit)).sort()).toEqual(['.env.example', '.gitignore', 'a.txt'])
    expect(snap.filesChanged).toBe(1)
    expect(hasBlob(dir, '{"approvals":["revoked"]}\n')).toBe(false)
    expect(hasBlob(dir, 'changed\n')).toBe(false)
  })

  it('a tracked .env.example that was deleted or changed is recorded as it is now', async () => {
    const dir = makeRepoWithSecrets()
    write(dir, 'sub/.env.example', 'SUB=1\n')
    commitAll(dir, 'second template')
    rmSync(join(dir, '.env.example'))
    write(dir, 'sub/.env.example', 'SUB=2\n')
    const snap = await createSnapshot({cwd: dir, env: {}})
    expect(Object.keys(commitFiles(dir, snap.commit)).sort()).toEqual(['app.ts', 'sub/.env.example'])
    expect(git(dir, 'show', `${snap.commit}:sub/.env.example`)).toBe('SUB=2\n')
    expect(snap.filesChanged).toBe(2)
  })

  it('in a repository without commits', async () => {
    const dir = makeRepo()
    write(dir, '.env', 'S=1\n')
    write(dir, '.env.example', 'S=\n')
    write(dir, '.rick/pin.json', '{}\n')
    const snap = await createSnapshot({cwd: dir, env: {}})
    expect(Object.keys(commitFiles(dir, snap.commit))).toEqual(['.env.example'])
    expect(snap.filesChanged).toBe(1)
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

  it('ignores changes only in rick data and secrets files, tracked or not', async () => {
    const dir = makeRepoWithSecrets()
    expect(await isTreeDirty(dir, {})).toBe(false)
    write(dir, '.env.local', 'TRACKED_SECRET=rotated\n')
    write(dir, '.env', 'NEW=1\n')
    write(dir, 'fresh/.env.production', 'P=1\n')
    write(dir, '.rick/approvals.json', '{"approvals":[]}\n')
    write(dir, '.rick/pin.json', '{}\n')
    write(dir, 'var/home/journal.db', 'x\n')
    expect(await isTreeDirty(dir, {RICK_HOME: join(dir, 'var/home')})).toBe(false)
    // Without RICK_HOME pointing there, var/home is just another untracked folder.
    expect(await isTreeDirty(dir, {})).toBe(true)
    rmSync(join(dir, 'var'), {recursive: true})
    // A staged deletion of a tracked secret is not a change either.
    git(dir, 'rm', '-q', '--cached', '.env.local')
    expect(await isTreeDirty(dir, {})).toBe(false)
  })

  it.each([
    ['a changed .env.example', (dir: string) => write(dir, '.env.example', 'API_KEY=\nMORE=\n')],
    ['a new .env.sample', (dir: string) => write(dir, 'config/.env.sample', 'X=\n')],
    ['a secrets file renamed to a normal name', (dir: string) => git(dir, 'mv', '.env.local', 'settings.txt')],
  ])('is true with %s', async (_label, change) => {
    const dir = makeRepoWithSecrets()
    change(dir)
    expect(await isTreeDirty(dir, {})).toBe(true)
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
