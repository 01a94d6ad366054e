// ops/docker-compose.yml without a Docker engine: it parses, has exactly one service per enabled
// sector of config/trading_sectors.yaml, equals what `rick ops compose` generates, every command
// it runs is a real rick command, and the healthcheck passes while an engine runs and fails when
// none does (run for real, with the image's CLI path swapped for this checkout's).
import {execa, type ResultPromise} from 'execa'
import {mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {ENGINE_STOP_GRACE_SECONDS} from '../../src/sectors/ops/systemd.js'
import {DATA_VOLUME, healthcheckCommand, IMAGE_CLI, renderCompose} from '../../src/sectors/ops/compose.js'
import {REPO_ROOT, RICK_BIN, rick} from '../helpers/cli.js'
import {fixtureProject, FIXTURE_CONFIG, type Fixture} from '../integration/engine-fixture.js'

interface Service {
  image: string
  build: {context: string; dockerfile: string}
  command: string[]
  restart: string
  env_file: Array<{path: string; required: boolean}>
  volumes: string[]
  stop_signal: string
  stop_grace_period: string
  healthcheck: {test: string[]; interval: string; timeout: string; retries: number}
}
interface ComposeFile {
  services: Record<string, Service>
  volumes: Record<string, unknown>
}

const committed = (): ComposeFile => parse(readFileSync(join(REPO_ROOT, 'ops', 'docker-compose.yml'), 'utf8')) as ComposeFile

/** Enabled sectors read straight from the YAML (enabled defaults to true), not through rick. */
function enabledSectors(configText: string): string[] {
  const sectors = (parse(configText) as {sectors: Record<string, {enabled?: boolean}>}).sectors
  return Object.entries(sectors)
    .filter(([, s]) => s.enabled !== false)
    .map(([name]) => name)
}

/** The rick arguments of a healthcheck: what follows the image's CLI up to the pipe. */
function healthcheckArgs(service: Service): string[] {
  const [kind, shell] = service.healthcheck.test
  expect(kind).toBe('CMD-SHELL')
  expect(shell!.startsWith(`${IMAGE_CLI} `)).toBe(true)
  return shell!.slice(IMAGE_CLI.length + 1).split('|')[0]!.trim().split(/\s+/)
}

describe('ops/docker-compose.yml (committed)', () => {
  it('has exactly one service per enabled sector of config/trading_sectors.yaml', () => {
    const expected = enabledSectors(readFileSync(join(REPO_ROOT, 'config', 'trading_sectors.yaml'), 'utf8'))
    expect(expected.length).toBeGreaterThan(0)
    expect(Object.keys(committed().services)).toEqual(expected)
  })

  it('is what `rick ops compose` generates from the config (else: rick ops compose --write)', async () => {
    const r = await rick(['ops', 'compose', '--check'], {cwd: REPO_ROOT})
    expect(r.stderr).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^ops\/docker-compose.yml is up to date \(services: /)
  })

  it('each service runs its sector, restarts unless stopped, reads its env file, shares the data volume, stops gracefully', () => {
    const file = committed()
    expect(Object.keys(file.volumes)).toEqual([DATA_VOLUME])
    for (const [name, s] of Object.entries(file.services)) {
      expect(s.command, name).toEqual(['run', name])
      expect(s.restart).toBe('unless-stopped')
      expect(s.build).toEqual({context: '..', dockerfile: 'Dockerfile'})
      expect(s.env_file).toEqual([{path: `../.env.${name}`, required: false}])
      expect(s.volumes).toEqual([`${DATA_VOLUME}:/data`])
      expect(s.stop_signal).toBe('SIGTERM')
      expect(s.stop_grace_period).toBe(`${ENGINE_STOP_GRACE_SECONDS}s`)
      expect(healthcheckArgs(s)).toEqual(['status', '--sector', name, '--json'])
    }
  })

  it('every command a service or healthcheck runs is a real rick command (--help through the built CLI)', async () => {
    const ids = new Set<string>()
    for (const s of Object.values(committed().services)) {
      ids.add(s.command[0]!)
      ids.add(healthcheckArgs(s)[0]!)
    }
    expect([...ids].sort()).toEqual(['run', 'status'])
    for (const id of ids) {
      const r = await rick([id, '--help'], {cwd: REPO_ROOT})
      expect(r.exitCode, id).toBe(0)
      expect(r.stdout, id).toMatch(new RegExp(`^USAGE\\n {2}\\$ rick ${id}`, 'm'))
    }
  })

  it("every healthcheck's status call runs and answers JSON for its sector", async () => {
    const home = mkdtempSync(join(tmpdir(), 'rick-compose-home-'))
    try {
      for (const [name, s] of Object.entries(committed().services)) {
        const r = await rick(healthcheckArgs(s), {cwd: REPO_ROOT, env: {RICK_HOME: home, RICK_CACHE_DIR: 'off'}})
        expect(r.exitCode, `${name}: ${r.stderr}`).toBe(0)
        expect(JSON.parse(r.stdout).sectors.map((x: {sector: string}) => x.sector)).toEqual([name])
      }
    } finally {
      rmSync(home, {recursive: true, force: true})
    }
  })
})

describe('rick ops compose', () => {
  let f: Fixture
  beforeAll(() => {
    f = fixtureProject()
  })
  afterAll(() => f.cleanup())

  it('writes one service per enabled sector; --check fails (exit 1) once the config gains a sector', async () => {
    const first = await rick(['ops', 'compose', '--write'], {cwd: f.root, env: f.env})
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toBe('wrote ops/docker-compose.yml (services: fx, coinbase)')
    const written = parse(readFileSync(join(f.root, 'ops', 'docker-compose.yml'), 'utf8')) as ComposeFile
    expect(Object.keys(written.services)).toEqual(['fx', 'coinbase'])
    expect(readFileSync(join(f.root, 'ops', 'docker-compose.yml'), 'utf8')).toBe(renderCompose(['fx', 'coinbase']))

    const more = `${FIXTURE_CONFIG}  fx2:
    venue: oanda
    mode: paper
    instruments: [GBP_USD]
    strategy: {name: sma-crossover, params: {fast: 5, slow: 20, size: 1000}}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
  off:
    venue: oanda
    enabled: false
    mode: paper
    instruments: [GBP_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
`
    writeFileSync(join(f.root, 'config', 'trading_sectors.yaml'), more)
    const stale = await rick(['ops', 'compose', '--check'], {cwd: f.root, env: f.env})
    expect(stale.exitCode).toBe(1)
    expect(stale.stderr).toBe('Error: ops/docker-compose.yml is out of date: the config calls for services fx, coinbase, fx2; run `rick ops compose --write`')
    const again = await rick(['ops', 'compose', '--write'], {cwd: f.root, env: f.env})
    expect(again.stdout).toBe('updated ops/docker-compose.yml (services: fx, coinbase, fx2; disabled, no service: off)')
    expect((await rick(['ops', 'compose', '--check'], {cwd: f.root, env: f.env})).exitCode).toBe(0)
    expect((await rick(['ops', 'compose', '--write'], {cwd: f.root, env: f.env})).stdout).toMatch(/^unchanged /)
    writeFileSync(join(f.root, 'config', 'trading_sectors.yaml'), FIXTURE_CONFIG)
  })

  it('--output elsewhere: build context and env files point back at the project; --json', async () => {
    mkdirSync(join(f.root, 'deploy', 'prod'), {recursive: true})
    const r = await rick(['ops', 'compose', '--output', 'deploy/prod/compose.yml', '--write', '--json'], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({target: join(f.root, 'deploy', 'prod', 'compose.yml'), sectors: ['fx', 'coinbase'], disabled: [], written: 'created'})
    const file = parse(readFileSync(join(f.root, 'deploy', 'prod', 'compose.yml'), 'utf8')) as ComposeFile
    expect(file.services.fx!.build.context).toBe('../..')
    expect(file.services.fx!.env_file).toEqual([{path: '../../.env.fx', required: false}])
  })

  it('a config with errors: exit 2, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rick-compose-bad-'))
    try {
      mkdirSync(join(dir, 'config'))
      writeFileSync(join(dir, 'config', 'trading_sectors.yaml'), 'version: 1\nsectors:\n  fx: {venue: nowhere}\n')
      const r = await rick(['ops', 'compose', '--write'], {cwd: dir, env: {...f.env, RICK_PROJECT: dir, RICK_HOME: join(dir, '.rick')}})
      expect(r.exitCode).toBe(2)
      expect(r.stderr).toMatch(/error in the config|errors in the config/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('the healthcheck, run for real', () => {
  let f: Fixture
  let engine: ResultPromise | undefined
  beforeAll(() => {
    f = fixtureProject()
  })
  afterAll(() => {
    engine?.kill('SIGKILL')
    f.cleanup()
  })

  const check = (sector: string) => execa('sh', ['-c', healthcheckCommand(sector, `node ${RICK_BIN}`)], {cwd: f.root, env: {...f.env, NO_COLOR: '1'}, reject: false})

  it('fails before any engine ran, passes while `rick run` runs, fails again after SIGTERM stopped it', async () => {
    const before = await check('fx')
    expect(before.exitCode).toBe(1)
    expect(before.stderr).toContain('fx: no engine running')

    engine = execa('node', [RICK_BIN, 'run', 'fx', '--speed', '1x'], {cwd: f.root, env: {...f.env, NO_COLOR: '1'}, reject: false})
    // Wait until the engine holds its lock (status says so), whatever the machine's speed.
    const deadline = Date.now() + 45_000
    for (;;) {
      const s = await rick(['status', '--sector', 'fx', '--json'], {cwd: f.root, env: f.env})
      if (s.exitCode === 0 && JSON.parse(s.stdout).sectors[0].running === true) break
      if (Date.now() > deadline || engine.exitCode !== null) throw new Error(`the engine did not start: ${s.stdout}${s.stderr}`)
      await new Promise((r) => setTimeout(r, 250))
    }
    const running = await check('fx')
    expect(running.stderr).toBe('')
    expect(running.exitCode).toBe(0)
    // Another sector of the same data folder is not running: its healthcheck fails.
    expect((await check('coinbase')).exitCode).toBe(1)

    engine.kill('SIGTERM')
    const stopped = await engine
    expect(stopped.exitCode).toBe(0)
    expect(String(stopped.stdout)).toMatch(/^stopped: /m)
    const after = await check('fx')
    expect(after.exitCode).toBe(1)
    expect(after.stderr).toContain('fx: no engine running')
  })
})
