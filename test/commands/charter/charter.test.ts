// The charter commands through the built binary, in a temporary project of their own
// (RICK_PROJECT / RICK_HOME), with a real git repository and the bundled coinbase plugin.
import {chmodSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CliResult} from '../../helpers/cli.js'
import {charterProject, cliIn} from '../../sectors/charter-fixture.js'

const PIN = 'cli-pin-2468'

let project: string
let home: string
let git: (...args: string[]) => string

let run: (args: string[], input?: string) => Promise<CliResult>

beforeAll(() => {
  const p = charterProject('rick-charter-cli-')
  ;({root: project, home, git} = p)
  run = cliIn(p)
})
afterAll(() => rmSync(project, {recursive: true, force: true}))

// One story, in order: each step depends on the state the previous one left.
describe.sequential('rick charter: init → approve → check → edit → check', () => {
  it('status says no PIN is set', async () => {
    const r = await run(['charter', 'status'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('PIN: not set: run `rick charter init`')
    expect(r.stdout).toMatch(/coinbase\s+canary\s+-\s+-\s+-\s+no approval/)
  })

  it('approve without a PIN tells the user to run init (exit 2)', async () => {
    const r = await run(['charter', 'approve', 'coinbase', '--mode', 'canary', '--pin-stdin'], `${PIN}\n`)
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('no charter PIN is set: run `rick charter init` first')
  })

  it('init refuses a short PIN (exit 2)', async () => {
    const r = await run(['charter', 'init', '--pin-stdin'], '12345\n')
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('the PIN is too short: expected at least 6 characters, found 5')
  })

  it('init stores only a hash, mode 0600', async () => {
    const r = await run(['charter', 'init', '--pin-stdin'], `${PIN}\n`)
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^Charter PIN set \(signing key [0-9a-f]{16}\)\./)
    const file = join(home, 'charter', 'pin.json')
    expect(readFileSync(file, 'utf8')).not.toContain(PIN)
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('init again needs the current PIN (exit 2 without it, 3 when wrong)', async () => {
    const missing = await run(['charter', 'init', '--pin-stdin'], 'new-pin-999\n')
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('expects 2 line(s) on stdin (the current PIN, then the new PIN)')
    const wrong = await run(['charter', 'init', '--pin-stdin'], 'not-my-pin\nnew-pin-999\n')
    expect(wrong.exitCode).toBe(3)
    expect(wrong.stderr).toContain('wrong PIN')
  })

  it('approve with a wrong PIN is refused (exit 3)', async () => {
    const r = await run(['charter', 'approve', 'coinbase', '--mode', 'canary', '--pin-stdin'], 'wrong-pin-000\n')
    expect(r.exitCode).toBe(3)
    expect(r.stderr).toContain('wrong PIN')
  })

  it('check denies canary before any approval (exit 3)', async () => {
    const r = await run(['charter', 'check', 'coinbase'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toContain('Charter: coinbase in canary: DENY (CHARTER_DENIED)')
    expect(r.stdout).toContain('✗ approval         no canary approval: run `rick charter approve coinbase --mode canary`')
    // Without credentials a canary run falls back to the paper venue: the check says so, so the
    // DENY and the run that starts never seem to disagree.
    expect(r.stdout).toContain('! credentials      not set: COINBASE_API_KEY, COINBASE_API_SECRET')
    expect(r.stdout).toContain("→ `rick run coinbase` in canary now: without its credentials it runs on rick's paper venue (effective mode paper, the canary limits), which the charter judges as paper")
  })

  it('approve records an approval bound to the code', async () => {
    const r = await run(['charter', 'approve', 'coinbase', '--mode', 'canary', '--ttl', '2d', '--approver', 'alice', '--pin-stdin'], `${PIN}\n`)
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^Approved coinbase for canary until \S+ \(2d\), approval [0-9a-f]{16}, by alice\./)
    expect(r.stdout).toContain(`code snapshot   HEAD ${git('rev-parse', 'HEAD').trim().slice(0, 10)} (the tree was clean)`)
  })

  it('check allows (exit 0), as text and as JSON', async () => {
    const text = await run(['charter', 'check', 'coinbase'])
    expect(text.exitCode).toBe(0)
    expect(text.stdout).toContain('Charter: coinbase in canary: ALLOW')
    expect(text.stdout).toMatch(/✓ approval\s+approved by alice until/)
    const json = await run(['charter', 'check', 'coinbase', '--json'])
    expect(json.exitCode).toBe(0)
    const decision = JSON.parse(json.stdout)
    expect(decision).toMatchObject({allow: true, sector: 'coinbase', mode: 'canary'})
    expect(decision.rules.map((r: {rule: string}) => r.rule)).toEqual(['config-valid', 'mode-allowed', 'secrets-private', 'approval', 'credentials'])
  })

  it('a group-readable .env denies canary but only warns for paper', async () => {
    writeFileSync(join(project, '.env'), 'COINBASE_API_KEY=x\n')
    chmodSync(join(project, '.env'), 0o640)
    try {
      const canary = await run(['charter', 'check', 'coinbase'])
      expect(canary.exitCode).toBe(3)
      expect(canary.stdout).toContain('✗ secrets-private  .env is 0640: group can access it (run: chmod 600 .env)')
      const paper = await run(['charter', 'check', 'coinbase', '--mode', 'paper'])
      expect(paper.exitCode).toBe(0)
      expect(paper.stdout).toContain('! secrets-private  .env is 0640')
    } finally {
      rmSync(join(project, '.env'))
    }
  })

  it('editing the strategy voids the approval (exit 3, also with --json)', async () => {
    writeFileSync(join(project, 'strategies', 'donchian-breakout.ts'), 'export const lookback = 5\n')
    const r = await run(['charter', 'check', 'coinbase'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toMatch(/✗ approval\s+approval [0-9a-f]{16} is void: the code of strategy 'donchian-breakout' changed since the approval/)
    const json = await run(['charter', 'check', 'coinbase', '--json'])
    expect(json.exitCode).toBe(3)
    expect(JSON.parse(json.stdout)).toMatchObject({allow: false, code: 'CHARTER_DENIED', detail: 'denied by approval'})
  })

  it('status shows the approval as void and why', async () => {
    const r = await run(['charter', 'status', '--json'])
    expect(r.exitCode).toBe(0)
    const status = JSON.parse(r.stdout)
    expect(status.pin.set).toBe(true)
    const coinbase = status.sectors.find((s: {sector: string}) => s.sector === 'coinbase')
    expect(coinbase.approvals).toHaveLength(1)
    expect(coinbase.approvals[0]).toMatchObject({mode: 'canary', valid: false, approver: 'alice', reasons: ["the code of strategy 'donchian-breakout' changed since the approval"]})
  })

  it('an unknown sector is exit 2', async () => {
    const r = await run(['charter', 'check', 'kraken'])
    expect(r.exitCode).toBe(2)
    expect(r.stdout).toContain("✗ config-valid     no sector 'kraken' in the config (sectors: coinbase)")
  })

  it('re-approving the new code allows again; revoke takes it away', async () => {
    const approve = await run(['charter', 'approve', 'coinbase', '--mode', 'canary', '--pin-stdin', '--json'], `${PIN}\n`)
    expect(approve.exitCode).toBe(0)
    const approved = JSON.parse(approve.stdout)
    expect(approved.approval.snapshot.kind).toBe('snapshot')
    expect(approved.check.allow).toBe(true)
    expect((await run(['charter', 'check', 'coinbase'])).exitCode).toBe(0)
    const revoke = await run(['charter', 'revoke', 'coinbase'])
    expect(revoke.exitCode).toBe(0)
    expect(revoke.stdout).toBe('Revoked 1 approval(s) of coinbase.')
    expect((await run(['charter', 'check', 'coinbase'])).exitCode).toBe(3)
  })
})
