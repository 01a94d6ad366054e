// checkEnv in a throw-away project: where each credential comes from, masked values only, and the
// charter's verdict on the secrets files.
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {RickError} from '../../../src/foundation/errors.js'
import {checkEnv, type CheckEnvOptions, type SectorEnvCheck} from '../../../src/sectors/ops/check-env.js'
import {fakeRegistry} from '../../helpers/fake-venues.js'

const TOKEN_ENV = 'f3a9c1d2e4b5a6978877665544332211-0a1b2c3d4e5f60718293a4b5c6d7e8f9'
const TOKEN_FILE = 'aaaa1111bbbb2222cccc3333dddd4444-9999888877776666555544443333zzzz'
const CB_KEY_A = 'organizations/0b7c1e2f-1111/apiKeys/4d5e6f70-aaaa-first'
const CB_KEY_B = 'organizations/0b7c1e2f-2222/apiKeys/4d5e6f70-bbbb-second'
const CB_SECRET = '-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIFAKEFAKEFAKE\\n-----END EC PRIVATE KEY-----\\n'
const ACCOUNT = 'DU1234567'

const CONFIG = `version: 1
sectors:
  oanda:
    venue: oanda
    mode: practice
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
    secretsFiles: [.env.oanda]
  coinbase:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: sma-crossover}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
    secretsFiles: [secrets/first.env, secrets/second.env]
  ibkr:
    venue: ibkr
    enabled: false
    mode: paper
    instruments:
      - {symbol: SPY, secType: STK, exchange: SMART, currency: USD}
    strategy: {name: sma-crossover}
    connection: {host: 127.0.0.1, port: 7497, clientId: 17, accountEnv: IBKR_ACCOUNT}
`

let project: string

function write(rel: string, text: string, mode = 0o600): void {
  const file = join(project, ...rel.split('/'))
  mkdirSync(join(file, '..'), {recursive: true})
  writeFileSync(file, text)
  chmodSync(file, mode)
}

function check(extra: Partial<CheckEnvOptions> = {}, env: Record<string, string> = {}) {
  return checkEnv({registry: fakeRegistry(), cwd: project, env: {RICK_PROJECT: project, RICK_CACHE_DIR: 'off', ...env}, platform: 'linux', ...extra}).report
}

const sector = (sectors: SectorEnvCheck[], name: string) => sectors.find((s) => s.sector === name)!

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'rick-check-env-'))
  write('config/trading_sectors.yaml', CONFIG, 0o644)
})
afterEach(() => rmSync(project, {recursive: true, force: true}))

describe('checkEnv', () => {
  it('says where each variable is set, masks values, and passes when all is set and private', () => {
    write('.env.oanda', `OANDA_API_TOKEN=${TOKEN_FILE}\n`)
    write('secrets/first.env', `COINBASE_API_KEY="${CB_KEY_A}"\nCOINBASE_API_SECRET="${CB_SECRET}"\n`)
    write('secrets/second.env', `export COINBASE_API_KEY='${CB_KEY_B}'\n`)
    const report = check({}, {OANDA_API_TOKEN: TOKEN_ENV})

    const oanda = sector(report.sectors, 'oanda')
    expect(oanda).toMatchObject({venue: 'oanda', mode: 'practice', modeFrom: 'config', enabled: true, counted: true, ok: true, problems: []})
    expect(oanda.variables).toEqual([{name: 'OANDA_API_TOKEN', set: true, source: 'env', masked: 'f3a9…e8f9', overrides: ['.env.oanda']}])
    expect(oanda.files).toEqual([{path: '.env.oanda', source: 'configured', exists: true, mode: '0600', status: 'pass', detail: '.env.oanda: private', holds: ['OANDA_API_TOKEN']}])
    expect(oanda.secretsPrivate).toEqual({status: 'pass', detail: '.env.oanda: private'})

    const coinbase = sector(report.sectors, 'coinbase')
    expect(coinbase.ok).toBe(true)
    expect(coinbase.variables).toEqual([
      // The later file wins, as when the engine reads them.
      {name: 'COINBASE_API_KEY', set: true, source: 'secrets/second.env', masked: 'orga…cond', overrides: ['secrets/first.env']},
      {name: 'COINBASE_API_SECRET', set: true, source: 'secrets/first.env', masked: '----…---\\n'},
    ])
    expect(coinbase.files.map((f) => [f.path, f.holds])).toEqual([
      ['secrets/first.env', ['COINBASE_API_KEY', 'COINBASE_API_SECRET']],
      ['secrets/second.env', ['COINBASE_API_KEY']],
      // Every root .env* file is checked for every sector, as the charter does.
      ['.env.oanda', []],
    ])

    expect(sector(report.sectors, 'ibkr')).toMatchObject({enabled: false, counted: false, ok: true, variables: []})
    expect(report.ok).toBe(true)

    const text = JSON.stringify(report)
    for (const secret of [TOKEN_ENV, TOKEN_FILE, CB_KEY_A, CB_KEY_B, CB_SECRET.replace(/\\n/g, '\n'), 'MHcCAQEEIFAKEFAKEFAKE']) expect(text).not.toContain(JSON.stringify(secret).slice(1, -1))
  })

  it('a listed secrets file that does not exist is shown but optional: the variable from the environment makes the sector ready', () => {
    const r = check({sector: 'oanda'}, {OANDA_API_TOKEN: TOKEN_ENV})
    const oanda = sector(r.sectors, 'oanda')
    expect(oanda.files).toMatchObject([{path: '.env.oanda', exists: false}])
    expect(oanda.ok).toBe(true)
    expect(oanda.problems).toEqual([])
    // Without the variable, the variable is the problem, not the file.
    const bare = sector(check({sector: 'oanda'}).sectors, 'oanda')
    expect(bare.ok).toBe(false)
    expect(bare.problems).toEqual([expect.stringMatching(/^OANDA_API_TOKEN is not set/)])
  })

  it('short values are fully masked', () => {
    const report = check({sector: 'ibkr', mode: 'live'}, {IBKR_ACCOUNT: ACCOUNT})
    expect(report.sectors[0]!.variables).toEqual([{name: 'IBKR_ACCOUNT', set: true, source: 'env', masked: '••••'}])
    expect(JSON.stringify(report)).not.toContain(ACCOUNT)
  })

  it('a missing variable fails, with a hint when a root .env (which rick does not read) defines it', () => {
    write('.env', `COINBASE_API_SECRET=${CB_KEY_A}\n`)
    const report = check({sector: 'coinbase'}, {COINBASE_API_KEY: CB_KEY_B})
    const coinbase = report.sectors[0]!
    expect(coinbase.variables[1]).toEqual({name: 'COINBASE_API_SECRET', set: false, definedIn: ['.env']})
    expect(coinbase.problems).toContain(
      "COINBASE_API_SECRET is not set (.env defines it, but rick reads only the environment and the sector's secretsFiles: add it to secretsFiles or export it)",
    )
    expect(report.ok).toBe(false)
    expect(JSON.stringify(report)).not.toContain(CB_KEY_A)
  })

  it("judges files with the charter's rule: fail in canary/live, warn elsewhere; either way not ok", () => {
    write('.env', 'X=1\n', 0o644)
    write('secrets/first.env', `COINBASE_API_KEY=${CB_KEY_A}\nCOINBASE_API_SECRET=${CB_KEY_B}\n`, 0o640)
    const report = check({}, {OANDA_API_TOKEN: TOKEN_ENV})
    const coinbase = sector(report.sectors, 'coinbase')
    expect(coinbase.files.map((f) => [f.path, f.mode ?? null, f.status])).toEqual([
      ['secrets/first.env', '0640', 'fail'],
      ['secrets/second.env', null, 'fail'],
      ['.env', '0644', 'fail'],
    ])
    expect(coinbase.files[0]!.detail).toBe('secrets/first.env is 0640: group can access it (run: chmod 600 secrets/first.env)')
    expect(coinbase.files[1]!.detail).toBe('secrets/second.env is listed in secretsFiles but does not exist')
    expect(coinbase.secretsPrivate.status).toBe('fail')
    expect(coinbase.problems).toEqual([`secrets files: ${coinbase.secretsPrivate.detail}`])

    const oanda = sector(report.sectors, 'oanda')
    expect(oanda.files.map((f) => [f.path, f.status])).toEqual([
      ['.env.oanda', 'warn'],
      ['.env', 'warn'],
    ])
    expect(oanda.secretsPrivate.status).toBe('warn')
    expect(oanda.ok).toBe(false)
    expect(report.ok).toBe(false)
  })

  it('--mode replaces the configured mode; an unsupported mode is a problem', () => {
    write('.env.oanda', `OANDA_API_TOKEN=${TOKEN_FILE}\n`)
    expect(check({sector: 'oanda', mode: 'paper'}).sectors[0]).toMatchObject({mode: 'paper', modeFrom: 'flag', variables: [], ok: true})
    expect(check({sector: 'oanda', mode: 'live'}).sectors[0]).toMatchObject({mode: 'live', variables: [{name: 'OANDA_API_TOKEN', set: true, source: '.env.oanda'}], ok: true})
    const cb = check({sector: 'coinbase', mode: 'practice'}).sectors[0]!
    expect(cb.problems[0]).toBe('venue coinbase does not support mode practice (it supports observe, paper, canary, live)')
    expect(cb.ok).toBe(false)
  })

  it('a disabled sector counts only when named with --sector', () => {
    write('.env.oanda', `OANDA_API_TOKEN=${TOKEN_FILE}\n`)
    write('secrets/first.env', `COINBASE_API_KEY=${CB_KEY_A}\nCOINBASE_API_SECRET=${CB_KEY_B}\n`)
    write('secrets/second.env', '')
    const all = check({mode: 'live'})
    expect(sector(all.sectors, 'ibkr')).toMatchObject({counted: false, ok: false, problems: ['IBKR_ACCOUNT is not set (export it, or put it in a file listed in the sector\'s secretsFiles)']})
    expect(all.ok).toBe(true)
    const named = check({sector: 'ibkr', mode: 'live'})
    expect(named.sectors[0]).toMatchObject({counted: true, ok: false})
    expect(named.ok).toBe(false)
  })

  it('an unknown --sector is a usage error (exit 2) naming the sectors', () => {
    let thrown: unknown
    try {
      check({sector: 'nosuch'})
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(RickError)
    expect((thrown as RickError).exitCode).toBe(2)
    expect((thrown as RickError).message).toBe("unknown sector 'nosuch': expected one of oanda, coinbase, ibkr")
  })
})
