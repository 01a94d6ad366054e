// A restore is all or nothing: what would fail is found before anything is written, and a failure
// while writing puts the tree back as it was. Failures are real ones: a folder made immutable
// (chattr +i stops root too), files snapshots do not record standing in the way, lost objects.
import {existsSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {RickError} from '../../../src/foundation/errors.js'
import {listSnapshots} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {restoreSnapshot} from '../../../src/foundation/snapshots/restore.js'
import {commitAll, fingerprint, git, makeRepo, removeTempDirs, workingFiles, write} from './fixture.js'
import {canMakeUnwritable, makeUnwritable, type Unwritable} from './submodule-fixture.js'

const locks: Unwritable[] = []
afterEach(() => {
  for (const lock of locks.splice(0)) lock.undo()
})
afterAll(removeTempDirs)

/** A repository at state A (snapshotted), then moved to state B. */
async function twoStates(): Promise<{dir: string; a: string}> {
  const dir = makeRepo()
  write(dir, '.gitignore', '*.log\n')
  write(dir, 'a.txt', 'A\n')
  write(dir, 'locked/b.txt', 'A\n')
  commitAll(dir, 'initial')
  const a = await createSnapshot({cwd: dir, message: 'A'})
  write(dir, 'a.txt', 'B\n')
  write(dir, 'locked/b.txt', 'B\n')
  write(dir, 'only-in-b.txt', 'B\n')
  return {dir, a: a.id}
}

/** Restores `id`, expects the refusal made before any write, and returns its message. */
async function refusal(dir: string, id: string): Promise<string> {
  const before = workingFiles(dir)
  const error = await failureOf(restoreSnapshot(dir, id))
  expect(error.code).toBe('SNAPSHOT_RESTORE_BLOCKED')
  expect(error.message).toMatch(/ Nothing was changed\.$/)
  expect(workingFiles(dir)).toEqual(before)
  return error.message
}

async function failureOf(promise: Promise<unknown>): Promise<RickError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(RickError)
  return error as RickError
}

describe.skipIf(!canMakeUnwritable)('a restore into a folder that cannot be written', () => {
  it('is refused before anything is written, naming the folder; no snapshot is left behind', async () => {
    const {dir, a} = await twoStates()
    locks.push(makeUnwritable(join(dir, 'locked'))!)
    const before = {files: workingFiles(dir), git: fingerprint(dir), snapshots: await listSnapshots(dir)}

    const error = await failureOf(restoreSnapshot(dir, a))

    expect(error.code).toBe('SNAPSHOT_RESTORE_BLOCKED')
    expect(error.message).toContain(`cannot restore snapshot ${a}`)
    expect(error.message).toMatch(/locked\/b\.txt cannot be (written|replaced): the folder locked is not writable \(E(PERM|ACCES)/)
    expect(error.message).toContain('Nothing was changed.')
    expect(workingFiles(dir)).toEqual(before.files)
    expect(fingerprint(dir)).toEqual(before.git)
    expect(await listSnapshots(dir)).toEqual(before.snapshots)
  })

  it('that fails only while writing is put back as it was, and says so with the undo snapshot', async () => {
    const {dir, a} = await twoStates()
    const before = {files: workingFiles(dir), git: fingerprint(dir)}

    // The folder turns unwritable after the checks passed, right before the first write: the
    // deletion of only-in-b.txt and the write of a.txt succeed, locked/b.txt fails.
    const error = await failureOf(
      restoreSnapshot(dir, a, {
        beforeWrite: async () => {
          locks.push(makeUnwritable(join(dir, 'locked'))!)
        },
      }),
    )

    expect(error.code).toBe('SNAPSHOT_RESTORE_FAILED')
    const [undo] = await listSnapshots(dir)
    expect(undo!.trigger).toBe('pre-restore')
    expect(error.message).toContain(`restoring snapshot ${a} failed while writing the files`)
    expect(error.message).toContain('locked/b.txt')
    expect(error.message).toContain(`the working tree was put back as it was before the restore (snapshot ${undo!.id})`)
    expect(workingFiles(dir)).toEqual(before.files)
    expect(fingerprint(dir)).toEqual(before.git)
  })
})

describe('a restore whose files would destroy what snapshots do not record', () => {
  it('refuses when an ignored file stands where the snapshot has a folder, and keeps it', async () => {
    const dir = makeRepo()
    write(dir, 'a.txt', 'A\n')
    write(dir, 'out/result.txt', 'A\n')
    const a = await createSnapshot({cwd: dir})
    rmSync(join(dir, 'out'), {recursive: true})
    write(dir, '.gitignore', 'out\n')
    write(dir, 'out', 'precious ignored file\n')
    write(dir, 'a.txt', 'B\n')

    expect(await refusal(dir, a.id)).toContain('out/result.txt needs out to be a folder, but out is a file snapshots do not record (ignored or excluded): move it away')
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('precious ignored file\n')
  })

  it('refuses when a folder holding ignored files stands where the snapshot has a file, and keeps them', async () => {
    const dir = makeRepo()
    write(dir, '.gitignore', '*.log\n')
    write(dir, 'report', 'a file in A\n')
    const a = await createSnapshot({cwd: dir})
    rmSync(join(dir, 'report'))
    write(dir, 'report/today.txt', 'B\n')
    write(dir, 'report/debug.log', 'ignored, precious\n')

    expect(await refusal(dir, a.id)).toContain('report is a folder holding files snapshots do not record (report/debug.log): move them away')
    expect(existsSync(join(dir, 'report/debug.log'))).toBe(true)
  })
})

describe('a restore of a snapshot whose objects are gone', () => {
  it('is refused before anything is written', async () => {
    const dir = makeRepo()
    write(dir, 'a.txt', 'A\n')
    write(dir, 'lost.txt', 'content only snapshot A holds\n')
    const a = await createSnapshot({cwd: dir})
    const blob = git(dir, 'rev-parse', `${a.commit}:lost.txt`).trim()
    rmSync(join(dir, '.git/objects', blob.slice(0, 2), blob.slice(2)))
    rmSync(join(dir, 'lost.txt'))
    write(dir, 'a.txt', 'B\n')
    write(dir, 'b.txt', 'B\n')

    expect(await refusal(dir, a.id)).toContain(`the repository lacks 1 object the snapshot needs (lost.txt: ${blob})`)
  })
})
