import {existsSync, mkdirSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {ExitCode, RickError, UsageError} from '../../../src/foundation/errors.js'
import {listSnapshots} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {restoreSnapshot} from '../../../src/foundation/snapshots/restore.js'
import {
  commitFiles,
  dirtyTrickyRepo,
  fingerprint,
  git,
  gitOrNull,
  isIgnoredPath,
  legacySnapshot,
  makeRepo,
  makeRepoWithSecrets,
  makeTrickyRepo,
  removeTempDirs,
  steppingClock,
  workingFiles,
  write,
} from './fixture.js'

afterAll(removeTempDirs)

describe('restoreSnapshot', () => {
  it('makes the working tree equal to the snapshot and can be undone; HEAD, index, stash and ignored files stay', async () => {
    const dir = makeTrickyRepo()
    write(dir, 'stash-me.txt', 'stashed\n')
    git(dir, 'add', 'stash-me.txt')
    git(dir, 'stash', 'push', '-q', '-m', 'wip')
    dirtyTrickyRepo(dir)
    git(dir, 'add', 'new file.txt')
    const stateA = workingFiles(dir, {skip: isIgnoredPath})
    const a = await createSnapshot({cwd: dir, message: 'state A'})

    // Move on to state B: edits, deletions (including a whole folder), new files, mode flips,
    // a file that becomes a folder, and more ignored files.
    write(dir, 'modify-me.txt', 'state B\n')
    rmSync(join(dir, 'données'), {recursive: true})
    rmSync(join(dir, 'new.bin'))
    write(dir, 'b-only/deep/new.txt', 'only in B\n')
    write(dir, 'run.sh', '#!/bin/sh\necho changed\n', 0o644)
    rmSync(join(dir, 'new-empty.txt'))
    write(dir, 'new-empty.txt/inside.txt', 'was a file in A\n')
    symlinkSync('README.md', join(dir, 'link-to-readme'))
    write(dir, 'b-only/ignored.log', 'ignored, inside a folder A lacks\n')
    write(dir, 'debug.log', 'ignored, changed in B\n')
    const stateB = workingFiles(dir, {skip: isIgnoredPath})
    const ignoredB = ignoredFiles(dir)
    const before = fingerprint(dir)
    expect(before.stash).toContain('wip')
    expect(before.cached).toContain('new file.txt')

    const result = await restoreSnapshot(dir, a.id)

    expect(workingFiles(dir, {skip: isIgnoredPath})).toEqual(stateA)
    expect(result.restored).toEqual(a)
    expect(result.undo.trigger).toBe('pre-restore')
    expect(result.undo.message).toBe(`before restoring snapshot ${a.id}`)
    // written: modify-me, données/ü🚀.txt, new.bin, run.sh, new-empty.txt
    // deleted: b-only/deep/new.txt, new-empty.txt/inside.txt, link-to-readme
    expect({written: result.written, deleted: result.deleted}).toEqual({written: 5, deleted: 3})
    // Ignored files are exactly as they were, including the one in a folder A does not have.
    expect(readFileSync(join(dir, 'debug.log'), 'utf8')).toBe('ignored, changed in B\n')
    expect(readFileSync(join(dir, 'build/out.js'), 'utf8')).toBe('ignored too\n')
    expect(readFileSync(join(dir, 'b-only/ignored.log'), 'utf8')).toBe('ignored, inside a folder A lacks\n')
    expect(existsSync(join(dir, 'b-only/deep'))).toBe(false)
    expect(ignoredFiles(dir)).toEqual(ignoredB)
    expect(Object.keys(ignoredB).sort()).toEqual(['b-only/ignored.log', 'build/out.js', 'debug.log'])
    // HEAD, branch, the real index and the stash are untouched.
    const after = fingerprint(dir)
    expect({head: after.head, branch: after.branch, indexBytes: after.indexBytes, stage: after.stage, cached: after.cached, stash: after.stash}).toEqual({
      head: before.head,
      branch: before.branch,
      indexBytes: before.indexBytes,
      stage: before.stage,
      cached: before.cached,
      stash: before.stash,
    })

    // Undo: restoring the pre-restore snapshot brings state B back.
    const undone = await restoreSnapshot(dir, result.undo.id)
    expect(workingFiles(dir, {skip: isIgnoredPath})).toEqual(stateB)
    expect(undone.restored.id).toBe(result.undo.id)
    expect(fingerprint(dir)).toEqual(before)
  })

  it('restoring the state the tree is already in changes no file', async () => {
    const dir = makeTrickyRepo()
    const a = await createSnapshot({cwd: dir})
    const result = await restoreSnapshot(dir, a.id)
    expect({written: result.written, deleted: result.deleted}).toEqual({written: 0, deleted: 0})
  })

  it('works in a repository without commits', async () => {
    const dir = makeRepo()
    write(dir, 'a.txt', 'one\n')
    write(dir, 'dir/b.txt', 'two\n')
    const clock = steppingClock('2025-01-01T00:00:00.000Z', '2025-01-01T00:00:01.000Z', '2025-01-01T00:00:02.000Z')
    const first = await createSnapshot({cwd: dir, clock})
    write(dir, 'a.txt', 'one, edited\n')
    rmSync(join(dir, 'dir'), {recursive: true})
    write(dir, 'c.txt', 'three\n')

    const result = await restoreSnapshot(dir, first.id.slice(0, 6), {clock})

    expect(Object.keys(workingFiles(dir)).sort()).toEqual(['a.txt', 'dir/b.txt'])
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one\n')
    expect(readFileSync(join(dir, 'dir/b.txt'), 'utf8')).toBe('two\n')
    expect(existsSync(join(dir, 'c.txt'))).toBe(false)
    expect(result.undo.time).toBe('2025-01-01T00:00:01.000Z')
    expect(gitOrNull(dir, 'rev-parse', '--verify', '-q', 'HEAD')).toBeNull()
    expect((await listSnapshots(dir)).map((s) => s.trigger)).toEqual(['pre-restore', 'manual'])
  })

  it('refuses an unknown id with a usage error (exit 2) and changes nothing', async () => {
    const dir = makeTrickyRepo()
    const a = await createSnapshot({cwd: dir})
    write(dir, 'new.txt', 'x\n')
    const failure = await restoreSnapshot(dir, 'deadbeef').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UsageError)
    expect((failure as RickError).exitCode).toBe(ExitCode.BadInput)
    expect((failure as RickError).message).toContain(a.id)
    expect(existsSync(join(dir, 'new.txt'))).toBe(true)
    expect(await listSnapshots(dir)).toHaveLength(1)
  })

  it('leaves an untracked folder that only holds ignored files in place', async () => {
    const dir = makeTrickyRepo()
    const a = await createSnapshot({cwd: dir})
    mkdirSync(join(dir, 'logs'))
    write(dir, 'logs/today.log', 'ignored\n')
    write(dir, 'logs/notes.txt', 'not ignored\n')
    await restoreSnapshot(dir, a.id)
    expect(existsSync(join(dir, 'logs/notes.txt'))).toBe(false)
    expect(readFileSync(join(dir, 'logs/today.log'), 'utf8')).toBe('ignored\n')
  })
})

describe('restoreSnapshot leaves rick data and secrets alone', () => {
  it('neither rewrites nor deletes .rick/ or .env files, tracked or not, even from a snapshot that holds them', async () => {
    const dir = makeRepoWithSecrets()
    write(dir, '.env', 'SECRET=old\n')
    write(dir, '.rick/pin.json', '{"pin":"old"}\n')
    write(dir, '.env.example', 'API_KEY=\nOLD=\n')
    const legacy = legacySnapshot(dir)
    const current = await createSnapshot({cwd: dir, env: {}})
    expect(git(dir, 'ls-tree', '-r', '--name-only', `refs/rick/snapshots/${legacy}`)).toContain('.rick/pin.json')

    // Later: the approval is revoked, the PIN and the secrets change, a new secrets file appears.
    write(dir, '.rick/approvals.json', '{"approvals":[]}\n')
    write(dir, '.rick/pin.json', '{"pin":"new"}\n')
    write(dir, '.env', 'SECRET=rotated\n')
    write(dir, '.env.local', 'TRACKED_SECRET=rotated\n')
    write(dir, 'config/.env.staging', 'STAGING=1\n')
    write(dir, '.env.example', 'API_KEY=\nNEW=\n')
    const rickAndSecrets = (): Record<string, string> =>
      Object.fromEntries(
        ['.rick/approvals.json', '.rick/pin.json', '.env', '.env.local', 'config/.env.staging'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
      )
    const kept = rickAndSecrets()

    for (const id of [legacy, current.id]) {
      const result = await restoreSnapshot(dir, id, {env: {}})
      expect(rickAndSecrets()).toEqual(kept)
      expect(readFileSync(join(dir, '.env.example'), 'utf8')).toBe('API_KEY=\nOLD=\n')
      expect({written: result.written, deleted: result.deleted}).toEqual({written: 1, deleted: 0})
      expect(Object.keys(commitFiles(dir, result.undo.commit)).sort()).toEqual(['.env.example', 'app.ts'])
      // Undo brings the template back; the secrets never moved.
      await restoreSnapshot(dir, result.undo.id, {env: {}})
      expect(readFileSync(join(dir, '.env.example'), 'utf8')).toBe('API_KEY=\nNEW=\n')
      expect(rickAndSecrets()).toEqual(kept)
    }
  })

  it('leaves the RICK_HOME folder inside the repository alone', async () => {
    const dir = makeRepo()
    write(dir, 'a.txt', 'a\n')
    write(dir, 'state/approvals.json', 'old\n')
    const legacy = legacySnapshot(dir)
    write(dir, 'state/approvals.json', 'revoked\n')
    write(dir, 'state/journal.db', 'new\n')
    write(dir, 'a.txt', 'b\n')
    const result = await restoreSnapshot(dir, legacy, {env: {RICK_HOME: join(dir, 'state')}})
    expect({written: result.written, deleted: result.deleted}).toEqual({written: 1, deleted: 0})
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('a\n')
    expect(readFileSync(join(dir, 'state/approvals.json'), 'utf8')).toBe('revoked\n')
    expect(readFileSync(join(dir, 'state/journal.db'), 'utf8')).toBe('new\n')
  })
})

function ignoredFiles(dir: string): ReturnType<typeof workingFiles> {
  return Object.fromEntries(Object.entries(workingFiles(dir)).filter(([path]) => isIgnoredPath(path)))
}
