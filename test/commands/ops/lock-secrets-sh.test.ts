// ops/lock-secrets.sh, run with sh (dash here) in a throw-away project: the same rules and the same
// report as `rick ops lock-secrets`, for machines without node.
import {chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {execa} from 'execa'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {REPO_ROOT, rick} from '../../helpers/cli.js'
import {OPS_CONFIG, opsProject, type OpsProject} from './secrets-fixture.js'

const SCRIPT = join(REPO_ROOT, 'ops', 'lock-secrets.sh')
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

let p: OpsProject

function write(rel: string, mode: number, text = 'X=1\n'): string {
  const file = join(p.root, ...rel.split('/'))
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  chmodSync(file, mode)
  return file
}

const modeOf = (rel: string) => statSync(join(p.root, ...rel.split('/'))).mode & 0o777

async function sh(args: string[], options: {cwd?: string; env?: Record<string, string>} = {}) {
  const r = await execa('sh', [SCRIPT, ...args], {cwd: options.cwd ?? p.root, env: {...p.env, ...options.env}, extendEnv: false, reject: false})
  return {exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr)}
}

beforeEach(() => {
  p = opsProject('rick-ops-lock-sh-')
  write('.env', 0o644)
  write('.env.coinbase', 0o640)
  write('.env.example', 0o644)
  write('secrets/ibkr.env', 0o600)
})
afterEach(() => p.cleanup())

describe('ops/lock-secrets.sh', () => {
  it('locks .env* and secretsFiles (flow and block lists), reports old -> new modes', async () => {
    const r = await sh([])
    expect(r.stderr).toBe('')
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe(`Project: ${p.root}`)
    expect(lines[1]).toMatch(/^Secrets files: mode 0600, owner \S+$/)
    expect(lines.slice(2)).toEqual([
      '',
      'changed  .env.coinbase     0640 -> 0600',
      'ok       secrets/ibkr.env  0600',
      'changed  .env              0644 -> 0600',
      '',
      '2 changed, 1 already private.',
    ])
    expect(r.exitCode).toBe(0)
    expect([modeOf('.env'), modeOf('.env.coinbase'), modeOf('secrets/ibkr.env'), modeOf('.env.example')]).toEqual([0o600, 0o600, 0o600, 0o644])
    expect((await sh([])).stdout.split('\n').slice(-1)).toEqual(['0 changed, 3 already private.'])
  })

  it('prints the same report as `rick ops lock-secrets` (dry run, with every kind of outcome)', async () => {
    mkdirSync(join(p.root, '.env.d'))
    const target = write('elsewhere/real.env', 0o644)
    symlinkSync(target, join(p.root, '.env.link'))
    symlinkSync(join(p.root, 'nowhere'), join(p.root, '.env.dangling'))
    writeFileSync(join(p.root, 'config', 'trading_sectors.yaml'), OPS_CONFIG.replace('secretsFiles: [.env.coinbase]', 'secretsFiles: [.env.coinbase, "./secrets/none.env"]'))
    const script = await sh(['--dry-run'])
    const node = await rick(['ops', 'lock-secrets', '--dry-run'], {cwd: p.root, env: p.env, extendEnv: false})
    expect(script.stdout).toBe(node.stdout.replace(/listed in the secretsFiles of \w+ but/g, 'listed in secretsFiles but'))
    const line = (path: string) => script.stdout.split('\n').find((l) => l.split(/ {2,}/)[1] === path)?.split(/ {2,}/)
    expect(line('.env.link')).toEqual(['FAILED', '.env.link', `cannot lock it: a symbolic link to ${target}: rick does not follow symlinks for secrets files and reads nothing through one; put the secrets in a regular file at .env.link instead`])
    expect(line('.env.dangling')).toEqual(['missing', '.env.dangling', 'a symlink to a missing file'])
    expect(line('secrets/none.env')).toEqual(['missing', 'secrets/none.env', 'listed in secretsFiles but does not exist'])
    expect(script.stdout.split('\n').slice(-1)).toEqual(['2 would change, 1 already private, 2 missing, 2 FAILED.'])
    expect([script.exitCode, node.exitCode]).toEqual([1, 1])
    expect(modeOf('.env')).toBe(0o644)
  })

  it('a file it cannot lock: exit 1 with the reason, the others are still locked', async () => {
    mkdirSync(join(p.root, '.env.d'))
    const r = await sh([])
    expect(r.stdout).toContain('FAILED   .env.d            cannot lock it: not a regular file')
    expect(r.exitCode).toBe(1)
    expect(modeOf('.env')).toBe(0o600)
  })

  it('finds the project from a subfolder, or takes --project / --config; secretsFiles resolve beside a config outside config/', async () => {
    mkdirSync(join(p.root, 'strategies'))
    const fromSub = await sh(['--dry-run'], {cwd: join(p.root, 'strategies')})
    expect(fromSub.stdout.split('\n')[0]).toBe(`Project: ${p.root}`)
    expect(fromSub.stdout).toContain('would change  .env')

    mkdirSync(join(p.root, 'prod'))
    writeFileSync(
      join(p.root, 'prod', 'sectors.yaml'),
      ['version: 1', 'sectors:', '  x:', '    # secretsFiles: [commented.env]', "    secretsFiles: ['prod.env', /abs/none.env]  # the server's", ''].join('\n'),
    )
    write('prod/prod.env', 0o660)
    const other = await sh(['--project', p.root, '--config', 'prod/sectors.yaml'], {cwd: p.root})
    expect(other.stdout).toContain('changed  prod/prod.env  0660 -> 0600')
    expect(other.stdout).toContain('missing  /abs/none.env  listed in secretsFiles but does not exist')
    expect(other.stdout).not.toContain('commented.env')
    expect(modeOf('prod/prod.env')).toBe(0o600)
  })

  it('bad usage exits 2', async () => {
    const r = await sh(['--nonsense'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toBe('lock-secrets.sh: unknown argument: --nonsense\nUsage: sh ops/lock-secrets.sh [--dry-run] [--project DIR] [--config FILE]\n'.trimEnd())
  })

  it.runIf(isRoot)('as root through sudo, gives the files to SUDO_UID:SUDO_GID; as plain root, leaves owners alone', async () => {
    const r = await sh([], {env: {SUDO_USER: 'nobody', SUDO_UID: '65534', SUDO_GID: '65534'}})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('changed  secrets/ibkr.env  0600; owner root -> nobody')
    for (const rel of ['.env', '.env.coinbase', 'secrets/ibkr.env']) {
      const st = statSync(join(p.root, ...rel.split('/')))
      expect([rel, st.uid, st.gid, st.mode & 0o777]).toEqual([rel, 65534, 65534, 0o600])
    }
    chmodSync(join(p.root, '.env'), 0o644)
    const plain = await sh([])
    expect(plain.stdout).toContain(
      'changed  .env              0644 -> 0600; owned by nobody, not by root: left as it is (as root, owners are changed only when run through sudo, giving the files to SUDO_USER)',
    )
    expect(statSync(join(p.root, '.env')).uid).toBe(65534)
  })
})
