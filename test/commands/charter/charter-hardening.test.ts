// The charter's defences through the built binary, where they are the CLI's behaviour: a weak PIN
// is refused with what a PIN needs, a lockout written by earlier processes holds in a new one, and
// a symlinked .env is named for what it is, never chmod-ed through.
import {appendFileSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CliResult} from '../../helpers/cli.js'
import {charterProject, cliIn} from '../../sectors/charter-fixture.js'

const PIN = 'cli-pin-2468'

let project: string
let home: string
let outside: string

let run: (args: string[], input?: string) => Promise<CliResult>

beforeAll(() => {
  const p = charterProject('rick-charter-hard-', '.rick/\n.env*\n')
  ;({root: project, home} = p)
  run = cliIn(p)
  outside = mkdtempSync(join(tmpdir(), 'rick-charter-outside-'))
})
afterAll(() => {
  rmSync(project, {recursive: true, force: true})
  rmSync(outside, {recursive: true, force: true})
})

describe.sequential('rick charter hardening', () => {
  it('init refuses a PIN of six spaces (exit 2) and says what a PIN needs; --json is only the error', async () => {
    const text = await run(['charter', 'init', '--pin-stdin'], '      \n')
    expect(text.exitCode).toBe(2)
    expect(text.stderr).toContain('the PIN is too weak: it is only whitespace')
    expect(text.stderr).toContain('a PIN needs at least 6 characters, at least 3 different ones')
    const json = await run(['charter', 'init', '--pin-stdin', '--json'], '123456\n')
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({error: {code: 'CHARTER_PIN_WEAK'}})
    expect(statSync(join(home, 'charter', 'pin.json'), {throwIfNoEntry: false})).toBeUndefined()
  })

  it('a lockout recorded by earlier processes refuses the right PIN in a new one (exit 3), and status shows it', async () => {
    expect((await run(['charter', 'init', '--pin-stdin'], `${PIN}\n`)).exitCode).toBe(0)
    // Five tries that ended without an outcome (their processes were killed): five wrong PINs.
    const at = new Date().toISOString()
    for (let i = 0; i < 5; i++) appendFileSync(join(home, 'charter', 'pin-attempts.jsonl'), `${JSON.stringify({v: 1, event: 'try', id: `killed${i}`, action: 'approve', at})}\n`)
    const r = await run(['charter', 'approve', 'coinbase', '--mode', 'canary', '--pin-stdin'], `${PIN}\n`)
    expect(r.exitCode).toBe(3)
    expect(r.stderr).toMatch(/PIN entry is locked after 5 wrong PINs in a row until \S+ \(in 1[45] min( \d+ s)?\): nothing was checked or changed/)
    const status = await run(['charter', 'status'])
    expect(status.stdout).toMatch(/PIN entry: LOCKED until \S+ after 5 wrong PINs in a row/)
  })

  it('names what a symlinked .env points to and that rick will not follow it; no chmod advice anywhere', async () => {
    const target = join(outside, 'passwd')
    writeFileSync(target, 'COINBASE_API_KEY=leak\n')
    symlinkSync(target, join(project, '.env'))
    const check = await run(['charter', 'check', 'coinbase'])
    expect(check.exitCode).toBe(3)
    expect(check.stdout).toContain(`✗ secrets-private  .env cannot be checked (a symbolic link to ${target}: rick does not follow symlinks for secrets files`)
    expect(check.stdout).not.toContain('chmod')
    const lock = await run(['ops', 'lock-secrets', '--dry-run'])
    expect(lock.stdout).toContain(`a symbolic link to ${target}`)
    expect(lock.stdout).not.toContain(`chmod 600 ${target}`)
    expect(statSync(target).mode & 0o777).toBe(0o644)
  })
})
