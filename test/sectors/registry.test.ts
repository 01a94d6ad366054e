import {describe, expect, it} from 'vitest'

import type {SectorDefinition} from '../../src/sectors/definition.js'
import {definitionProblems, HOOK_OPTIONS, HOOK_TIMEOUT_MS, type HookHost, loadSectorRegistry, SECTORS_HOOK} from '../../src/sectors/registry.js'

type Plugin = {name: string; version: string; type: string; root: string}
const core = (name: string): Plugin => ({name, version: '0.1.0', type: 'core', root: `/plugins/${name}`})
const user = (name: string): Plugin => ({name, version: '2.0.0', type: 'user', root: `/data/node_modules/${name}`})

function definition(venue: string, extra: Partial<SectorDefinition> = {}): SectorDefinition {
  return {
    venue,
    description: `${venue} venue`,
    modes: ['observe', 'paper'],
    connectionSchema: {type: 'object'},
    instrumentSchema: {type: 'string'},
    credentialVariables: () => [],
    sdkStatus: () => ({package: `${venue}-sdk`, loadable: true}),
    ...extra,
  }
}

/** A fake oclif Config whose runHook returns the crafted answers and records how it was called. */
function fakeConfig(successes: Array<{plugin: Plugin; result: unknown}>, failures: Array<{plugin: Plugin; error: Error}> = []) {
  const calls: unknown[][] = []
  const host: HookHost & {calls: unknown[][]} = {
    calls,
    async runHook(...args) {
      calls.push(args)
      return {successes, failures}
    },
  }
  return host
}

describe('loadSectorRegistry', () => {
  it('runs the rick:sectors hook with apiVersion 1, capturing errors, under a timeout', async () => {
    const config = fakeConfig([])
    await loadSectorRegistry(config)
    expect(config.calls).toEqual([[SECTORS_HOOK, HOOK_OPTIONS, HOOK_TIMEOUT_MS, true]])
  })

  it('registers single definitions and arrays, with the providing plugin attached', async () => {
    const config = fakeConfig([
      {plugin: core('@rick/plugin-oanda'), result: definition('oanda')},
      {plugin: user('rick-plugin-multi'), result: [definition('alpha'), definition('beta')]},
      {plugin: core('@oclif/plugin-help'), result: []},
    ])
    const registry = await loadSectorRegistry(config)
    expect(registry.failures).toEqual([])
    expect(registry.list().map((s) => s.definition.venue)).toEqual(['oanda', 'alpha', 'beta'])
    expect(registry.get('beta')?.plugin).toEqual({name: 'rick-plugin-multi', version: '2.0.0', type: 'user', root: '/data/node_modules/rick-plugin-multi'})
    expect(registry.get('oanda')?.plugin.type).toBe('core')
    expect(registry.get('nope')).toBeUndefined()
  })

  it('caches per process: the hook runs once per config object', async () => {
    const config = fakeConfig([{plugin: core('p'), result: definition('x')}])
    const [a, b] = await Promise.all([loadSectorRegistry(config), loadSectorRegistry(config)])
    expect(a).toBe(b)
    expect(await loadSectorRegistry(config)).toBe(a)
    expect(config.calls).toHaveLength(1)
  })

  it('turns garbage into failures naming the plugin and the reason, keeping the good ones', async () => {
    const config = fakeConfig([
      {plugin: user('rick-plugin-null'), result: null},
      {plugin: user('rick-plugin-nothing'), result: undefined},
      {plugin: user('rick-plugin-string'), result: 'oanda'},
      {plugin: user('rick-plugin-mixed'), result: [definition('good'), {venue: 'Bad Venue!', modes: ['yolo']}, 42]},
      {plugin: user('rick-plugin-fn'), result: definition('fn', {sdkStatus: 'yes' as never, check: {} as never})},
    ])
    const registry = await loadSectorRegistry(config)
    expect(registry.list().map((s) => s.definition.venue)).toEqual(['good'])
    const byPlugin = (name: string) => registry.failures.filter((f) => f.plugin === name).map((f) => f.error)
    expect(byPlugin('rick-plugin-null')).toEqual(['its rick:sectors hook returned null; expected a sector definition or an array of them'])
    expect(byPlugin('rick-plugin-nothing')[0]).toMatch(/returned undefined/)
    expect(byPlugin('rick-plugin-string')).toEqual(['its definition is invalid: expected an object, found "oanda"'])
    const mixed = byPlugin('rick-plugin-mixed')
    expect(mixed).toHaveLength(2)
    expect(mixed[0]).toMatch(/^definition #2 is invalid: "venue" must be a lowercase id .* found "Bad Venue!"/)
    expect(mixed[0]).toContain('"modes" has unknown mode(s) "yolo"')
    expect(mixed[0]).toContain('"description" must be a non-empty string, found nothing')
    expect(mixed[0]).toContain('"connectionSchema" must be a JSON Schema object')
    expect(mixed[0]).toContain('"credentialVariables" must be a function')
    expect(mixed[1]).toBe('definition #3 is invalid: expected an object, found number 42')
    expect(byPlugin('rick-plugin-fn')).toEqual([
      'its definition is invalid: "sdkStatus" must be a function, found "yes"; "check" must be a function when given, found an object',
    ])
  })

  it('records hooks that threw as failures', async () => {
    const config = fakeConfig([{plugin: core('@rick/plugin-oanda'), result: definition('oanda')}], [{plugin: user('rick-plugin-boom'), error: new Error('cannot find module ./nope.js')}])
    const registry = await loadSectorRegistry(config)
    expect(registry.failures).toEqual([{plugin: 'rick-plugin-boom', error: 'its rick:sectors hook threw: cannot find module ./nope.js'}])
    expect(registry.list()).toHaveLength(1)
  })

  it('never crashes when runHook itself rejects', async () => {
    const host: HookHost = {
      runHook: async () => {
        throw new Error('config exploded')
      },
    }
    const registry = await loadSectorRegistry(host)
    expect(registry.list()).toEqual([])
    expect(registry.failures).toEqual([{plugin: '(all plugins)', error: 'the rick:sectors hook failed: config exploded'}])
  })

  it('keeps the first provider of a venue and fails the duplicate; core always wins over user plugins', async () => {
    // Hook results arrive in completion order; the user plugin answering first must not matter.
    const config = fakeConfig([
      {plugin: user('rick-plugin-evil'), result: definition('oanda', {description: 'hijack'})},
      {plugin: core('@rick/plugin-oanda'), result: definition('oanda')},
      {plugin: user('rick-plugin-twice'), result: [definition('demo'), definition('demo')]},
    ])
    const registry = await loadSectorRegistry(config)
    expect(registry.get('oanda')?.plugin.name).toBe('@rick/plugin-oanda')
    expect(registry.get('oanda')?.definition.description).toBe('oanda venue')
    expect(registry.failures).toEqual([
      {plugin: 'rick-plugin-evil', error: 'its definition registers venue "oanda", already provided by @rick/plugin-oanda@0.1.0; ignored'},
      {plugin: 'rick-plugin-twice', error: 'definition #2 registers venue "demo", already provided by rick-plugin-twice@2.0.0; ignored'},
    ])
  })
})

describe('definitionProblems', () => {
  it('accepts a complete definition, with or without the optional check and loadSdk', () => {
    expect(definitionProblems(definition('ok'))).toEqual([])
    expect(definitionProblems({...definition('ok'), check: () => [], loadSdk: async () => {}})).toEqual([])
  })

  it('rejects arrays, empty modes and array schemas', () => {
    expect(definitionProblems([])).toEqual(['expected an object, found an array of 0'])
    expect(definitionProblems({...definition('ok'), modes: []})).toEqual([expect.stringContaining('"modes" must be a non-empty array')])
    expect(definitionProblems({...definition('ok'), instrumentSchema: []})).toEqual(['"instrumentSchema" must be a JSON Schema object, found an array of 0'])
  })
})
