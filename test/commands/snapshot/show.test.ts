import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {makeTrickyRepo, write, removeTempDirs} from '../../foundation/snapshots/fixture.js'
import {rick} from '../../helpers/cli.js'

afterAll(removeTempDirs)

describe('rick snapshot show', () => {
  it('shows the snapshot and its files, by prefix, as text and JSON', async () => {
    const dir = makeTrickyRepo()
    write(dir, 'modify-me.txt', 'x\n')
    write(dir, 'données/neu.txt', 'n\n')
    rmSync(join(dir, 'delete-me.txt'))
    const snap = await createSnapshot({cwd: dir, message: 'three changes', clock: () => new Date('2025-03-01T09:30:00.000Z')})

    const result = await rick(['snapshot', 'show', snap.id.slice(0, 6)], {cwd: dir})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(
      [
        `snapshot  ${snap.id}`,
        `commit    ${snap.commit}`,
        `ref       ${snap.ref}`,
        'time      2025-03-01T09:30:00.000Z',
        'trigger   manual',
        `head      ${snap.head!.slice(0, 7)} (main)`,
        'files     3 changed vs HEAD',
        '',
        '    three changes',
        '',
        'Files changed vs HEAD at the time:',
        '    D  delete-me.txt',
        '    A  données/neu.txt',
        '    M  modify-me.txt',
      ].join('\n'),
    )

    const json = await rick(['snapshot', 'show', snap.id, '--json'], {cwd: dir})
    expect(JSON.parse(json.stdout)).toEqual({
      ...snap,
      files: [
        {status: 'D', path: 'delete-me.txt'},
        {status: 'A', path: 'données/neu.txt'},
        {status: 'M', path: 'modify-me.txt'},
      ],
    })
  })

  it('an unknown id exits 2 and names the known ids', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    const result = await rick(['snapshot', 'show', 'ffffff'], {cwd: dir})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe(`Error: no snapshot "ffffff": expected one of the snapshot ids (newest first: ${snap.id}); \`rick snapshot list\` shows them all`)
  })
})
