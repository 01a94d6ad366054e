// A sector added by a user's plugin, without any change to core: link the plain-JS plugin in
// test/fixtures/plugin-demo through @oclif/plugin-plugins, see its venue in `rick sectors list`,
// validate a config against the plugin's own schema and rules, unlink it, and it is gone.
// Every run uses throw-away oclif data/config/cache dirs, so the user's real rick is untouched.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT, rick} from '../helpers/cli.js'

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'plugin-demo')
const GOOD = 'test/fixtures/plugin-demo/trading_sectors.yaml'
const BROKEN = 'test/fixtures/plugin-demo/trading_sectors.broken.yaml'

let home: string
let env: Record<string, string>
const cli = (args: string[]) => rick(args, {cwd: REPO_ROOT, env, extendEnv: false})

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'rick-user-plugin-'))
  env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    NO_COLOR: '1',
  }
})
afterAll(() => rmSync(home, {recursive: true, force: true}))

describe('a user sector plugin', () => {
  it('is not there before it is linked', async () => {
    const r = await cli(['sectors', 'list', '--json'])
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout).unusedVenues).toEqual([])
    const v = await cli(['config', 'validate', '--file', GOOD])
    expect(v.exitCode).toBe(2)
    expect(v.stderr).toContain(`${GOOD}:6:12: error: unknown venue "demo"`)
  })

  it('links without npm install (it has no dependencies) into the isolated data dir only', async () => {
    const r = await cli(['plugins', 'link', '--no-install', FIXTURE])
    expect(r.exitCode, r.stderr).toBe(0)
    const userPjson = JSON.parse(readFileSync(join(env.XDG_DATA_HOME!, 'rick', 'package.json'), 'utf8'))
    expect(userPjson.oclif.plugins).toEqual([{name: 'rick-plugin-demo', root: FIXTURE, type: 'link'}])
    const plugins = await cli(['plugins'])
    expect(plugins.stdout).toContain(`rick-plugin-demo 1.2.3 (link) ${FIXTURE}`)
  })

  it('shows its venue in rick sectors list, unused by the project config', async () => {
    const r = await cli(['sectors', 'list', '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toBe('')
    const data = JSON.parse(r.stdout)
    expect(data.pluginFailures).toEqual([])
    expect(data.unusedVenues).toEqual([
      {
        venue: 'demo',
        description: expect.stringContaining('Demo exchange'),
        modes: ['observe', 'paper'],
        plugin: {name: 'rick-plugin-demo', version: '1.2.3', type: 'link'},
        sdk: expect.objectContaining({loadable: true}),
      },
    ])
    const text = await cli(['sectors', 'list'])
    expect(text.stdout).toMatch(/\ndemo\s+rick-plugin-demo@1\.2\.3 \(link\)\s+observe,paper\s+/)
  })

  it('runs a sector of a config that uses it', async () => {
    const r = await cli(['sectors', 'list', '--file', GOOD])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/\ndemo\s+demo\s+paper\s+Conservative\s+yes\s+rick-plugin-demo@1\.2\.3 \(link\)\s+node:https \S+ loads\s+missing: DEMO_API_KEY \(0\/1 set\)\n/)
    expect(r.stdout).toMatch(/\nfx\s+oanda\s+paper\s+Balanced\s+yes\s+@rick\/plugin-oanda@0\.1\.0 \(core\)/)
  })

  it('validates a config with its own schema and rules', async () => {
    const good = await cli(['config', 'validate', '--file', GOOD])
    expect(good.exitCode, good.stderr).toBe(0)

    const bad = await cli(['config', 'validate', '--file', BROKEN])
    expect(bad.exitCode).toBe(2)
    // The plugin's instrument pattern, connection schema and check(), each at its line and column.
    expect(bad.stderr).toContain(`${BROKEN}:9:9: error: invalid format for "instruments[0]" of sector "demo" (not a valid demo instrument)`)
    expect(bad.stderr).toMatch(/\n    expected: .*\^DEMO:\[A-Z\]\+\$/)
    expect(bad.stderr).toContain(`${BROKEN}:12:5: error: missing required key "endpoint" in "connection" of sector "demo"`)
    expect(bad.stderr).toContain(`${BROKEN}:13:7: error: unknown key "endpont" in "connection" of sector "demo"`)
    expect(bad.stderr).toContain('did you mean: endpoint')
    expect(bad.stderr).toContain(`${BROKEN}:20:28: error: sector "insecure" (demo): the demo API key would be sent over plain http`)
  })

  it('a broken user plugin is reported as a warning and does not break the CLI', async () => {
    // Written at run time: returns garbage and tries to take over the core `oanda` venue.
    const dir = join(home, 'plugin-bad')
    mkdirSync(join(dir, 'hooks'), {recursive: true})
    writeFileSync(join(dir, 'package.json'), JSON.stringify({name: 'rick-plugin-bad', version: '0.0.1', oclif: {hooks: {'rick:sectors': './hooks/sectors.js'}}}))
    writeFileSync(
      join(dir, 'hooks', 'sectors.js'),
      `module.exports = async () => [{venue: 'oanda', description: 'x', modes: ['paper'], connectionSchema: {}, instrumentSchema: {}, credentialVariables: () => [], sdkStatus: () => ({package: 'x', loadable: true})}, {venue: 'Nope!'}]\n`,
    )
    expect((await cli(['plugins', 'link', '--no-install', dir])).exitCode).toBe(0)
    try {
      const r = await cli(['sectors', 'list'])
      expect(r.exitCode).toBe(0)
      expect(r.stderr).toContain('Warning: plugin rick-plugin-bad: definition #1 registers venue "oanda", already provided by @rick/plugin-oanda@0.1.0; ignored')
      expect(r.stderr).toContain('Warning: plugin rick-plugin-bad: definition #2 is invalid: "venue" must be a lowercase id')
      expect(r.stdout).toMatch(/\noanda\s+oanda\s+practice\s+Balanced\s+yes\s+@rick\/plugin-oanda@0\.1\.0 \(core\)/)
      expect(r.stdout).toMatch(/\ndemo\s+rick-plugin-demo/)
    } finally {
      expect((await cli(['plugins', 'unlink', 'rick-plugin-bad'])).exitCode).toBe(0)
    }
  })

  it('is gone after rick plugins unlink', async () => {
    const r = await cli(['plugins', 'unlink', 'rick-plugin-demo'])
    expect(r.exitCode, r.stderr).toBe(0)
    const list = await cli(['sectors', 'list', '--json'])
    expect(JSON.parse(list.stdout).unusedVenues).toEqual([])
    const v = await cli(['config', 'validate', '--file', GOOD])
    expect(v.exitCode).toBe(2)
    expect(v.stderr).toContain(`${GOOD}:6:12: error: unknown venue "demo"`)
  })
})
