import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {ExitCode, RickError, UsageError} from '../../../src/foundation/errors.js'
import {listSnapshots, pickSnapshot, resolveSnapshot, showSnapshot} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {diffSnapshot} from '../../../src/foundation/snapshots/diff.js'
import {pruneSnapshots} from '../../../src/foundation/snapshots/prune.js'
import type {SnapshotInfo} from '../../../src/foundation/snapshots/types.js'
import {fingerprint, git, legacySnapshot, makeRepo, makeRepoWithSecrets, makeTrickyRepo, steppingClock, write, removeTempDirs} from './fixture.js'

afterAll(removeTempDirs)

async function threeSnapshots(dir: string): Promise<SnapshotInfo[]> {
  const clock = steppingClock('2025-01-01T10:00:00.000Z', '2025-01-01T11:00:00.000Z', '2025-01-01T12:00:00.000Z')
  const first = await createSnapshot({cwd: dir, message: 'first', clock})
  write(dir, 'modify-me.txt', 'second\n')
  const second = await createSnapshot({cwd: dir, message: 'second', trigger: 'engine-start', clock})
  write(dir, 'modify-me.txt', 'third\n')
  write(dir, 'added.txt', 'added\n')
  rmSync(join(dir, 'delete-me.txt'))
  const third = await createSnapshot({cwd: dir, message: 'third', trigger: 'approval', clock})
  return [first, second, third]
}

describe('listSnapshots', () => {
  it('lists newest first, rebuilt from the refs alone', async () => {
    const dir = makeTrickyRepo()
    const [first, second, third] = await threeSnapshots(dir)
    const listed = await listSnapshots(dir)
    expect(listed).toEqual([third, second, first])
    expect(listed.map((s) => [s.message, s.trigger, s.filesChanged])).toEqual([
      ['third', 'approval', 3],
      ['second', 'engine-start', 1],
      ['first', 'manual', 0],
    ])
  })

  it('is empty in a repository without snapshots, with or without commits', async () => {
    expect(await listSnapshots(makeRepo())).toEqual([])
    expect(await listSnapshots(makeTrickyRepo())).toEqual([])
  })
})

describe('resolveSnapshot', () => {
  it('finds a snapshot by id, prefix, full commit or ref', async () => {
    const dir = makeTrickyRepo()
    const [, second] = await threeSnapshots(dir)
    for (const query of [second!.id, second!.id.slice(0, 7), second!.commit, second!.ref, second!.id.toUpperCase()]) {
      expect((await resolveSnapshot(dir, query)).id).toBe(second!.id)
    }
  })

  it('an unknown id is a usage error (exit 2) naming the known ids', async () => {
    const dir = makeTrickyRepo()
    const [first, second, third] = await threeSnapshots(dir)
    const failure = await resolveSnapshot(dir, 'nope').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(UsageError)
    expect((failure as RickError).exitCode).toBe(ExitCode.BadInput)
    expect((failure as RickError).code).toBe('SNAPSHOT_UNKNOWN')
    expect((failure as RickError).message).toBe(
      `no snapshot "nope": expected one of the snapshot ids (newest first: ${third!.id}, ${second!.id}, ${first!.id}); \`rick snapshot list\` shows them all`,
    )
  })

  it('an ambiguous prefix is a usage error naming every candidate', () => {
    const make = (commit: string, time: string): SnapshotInfo => ({
      id: commit.slice(0, 10),
      commit,
      ref: `refs/rick/snapshots/${commit.slice(0, 10)}`,
      time,
      message: `msg ${commit.slice(0, 4)}`,
      trigger: 'manual',
      head: null,
      branch: 'main',
      filesChanged: 0,
    })
    const all = [make('abc1230000aaaa', '2025-01-02T00:00:00.000Z'), make('abc9990000bbbb', '2025-01-01T00:00:00.000Z'), make('fff0000000cccc', '2025-01-01T00:00:00.000Z')]
    let failure: unknown
    try {
      pickSnapshot(all, 'abc')
    } catch (error) {
      failure = error
    }
    expect(failure).toBeInstanceOf(UsageError)
    expect((failure as RickError).code).toBe('SNAPSHOT_AMBIGUOUS')
    expect((failure as RickError).message).toBe(
      'snapshot id "abc" is ambiguous: it matches 2 snapshots: abc1230000 (2025-01-02T00:00:00.000Z, msg abc1); abc9990000 (2025-01-01T00:00:00.000Z, msg abc9). Give more characters.',
    )
    expect(pickSnapshot(all, 'abc9').id).toBe('abc9990000')
    expect(() => pickSnapshot([], 'abc')).toThrow('no snapshot "abc": this repository has no snapshots yet (`rick snapshot create` makes one)')
  })
})

describe('showSnapshot', () => {
  it('lists the files that differed from HEAD at the time', async () => {
    const dir = makeTrickyRepo()
    const [first, , third] = await threeSnapshots(dir)
    expect((await showSnapshot(dir, first!.id)).files).toEqual([])
    const shown = await showSnapshot(dir, third!.id)
    expect(shown).toMatchObject(third!)
    expect(shown.files).toEqual([
      {status: 'A', path: 'added.txt'},
      {status: 'D', path: 'delete-me.txt'},
      {status: 'M', path: 'modify-me.txt'},
    ])
  })

  it('lists every file as added when the repository had no commit', async () => {
    const dir = makeRepo()
    write(dir, 'données/ü🚀.txt', 'x\n')
    write(dir, 'a b.txt', 'y\n')
    const snap = await createSnapshot({cwd: dir})
    expect((await showSnapshot(dir, snap.id)).files).toEqual([
      {status: 'A', path: 'a b.txt'},
      {status: 'A', path: 'données/ü🚀.txt'},
    ])
  })
})

describe('showSnapshot and diffSnapshot never show rick data or secrets', () => {
  it('show leaves them out of the file list, diff out of the patch, even for a snapshot holding them', async () => {
    const dir = makeRepoWithSecrets()
    write(dir, '.env', 'SECRET=s3cr3t-value\n')
    write(dir, '.rick/pin.json', '{"pin":"s3cr3t-pin"}\n')
    write(dir, '.env.example', 'API_KEY=\nADDED=\n')
    write(dir, 'app.ts', 'export const app = 2\n')
    const legacy = legacySnapshot(dir)
    const current = await createSnapshot({cwd: dir, env: {}})

    const expected = [
      {status: 'M', path: '.env.example'},
      {status: 'M', path: 'app.ts'},
    ]
    expect((await showSnapshot(dir, legacy, {})).files).toEqual(expected)
    expect((await showSnapshot(dir, current.id, {})).files).toEqual(expected)

    write(dir, 'app.ts', 'export const app = 3\n')
    for (const patch of [await diffSnapshot(dir, legacy, undefined, {}), await diffSnapshot(dir, legacy, current.id, {}), await diffSnapshot(dir, current.id, legacy, {})]) {
      expect(patch).not.toMatch(/s3cr3t|committed-by-mistake|approvals|\.rick|\.env\b(?!\.example)/)
    }
    const toNow = await diffSnapshot(dir, legacy, undefined, {})
    expect(toNow).toContain('diff --git a/app.ts b/app.ts')
    expect(toNow).toContain('-export const app = 2\n+export const app = 3\n')
    // Between the two snapshots only the excluded files differ: nothing to show.
    expect(await diffSnapshot(dir, legacy, current.id, {})).toBe('')
  })
})

describe('diffSnapshot', () => {
  it('diffs a snapshot against the working tree, untracked files included, without touching anything', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'edited\n')
    write(dir, 'untracked.txt', 'brand new\n')
    write(dir, 'ignored.log', 'never shown\n')
    const before = fingerprint(dir)

    const patch = await diffSnapshot(dir, snap.id)

    expect(fingerprint(dir)).toEqual(before)
    expect(patch).toContain('diff --git a/modify-me.txt b/modify-me.txt')
    expect(patch).toContain('-before\n+edited\n')
    expect(patch).toContain('diff --git a/untracked.txt b/untracked.txt\nnew file mode 100644')
    expect(patch).toContain('+brand new\n')
    expect(patch).not.toContain('ignored.log')
  })

  it('diffs two snapshots, in the given direction, and is empty when nothing changed', async () => {
    const dir = makeTrickyRepo()
    const [first, second, third] = await threeSnapshots(dir)
    const patch = await diffSnapshot(dir, first!.id, second!.id)
    expect(patch).toBe(
      git(dir, 'diff', '--no-color', first!.commit, second!.commit),
    )
    expect(patch).toContain('-before\n+second\n')
    expect(await diffSnapshot(dir, third!.id)).toBe('')
  })
})

describe('pruneSnapshots', () => {
  it('keeps the newest N and drops the refs of the others', async () => {
    const dir = makeTrickyRepo()
    const [first, second, third] = await threeSnapshots(dir)
    const result = await pruneSnapshots(dir, 1)
    expect(result).toEqual({kept: 1, removed: [second, first]})
    expect(await listSnapshots(dir)).toEqual([third])
    expect(git(dir, 'for-each-ref', '--format=%(refname)', 'refs/rick/')).toBe(`${third!.ref}\n`)
    // Nothing else holds the pruned commits: they are unreachable, for gc to collect.
    const reachable = git(dir, 'rev-list', '--all', '--reflog')
    expect(reachable).not.toContain(first!.commit)
    expect(reachable).not.toContain(second!.commit)
    expect(reachable).toContain(third!.commit)
  })

  it('keeping more than exist removes nothing; keep 0 removes all', async () => {
    const dir = makeTrickyRepo()
    await threeSnapshots(dir)
    expect((await pruneSnapshots(dir, 10)).removed).toEqual([])
    expect((await pruneSnapshots(dir, 0)).kept).toBe(0)
    expect(await listSnapshots(dir)).toEqual([])
  })

  it('rejects a keep that is not a whole number >= 0 (exit 2)', async () => {
    const dir = makeTrickyRepo()
    for (const keep of [-1, 1.5, Number.NaN]) {
      const failure = await pruneSnapshots(dir, keep).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(UsageError)
      expect((failure as RickError).exitCode).toBe(ExitCode.BadInput)
    }
  })
})
