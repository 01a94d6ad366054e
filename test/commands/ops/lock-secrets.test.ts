// `rick ops lock-secrets` through the built binary, on real files in a throw-away project.
import {chmodSync, mkdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {rick} from '../../helpers/cli.js'
import {opsProject, type OpsProject} from './secrets-fixture.js'

let p: OpsProject

function write(rel: string, mode: number, text = 'X=1\n'): void {
  const file = join(p.root, ...rel.split('/'))
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  chmodSync(file, mode)
}

const modeOf = (rel: string) => statSync(join(p.root, ...rel.split('/'))).mode & 0o777
const run = (args: string[], env: Record<string, string> = {}) => rick(['ops', 'lock-secrets', ...args], {cwd: p.root, env: {...p.env, ...env}, extendEnv: false})
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const me = () => (typeof process.getuid === 'function' ? process.getuid() : -1)

beforeEach(() => {
  p = opsProject('rick-ops-lock-')
  write('.env', 0o644)
  write('.env.coinbase', 0o640)
  write('.env.example', 0o644)
  write('secrets/ibkr.env', 0o600)
})
afterEach(() => p.cleanup())

describe('rick ops lock-secrets', () => {
  it('locks .env* and secretsFiles, reports old -> new modes, then finds nothing to do', async () => {
    const r = await run([])
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

    const again = await run([])
    expect(again.stdout.split('\n').slice(-1)).toEqual(['0 changed, 3 already private.'])
  })

  it('--dry-run changes nothing', async () => {
    const r = await run(['--dry-run'])
    expect(r.stdout).toContain('Secrets files: mode 0600, owner ')
    expect(r.stdout).toContain(' (dry run, nothing is changed)')
    expect(r.stdout).toContain('would change  .env.coinbase     0640 -> 0600')
    expect(r.stdout.split('\n').slice(-1)).toEqual(['2 would change, 1 already private.'])
    expect(r.exitCode).toBe(0)
    expect(modeOf('.env')).toBe(0o644)
  })

  it('--json: one entry per file, missing configured files included', async () => {
    rmSync(join(p.root, 'secrets'), {recursive: true})
    const r = await run(['--json'])
    expect(r.exitCode).toBe(0)
    const data = JSON.parse(r.stdout)
    expect(data).toMatchObject({root: p.root, dryRun: false, changed: 2, failed: 0, warnings: [], owner: {uid: me(), viaSudo: false}})
    expect(data.files).toEqual([
      expect.objectContaining({path: '.env.coinbase', source: 'configured', sectors: ['coinbase'], status: 'changed', modeBefore: '0640', modeAfter: '0600'}),
      {path: 'secrets/ibkr.env', source: 'configured', sectors: ['ibkr'], status: 'missing', note: 'listed in the secretsFiles of ibkr but does not exist'},
      expect.objectContaining({path: '.env', source: 'root', sectors: [], status: 'changed', modeBefore: '0644', modeAfter: '0600'}),
    ])
  })

  it('a file it cannot lock: exit 1 with the reason, the others are still locked', async () => {
    mkdirSync(join(p.root, '.env.d'))
    const r = await run([])
    expect(r.stdout).toContain('FAILED   .env.d            cannot lock it: not a regular file')
    expect(r.stdout.split('\n').slice(-1)).toEqual(['2 changed, 1 already private, 1 FAILED.'])
    expect(r.exitCode).toBe(1)
    expect(modeOf('.env')).toBe(0o600)
  })

  it.runIf(isRoot)('as root through sudo, gives the files to SUDO_UID:SUDO_GID', async () => {
    const r = await run(['--json'], {SUDO_USER: 'nobody', SUDO_UID: '65534', SUDO_GID: '65534'})
    expect(r.exitCode).toBe(0)
    const data = JSON.parse(r.stdout)
    expect(data.owner).toMatchObject({uid: 65534, viaSudo: true})
    for (const rel of ['.env', '.env.coinbase', 'secrets/ibkr.env']) {
      const st = statSync(join(p.root, ...rel.split('/')))
      expect([rel, st.uid, st.gid, st.mode & 0o777]).toEqual([rel, 65534, 65534, 0o600])
    }
    expect(statSync(join(p.root, '.env.example')).uid).toBe(0)
    expect(data.files.find((f: {path: string}) => f.path === 'secrets/ibkr.env')).toMatchObject({status: 'changed', modeBefore: '0600', ownerBefore: {uid: 0}, ownerAfter: {uid: 65534}})
  })

  it('--help documents the exit codes', async () => {
    const r = await run(['--help'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('Exit codes: 0 every existing secrets file is private now (or would be, with --dry-run), 1 a file could not be changed (the reason is printed), 2 bad flags.')
  })
})
