import {execa} from 'execa'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {listSnapshots} from '../../../src/foundation/snapshots/catalog.js'
import {createSnapshot} from '../../../src/foundation/snapshots/create.js'
import {fingerprint, makeTrickyRepo, write, removeTempDirs} from '../../foundation/snapshots/fixture.js'
import {RICK_BIN, rick} from '../../helpers/cli.js'

afterAll(removeTempDirs)

describe('rick snapshot restore', () => {
  it('without a terminal and without --yes: refuses with exit 2 and changes nothing', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')

    const result = await rick(['snapshot', 'restore', snap.id], {cwd: dir})

    expect(result.exitCode).toBe(2)
    expect(result.stderr).toBe(`Error: restoring ${snap.id} rewrites files in the working tree and needs confirmation, but stdin is not a terminal: pass --yes to confirm`)
    expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('mine\n')
    expect(await listSnapshots(dir)).toHaveLength(1)
  })

  it('--yes restores, reports the undo snapshot, and the undo brings the files back', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')
    write(dir, 'extra.txt', 'extra\n')
    const before = fingerprint(dir)

    const result = await rick(['snapshot', 'restore', snap.id, '--yes'], {cwd: dir})

    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const [undo] = await listSnapshots(dir)
    expect(undo!.trigger).toBe('pre-restore')
    expect(result.stdout).toBe(
      `Restored snapshot ${snap.id}: 1 file(s) written, 1 deleted.\nThe previous state is snapshot ${undo!.id}; undo with: rick snapshot restore ${undo!.id} --yes`,
    )
    expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('before\n')
    expect(existsSync(join(dir, 'extra.txt'))).toBe(false)

    const back = await rick(['snapshot', 'restore', undo!.id, '--yes', '--json'], {cwd: dir})
    expect(back.exitCode).toBe(0)
    expect(JSON.parse(back.stdout)).toMatchObject({restored: {id: undo!.id}, undo: {trigger: 'pre-restore'}, written: 2, deleted: 0})
    expect(fingerprint(dir)).toEqual(before)
  })

  it('an unknown id exits 2, even with --yes', async () => {
    const dir = makeTrickyRepo()
    await createSnapshot({cwd: dir})
    const result = await rick(['snapshot', 'restore', 'abcdef', '--yes', '--json'], {cwd: dir})
    expect(result.exitCode).toBe(2)
    expect(JSON.parse(result.stdout).error.code).toBe('SNAPSHOT_UNKNOWN')
  })
})

// util-linux `script` gives the command a real terminal, so the prompt path runs as a user sees it.
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
})()

describe.skipIf(!hasScript)('rick snapshot restore on a terminal', () => {
  const onTerminal = (cwd: string, id: string, answer: string) =>
    execa('script', ['-qec', `node '${RICK_BIN.replaceAll("'", "'\\''")}' snapshot restore ${id}`, '/dev/null'], {cwd, input: answer, reject: false, env: {NO_COLOR: '1'}})

  it('asks, and "n" cancels with exit 1 without changing anything', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir, message: 'the good state'})
    write(dir, 'modify-me.txt', 'mine\n')
    const result = await onTerminal(dir, snap.id, 'n\n')
    expect(result.stdout).toContain(`Restore snapshot ${snap.id} (`)
    expect(result.stdout).toContain('manual: "the good state")?')
    expect(result.stdout).toContain('restore cancelled: nothing was changed')
    expect(result.exitCode).toBe(1)
    expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('mine\n')
    expect(await listSnapshots(dir)).toHaveLength(1)
  })

  it('"y" restores', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')
    const result = await onTerminal(dir, snap.id, 'y\n')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(`Restored snapshot ${snap.id}: 1 file(s) written, 0 deleted.`)
    expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('before\n')
  })
})

describe('rick snapshot restore while an engine runs', () => {
  it('is denied (exit 3) while a live process holds a sector lock, and allowed once it is gone', async () => {
    const dir = makeTrickyRepo()
    const snap = await createSnapshot({cwd: dir})
    write(dir, 'modify-me.txt', 'mine\n')
    const home = join(dir, '.rick')
    mkdirSync(join(home, 'locks'), {recursive: true})
    const engine = execa('node', ['-e', 'setTimeout(() => {}, 60000)'])
    try {
      writeFileSync(join(home, 'locks', 'oanda.lock'), JSON.stringify({pid: engine.pid, sector: 'oanda'}))
      const denied = await rick(['snapshot', 'restore', snap.id, '--yes'], {cwd: dir, env: {RICK_HOME: home}})
      expect(denied.exitCode).toBe(3)
      expect(denied.stderr).toContain(`an engine is running: oanda (pid ${engine.pid})`)
      expect(readFileSync(join(dir, 'modify-me.txt'), 'utf8')).toBe('mine\n')
    } finally {
      engine.kill('SIGKILL')
      await engine.catch(() => undefined)
    }
    // The lock is now stale (dead pid): the restore goes ahead.
    const allowed = await rick(['snapshot', 'restore', snap.id, '--yes'], {cwd: dir, env: {RICK_HOME: home}})
    expect(allowed.exitCode).toBe(0)
  })
})
