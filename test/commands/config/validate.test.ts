// `rick config validate`, run through the built binary with the bundled sector plugins.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT, rick} from '../../helpers/cli.js'

const SHIPPED = readFileSync(join(REPO_ROOT, 'config', 'trading_sectors.yaml'), 'utf8')

// Line 7 holds the typo: the example every newcomer hits first.
const PROFLE = `version: 1
sectors:
  oanda:
    venue: oanda
    enabled: true
    mode: practice
    profle: Balanced
    instruments: [EUR_USD, GBPUSD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
`

describe('rick config validate', () => {
  let project: string
  let env: Record<string, string>
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'rick-cli-config-'))
    mkdirSync(join(project, 'config'))
    // No plugins a developer linked by hand, no cache in the home directory.
    env = {XDG_DATA_HOME: join(project, '.xdg-data'), RICK_CACHE_DIR: join(project, '.cache'), RICK_CONFIG: '', RICK_PROJECT: ''}
  })
  afterAll(() => rmSync(project, {recursive: true, force: true}))

  const write = (name: string, text: string): string => {
    writeFileSync(join(project, 'config', name), text)
    return join('config', name)
  }

  it('accepts the shipped config and names its sectors', async () => {
    const r = await rick(['config', 'validate'], {cwd: REPO_ROOT, env})
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('✓ config/trading_sectors.yaml: 3 sectors valid (oanda, coinbase, ibkr)')
    expect(r.exitCode).toBe(0)
  })

  it('reports a misspelt key as file:line:col with the nearest key, all errors at once, exit 2, no stack', async () => {
    write('trading_sectors.yaml', PROFLE)
    const r = await rick(['config', 'validate'], {cwd: project, env})
    expect(r.exitCode).toBe(2)
    expect(r.stdout).toBe('')
    const lines = r.stderr.split('\n')
    expect(lines[0]).toBe('config/trading_sectors.yaml: 2 errors')
    expect(lines).toContain('config/trading_sectors.yaml:7:5: error: unknown key "profle" in sector "oanda"')
    expect(lines).toContain('    did you mean: profile')
    expect(lines).toContain('config/trading_sectors.yaml:8:28: error: invalid format for "instruments[1]" of sector "oanda" (not a valid oanda instrument)')
    expect(lines).toContain('    found:    "GBPUSD" (a string)')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('prints the diagnostics as JSON with --json', async () => {
    const file = write('profle.yaml', PROFLE)
    const r = await rick(['config', 'validate', '--file', file, '--json'], {cwd: project, env})
    expect(r.exitCode).toBe(2)
    const out = JSON.parse(r.stdout) as {error: {code: string; diagnostics: Array<Record<string, unknown>>}}
    expect(out.error.code).toBe('CONFIG_INVALID')
    expect(out.error.diagnostics[0]).toEqual({
      file: 'config/profle.yaml',
      line: 7,
      column: 5,
      path: '/sectors/oanda/profle',
      code: 'unknown-key',
      severity: 'error',
      message: 'unknown key "profle" in sector "oanda"',
      expected: 'one of: venue, enabled, mode, profile, risk, instruments, strategy, session, canary, paper, barPeriod, live, connection, secretsFiles',
      found: '"profle"',
      suggestion: 'profile',
    })
  })

  it('returns the sectors and hash of a valid file with --json', async () => {
    const file = write('valid.yaml', SHIPPED)
    const r = await rick(['config', 'validate', '-f', file, '--json'], {cwd: project, env})
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(out).toMatchObject({file: join(project, 'config', 'valid.yaml'), valid: true, diagnostics: []})
    expect(out.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(out.sectors).toEqual([
      {name: 'oanda', venue: 'oanda', mode: 'practice', enabled: true},
      {name: 'coinbase', venue: 'coinbase', mode: 'canary', enabled: true},
      {name: 'ibkr', venue: 'ibkr', mode: 'paper', enabled: true},
    ])
  })

  it('treats broken YAML and a missing file the same way', async () => {
    const tabbed = write('tabs.yaml', 'version: 1\nsectors:\n  oanda:\n\tvenue: oanda\n')
    const r1 = await rick(['config', 'validate', '--file', tabbed], {cwd: project, env})
    expect(r1.exitCode).toBe(2)
    expect(r1.stderr).toContain('config/tabs.yaml:4:1: error: a tab is used for indentation')

    const r2 = await rick(['config', 'validate', '--file', 'config/missing.yaml'], {cwd: project, env})
    expect(r2.exitCode).toBe(2)
    expect(r2.stderr).toContain('error: config file not found: config/missing.yaml')
  })

  it('prints warnings on stderr and still succeeds', async () => {
    const file = write('warn.yaml', SHIPPED.replace('flattenAt: "15:55"', 'flattenAt: "18:00"'))
    const r = await rick(['config', 'validate', '--file', file], {cwd: project, env})
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toMatch(/^config\/warn\.yaml:\d+:\d+: warning: flattenAt "18:00" of sector "ibkr" falls outside every session window/)
    expect(r.stdout.trim()).toBe('✓ config/warn.yaml: 3 sectors valid (oanda, coinbase, ibkr), 1 warning')
  })
})
