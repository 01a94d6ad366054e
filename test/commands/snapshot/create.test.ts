import {afterAll, describe, expect, it} from 'vitest'

import {fingerprint, git, makeTrickyRepo, tempDir, write, removeTempDirs} from '../../foundation/snapshots/fixture.js'
import {rick} from '../../helpers/cli.js'

afterAll(removeTempDirs)

describe('rick snapshot create', () => {
  it('creates a snapshot and says which', async () => {
    const dir = makeTrickyRepo()
    write(dir, 'modify-me.txt', 'changed\n')
    write(dir, 'untracked.txt', 'new\n')
    const before = fingerprint(dir)
    const head = git(dir, 'rev-parse', 'HEAD').trim()

    const result = await rick(['snapshot', 'create', '-m', 'before tuning'], {cwd: dir})

    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const ref = git(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/rick/snapshots/').trim()
    const [refName = '', commit = ''] = ref.split(' ')
    const id = refName.slice('refs/rick/snapshots/'.length)
    expect(result.stdout).toBe(`Created snapshot ${id}: 2 file(s) differ from HEAD ${head.slice(0, 7)} (main)\nref ${refName}`)
    expect(commit.startsWith(id)).toBe(true)
    expect(git(dir, 'log', '-1', '--format=%s', commit).trim()).toBe('before tuning')
    expect(fingerprint(dir)).toEqual(before)
  })

  it('--json prints the snapshot', async () => {
    const dir = makeTrickyRepo()
    const result = await rick(['snapshot', 'create', '--json'], {cwd: dir})
    expect(result.exitCode).toBe(0)
    const snap = JSON.parse(result.stdout)
    expect(snap).toMatchObject({message: 'manual snapshot', trigger: 'manual', branch: 'main', filesChanged: 0, head: git(dir, 'rev-parse', 'HEAD').trim()})
    expect(git(dir, 'rev-parse', snap.ref).trim()).toBe(snap.commit)
  })

  it('works where git has no user identity configured', async () => {
    const home = tempDir('rick-home-')
    const dir = tempDir('rick-noid-')
    const env = {HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1'}
    git(dir, 'init', '-q', '-b', 'main')
    write(dir, 'a.txt', 'a\n')
    const result = await rick(['snapshot', 'create', '--json'], {cwd: dir, env})
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const snap = JSON.parse(result.stdout)
    expect(git(dir, 'log', '-1', '--format=%an <%ae>', snap.commit).trim()).toBe('rick <rick@localhost>')
  })

  it('leaves out rick data (.rick/ and RICK_HOME) and secrets files, keeps .env.example', async () => {
    const dir = makeTrickyRepo()
    write(dir, '.env', 'SECRET=1\n')
    write(dir, 'config/.env.live', 'LIVE=1\n')
    write(dir, '.env.example', 'SECRET=\n')
    write(dir, '.rick/approvals.json', '{}\n')
    write(dir, 'state/pin.json', '{}\n')
    const result = await rick(['snapshot', 'create', '--json'], {cwd: dir, env: {RICK_HOME: 'state'}})
    expect(result.exitCode).toBe(0)
    const snap = JSON.parse(result.stdout)
    const recorded = git(dir, 'ls-tree', '-r', '--name-only', snap.commit).split('\n')
    expect(recorded).toContain('.env.example')
    expect(recorded.filter((p) => /(^|\/)\.env(\.live)?$|^\.rick\/|^state\//.test(p))).toEqual([])
    expect(snap.filesChanged).toBe(1)
  })

  it('outside a repository: a clear error, exit 1, no stack trace', async () => {
    const outside = tempDir('rick-outside-')
    const result = await rick(['snapshot', 'create'], {cwd: outside})
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      `Error: ${outside} is not inside a git working tree (no .git found here or in any parent folder); rick snapshots record a git working tree: cd into your project or run \`git init\` first`,
    )
    const json = await rick(['snapshot', 'create', '--json'], {cwd: outside})
    expect(json.exitCode).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'NOT_A_REPOSITORY'}})
  })

  it('--help shows examples', async () => {
    const result = await rick(['snapshot', 'create', '--help'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('EXAMPLES')
    expect(result.stdout).toContain('rick snapshot create -m "before tuning ema-cross"')
  })
})
