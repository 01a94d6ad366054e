import {afterAll, describe, expect, it} from 'vitest'

import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {makeRepo, makeTrickyRepo, steppingClock, tempDir, write, removeTempDirs} from '../../foundation/snapshots/fixture.js'
import {rick} from '../../helpers/cli.js'

afterAll(removeTempDirs)

describe('rick snapshot list', () => {
  it('prints a table, newest first, and --limit keeps the newest', async () => {
    const dir = makeTrickyRepo()
    const clock = steppingClock('2025-03-01T09:30:00.000Z', '2025-03-02T10:00:00.000Z')
    const older = await createSnapshot({cwd: dir, message: 'older one', clock})
    write(dir, 'modify-me.txt', 'x\n')
    const newer = await createSnapshot({cwd: dir, message: 'newer one\nsecond line', trigger: 'engine-start', clock})
    const head = older.head!.slice(0, 7)

    const result = await rick(['snapshot', 'list'], {cwd: dir})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(
      [
        'ID          TIME (UTC)            TRIGGER       HEAD            FILES  MESSAGE',
        `${newer.id}  2025-03-02 10:00:00Z  engine-start  ${head} (main)  1      newer one`,
        `${older.id}  2025-03-01 09:30:00Z  manual        ${head} (main)  0      older one`,
      ].join('\n'),
    )

    const limited = await rick(['snapshot', 'list', '--limit', '1', '--json'], {cwd: dir})
    expect(limited.exitCode).toBe(0)
    expect(JSON.parse(limited.stdout)).toEqual({snapshots: [newer], total: 2})
  })

  it('says when there are none', async () => {
    const result = await rick(['snapshot', 'list'], {cwd: makeRepo()})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('No snapshots yet. `rick snapshot create -m "why"` takes one.')
  })

  it('outside a repository: exit 1', async () => {
    const result = await rick(['snapshot', 'list', '--json'], {cwd: tempDir('rick-outside-')})
    expect(result.exitCode).toBe(1)
    expect(JSON.parse(result.stdout).error.code).toBe('NOT_A_REPOSITORY')
  })
})
