import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {RickError, UsageError} from '../../../src/foundation/errors.js'
import {
  ENGINE_STOP_GRACE_SECONDS,
  installSystemd,
  planSystemd,
  protectHomeFor,
  renderUnit,
  writablePaths,
  type SystemdContext,
  type UnitValues,
} from '../../../src/sectors/ops/systemd.js'
import {REPO_ROOT, RICK_BIN} from '../../helpers/cli.js'
import {fakeRegistry} from '../../helpers/fake-venues.js'
import {describeWithSystemdAnalyze, verifyUnit} from './systemd-analyze.js'

const TEMPLATE = readFileSync(join(REPO_ROOT, 'ops', 'rick@.service'), 'utf8')

const CONFIG = `version: 1
sectors:
  fx:
    venue: oanda
    mode: paper
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
  crypto:
    venue: coinbase
    mode: paper
    instruments: [BTC-USD]
    strategy: {name: sma-crossover}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
  spare:
    venue: oanda
    enabled: false
    mode: paper
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
`

const values = (over: Partial<UnitValues> = {}): UnitValues => ({
  node: '/usr/bin/node',
  rick: '/opt/rick/bin/run.js',
  project: '/opt/rick',
  data: '/opt/rick/.rick',
  user: 'alice',
  readWritePaths: ['/opt/rick/.rick', '/opt/rick/.git'],
  protectHome: 'yes',
  environment: [],
  ...over,
})

/** `Key=value` lines outside comments, in order. */
const directives = (unit: string): string[] => unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l))
const valueOf = (unit: string, key: string): string[] =>
  directives(unit)
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1))

const HARDENING: Array<[string, string]> = [
  ['NoNewPrivileges', 'yes'],
  ['ProtectSystem', 'strict'],
  ['PrivateTmp', 'yes'],
  ['ProtectKernelTunables', 'yes'],
  ['ProtectControlGroups', 'yes'],
  ['RestrictSUIDSGID', 'yes'],
  ['LockPersonality', 'yes'],
  ['SystemCallArchitectures', 'native'],
  ['UMask', '0077'],
]

describe('renderUnit', () => {
  it('fills every placeholder with the paths, the user and the sandbox it is given', () => {
    const unit = renderUnit(TEMPLATE, values(), 'system')
    expect(directives(unit).join('\n')).not.toMatch(/@[A-Z_]+@/)
    expect(valueOf(unit, 'ExecStart')).toEqual(['/usr/bin/node /opt/rick/bin/run.js run %i'])
    expect(valueOf(unit, 'WorkingDirectory')).toEqual(['/opt/rick'])
    expect(valueOf(unit, 'User')).toEqual(['alice'])
    expect(valueOf(unit, 'Environment')).toEqual(['NODE_ENV=production', 'RICK_PROJECT=/opt/rick', 'RICK_HOME=/opt/rick/.rick', 'RICK_CACHE_DIR=/opt/rick/.rick/cache'])
    expect(valueOf(unit, 'EnvironmentFile')).toEqual(['-/opt/rick/.env.%i'])
    expect(valueOf(unit, 'ReadWritePaths')).toEqual(['/opt/rick/.rick /opt/rick/.git'])
    expect(valueOf(unit, 'ProtectHome')).toEqual(['yes'])
    expect(unit.startsWith('# rick@.service: rendered by `rick ops systemd` from ops/rick@.service')).toBe(true)
    // The template's placeholder legend is not copied into the rendered unit.
    expect(unit).not.toContain('@NODE@')
  })

  it('restarts on failure with a back-off systemd 252 understands, and never for bad config or a charter denial', () => {
    const unit = renderUnit(TEMPLATE, values(), 'system')
    expect(valueOf(unit, 'Restart')).toEqual(['on-failure'])
    expect(Number(valueOf(unit, 'RestartSec')[0])).toBeGreaterThan(0)
    expect(Number(valueOf(unit, 'StartLimitIntervalSec')[0])).toBeGreaterThan(0)
    expect(Number(valueOf(unit, 'StartLimitBurst')[0])).toBeGreaterThan(0)
    expect(valueOf(unit, 'RestartPreventExitStatus')).toEqual(['2 3'])
    // RestartSteps= and RestartMaxDelaySec= need systemd 254.
    expect(valueOf(unit, 'RestartSteps')).toEqual([])
    expect(valueOf(unit, 'RestartMaxDelaySec')).toEqual([])
  })

  it('stops with SIGTERM and gives the engine the grace period it needs to cancel its orders', () => {
    const unit = renderUnit(TEMPLATE, values(), 'system')
    expect(valueOf(unit, 'KillSignal')).toEqual(['SIGTERM'])
    expect(valueOf(unit, 'KillMode')).toEqual(['mixed'])
    expect(valueOf(unit, 'TimeoutStopSec')).toEqual([String(ENGINE_STOP_GRACE_SECONDS)])
    expect(valueOf(unit, 'Type')).toEqual(['exec'])
  })

  it('carries the hardening, without MemoryDenyWriteExecute (V8 JIT) and with no capabilities', () => {
    const unit = renderUnit(TEMPLATE, values(), 'system')
    for (const [key, value] of HARDENING) expect(valueOf(unit, key), key).toEqual([value])
    expect(valueOf(unit, 'CapabilityBoundingSet')).toEqual([''])
    expect(valueOf(unit, 'MemoryDenyWriteExecute')).toEqual([])
    expect(unit).toMatch(/# .*MemoryDenyWriteExecute= is left out on purpose: V8's JIT/)
    expect(valueOf(unit, 'WantedBy')).toEqual(['multi-user.target'])
  })

  it('a --user unit leaves out what a user manager cannot do and is wanted by default.target', () => {
    const unit = renderUnit(TEMPLATE, values(), 'user')
    expect(valueOf(unit, 'User')).toEqual([])
    expect(valueOf(unit, 'CapabilityBoundingSet')).toEqual([])
    expect(valueOf(unit, 'WantedBy')).toEqual(['default.target'])
    for (const [key, value] of HARDENING) expect(valueOf(unit, key), key).toEqual([value])
    expect(valueOf(unit, 'ExecStart')).toEqual(['/usr/bin/node /opt/rick/bin/run.js run %i'])
  })

  it('adds RICK_CONFIG / RICK_JOURNAL lines where the template says, and escapes % (a specifier)', () => {
    const unit = renderUnit(TEMPLATE, values({data: '/srv/r%1/data', readWritePaths: ['/srv/r%1/data'], environment: [['RICK_CONFIG', '/etc/rick/sectors.yaml']]}), 'system')
    expect(valueOf(unit, 'Environment')).toEqual([
      'NODE_ENV=production',
      'RICK_PROJECT=/opt/rick',
      'RICK_HOME=/srv/r%%1/data',
      'RICK_CACHE_DIR=/srv/r%%1/data/cache',
      'RICK_CONFIG=/etc/rick/sectors.yaml',
    ])
    expect(valueOf(unit, 'ReadWritePaths')).toEqual(['/srv/r%%1/data'])
    expect(unit).not.toContain('@ENVIRONMENT@')
  })

  it('refuses paths a unit cannot name safely, saying which one (exit 2)', () => {
    const err = (() => {
      try {
        renderUnit(TEMPLATE, values({project: '/opt/my rick'}), 'system')
      } catch (error) {
        return error
      }
    })()
    expect(err).toBeInstanceOf(UsageError)
    expect((err as UsageError).exitCode).toBe(2)
    expect((err as UsageError).message).toMatch(/^the project folder "\/opt\/my rick" contains a space/)
    expect(() => renderUnit(TEMPLATE, values({node: 'node'}), 'system')).toThrow(/the node binary must be an absolute path/)
    expect(() => renderUnit(TEMPLATE, values({data: '/opt/$HOME'}), 'system')).toThrow(UsageError)
  })

  it('an unknown placeholder in a customised template is an error naming the known ones', () => {
    expect(() => renderUnit(`${TEMPLATE}\n[Service]\nNice=@NICE@\n`, values(), 'system')).toThrow(/unknown placeholder @NICE@; known: @NODE@, @RICK@/)
    expect(() => renderUnit('# nothing here\n', values(), 'system')).toThrow(RickError)
  })
})

describe('protectHomeFor / writablePaths', () => {
  it('keeps /home, /root and /run/user readable when the engine needs something there', () => {
    expect(protectHomeFor(['/usr/bin/node', '/opt/rick'])).toBe('yes')
    expect(protectHomeFor(['/usr/bin/node', '/home/alice/rick'])).toBe('read-only')
    expect(protectHomeFor(['/root/.nvm/versions/node/v20/bin/node'])).toBe('read-only')
    expect(protectHomeFor(['/run/user/1000/rick'])).toBe('read-only')
    expect(protectHomeFor(['/homework/rick', '/rootfs/x'])).toBe('yes')
  })

  it('lists each writable folder once, dropping folders inside another', () => {
    expect(writablePaths(['/p/.rick', '/p/.rick/journal', '/p/.git', undefined])).toEqual(['/p/.rick', '/p/.git'])
    expect(writablePaths(['/p/.rick/sub', '/p/.rick'])).toEqual(['/p/.rick'])
  })
})

describe('planSystemd / installSystemd', () => {
  let root: string
  let project: string
  let ctx: SystemdContext
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rick-systemd-'))
    project = join(root, 'project')
    mkdirSync(join(project, 'config'), {recursive: true})
    writeFileSync(join(project, 'config', 'trading_sectors.yaml'), CONFIG)
    ctx = {
      registry: fakeRegistry(),
      cwd: project,
      env: {PATH: process.env.PATH, HOME: join(root, 'home'), RICK_HOME: join(root, 'data'), SUDO_USER: 'alice', RICK_CACHE_DIR: 'off'},
      node: process.execPath,
      rick: RICK_BIN,
      uid: 1000,
    }
  })
  afterEach(() => rmSync(root, {recursive: true, force: true}))

  it('every enabled sector by default, with this machine’s paths, the env file of each, the next commands', () => {
    const plan = planSystemd({scope: 'system'}, ctx)
    expect(plan.sectors).toEqual(['fx', 'crypto'])
    expect(plan.instances).toEqual(['rick@fx', 'rick@crypto'])
    expect(plan.paths).toMatchObject({node: process.execPath, rick: RICK_BIN, project, data: join(root, 'data'), gitDir: null})
    expect(plan.user).toBe('alice')
    expect(plan.readWritePaths).toEqual([join(root, 'data')])
    expect(plan.envFiles).toEqual([
      {sector: 'fx', path: join(project, '.env.fx'), exists: false},
      {sector: 'crypto', path: join(project, '.env.crypto'), exists: false},
    ])
    expect(plan.target).toBe('/etc/systemd/system/rick@.service')
    expect(plan.next).toEqual(['sudo systemctl daemon-reload', 'sudo systemctl enable --now rick@fx rick@crypto', 'systemctl status rick@fx', 'journalctl -u rick@fx -f'])
    expect(valueOf(plan.unit, 'ExecStart')).toEqual([`${process.execPath} ${RICK_BIN} run %i`])
    expect(valueOf(plan.unit, 'User')).toEqual(['alice'])
    expect(plan.notes).toEqual([])
    expect(plan.dataExists).toBe(false)
    expect(plan.sudo).toBe(true)
    expect(plan.installCommand).toBe(`sudo RICK_HOME=${join(root, 'data')} ${process.execPath} ${RICK_BIN} ops systemd --install`)
  })

  it('--sector picks sectors; unknown or disabled ones are usage errors (exit 2) that say what exists', () => {
    expect(planSystemd({scope: 'system', sectors: ['crypto']}, ctx).instances).toEqual(['rick@crypto'])
    const failure = (sectors: string[]) => {
      try {
        planSystemd({scope: 'system', sectors}, ctx)
      } catch (error) {
        return error as RickError
      }
      throw new Error('expected an error')
    }
    const unknown = failure(['nope'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.code).toBe('UNKNOWN_SECTOR')
    expect(unknown.message).toBe("unknown sector 'nope': expected one of fx, crypto, spare (from config/trading_sectors.yaml)")
    const disabled = failure(['spare'])
    expect(disabled.exitCode).toBe(2)
    expect(disabled.code).toBe('SECTOR_DISABLED')
    expect(disabled.message).toMatch(/^sector 'spare' is disabled in config\/trading_sectors.yaml \(enabled: false\)/)
  })

  it('a git project: its git folder is writable too (the charter snapshots a dirty tree there)', () => {
    execFileSync('git', ['init', '-q'], {cwd: project})
    const plan = planSystemd({scope: 'system'}, ctx)
    expect(plan.paths.gitDir).toBe(join(project, '.git'))
    expect(plan.readWritePaths).toEqual([join(root, 'data'), join(project, '.git')])
  })

  it('RICK_JOURNAL and RICK_CONFIG given while rendering go into the unit, the journal’s folder writable', () => {
    const journalDir = join(root, 'journals')
    const plan = planSystemd({scope: 'system'}, {...ctx, env: {...ctx.env, RICK_JOURNAL: join(journalDir, 'j.db'), RICK_CONFIG: join(project, 'config', 'trading_sectors.yaml')}})
    expect(valueOf(plan.unit, 'Environment')).toContain(`RICK_JOURNAL=${join(journalDir, 'j.db')}`)
    expect(valueOf(plan.unit, 'Environment').some((e) => e.startsWith('RICK_CONFIG='))).toBe(false)
    expect(plan.readWritePaths).toEqual([join(root, 'data'), journalDir])
    const other = join(root, 'other.yaml')
    writeFileSync(other, CONFIG)
    const withFile = planSystemd({scope: 'system'}, {...ctx, file: other})
    expect(valueOf(withFile.unit, 'Environment')).toContain(`RICK_CONFIG=${other}`)
  })

  it('--user: the user manager’s folder, no User=, lingering in the next commands', () => {
    const plan = planSystemd({scope: 'user', sectors: ['fx']}, {...ctx, env: {...ctx.env, XDG_CONFIG_HOME: join(root, 'xdg')}})
    expect(plan.user).toBeNull()
    expect(plan.target).toBe(join(root, 'xdg', 'systemd', 'user', 'rick@.service'))
    expect(valueOf(plan.unit, 'User')).toEqual([])
    expect(plan.next.slice(0, 4)).toEqual(['systemctl --user daemon-reload', 'systemctl --user enable --now rick@fx', 'systemctl --user status rick@fx', 'journalctl --user -u rick@fx -f'])
    expect(plan.next[4]).toMatch(/^loginctl enable-linger \S+$/)
  })

  it('root without sudo: no sudo in the next commands, and a note that the engines would run as root', () => {
    const plan = planSystemd({scope: 'system'}, {...ctx, uid: 0, env: {...ctx.env, SUDO_USER: 'root'}})
    expect(plan.next[0]).toBe('sudo systemctl daemon-reload')
    const asRoot = planSystemd({scope: 'system'}, {...ctx, uid: 0, env: {...ctx.env, SUDO_USER: undefined, USER: 'root', LOGNAME: 'root'}})
    expect(asRoot.next[0]).toBe('systemctl daemon-reload')
    if (asRoot.user === 'root') expect(asRoot.notes[0]).toMatch(/^the engines would run as root/)
  })

  it('install writes the unit (0644) and the data folder (0700); again: unchanged; a new template: updated', () => {
    const dir = join(root, 'units')
    const plan = planSystemd({scope: 'system', dir}, ctx)
    const first = installSystemd(plan, {env: ctx.env, uid: 1000})
    expect(first).toEqual({path: join(dir, 'rick@.service'), status: 'created', createdData: join(root, 'data')})
    expect(readFileSync(first.path, 'utf8')).toBe(plan.unit)
    expect(statSync(first.path).mode & 0o777).toBe(0o644)
    expect(statSync(join(root, 'data')).mode & 0o777).toBe(0o700)
    const again = installSystemd(planSystemd({scope: 'system', dir}, ctx), {env: ctx.env, uid: 1000})
    expect(again).toEqual({path: first.path, status: 'unchanged', createdData: null})
    mkdirSync(join(project, 'ops'))
    writeFileSync(join(project, 'ops', 'rick@.service'), TEMPLATE.replace('RestartSec=20', 'RestartSec=45'))
    const custom = planSystemd({scope: 'system', dir}, ctx)
    expect(valueOf(custom.unit, 'RestartSec')).toEqual(['45'])
    expect(installSystemd(custom, {env: ctx.env, uid: 1000}).status).toBe('updated')
  })

  it('a folder it cannot write: an error naming the file and why (exit 1)', () => {
    writeFileSync(join(root, 'a-file'), '')
    const plan = planSystemd({scope: 'system', dir: join(root, 'a-file', 'units')}, ctx)
    expect(() => installSystemd(plan, {env: ctx.env, uid: 1000})).toThrow(`cannot write ${join(root, 'a-file', 'units', 'rick@.service')} (ENOTDIR): ENOTDIR: not a directory`)
  })

  it.skipIf(process.getuid?.() === 0)('without permission: how to do it instead (sudo for a system unit)', () => {
    const locked = join(root, 'locked')
    mkdirSync(locked, {mode: 0o500})
    const plan = planSystemd({scope: 'system', dir: locked}, ctx)
    expect(() => installSystemd(plan, {env: ctx.env})).toThrow(/^cannot write \S+ \(EACCES\): system units need root: sudo \S+ \S+ ops systemd --install --sector fx --sector crypto/)
  })
})

describeWithSystemdAnalyze('systemd-analyze verify', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rick-systemd-verify-'))
    mkdirSync(join(root, 'project', 'config'), {recursive: true})
    writeFileSync(join(root, 'project', 'config', 'trading_sectors.yaml'), CONFIG)
  })
  afterEach(() => rmSync(root, {recursive: true, force: true}))

  const plan = (scope: 'system' | 'user') =>
    planSystemd(
      {scope},
      {registry: fakeRegistry(), cwd: join(root, 'project'), env: {PATH: process.env.PATH, RICK_HOME: join(root, 'data'), SUDO_USER: 'root'}, node: process.execPath, rick: RICK_BIN},
    )

  it('the committed template, rendered as a system unit, verifies (instance rick@fx)', () => {
    const result = verifyUnit(plan('system').unit, {scope: 'system', instance: 'fx'})
    expect(result.output).toBe('')
    expect(result.ok).toBe(true)
  })

  it('rendered as a --user unit, it verifies under a user manager', () => {
    const result = verifyUnit(plan('user').unit, {scope: 'user', instance: 'fx'})
    expect(result.output).toBe('')
    expect(result.ok).toBe(true)
  })

  it('a unit that does not verify is caught: a missing node binary, an unknown key, a bad value', () => {
    const unit = plan('system').unit
    const missingNode = verifyUnit(unit.replace(`ExecStart=${process.execPath}`, 'ExecStart=/nonexistent/node'))
    expect(missingNode.ok).toBe(false)
    expect(missingNode.output).toMatch(/\/nonexistent\/node is not executable/)
    const unknownKey = verifyUnit(unit.replace('[Service]', '[Service]\nRestartWhenever=yes'))
    expect(unknownKey.ok).toBe(false)
    expect(unknownKey.output).toMatch(/Unknown key 'RestartWhenever'/)
    const badValue = verifyUnit(unit.replace('ProtectSystem=strict', 'ProtectSystem=stricter'))
    expect(badValue.ok).toBe(false)
    expect(badValue.output).toMatch(/protect system value/i)
  })
})
