// `rick sectors list` through the built binary, in a throw-away project with its own config,
// secrets file and oclif data dirs (so plugins a developer linked by hand do not show up).
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick} from '../../helpers/cli.js'

const OANDA_TOKEN = 'oanda-token-value-5f2b9c'
const COINBASE_KEY = 'organizations/xyz/apiKeys/value-77aa'

const CONFIG = `version: 1
sectors:
  fx:
    venue: oanda
    mode: practice
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: RICK_TEST_OANDA_TOKEN}
  crypto:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: sma-crossover}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: RICK_TEST_CB_KEY, apiSecretEnv: RICK_TEST_CB_SECRET}
    secretsFiles: [.env.coinbase]
  futures:
    venue: ibkr
    enabled: false
    mode: paper
    profile: Aggressive
    instruments:
      - {symbol: MES, secType: FUT, exchange: CME, currency: USD, lastTradeDateOrContractMonth: "202612"}
    strategy: {name: sma-crossover}
    connection: {host: 127.0.0.1, port: 7497, clientId: 17}
`

let project: string
let env: Record<string, string>

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'rick-sectors-list-'))
  mkdirSync(join(project, 'config'))
  writeFileSync(join(project, 'config', 'trading_sectors.yaml'), CONFIG)
  writeFileSync(join(project, '.env.coinbase'), `# coinbase\nRICK_TEST_CB_KEY="${COINBASE_KEY}"\nRICK_TEST_CB_SECRET=\n`)
  chmodSync(join(project, '.env.coinbase'), 0o600)
  const xdg = join(project, '.xdg')
  // Only what the CLI needs: no credential variable leaks in from the developer's shell.
  env = {PATH: process.env.PATH ?? '', HOME: project, XDG_DATA_HOME: join(xdg, 'data'), XDG_CONFIG_HOME: join(xdg, 'config'), XDG_CACHE_HOME: join(xdg, 'cache'), NO_COLOR: '1'}
})
afterAll(() => rmSync(project, {recursive: true, force: true}))

const run = (args: string[], extraEnv: Record<string, string> = {}) => rick(['sectors', 'list', ...args], {cwd: project, env: {...env, ...extraEnv}, extendEnv: false})

describe('rick sectors list', () => {
  it('prints one row per sector with plugin, SDK and credential status, never a value', async () => {
    const r = await run([], {RICK_TEST_OANDA_TOKEN: OANDA_TOKEN})
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toBe('Config: config/trading_sectors.yaml')
    expect(lines[2]).toMatch(/^SECTOR\s+VENUE\s+MODE\s+PROFILE\s+ENABLED\s+PLUGIN\s+SDK\s+CREDENTIALS$/)
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? ''
    expect(row('fx')).toMatch(/^fx\s+oanda\s+practice\s+Balanced\s+yes\s+@rick\/plugin-oanda@0\.1\.0 \(core\)\s+@oanda\/v20 \S+ loads\s+set \(1\/1\)$/)
    expect(row('crypto')).toMatch(/^crypto\s+coinbase\s+canary\s+Conservative\s+yes\s+@rick\/plugin-coinbase@\S+ \(core\)\s+ccxt \S+ loads\s+missing: RICK_TEST_CB_SECRET \(1\/2 set\)$/)
    expect(row('futures')).toMatch(/^futures\s+ibkr\s+paper\s+Aggressive\s+no\s+@rick\/plugin-ibkr@\S+ \(core\)\s+@stoqey\/ib \S+ loads\s+none needed$/)
    expect(r.stdout).not.toContain('Venues registered by plugins')
    expect(r.stdout + r.stderr).not.toContain(OANDA_TOKEN)
    expect(r.stdout + r.stderr).not.toContain(COINBASE_KEY)
  })

  it('--json gives the same facts as data, with where each credential was found', async () => {
    const r = await run(['--json'], {RICK_TEST_OANDA_TOKEN: OANDA_TOKEN})
    expect(r.exitCode).toBe(0)
    const data = JSON.parse(r.stdout)
    expect(data.file).toBe(join(project, 'config', 'trading_sectors.yaml'))
    expect(data.pluginFailures).toEqual([])
    expect(data.unusedVenues).toEqual([])
    expect(data.sectors.map((s: {sector: string}) => s.sector)).toEqual(['fx', 'crypto', 'futures'])
    const [fx, crypto, futures] = data.sectors
    expect(fx).toMatchObject({venue: 'oanda', mode: 'practice', profile: 'Balanced', enabled: true, plugin: {name: '@rick/plugin-oanda', type: 'core'}})
    expect(fx.sdk).toMatchObject({package: '@oanda/v20', loadable: true, version: expect.stringMatching(/^\d+\.\d+/)})
    expect(fx.credentials).toEqual({status: 'set', variables: [{name: 'RICK_TEST_OANDA_TOKEN', set: true, source: 'env'}]})
    expect(crypto.credentials).toEqual({
      status: 'missing',
      variables: [
        {name: 'RICK_TEST_CB_KEY', set: true, source: '.env.coinbase'},
        {name: 'RICK_TEST_CB_SECRET', set: false},
      ],
    })
    expect(futures).toMatchObject({enabled: false, credentials: {status: 'none-needed', variables: []}})
    expect(r.stdout).not.toContain(OANDA_TOKEN)
    expect(r.stdout).not.toContain(COINBASE_KEY)
  })

  it('the environment wins over a secrets file, and both count', async () => {
    const r = await run(['--json'], {RICK_TEST_CB_KEY: 'from-env', RICK_TEST_CB_SECRET: 'also-from-env'})
    const crypto = JSON.parse(r.stdout).sectors[1]
    expect(crypto.credentials).toEqual({
      status: 'set',
      variables: [
        {name: 'RICK_TEST_CB_KEY', set: true, source: 'env'},
        {name: 'RICK_TEST_CB_SECRET', set: true, source: 'env'},
      ],
    })
    expect(JSON.parse(r.stdout).sectors[0].credentials.status).toBe('missing')
  })

  it('lists registered venues no sector uses', async () => {
    const only = join(project, 'only-ibkr.yaml')
    writeFileSync(only, `version: 1\nsectors:\n  futures:\n${CONFIG.split('\n  futures:\n')[1]}`)
    const r = await run(['--file', 'only-ibkr.yaml'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('Venues registered by plugins but used by no sector:')
    expect(r.stdout).toMatch(/\ncoinbase\s+@rick\/plugin-coinbase@\S+ \(core\)\s+observe,paper,canary,live\s+ccxt \S+ loads\s+Coinbase/)
    expect(r.stdout).toMatch(/\noanda\s+@rick\/plugin-oanda@\S+ \(core\)\s+observe,paper,practice,canary,live\s+@oanda\/v20/)
    const json = JSON.parse((await run(['--file', 'only-ibkr.yaml', '--json'])).stdout)
    expect(json.sectors.map((s: {venue: string}) => s.venue)).toEqual(['ibkr'])
    expect(json.unusedVenues.map((v: {venue: string}) => v.venue)).toEqual(['coinbase', 'oanda'])
  })

  it('--deep imports every SDK for real', async () => {
    const r = await run(['--deep', '--json'])
    expect(r.exitCode).toBe(0)
    for (const s of JSON.parse(r.stdout).sectors) {
      expect(s.sdk).toMatchObject({loadable: true, imported: true, importMs: expect.any(Number)})
    }
    const text = await run(['--deep'])
    expect(text.stdout).toMatch(/ccxt \S+ imported in \d+ ms/)
  })

  it('a broken config exits 2 with every diagnostic, as text and as JSON', async () => {
    writeFileSync(join(project, 'broken.yaml'), CONFIG.replace('mode: practice', 'mode: pratice').replace('port: 7497', 'port: 7496'))
    const r = await run(['--file', 'broken.yaml'])
    expect(r.exitCode).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('broken.yaml: 2 errors in the config')
    expect(r.stderr).toContain('broken.yaml:5:11: error: invalid value for "mode" of sector "fx"')
    expect(r.stderr).toContain('did you mean: practice')
    // The ibkr plugin's own check(), located at the port value.
    expect(r.stderr).toContain(`broken.yaml:26:41: error: sector "futures" (ibkr): port 7496 is a LIVE trading port`)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    const j = await run(['--file', 'broken.yaml', '--json'])
    expect(j.exitCode).toBe(2)
    const error = JSON.parse(j.stdout).error
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.diagnostics.map((d: {code: string}) => d.code)).toEqual(expect.arrayContaining(['port-mode-mismatch']))
  })

  it('--help shows examples', async () => {
    const r = await rick(['sectors', 'list', '--help'], {cwd: project, env, extendEnv: false})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('$ rick sectors list --deep')
    expect(r.stdout).toContain('--json')
  })
})
