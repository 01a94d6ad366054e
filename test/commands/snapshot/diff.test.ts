import {afterAll, describe, expect, it} from 'vitest'

import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {makeTrickyRepo, write, removeTempDirs} from '../../foundation/snapshots/fixture.js'
import {rick} from '../../helpers/cli.js'

afterAll(removeTempDirs)

describe('rick snapshot diff', () => {
  it('prints the diff to the working tree, untracked files included', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'after\n')
    write(dir, 'brand-new.txt', 'hello\n')

    const result = await rick(['snapshot', 'diff', snap.id], {cwd: dir})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(
      /^diff --git a\/brand-new\.txt b\/brand-new\.txt\nnew file mode 100644\nindex 0000000\.\.\w+\n--- \/dev\/null\n\+\+\+ b\/brand-new\.txt\n@@ -0,0 \+1 @@\n\+hello\ndiff --git a\/modify-me\.txt b\/modify-me\.txt\nindex \w+\.\.\w+ 100644\n--- a\/modify-me\.txt\n\+\+\+ b\/modify-me\.txt\n@@ -1 \+1 @@\n-before\n\+after$/,
    )
  })

  it('between two snapshots; "No differences." on stderr when there are none', async () => {
    const dir = makeTrickyRepo()
    const a = await createSnapshot({cwd: dir, message: 'a'})
    write(dir, 'keep.txt', 'changed\n')
    const b = await createSnapshot({cwd: dir, message: 'b'})

    const between = await rick(['snapshot', 'diff', a.id, b.id], {cwd: dir})
    expect(between.exitCode).toBe(0)
    expect(between.stdout).toContain('-unchanged\n+changed')

    const none = await rick(['snapshot', 'diff', b.id], {cwd: dir})
    expect(none.exitCode).toBe(0)
    expect(none.stdout).toBe('')
    expect(none.stderr).toBe('No differences.')
  })

  it('an unknown second id exits 2', async () => {
    const dir = makeTrickyRepo()
    const a = await createSnapshot({cwd: dir})
    const result = await rick(['snapshot', 'diff', a.id, '0000000'], {cwd: dir})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('no snapshot "0000000"')
  })
})
