import {afterAll, describe, expect, it} from 'vitest'

import {listSnapshots} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {makeTrickyRepo, steppingClock, removeTempDirs} from '../../foundation/snapshots/fixture.js'
import {rick} from '../../helpers/cli.js'

afterAll(removeTempDirs)

describe('rick snapshot prune', () => {
  it('keeps the newest N', async () => {
    const dir = makeTrickyRepo()
    const clock = steppingClock('2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z')
    const a = await createSnapshot({cwd: dir, message: 'a', clock})
    const b = await createSnapshot({cwd: dir, message: 'b', clock})
    const c = await createSnapshot({cwd: dir, message: 'c', clock})

    const result = await rick(['snapshot', 'prune', '--keep', '1'], {cwd: dir})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(`Kept 1 snapshot(s), removed 2: ${b.id}, ${a.id}.`)
    expect((await listSnapshots(dir)).map((s) => s.id)).toEqual([c.id])

    const json = await rick(['snapshot', 'prune', '--keep', '0', '--json'], {cwd: dir})
    expect(JSON.parse(json.stdout)).toEqual({kept: 0, removed: [c]})
  })

  it('--keep is required and must be >= 0 (exit 2)', async () => {
    const dir = makeTrickyRepo()
    const missing = await rick(['snapshot', 'prune'], {cwd: dir})
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('Missing required flag keep')
    const negative = await rick(['snapshot', 'prune', '--keep', '-1'], {cwd: dir})
    expect(negative.exitCode).toBe(2)
  })
})
