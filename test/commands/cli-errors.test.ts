// How every command fails: all of the error reaches a pipe, however slowly it is read; with
// --json, stdout holds {"error":{"code","message",…}} and nothing else; a flag or usage error
// exits 2; and no flag value is ever echoed (a PIN typed into the wrong flag stays unseen).
import {spawn} from 'node:child_process'
import type {Readable} from 'node:stream'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rick, RICK_BIN} from '../helpers/cli.js'
import {FIXTURE_CONFIG, fixtureProject, type Fixture} from '../integration/engine-fixture.js'

let f: Fixture
let bad: Fixture
const SECRET = 'S3cr3t-Pin-4711'

beforeAll(() => {
  f = fixtureProject()
  // 3,000 unknown keys in one sector: 3,000 errors, about 1.4 MB of JSON.
  const keys = Array.from({length: 3000}, (_, i) => `    unknownKey${i}: ${i}`).join('\n')
  bad = fixtureProject(`${FIXTURE_CONFIG.trimEnd()}\n${keys}\n`)
})
afterAll(() => {
  f.cleanup()
  bad.cleanup()
})

const env = (x: Fixture) => ({...x.env, NO_COLOR: '1', NODE_ENV: 'production'})

/** Reads a stream a chunk at a time with a pause after each, so the writer meets a full pipe. */
async function slowly(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer)
    await new Promise((r) => setTimeout(r, 5))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The command with stdout and stderr read slowly through pipes. */
async function throughSlowPipes(x: Fixture, args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  const child = spawn(process.execPath, [RICK_BIN, ...args], {cwd: x.root, env: env(x), stdio: ['ignore', 'pipe', 'pipe']})
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const [stdout, stderr] = await Promise.all([slowly(child.stdout), slowly(child.stderr)])
  return {code: await exited, stdout, stderr}
}

function onlyError(stdout: string): {code: string; message: string} {
  const parsed = JSON.parse(stdout) as {error: {code: string; message: string}}
  expect(Object.keys(parsed)).toEqual(['error'])
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message'])
  return parsed.error
}

describe('errors reach a slow pipe whole', () => {
  it('3,000 config errors, as --json and as text: every diagnostic arrives, the JSON parses', async () => {
    const json = await throughSlowPipes(bad, ['config', 'validate', '--json'])
    expect(json.code).toBe(2)
    expect(json.stderr).toBe('')
    expect(json.stdout.length).toBeGreaterThan(1024 * 1024)
    const doc = JSON.parse(json.stdout) as {error: {code: string; diagnostics: Array<{severity: string; line: number}>}}
    expect(doc.error.code).toBe('CONFIG_INVALID')
    const errors = doc.error.diagnostics.filter((d) => d.severity === 'error')
    expect(errors.length).toBeGreaterThan(1000)

    const text = await throughSlowPipes(bad, ['config', 'validate'])
    expect(text.code).toBe(2)
    expect(text.stderr.length).toBeGreaterThan(256 * 1024)
    expect(text.stderr.endsWith('\n')).toBe(true)
    // The same diagnostics, the last one whole.
    expect(text.stderr.match(/^\S+:\d+:\d+: error: /gm)?.length).toBe(errors.length)
    expect(text.stderr.endsWith('found:    "unknownKey2999"\n')).toBe(true)
  })
})

describe('flag and usage errors', () => {
  it('with --json: only {"error":{code,message}} on stdout, exit 2, the value never echoed', async () => {
    for (const args of [
      ['charter', 'approve', 'fx', `--pin=${SECRET}`, '--json'],
      ['charter', 'approve', 'fx', '--pin', SECRET, '--json'],
      ['run', 'fx', '--seed', SECRET, '--json'],
      ['run', 'fx', `--speed=${SECRET}`, '--json'],
    ]) {
      const r = await rick(args, {cwd: f.root, env: f.env})
      expect(r.exitCode, args.join(' ')).toBe(2)
      const e = onlyError(r.stdout)
      expect(e.code).toMatch(/^(USAGE|BAD_SPEED)$/)
      expect(e.message).toMatch(/--(pin|seed|speed)\b/)
      expect(r.stdout + r.stderr).not.toContain(SECRET)
      expect(r.stderr).toBe('')
    }
  })

  it('as text, and with --debug: exit 2, the flag named, its value never echoed', async () => {
    const a = await rick(['charter', 'approve', 'fx', `--pin=${SECRET}`], {cwd: f.root, env: f.env})
    expect(a.exitCode).toBe(2)
    expect(a.stderr).toMatch(/Nonexistent flag: --pin\b/)
    expect(a.stdout + a.stderr).not.toContain(SECRET)
    const b = await rick(['run', 'fx', '--speed', SECRET], {cwd: f.root, env: f.env})
    expect(b.exitCode).toBe(2)
    expect(b.stderr).toMatch(/--speed expects 1x, 60x, max/)
    expect(b.stdout + b.stderr).not.toContain(SECRET)
    const c = await rick(['run', 'fx', '--seed', SECRET, '--json', '--debug'], {cwd: f.root, env: f.env})
    expect(c.exitCode).toBe(2)
    onlyError(c.stdout)
    expect(c.stdout + c.stderr).not.toContain(SECRET)
  })

  it('an empty argument is a usage error: `rick report ""` exits 2', async () => {
    const r = await rick(['report', ''], {cwd: f.root, env: f.env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/SECTOR.*empty/i)
    const j = await rick(['report', ' ', '--json'], {cwd: f.root, env: f.env})
    expect(j.exitCode).toBe(2)
    expect(onlyError(j.stdout).code).toBe('USAGE')
  })

  it('a misspelt sector gets the nearest name, in every command that takes one (exit 2)', async () => {
    for (const args of [['run', 'Coinbase'], ['halt', 'coinbsae'], ['charter', 'check', 'COINBASE'], ['data', 'download', 'coinbas']]) {
      const r = await rick(args, {cwd: f.root, env: f.env})
      expect(r.exitCode, args.join(' ')).toBe(2)
      expect(r.stdout + r.stderr, args.join(' ')).toContain('did you mean: coinbase')
    }
    const j = await rick(['run', 'Coinbase', '--json'], {cwd: f.root, env: f.env})
    expect(onlyError(j.stdout)).toMatchObject({code: 'UNKNOWN_SECTOR', message: expect.stringContaining('did you mean: coinbase')})
  })
})
