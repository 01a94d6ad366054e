import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {hashCanonical} from '../../src/foundation/canonical.js'
import {ConfigError, ExitCode} from '../../src/foundation/errors.js'
import {loadSectorsConfig, readSectorsConfig} from '../../src/sectors/load-config.js'
import {fakeRegistry} from '../helpers/fake-venues.js'

const DEFAULT_CONFIG = readFileSync(fileURLToPath(new URL('../../config/trading_sectors.yaml', import.meta.url)), 'utf8')

describe('readSectorsConfig / loadSectorsConfig', () => {
  let project: string
  const env = {} as NodeJS.ProcessEnv
  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), 'rick-config-'))
    mkdirSync(join(project, 'config'))
    mkdirSync(join(project, 'src'))
  })
  afterEach(() => rmSync(project, {recursive: true, force: true}))

  it('finds config/trading_sectors.yaml from a subdirectory and hashes the canonical config', () => {
    writeFileSync(join(project, 'config', 'trading_sectors.yaml'), DEFAULT_CONFIG)
    const loaded = loadSectorsConfig({cwd: join(project, 'src'), registry: fakeRegistry(), env})
    expect(loaded.file).toBe(join(project, 'config', 'trading_sectors.yaml'))
    expect(loaded.hash).toBe(hashCanonical(loaded.config))
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(Object.keys(loaded.config.sectors)).toEqual(['oanda', 'coinbase', 'ibkr'])
    expect(loaded.warnings).toEqual([])
  })

  it('gives the same hash for the same config written in another key order', () => {
    const a = `version: 1\nsectors:\n  fx: {venue: oanda, mode: paper, instruments: [EUR_USD], strategy: {name: s}, connection: {accountId: 101-001-1-001, tokenEnv: T}}\n`
    const b = `sectors:\n  fx: {connection: {tokenEnv: T, accountId: 101-001-1-001}, strategy: {name: s}, instruments: [EUR_USD], mode: paper, venue: oanda, enabled: true}\nversion: 1\n`
    writeFileSync(join(project, 'a.yaml'), a)
    writeFileSync(join(project, 'b.yaml'), b)
    const ha = loadSectorsConfig({file: 'a.yaml', cwd: project, registry: fakeRegistry(), env}).hash
    const hb = loadSectorsConfig({file: 'b.yaml', cwd: project, registry: fakeRegistry(), env}).hash
    expect(ha).toBe(hb)
  })

  it('reports a missing file as a diagnostic, and loadSectorsConfig throws ConfigError (exit 2)', () => {
    const r = readSectorsConfig({file: 'nope.yaml', cwd: project, registry: fakeRegistry(), env})
    expect(r.loaded).toBeUndefined()
    expect(r.diagnostics).toMatchObject([{code: 'file-not-found', file: 'nope.yaml', severity: 'error'}])
    let thrown: unknown
    try {
      loadSectorsConfig({file: 'nope.yaml', cwd: project, registry: fakeRegistry(), env})
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).exitCode).toBe(ExitCode.BadInput)
    expect((thrown as ConfigError).diagnostics[0]!.code).toBe('file-not-found')
  })

  it('carries every diagnostic, with the path shown relative to cwd, and honours RICK_CONFIG', () => {
    writeFileSync(join(project, 'config', 'broken.yaml'), DEFAULT_CONFIG.replace('mode: practice', 'mode: papper').replace('profile: Conservative', 'profle: Conservative'))
    const r = readSectorsConfig({cwd: project, registry: fakeRegistry(), env: {RICK_CONFIG: 'config/broken.yaml'}})
    expect(r.file).toBe(join(project, 'config', 'broken.yaml'))
    expect(r.diagnostics.map((d) => [d.file, d.code])).toEqual([
      ['config/broken.yaml', 'enum'],
      ['config/broken.yaml', 'unknown-key'],
    ])
    expect(() => loadSectorsConfig({cwd: project, registry: fakeRegistry(), env: {RICK_CONFIG: 'config/broken.yaml'}})).toThrow(/config\/broken.yaml: 2 errors in the config/)
  })

  it('mentions plugins that failed to load when a venue is unknown', () => {
    writeFileSync(join(project, 'config', 'trading_sectors.yaml'), DEFAULT_CONFIG)
    const registry = fakeRegistry([], [{plugin: '@rick/plugin-oanda', error: 'hook threw'}])
    const r = readSectorsConfig({cwd: project, registry, env})
    expect(r.diagnostics.filter((d) => d.code === 'unknown-venue')).toHaveLength(3)
    expect(r.diagnostics[0]!.message).toContain('plugins that failed to load: @rick/plugin-oanda')
  })

  it('returns warnings with a loaded config', () => {
    writeFileSync(join(project, 'config', 'trading_sectors.yaml'), DEFAULT_CONFIG.replace('flattenAt: "15:55"', 'flattenAt: "18:00"'))
    const loaded = loadSectorsConfig({cwd: project, registry: fakeRegistry(), env})
    expect(loaded.warnings.map((w) => w.code)).toEqual(['flatten-outside-session'])
  })
})
