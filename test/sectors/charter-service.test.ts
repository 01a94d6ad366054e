import {execFileSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {readApprovals} from '../../src/foundation/charter/approvals.js'
import type {CharterDecision} from '../../src/foundation/charter/decide.js'
import {packagedCharterPath} from '../../src/foundation/charter/limits.js'
import type {ScryptParams} from '../../src/foundation/charter/pin.js'
import {approvalsFilePath} from '../../src/foundation/charter/store.js'
import {
  approveSector,
  authorizeEngineStart,
  charterStatus,
  checkCharter,
  initCharterPin,
  revokeSector,
  type CharterContext,
  type CharterDeps,
} from '../../src/sectors/charter-service.js'
import {fakeRegistry} from '../helpers/fake-venues.js'

const FAST: ScryptParams = {N: 1024, r: 8, p: 1, keyLength: 32}
const PIN = 'approve-me-42'
const T0 = new Date('2030-03-01T09:00:00Z')
const DAY = 86_400_000

const CONFIG = `version: 1
sectors:
  coinbase:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: donchian-breakout, params: {lookback: 20}}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
    secretsFiles: [.env.coinbase]
  oanda:
    venue: oanda
    mode: practice
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
`

let project: string
let home: string
let clock: Date

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {cwd: project, encoding: 'utf8'})
}

function write(rel: string, text: string, mode?: number): void {
  const file = join(project, ...rel.split('/'))
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  if (mode !== undefined) chmodSync(file, mode)
}

function ctx(deps: Partial<CharterDeps> = {}): CharterContext {
  return {registry: fakeRegistry(), cwd: project, env: {RICK_PROJECT: project, RICK_HOME: home}, deps: {now: () => clock, username: () => 'alice', ...deps}}
}

const rule = (d: CharterDecision, name: string) => d.rules.find((r) => r.rule === name)

async function approve(extra: {ttl?: string; pin?: string; mode?: 'canary' | 'live'} = {}) {
  return approveSector('coinbase', {mode: extra.mode ?? 'canary', pin: extra.pin ?? PIN, ttl: extra.ttl}, ctx())
}

beforeEach(async () => {
  project = mkdtempSync(join(tmpdir(), 'rick-charter-project-'))
  home = join(project, '.rick')
  clock = T0
  write('.gitignore', '.rick/\n.env*\n')
  write('config/trading_sectors.yaml', CONFIG)
  write('strategies/donchian-breakout.ts', 'export default {lookback: 20}\n')
  write('strategies/sma-crossover/index.ts', 'export default {}\n')
  write('.env.coinbase', 'COINBASE_API_KEY=k\nCOINBASE_API_SECRET=s\n', 0o600)
  git('init', '-q')
  git('add', '-A')
  git('commit', '-q', '-m', 'init')
  await initCharterPin({pins: {pin: PIN}, params: FAST}, {cwd: project, env: {RICK_PROJECT: project, RICK_HOME: home}})
})
afterEach(() => rmSync(project, {recursive: true, force: true}))

describe('approve, then check', () => {
  it('allows canary with a fresh approval bound to HEAD of a clean tree', async () => {
    const {approval, ttl, check} = await approve()
    expect(ttl).toBe('1w')
    expect(approval).toMatchObject({sector: 'coinbase', venue: 'coinbase', mode: 'canary', approver: 'alice', createdAt: T0.toISOString()})
    expect(approval.expiresAt).toBe(new Date(T0.getTime() + 7 * DAY).toISOString())
    expect(approval.snapshot).toEqual({id: git('rev-parse', 'HEAD').trim(), commit: git('rev-parse', 'HEAD').trim(), kind: 'head'})
    expect(check.allow).toBe(true)
    const decision = await checkCharter('coinbase', {}, ctx())
    expect(decision).toMatchObject({allow: true, sector: 'coinbase', mode: 'canary', approvalId: approval.id})
    expect(rule(decision, 'approval')?.detail).toBe(`approved by alice until ${approval.expiresAt} (id ${approval.id})`)
    expect(decision.bindings?.strategyHash).toBe(approval.bindings.strategy.hash)
  })

  it('snapshots a dirty tree at approval (trigger approval) without moving HEAD', async () => {
    write('strategies/donchian-breakout.ts', 'export default {lookback: 30}\n')
    const head = git('rev-parse', 'HEAD').trim()
    const {approval} = await approve()
    expect(approval.snapshot.kind).toBe('snapshot')
    expect(git('rev-parse', 'HEAD').trim()).toBe(head)
    expect(git('for-each-ref', '--format=%(objectname)', 'refs/rick/snapshots/').trim()).toBe(approval.snapshot.commit)
    expect(git('show', `${approval.snapshot.commit}:strategies/donchian-breakout.ts`)).toContain('lookback: 30')
    expect(git('log', '-1', '--format=%B', approval.snapshot.commit)).toMatch(/approval/)
  })

  it('is void once the strategy code changes', async () => {
    await approve()
    write('strategies/donchian-breakout.ts', 'export default {lookback: 21}\n')
    const d = await checkCharter('coinbase', {}, ctx())
    expect(d.allow).toBe(false)
    expect(d.code).toBe('CHARTER_DENIED')
    expect(rule(d, 'approval')?.detail).toMatch(/is void: the code of strategy 'donchian-breakout' changed since the approval$/)
  })

  it('is void once the strategy code is deleted', async () => {
    await approve()
    rmSync(join(project, 'strategies', 'donchian-breakout.ts'))
    expect(rule(await checkCharter('coinbase', {}, ctx()), 'approval')?.detail).toMatch(/the code of strategy 'donchian-breakout' is missing/)
  })

  it('is void once the sector config changes, but not for a comment', async () => {
    await approve()
    write('config/trading_sectors.yaml', `# a comment\n${CONFIG}`)
    expect((await checkCharter('coinbase', {}, ctx())).allow).toBe(true)
    write('config/trading_sectors.yaml', CONFIG.replace('maxOrderNotional: 25', 'maxOrderNotional: 20'))
    const d = await checkCharter('coinbase', {}, ctx())
    expect(d.allow).toBe(false)
    expect(rule(d, 'approval')?.detail).toMatch(/the sector config changed since the approval$/)
  })

  it("is not void when another sector's config changes", async () => {
    await approve()
    write('config/trading_sectors.yaml', CONFIG.replace('mode: practice', 'mode: paper'))
    expect((await checkCharter('coinbase', {}, ctx())).allow).toBe(true)
  })

  it("is void once the charter's hard limits change", async () => {
    write('config/charter.yaml', readFileSync(packagedCharterPath(), 'utf8'))
    await approve()
    write('config/charter.yaml', readFileSync(packagedCharterPath(), 'utf8').replace('maxOrdersPerMinute: 60', 'maxOrdersPerMinute: 61'))
    const d = await checkCharter('coinbase', {}, ctx())
    expect(d.allow).toBe(false)
    expect(rule(d, 'approval')?.detail).toMatch(/the charter's hard limits changed since the approval$/)
  })

  it('expires with the clock', async () => {
    const {approval} = await approve({ttl: '2d'})
    clock = new Date(T0.getTime() + 2 * DAY - 1)
    expect((await checkCharter('coinbase', {}, ctx())).allow).toBe(true)
    clock = new Date(T0.getTime() + 2 * DAY)
    const d = await checkCharter('coinbase', {}, ctx())
    expect(d.allow).toBe(false)
    expect(rule(d, 'approval')?.detail).toBe(`approval ${approval.id} is void: expired at ${approval.expiresAt}`)
  })

  it('is void when the approvals file is edited', async () => {
    await approve({ttl: '1d'})
    const file = approvalsFilePath(home)
    const doc = JSON.parse(readFileSync(file, 'utf8'))
    doc.approvals[0].expiresAt = '2031-01-01T00:00:00.000Z'
    writeFileSync(file, JSON.stringify(doc))
    clock = new Date(T0.getTime() + 3 * DAY)
    const d = await checkCharter('coinbase', {}, ctx())
    expect(d.allow).toBe(false)
    expect(rule(d, 'approval')?.detail).toMatch(/signature does not match the approval/)
  })

  it('is void after the PIN is changed (new signing key)', async () => {
    await approve()
    const changed = await initCharterPin({pins: {pin: 'another-pin-7', oldPin: PIN}, params: FAST}, {cwd: project, env: {RICK_PROJECT: project, RICK_HOME: home}})
    expect(changed).toMatchObject({replaced: true, voidedApprovals: 1})
    expect(rule(await checkCharter('coinbase', {}, ctx()), 'approval')?.detail).toMatch(/signed by another key/)
  })

  it('stops allowing after revoke', async () => {
    await approve()
    expect(revokeSector('coinbase', {mode: 'canary'}, {cwd: project, env: {RICK_PROJECT: project, RICK_HOME: home}})).toEqual({sector: 'coinbase', mode: 'canary', removed: 1})
    expect(rule(await checkCharter('coinbase', {}, ctx()), 'approval')?.detail).toBe('no canary approval: run `rick charter approve coinbase --mode canary`')
  })

  it('does not let a canary approval stand in for live', async () => {
    await approve()
    const d = await checkCharter('coinbase', {mode: 'live'}, ctx())
    expect(rule(d, 'approval')?.status).toBe('fail')
  })
})

describe('approve refuses', () => {
  it('a wrong PIN, writing nothing and taking no snapshot', async () => {
    write('strategies/donchian-breakout.ts', 'dirty\n')
    await expect(approve({pin: 'not-the-pin'})).rejects.toMatchObject({code: 'CHARTER_PIN_WRONG', exitCode: 3})
    expect(existsSync(approvalsFilePath(home))).toBe(false)
    expect(git('for-each-ref', 'refs/rick/snapshots/').trim()).toBe('')
  })

  it('without a PIN', async () => {
    rmSync(home, {recursive: true, force: true})
    await expect(approve()).rejects.toMatchObject({code: 'CHARTER_NO_PIN', exitCode: 2, message: expect.stringContaining('rick charter init')})
  })

  it('when the strategy code is missing', async () => {
    rmSync(join(project, 'strategies', 'donchian-breakout.ts'))
    await expect(approve()).rejects.toMatchObject({code: 'STRATEGY_NOT_FOUND', message: expect.stringContaining('strategies/donchian-breakout.ts')})
  })

  it('outside a git repository', async () => {
    rmSync(join(project, '.git'), {recursive: true, force: true})
    await expect(approve()).rejects.toMatchObject({code: 'CHARTER_NO_REPOSITORY', exitCode: 2, message: expect.stringContaining('git init')})
  })

  it('a TTL beyond the charter maximum, or malformed', async () => {
    await expect(approve({ttl: '31d'})).rejects.toMatchObject({code: 'CHARTER_BAD_TTL', message: expect.stringContaining('maxTtl: 30d')})
    await expect(approve({ttl: 'forever'})).rejects.toMatchObject({code: 'CHARTER_BAD_TTL'})
  })

  it('an unknown sector and a mode the venue lacks', async () => {
    await expect(approveSector('kraken', {mode: 'canary', pin: PIN}, ctx())).rejects.toMatchObject({code: 'UNKNOWN_SECTOR', message: expect.stringContaining('coinbase, oanda')})
    write('config/trading_sectors.yaml', CONFIG)
    const noLive = fakeRegistry().list().map((s) => s.definition)
    const registry = fakeRegistry(noLive.map((d) => (d.venue === 'coinbase' ? {...d, modes: ['paper', 'canary'] as const} : d)))
    await expect(approveSector('coinbase', {mode: 'live', pin: PIN}, {...ctx(), registry})).rejects.toMatchObject({code: 'CHARTER_BAD_MODE'})
  })
})

describe('secrets files', () => {
  it('denies canary when .env is group-readable, and only warns for paper', async () => {
    await approve()
    write('.env', 'X=1\n', 0o640)
    const canary = await checkCharter('coinbase', {}, ctx())
    expect(canary.allow).toBe(false)
    expect(rule(canary, 'secrets-private')).toEqual({rule: 'secrets-private', status: 'fail', detail: '.env is 0640: group can access it (run: chmod 600 .env)'})
    const paper = await checkCharter('coinbase', {mode: 'paper'}, ctx())
    expect(paper.allow).toBe(true)
    expect(rule(paper, 'secrets-private')?.status).toBe('warn')
  })

  it('checks the sector secretsFiles too', async () => {
    await approve()
    chmodSync(join(project, '.env.coinbase'), 0o604)
    expect(rule(await checkCharter('coinbase', {}, ctx()), 'secrets-private')?.detail).toBe('.env.coinbase is 0604: others can access it (run: chmod 600 .env.coinbase)')
  })

  it('never reads credentials through a symlinked secrets file, and says where it points', async () => {
    await approve({mode: 'live'})
    const outside = mkdtempSync(join(tmpdir(), 'rick-charter-outside-'))
    try {
      writeFileSync(join(outside, 'coinbase.env'), 'COINBASE_API_KEY=k\nCOINBASE_API_SECRET=s\n', {mode: 0o644})
      rmSync(join(project, '.env.coinbase'))
      symlinkSync(join(outside, 'coinbase.env'), join(project, '.env.coinbase'))
      const d = await checkCharter('coinbase', {mode: 'live'}, ctx())
      expect(d.allow).toBe(false)
      expect(rule(d, 'secrets-private')?.detail).toBe(
        `.env.coinbase cannot be checked (a symbolic link to ${join(outside, 'coinbase.env')}: rick does not follow symlinks for secrets files and reads nothing through one; put the secrets in a regular file at .env.coinbase instead)`,
      )
      expect(rule(d, 'credentials')?.detail).toBe('not set: COINBASE_API_KEY, COINBASE_API_SECRET (live never falls back to paper)')
    } finally {
      rmSync(outside, {recursive: true, force: true})
    }
  })
})

describe('credentials', () => {
  it('live needs the variables, from the environment or the secrets files', async () => {
    await approve({mode: 'live'})
    expect(rule(await checkCharter('coinbase', {mode: 'live'}, ctx()), 'credentials')).toMatchObject({status: 'pass'})
    write('.env.coinbase', 'COINBASE_API_KEY=k\n', 0o600)
    const d = await checkCharter('coinbase', {mode: 'live'}, ctx())
    expect(d.allow).toBe(false)
    expect(rule(d, 'credentials')?.detail).toBe('not set: COINBASE_API_SECRET (live never falls back to paper)')
    const withEnv = {...ctx(), env: {RICK_PROJECT: project, RICK_HOME: home, COINBASE_API_SECRET: 'from-env'}}
    expect(rule(await checkCharter('coinbase', {mode: 'live'}, withEnv), 'credentials')?.status).toBe('pass')
  })
})

describe('config problems', () => {
  it('denies an unknown sector and an invalid config through config-valid', async () => {
    const unknown = await checkCharter('kraken', {}, ctx())
    expect(unknown.allow).toBe(false)
    expect(rule(unknown, 'config-valid')?.detail).toBe("no sector 'kraken' in the config (sectors: coinbase, oanda)")
    write('config/trading_sectors.yaml', CONFIG.replace('profile: Conservative', 'profile: Reckless'))
    const bad = await checkCharter('coinbase', {}, ctx())
    expect(bad.allow).toBe(false)
    expect(rule(bad, 'config-valid')?.detail).toMatch(/^config[/\\]trading_sectors\.yaml:6:\d+: error: /)
  })
})

describe('deny on error', () => {
  const boom = () => {
    throw new Error('injected failure')
  }

  // Before the config is read the mode is unknown, and the strictest (live) is assumed.
  it.each<[string, Partial<CharterDeps>, string]>([
    ['reading the approvals', {readApprovals: boom}, 'canary'],
    ['hashing the strategy', {hashStrategy: boom}, 'canary'],
    ['reading the config', {readConfig: boom}, 'live'],
    ['listing the secrets files', {secretsFiles: boom}, 'canary'],
    ['reading the charter limits', {loadLimits: boom}, 'live'],
  ])('an exception while %s is a CHARTER_ERROR denial', async (_what, deps, mode) => {
    await approve()
    const d = await checkCharter('coinbase', {}, ctx(deps))
    expect(d).toMatchObject({allow: false, code: 'CHARTER_ERROR', sector: 'coinbase', mode})
    expect(d.detail).toBe('the charter could not decide, so it denies: injected failure')
  })

  it('also in paper mode, where nothing would be denied otherwise', async () => {
    const d = await checkCharter('oanda', {mode: 'paper'}, ctx({secretsFiles: boom}))
    expect(d).toMatchObject({allow: false, code: 'CHARTER_ERROR'})
  })

  it('a throwing venue plugin is a CHARTER_ERROR denial', async () => {
    const venues = fakeRegistry().list().map((s) => s.definition)
    const registry = fakeRegistry(venues.map((d) => (d.venue === 'oanda' ? {...d, credentialVariables: () => boom()} : d)))
    expect(await checkCharter('oanda', {}, {...ctx(), registry})).toMatchObject({allow: false, code: 'CHARTER_ERROR'})
  })
})

describe('authorizeEngineStart', () => {
  it('uses HEAD for a clean tree and snapshots a dirty one (trigger engine-start)', async () => {
    const clean = await authorizeEngineStart('oanda', {}, ctx())
    expect(clean.decision.allow).toBe(true)
    expect(clean.snapshot).toEqual({id: git('rev-parse', 'HEAD').trim(), commit: git('rev-parse', 'HEAD').trim(), kind: 'head'})
    write('strategies/sma-crossover/index.ts', 'export default {changed: true}\n')
    const dirty = await authorizeEngineStart('oanda', {}, ctx())
    expect(dirty.snapshot?.kind).toBe('snapshot')
    expect(git('log', '-1', '--format=%B', dirty.snapshot!.commit)).toMatch(/engine-start/)
    expect(git('status', '--porcelain').trim()).toBe('M strategies/sma-crossover/index.ts')
  })

  it('takes no snapshot when the charter denies', async () => {
    write('strategies/donchian-breakout.ts', 'dirty\n')
    const denied = await authorizeEngineStart('coinbase', {}, ctx())
    expect(denied.decision.allow).toBe(false)
    expect(denied.snapshot).toBeNull()
    expect(git('for-each-ref', 'refs/rick/snapshots/').trim()).toBe('')
  })

  it('denies with CHARTER_ERROR when the snapshot fails', async () => {
    write('strategies/sma-crossover/index.ts', 'dirty\n')
    const r = await authorizeEngineStart('oanda', {}, ctx({createSnapshot: async () => {
      throw new Error('disk full')
    }}))
    expect(r.decision).toMatchObject({allow: false, code: 'CHARTER_ERROR'})
    expect(r.decision.detail).toMatch(/disk full/)
    expect(r.snapshot).toBeNull()
  })

  it('lets practice start outside git with a notice, but never canary', async () => {
    await approve()
    rmSync(join(project, '.git'), {recursive: true, force: true})
    const practice = await authorizeEngineStart('oanda', {}, ctx())
    expect(practice.decision.allow).toBe(true)
    expect(practice.snapshot).toBeNull()
    expect(practice.notice).toMatch(/not a git repository/)
    const canary = await authorizeEngineStart('coinbase', {}, ctx())
    expect(canary.decision).toMatchObject({allow: false, code: 'CHARTER_ERROR'})
  })
})

describe('charterStatus', () => {
  it('lists every sector with its approvals, valid or void and why', async () => {
    await approve()
    await approve({mode: 'live'})
    write('strategies/donchian-breakout.ts', 'changed\n')
    // An approval left behind by a sector that is no longer configured.
    const doc = JSON.parse(readFileSync(approvalsFilePath(home), 'utf8'))
    doc.approvals.push({...doc.approvals[0], sector: 'gone'})
    writeFileSync(approvalsFilePath(home), JSON.stringify(doc))
    const s = await charterStatus(ctx())
    expect(s.pin).toMatchObject({set: true})
    expect(s.configProblems).toEqual([])
    const byName = Object.fromEntries(s.sectors.map((x) => [x.sector, x]))
    expect(byName.oanda).toMatchObject({configured: true, mode: 'practice', approvals: []})
    expect(byName.coinbase?.approvals.map((a) => [a.mode, a.valid])).toEqual([
      ['canary', false],
      ['live', false],
    ])
    expect(byName.coinbase?.approvals[0]?.reasons).toEqual(["the code of strategy 'donchian-breakout' changed since the approval"])
    expect(byName.gone).toMatchObject({configured: false})
    expect(byName.gone?.approvals[0]?.reasons[0]).toBe("sector 'gone' is not in the config")
    expect(readApprovals(home).entries).toHaveLength(3)
  })

  it('says when no PIN is set', async () => {
    rmSync(home, {recursive: true, force: true})
    expect((await charterStatus(ctx())).pin).toEqual({set: false})
  })
})
