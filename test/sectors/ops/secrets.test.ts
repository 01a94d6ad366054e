// lockSecrets on real files in a throw-away project; ownership (which needs root, or someone else's
// files) through replaced file-system functions.
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {lockSecrets, type LockDeps, type LockedFile, type LockOptions} from '../../../src/sectors/ops/secrets.js'
import {REPO_ROOT} from '../../helpers/cli.js'
import {fakeRegistry} from '../../helpers/fake-venues.js'

const CONFIG = `version: 1
sectors:
  coinbase:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: sma-crossover}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
    secretsFiles: [secrets/coinbase.env, .env.shared]
  oanda:
    venue: oanda
    mode: practice
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
    secretsFiles: [.env.shared, .env.oanda]
`

let project: string

function write(rel: string, text: string, mode: number): string {
  const file = join(project, ...rel.split('/'))
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  chmodSync(file, mode)
  return file
}

const modeOf = (rel: string) => statSync(join(project, ...rel.split('/'))).mode & 0o777
const byPath = (files: LockedFile[]) => Object.fromEntries(files.map((f) => [f.path, f]))

function options(extra: Partial<LockOptions> = {}): LockOptions {
  return {registry: fakeRegistry(), cwd: project, env: {RICK_PROJECT: project, RICK_CACHE_DIR: 'off'}, platform: 'linux', ...extra}
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'rick-lock-secrets-'))
  write('config/trading_sectors.yaml', CONFIG, 0o644)
})
afterEach(() => rmSync(project, {recursive: true, force: true}))

describe('lockSecrets', () => {
  it('makes root .env* files and configured secretsFiles 0600, leaves templates alone, reports old and new modes', async () => {
    write('.env', 'A=1\n', 0o644)
    write('.env.local', 'B=1\n', 0o640)
    write('.env.example', 'A=\n', 0o644)
    write('secrets/coinbase.env', 'COINBASE_API_KEY=x\n', 0o604)
    write('.env.shared', 'S=1\n', 0o600)

    const report = await lockSecrets(options())
    const files = byPath(report.files)
    expect(Object.keys(files).sort()).toEqual(['.env', '.env.local', '.env.oanda', '.env.shared', 'secrets/coinbase.env'])
    expect(files['.env']).toMatchObject({status: 'changed', source: 'root', sectors: [], modeBefore: '0644', modeAfter: '0600'})
    expect(files['.env.local']).toMatchObject({status: 'changed', modeBefore: '0640', modeAfter: '0600'})
    expect(files['secrets/coinbase.env']).toMatchObject({status: 'changed', source: 'configured', sectors: ['coinbase'], modeBefore: '0604', modeAfter: '0600'})
    expect(files['.env.shared']).toMatchObject({status: 'ok', sectors: ['coinbase', 'oanda'], modeBefore: '0600', modeAfter: '0600'})
    expect(files['.env.oanda']).toMatchObject({status: 'missing', note: 'listed in the secretsFiles of oanda but does not exist'})
    expect(report).toMatchObject({changed: 3, failed: 0, dryRun: false, warnings: []})

    expect(modeOf('.env')).toBe(0o600)
    expect(modeOf('.env.local')).toBe(0o600)
    expect(modeOf('secrets/coinbase.env')).toBe(0o600)
    expect(modeOf('.env.example')).toBe(0o644)
    expect(existsSync(join(project, '.env.oanda'))).toBe(false)

    const again = await lockSecrets(options())
    expect(again.changed).toBe(0)
    expect(again.files.filter((f) => f.status === 'ok').map((f) => f.path).sort()).toEqual(['.env', '.env.local', '.env.shared', 'secrets/coinbase.env'])
  })

  it('--dry-run reports what would change and changes nothing', async () => {
    write('.env', 'A=1\n', 0o664)
    const report = await lockSecrets(options({dryRun: true}))
    expect(byPath(report.files)['.env']).toMatchObject({status: 'would-change', modeBefore: '0664', modeAfter: '0600'})
    expect(report).toMatchObject({dryRun: true, changed: 1, failed: 0})
    expect(modeOf('.env')).toBe(0o664)
  })

  it('a secrets path that is not a regular file fails with the reason', async () => {
    mkdirSync(join(project, '.env.d'))
    write('.env', 'A=1\n', 0o644)
    const report = await lockSecrets(options())
    expect(byPath(report.files)['.env.d']).toMatchObject({status: 'failed', error: 'cannot lock it: not a regular file'})
    expect(byPath(report.files)['.env']!.status).toBe('changed')
    expect(report.failed).toBe(1)
  })

  it('never changes a file through a symlink, and never reads one: it names the target instead', async () => {
    const target = write('elsewhere/real.env', 'A=1\n', 0o644)
    symlinkSync(target, join(project, '.env'))
    const report = await lockSecrets(options())
    const file = byPath(report.files)['.env']!
    expect(file.status).toBe('failed')
    expect(file.error).toBe(`cannot lock it: a symbolic link to ${target}: rick does not follow symlinks for secrets files and reads nothing through one; put the secrets in a regular file at .env instead`)
    expect(modeOf('elsewhere/real.env')).toBe(0o644)
    // A private target changes nothing: rick reads no secrets through a link.
    chmodSync(target, 0o600)
    const still = await lockSecrets(options())
    expect(byPath(still.files)['.env']!.status).toBe('failed')
  })

  it('a dangling .env symlink is reported missing, not an error', async () => {
    symlinkSync(join(project, 'nowhere'), join(project, '.env'))
    const report = await lockSecrets(options())
    expect(byPath(report.files)['.env']).toMatchObject({status: 'missing', note: 'a symlink to a missing file'})
    expect(report.failed).toBe(0)
  })

  it('still finds the secretsFiles of an invalid config, and says so', async () => {
    write('config/trading_sectors.yaml', `${CONFIG}  broken:\n    venue: nosuchvenue\n    secretsFiles: [.env.broken]\n`, 0o644)
    write('.env.broken', 'X=1\n', 0o644)
    write('secrets/coinbase.env', 'X=1\n', 0o644)
    const report = await lockSecrets(options())
    const files = byPath(report.files)
    expect(files['.env.broken']).toMatchObject({status: 'changed', source: 'configured', sectors: ['broken']})
    expect(files['secrets/coinbase.env']).toMatchObject({status: 'changed', sectors: ['coinbase']})
    expect(report.warnings).toEqual(['config/trading_sectors.yaml has errors (see rick config validate): its secretsFiles were read without validation'])
  })

  it("uses the project's charter secrets policy, and the default one when that charter is broken", async () => {
    write('config/charter.yaml', readFileSync(join(REPO_ROOT, 'config', 'charter.yaml'), 'utf8').replace('    - .env.*\n', '    - .env.*\n    - "*.secret"\n'), 0o644)
    write('api.secret', 'X=1\n', 0o644)
    write('.env', 'X=1\n', 0o644)
    let report = await lockSecrets(options())
    expect(byPath(report.files)['api.secret']).toMatchObject({status: 'changed', source: 'root'})

    write('config/charter.yaml', 'version: 1\n', 0o644)
    chmodSync(join(project, 'api.secret'), 0o644)
    report = await lockSecrets(options())
    expect(byPath(report.files)['api.secret']).toBeUndefined()
    expect(byPath(report.files)['.env']!.status).toBe('ok')
    expect(report.warnings).toHaveLength(1)
    expect(report.warnings[0]).toMatch(/^the charter's limits \(config\/charter\.yaml\) cannot be used \(.+\): the default secrets policy \(\.env, \.env\.\*\) applies$/)
  })

  it('on Windows changes nothing and says why', async () => {
    write('.env', 'A=1\n', 0o644)
    const report = await lockSecrets(options({platform: 'win32'}))
    expect(byPath(report.files)['.env']).toMatchObject({status: 'ok', note: 'not changed on Windows'})
    expect(report.warnings[0]).toMatch(/^on Windows file modes and owners do not protect files/)
    expect(modeOf('.env')).toBe(0o644)
  })
})

describe('lockSecrets: owners', () => {
  // Files owned by someone else, and root, simulated: the real stat is kept for everything but the owner.
  function fakeFs(owner: number, extra: Partial<LockDeps> = {}) {
    const calls: string[] = []
    const deps: Partial<LockDeps> = {
      stat: (p) => {
        const st = statSync(p)
        return {mode: st.mode, uid: owner, gid: 4242, isFile: () => st.isFile()}
      },
      chmod: (p, m) => {
        calls.push(`chmod ${p.slice(project.length + 1)} ${m.toString(8)}`)
        chmodSync(p, m)
      },
      chown: (p, u, g) => void calls.push(`chown ${p.slice(project.length + 1)} ${u}:${g}`),
      userName: (uid) => ({0: 'root', 1000: 'alice', 1001: 'bob'})[uid],
      ...extra,
    }
    return {deps, calls}
  }

  it('a plain user: a file of someone else is reported; a refused chmod fails with the reason', async () => {
    write('.env', 'A=1\n', 0o644)
    write('.env.ok', 'A=1\n', 0o600)
    const eperm = Object.assign(new Error('EPERM: operation not permitted'), {code: 'EPERM', syscall: 'chmod'})
    const {deps, calls} = fakeFs(1001, {
      getuid: () => 1000,
      chmod: () => {
        throw eperm
      },
    })
    const report = await lockSecrets(options({deps}))
    const files = byPath(report.files)
    expect(files['.env']).toMatchObject({
      status: 'failed',
      modeBefore: '0644',
      modeAfter: '0644',
      ownerBefore: {uid: 1001, user: 'bob'},
      error: 'chmod 600 failed: EPERM (operation not permitted) (only the owner, bob (uid 1001), or root may change its mode)',
      note: 'owned by bob (uid 1001), not by alice (uid 1000); only root can change that (run: sudo chown alice .env)',
    })
    expect(files['.env.ok']).toMatchObject({status: 'ok', note: 'owned by bob (uid 1001), not by alice (uid 1000); only root can change that (run: sudo chown alice .env.ok)'})
    expect(report).toMatchObject({failed: 1, owner: {uid: 1000, user: 'alice', viaSudo: false}})
    expect(calls).toEqual([])
  })

  it('root through sudo gives the files to SUDO_UID:SUDO_GID, then sets the mode', async () => {
    write('.env', 'A=1\n', 0o644)
    write('.env.ok', 'A=1\n', 0o600)
    const {deps, calls} = fakeFs(0, {getuid: () => 0})
    const env = {RICK_PROJECT: project, RICK_CACHE_DIR: 'off', SUDO_USER: 'alice', SUDO_UID: '1000', SUDO_GID: '1000'}
    const report = await lockSecrets(options({deps, env}))
    const files = byPath(report.files)
    expect(files['.env']).toMatchObject({status: 'changed', modeBefore: '0644', modeAfter: '0600', ownerBefore: {uid: 0, user: 'root'}, ownerAfter: {uid: 1000, user: 'alice'}})
    expect(files['.env.ok']).toMatchObject({status: 'changed', modeBefore: '0600', modeAfter: '0600', ownerAfter: {uid: 1000}})
    expect(files['.env']!.note).toBeUndefined()
    expect(report.owner).toEqual({uid: 1000, user: 'alice', viaSudo: true})
    expect(calls).toEqual(['chown .env 1000:1000', 'chmod .env 600', 'chown .env.ok 1000:1000'])

    const dry = fakeFs(0, {getuid: () => 0})
    const preview = await lockSecrets(options({deps: dry.deps, env, dryRun: true}))
    expect(byPath(preview.files)['.env.ok']).toMatchObject({status: 'would-change', ownerAfter: {uid: 1000}})
    expect(dry.calls).toEqual([])
  })

  it('root without sudo leaves owners alone (a service user may own them on purpose)', async () => {
    write('.env', 'A=1\n', 0o640)
    const {deps, calls} = fakeFs(1001, {getuid: () => 0})
    const report = await lockSecrets(options({deps}))
    expect(byPath(report.files)['.env']).toMatchObject({
      status: 'changed',
      ownerAfter: {uid: 1001},
      note: 'owned by bob (uid 1001), not by root (uid 0): left as it is (as root, owners are changed only when run through sudo, giving the files to SUDO_USER)',
    })
    expect(calls).toEqual(['chmod .env 600'])
  })

  it('sudo without SUDO_UID: owners are left alone, with a warning', async () => {
    write('.env', 'A=1\n', 0o600)
    const {deps, calls} = fakeFs(1001, {getuid: () => 0})
    const report = await lockSecrets(options({deps, env: {RICK_PROJECT: project, RICK_CACHE_DIR: 'off', SUDO_USER: 'alice'}}))
    expect(report.warnings).toEqual(['SUDO_USER is alice but SUDO_UID is not set: owners are left as they are'])
    expect(byPath(report.files)['.env']).toMatchObject({status: 'ok'})
    expect(calls).toEqual([])
  })
})
