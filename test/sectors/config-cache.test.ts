import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {RickConfig} from '../../src/foundation/config/types.js'
import {cachedValidation, type ValidationResult} from '../../src/sectors/config-cache.js'
import type {SectorRegistry} from '../../src/sectors/definition.js'
import {rick} from '../helpers/cli.js'
import {fakeRegistry} from '../helpers/fake-venues.js'

const CONFIG = {version: 1, sectors: {}} as unknown as RickConfig

describe('cachedValidation', () => {
  let dir: string
  let pluginRoot: string
  let registry: SectorRegistry
  let env: NodeJS.ProcessEnv
  let calls: number
  const validate = (result: ValidationResult = {config: CONFIG, diagnostics: []}) => () => {
    calls++
    return result
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rick-config-cache-'))
    pluginRoot = join(dir, 'plugin')
    mkdirSync(join(pluginRoot, 'dist'), {recursive: true})
    writeFileSync(join(pluginRoot, 'dist', 'hook.js'), 'export default 1\n')
    const base = fakeRegistry()
    registry = {...base, list: () => base.list().map((r) => ({...r, plugin: {...r.plugin, root: pluginRoot}}))}
    env = {RICK_CACHE_DIR: join(dir, 'cache')}
    calls = 0
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('validates once for the same text and plugins, then reads the cache', () => {
    const first = cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true})
    const second = cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true})
    expect(calls).toBe(1)
    expect(second).toEqual(first)
    expect(readdirSync(join(dir, 'cache', 'configs'))).toHaveLength(1)
  })

  it('validates again when the text changes', () => {
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true})
    cachedValidation('version: 1 # edited', 'c.yaml', registry, validate(), {env, force: true})
    expect(calls).toBe(2)
  })

  it("validates again when a plugin's code changes", () => {
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true})
    const later = new Date(Date.UTC(2030, 0, 1))
    utimesSync(join(pluginRoot, 'dist', 'hook.js'), later, later)
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true})
    expect(calls).toBe(2)
  })

  it('never caches a result with errors', () => {
    const bad: ValidationResult = {diagnostics: [{path: '', code: 'x', message: 'bad', severity: 'error'}]}
    cachedValidation('junk', 'c.yaml', registry, validate(bad), {env, force: true})
    cachedValidation('junk', 'c.yaml', registry, validate(bad), {env, force: true})
    expect(calls).toBe(2)
  })

  it('ignores a corrupt entry and validates', () => {
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true})
    const [entry] = readdirSync(join(dir, 'cache', 'configs'))
    writeFileSync(join(dir, 'cache', 'configs', entry as string), '{"format":1,"result":{"diagnostics":"nope"}}')
    expect(cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true}).config).toEqual(CONFIG)
    expect(calls).toBe(2)
  })

  it('ignores a FIFO put in place of an entry instead of waiting for a writer', () => {
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true})
    const [entry] = readdirSync(join(dir, 'cache', 'configs'))
    const path = join(dir, 'cache', 'configs', entry as string)
    rmSync(path)
    execFileSync('mkfifo', [path])
    // Should the read block, a writer comes after 2 s, so a regression fails instead of hanging.
    const writer = spawn('timeout', ['4', 'sh', '-c', `sleep 2; echo '{}' > '${path}'`], {stdio: 'ignore'})
    try {
      const t0 = performance.now()
      expect(cachedValidation('version: 1', 'c.yaml', registry, validate(), {env, force: true}).config).toEqual(CONFIG)
      expect(performance.now() - t0).toBeLessThan(1500)
      expect(calls).toBe(2)
    } finally {
      writer.kill()
    }
  })

  it('is off with RICK_CACHE_DIR=off, and when running from the sources unless forced', () => {
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env: {RICK_CACHE_DIR: 'off'}, force: true})
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env: {RICK_CACHE_DIR: 'off'}, force: true})
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env})
    cachedValidation('version: 1', 'c.yaml', registry, validate(), {env})
    expect(calls).toBe(4)
  })
})

describe('the built CLI with the config cache', () => {
  it('sees an edit to the config at once (no stale validation)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rick-config-cache-cli-'))
    try {
      const env = {RICK_CACHE_DIR: join(dir, 'cache')}
      const good = ['version: 1', 'sectors:', '  ibkr:', '    venue: ibkr', '    mode: paper', '    instruments:', '      - {symbol: SPY, secType: STK, exchange: SMART, currency: USD}', '    strategy: {name: sma-crossover}', '    connection: {host: 127.0.0.1, port: 7497, clientId: 3}', ''].join('\n')
      const file = join(dir, 'trading_sectors.yaml')
      writeFileSync(file, good)
      expect((await rick(['config', 'validate', '--file', file], {env})).exitCode).toBe(0)
      expect((await rick(['config', 'validate', '--file', file], {env})).exitCode).toBe(0)
      expect(readdirSync(join(dir, 'cache', 'configs')).length).toBeGreaterThan(0)
      writeFileSync(file, good.replace('mode: paper', 'mode: papper'))
      const broken = await rick(['config', 'validate', '--file', file], {env})
      expect(broken.exitCode).toBe(2)
      expect(broken.stderr).toContain('did you mean: paper')
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
