// `rick ops check-env` through the built binary: masked values only, where each variable is set,
// the charter's verdict on the files, and the exit code.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick} from '../../helpers/cli.js'
import {opsProject, type OpsProject} from './secrets-fixture.js'

const TOKEN = '0123456789abcdef0123456789abcdef-fedcba9876543210fedcba9876543210'
const KEY = 'organizations/5e1c0d2a/apiKeys/77aa31f0-key'
const PEM_BODY = 'MHcCAQEEIBv4FAKEFAKEFAKEoAoGCCqGSM49AwEHoUQDQgAE'
const SECRET = `-----BEGIN EC PRIVATE KEY-----\n${PEM_BODY}\n-----END EC PRIVATE KEY-----\n`
const ACCOUNT = 'DU7654321'

let p: OpsProject

beforeAll(() => {
  p = opsProject('rick-ops-check-env-')
  writeFileSync(join(p.root, '.env.coinbase'), `COINBASE_API_KEY="${KEY}"\nCOINBASE_API_SECRET="${SECRET.replace(/\n/g, '\\n')}"\n`)
  chmodSync(join(p.root, '.env.coinbase'), 0o600)
  mkdirSync(join(p.root, 'secrets'))
  writeFileSync(join(p.root, 'secrets', 'ibkr.env'), `IBKR_ACCOUNT=${ACCOUNT}\n`)
  chmodSync(join(p.root, 'secrets', 'ibkr.env'), 0o600)
})
afterAll(() => p.cleanup())

const run = (args: string[], env: Record<string, string> = {}) => rick(['ops', 'check-env', ...args], {cwd: p.root, env: {...p.env, ...env}, extendEnv: false})

function expectNoSecret(text: string): void {
  for (const s of [TOKEN, KEY, SECRET, PEM_BODY, ACCOUNT, JSON.stringify(SECRET).slice(1, -1)]) expect(text).not.toContain(s)
}

describe('rick ops check-env', () => {
  it('all set and private: masked values, where they come from, exit 0', async () => {
    const r = await run([], {OANDA_API_TOKEN: TOKEN})
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(
      [
        'Config: config/trading_sectors.yaml',
        '',
        'oanda (venue oanda, mode practice): ok',
        '  ✓ OANDA_API_TOKEN  environment  0123…3210',
        '  ✓ .env.coinbase    0600         private',
        '',
        'coinbase (venue coinbase, mode canary): ok',
        '  ✓ COINBASE_API_KEY     file .env.coinbase  orga…-key',
        '  ✓ COINBASE_API_SECRET  file .env.coinbase  ----…---\\n',
        '  ✓ .env.coinbase        0600                private; sets COINBASE_API_KEY, COINBASE_API_SECRET',
        '',
        'ibkr (venue ibkr, mode paper): ok',
        '  no credential variables needed in paper',
        '  ✓ secrets/ibkr.env  0600  private',
        '  ✓ .env.coinbase     0600  private',
        '',
        'Ready: every credential variable is set and every secrets file is private.',
      ].join('\n'),
    )
    expect(r.exitCode).toBe(0)
    expectNoSecret(r.stdout + r.stderr)
  })

  it('a missing variable and a readable file: each problem listed, exit 1', async () => {
    chmodSync(join(p.root, '.env.coinbase'), 0o644)
    try {
      const r = await run(['--sector', 'oanda', '--mode', 'live'])
      expect(r.stdout).toBe(
        [
          'Config: config/trading_sectors.yaml',
          '',
          'oanda (venue oanda, mode live from --mode): NOT READY',
          '  ✗ OANDA_API_TOKEN  NOT SET',
          '  ✗ .env.coinbase    0644     .env.coinbase is 0644: group and others can access it (run: chmod 600 .env.coinbase)',
          "  -> OANDA_API_TOKEN is not set (export it, or put it in a file listed in the sector's secretsFiles)",
          '',
          "Not ready: oanda. Set the variables marked NOT SET (export them, or put them in a file listed in the sector's secretsFiles). Make the files private with `rick ops lock-secrets`.",
        ].join('\n'),
      )
      expect(r.exitCode).toBe(1)
    } finally {
      chmodSync(join(p.root, '.env.coinbase'), 0o600)
    }
  })

  it('--json: the same facts as data, masked values only', async () => {
    const r = await run(['--json', '--mode', 'live'], {OANDA_API_TOKEN: TOKEN, COINBASE_API_KEY: 'organizations/env-wins/apiKeys/zz99'})
    expect(r.exitCode).toBe(0)
    const data = JSON.parse(r.stdout)
    expect(data.ok).toBe(true)
    expect(data.file).toBe(join(p.root, 'config', 'trading_sectors.yaml'))
    const bySector = Object.fromEntries(data.sectors.map((s: {sector: string}) => [s.sector, s]))
    expect(bySector.coinbase.variables).toEqual([
      {name: 'COINBASE_API_KEY', set: true, source: 'env', masked: 'orga…zz99', overrides: ['.env.coinbase']},
      {name: 'COINBASE_API_SECRET', set: true, source: '.env.coinbase', masked: '----…---\\n'},
    ])
    expect(bySector.ibkr).toMatchObject({mode: 'live', modeFrom: 'flag', ok: true, variables: [{name: 'IBKR_ACCOUNT', set: true, source: 'secrets/ibkr.env', masked: '••••'}]})
    expect(bySector.ibkr.files[0]).toEqual({path: 'secrets/ibkr.env', source: 'configured', exists: true, mode: '0600', status: 'pass', detail: 'secrets/ibkr.env: private', holds: ['IBKR_ACCOUNT']})
    expectNoSecret(r.stdout + r.stderr)
  })

  it('an unknown sector is a usage error, exit 2', async () => {
    const r = await run(['--sector', 'nosuch', '--json'])
    expect(r.exitCode).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({error: {code: 'UNKNOWN_SECTOR', message: "unknown sector '<--sector value>': expected one of oanda, coinbase, ibkr"}})
  })

  it('--help documents the exit codes', async () => {
    const r = await run(['--help'])
    expect(r.exitCode).toBe(0)
    const text = r.stdout.replace(/\s+/g, ' ')
    expect(text).toContain('Exit codes: 0 every counted sector has all its credential variables set and private secrets files, 1 something is missing or not private')
    expect(r.stdout).toContain('--mode=<option>')
  })
})
