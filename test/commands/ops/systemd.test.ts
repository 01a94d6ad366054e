// `rick ops systemd` through the built binary: in a throw-away project, and in this checkout with
// the committed ops/rick@.service, whose rendered units must pass `systemd-analyze verify`.
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {isAbsolute, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT, RICK_BIN, rick} from '../../helpers/cli.js'
import {fixtureProject, FIXTURE_CONFIG, type Fixture} from '../../integration/engine-fixture.js'
import {describeWithSystemdAnalyze, verifyUnit} from '../../sectors/ops/systemd-analyze.js'

const CONFIG = `${FIXTURE_CONFIG}  spare:
    venue: oanda
    enabled: false
    mode: paper
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
`

const line = (unit: string, key: string): string[] => unit.split('\n').filter((l) => l.startsWith(`${key}=`))

let f: Fixture
let env: NodeJS.ProcessEnv
beforeAll(() => {
  f = fixtureProject(CONFIG)
  env = {...f.env, XDG_CONFIG_HOME: join(f.root, 'xdg'), SUDO_USER: 'alice'}
})
afterAll(() => f.cleanup())

describe('rick ops systemd', () => {
  it('prints the unit with this machine’s paths; the install command on stderr', async () => {
    const r = await rick(['ops', 'systemd', '--sector', 'fx'], {cwd: f.root, env})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^# rick@\.service: rendered by `rick ops systemd` from /)
    const [exec] = line(r.stdout, 'ExecStart')
    const node = /^ExecStart=(\S+) (\S+) run %i$/.exec(exec ?? '')
    expect(node?.[2]).toBe(RICK_BIN)
    expect(isAbsolute(node![1]!) && existsSync(node![1]!)).toBe(true)
    expect(line(r.stdout, 'WorkingDirectory')).toEqual([`WorkingDirectory=${f.root}`])
    expect(line(r.stdout, 'Environment')).toContain(`Environment=RICK_HOME=${f.home}`)
    expect(line(r.stdout, 'EnvironmentFile')).toEqual([`EnvironmentFile=-${f.root}/.env.%i`])
    expect(line(r.stdout, 'ReadWritePaths')).toEqual([`ReadWritePaths=${f.home}`])
    expect(line(r.stdout, 'User')).toEqual(['User=alice'])
    expect(r.stderr).toContain(`Note: the data folder ${f.home} does not exist yet: --install creates it`)
    expect(r.stderr).toMatch(new RegExp(`# to install: sudo RICK_PROJECT=${f.root} RICK_HOME=${f.home} \\S+ ${RICK_BIN} ops systemd --install --sector fx$`, 'm'))
  })

  it('--json: the plan, with every enabled sector by default and nothing installed', async () => {
    const r = await rick(['ops', 'systemd', '--json'], {cwd: f.root, env})
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({scope: 'system', unitName: 'rick@.service', sectors: ['fx', 'coinbase'], instances: ['rick@fx', 'rick@coinbase'], user: 'alice', target: '/etc/systemd/system/rick@.service', installed: null})
    expect(out.next).toEqual(['sudo systemctl daemon-reload', 'sudo systemctl enable --now rick@fx rick@coinbase', 'systemctl status rick@fx', 'journalctl -u rick@fx -f'])
    expect(out.unit).toContain('ExecStart=')
  })

  it('an unknown or disabled sector: exit 2, saying which exist', async () => {
    const unknown = await rick(['ops', 'systemd', '--sector', 'nope'], {cwd: f.root, env})
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stdout).toBe('')
    expect(unknown.stderr).toBe("Error: unknown sector '<--sector value>': expected one of fx, coinbase, spare (from config/trading_sectors.yaml)")
    const disabled = await rick(['ops', 'systemd', '--sector', 'spare', '--json'], {cwd: f.root, env})
    expect(disabled.exitCode).toBe(2)
    expect(JSON.parse(disabled.stdout).error).toMatchObject({code: 'SECTOR_DISABLED'})
  })

  it('a data folder a unit cannot name (a space): exit 2', async () => {
    const r = await rick(['ops', 'systemd'], {cwd: f.root, env: {...env, RICK_HOME: join(f.root, 'my data')}})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/^Error: the data folder ".*\/my data" contains a space/)
  })

  it('--install --user: writes the unit where the user manager looks, creates the data folder, says what to type', async () => {
    const r = await rick(['ops', 'systemd', '--user', '--install', '--sector', 'fx'], {cwd: f.root, env})
    expect(r.exitCode).toBe(0)
    const path = join(f.root, 'xdg', 'systemd', 'user', 'rick@.service')
    expect(r.stdout.split('\n')).toEqual([
      `wrote ${path}`,
      `created ${f.home} (mode 0700)`,
      `secrets of fx: ${f.root}/.env.fx (not there: the sector starts without it)`,
      '',
      'Next:',
      '  systemctl --user daemon-reload',
      '  systemctl --user enable --now rick@fx',
      '  systemctl --user status rick@fx',
      '  journalctl --user -u rick@fx -f',
      expect.stringMatching(/^ {2}loginctl enable-linger \S+$/),
    ])
    expect(statSync(f.home).mode & 0o777).toBe(0o700)
    const printed = await rick(['ops', 'systemd', '--user', '--sector', 'fx'], {cwd: f.root, env})
    expect(readFileSync(path, 'utf8')).toBe(printed.stdout + '\n')
    expect(line(printed.stdout, 'User')).toEqual([])
    const again = await rick(['ops', 'systemd', '--user', '--install', '--sector', 'fx', '--print'], {cwd: f.root, env})
    expect(again.stdout).toContain(`\nunchanged ${path}\n`)
    expect(again.stdout.startsWith('# rick@.service: rendered')).toBe(true)
  })

  it('--install --dir: a system unit run by the invoking user (SUDO_USER), next commands with sudo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rick-units-'))
    try {
      const r = await rick(['ops', 'systemd', '--install', '--dir', dir, '--sector', 'coinbase', '--sector', 'fx', '--json'], {cwd: f.root, env})
      expect(r.exitCode).toBe(0)
      const out = JSON.parse(r.stdout)
      expect(out.installed).toMatchObject({path: join(dir, 'rick@.service')})
      expect(out.next.slice(0, 2)).toEqual(['sudo systemctl daemon-reload', 'sudo systemctl enable --now rick@coinbase rick@fx'])
      const unit = readFileSync(join(dir, 'rick@.service'), 'utf8')
      expect(unit).toBe(out.unit)
      expect(line(unit, 'User')).toEqual(['User=alice'])
      expect(statSync(join(dir, 'rick@.service')).mode & 0o777).toBe(0o644)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describeWithSystemdAnalyze('the committed ops/rick@.service, rendered by rick ops systemd, verifies', () => {
  let home: string
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'rick-verify-home-'))
  })
  afterAll(() => rmSync(home, {recursive: true, force: true}))

  for (const scope of ['system', 'user'] as const) {
    it(`as a ${scope} unit, instance rick@oanda`, async () => {
      const r = await rick(['ops', 'systemd', '--sector', 'oanda', ...(scope === 'user' ? ['--user'] : [])], {cwd: REPO_ROOT, env: {RICK_HOME: home, RICK_CACHE_DIR: 'off', SUDO_USER: 'root'}})
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toMatch(/^ProtectSystem=strict$/m)
      expect(r.stdout).toMatch(new RegExp(`^ReadWritePaths=${home}( |$)`, 'm'))
      const result = verifyUnit(r.stdout, {scope, instance: 'oanda'})
      expect(result.output).toBe('')
      expect(result.ok).toBe(true)
    })
  }
})
