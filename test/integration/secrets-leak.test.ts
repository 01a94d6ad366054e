// Secrets never leave rick: fake but realistic credentials for every credential variable of every
// sector are set in the environment AND in a secrets file, the engine and the reporting commands
// run through the built CLI, and then every byte rick could have written is searched for them —
// stdout and stderr of every command, every file under the project (the journal database and its
// WAL, caches, locks, oclif's data dirs), and every git object, including the trees and blobs of
// the snapshots under refs/rick/snapshots. A planted copy proves the search finds what it looks for.
import {execFileSync} from 'node:child_process'
import {generateKeyPairSync} from 'node:crypto'
import {chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT, rick, type CliResult} from '../helpers/cli.js'

// --- fake credentials: the shapes the brokers use, values of nothing

const pem = () => generateKeyPairSync('ec', {namedCurve: 'prime256v1'}).privateKey.export({type: 'sec1', format: 'pem'}).toString()
const hex = (n: number, seed: number) => Array.from({length: n}, (_, i) => ((i * 7 + seed * 13) % 16).toString(16)).join('')

/** Set in the environment of every command. */
const ENV_SECRETS: Record<string, string> = {
  OANDA_API_TOKEN: `${hex(32, 1)}-${hex(32, 2)}`,
  COINBASE_API_KEY: 'organizations/3f2a9c1e-7b4d-4e8a-9c2f-1d6b5a4e3c2b/apiKeys/8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b',
  COINBASE_API_SECRET: pem(),
  IBKR_ACCOUNT: 'DU4829173',
}
/** Written to .env.coinbase (listed in the coinbase sector's secretsFiles); the environment wins over them. */
const FILE_SECRETS: Record<string, string> = {
  COINBASE_API_KEY: 'organizations/77c0ffee-1a2b-4c3d-8e9f-abcdef012345/apiKeys/0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
  COINBASE_API_SECRET: pem(),
}
const SECRETS_FILE = '.env.coinbase'

// --- the search

interface Needle {
  /** Which secret, e.g. `COINBASE_API_SECRET (env)`. */
  secret: string
  /** raw, json, base64, base64url, url, or `line N` of a multi-line value. */
  form: string
  bytes: Buffer
}

interface Hit {
  where: string
  secret: string
  form: string
}

/** Every form in which a value could be written: as is, JSON-escaped, base64, URL-encoded, and each long line of a PEM. */
function needlesOf(secret: string, value: string): Needle[] {
  const forms = new Map<string, string>([
    ['raw', value],
    ['json', JSON.stringify(value).slice(1, -1)],
    ['base64', Buffer.from(value).toString('base64')],
    ['base64url', Buffer.from(value).toString('base64url')],
    ['url', encodeURIComponent(value)],
  ])
  value.split('\n').forEach((line, i) => {
    if (line.length >= 16 && !line.startsWith('-----')) forms.set(`line ${i + 1}`, line)
  })
  const seen = new Set<string>()
  const out: Needle[] = []
  for (const [form, text] of forms) {
    if (seen.has(text)) continue
    seen.add(text)
    out.push({secret, form, bytes: Buffer.from(text)})
  }
  return out
}

const NEEDLES: Needle[] = [
  ...Object.entries(ENV_SECRETS).flatMap(([k, v]) => needlesOf(`${k} (env)`, v)),
  ...Object.entries(FILE_SECRETS).flatMap(([k, v]) => needlesOf(`${k} (${SECRETS_FILE})`, v)),
]

function scan(where: string, data: Buffer | string): Hit[] {
  const buf = typeof data === 'string' ? Buffer.from(data) : data
  return NEEDLES.filter((n) => buf.includes(n.bytes)).map((n) => ({where, secret: n.secret, form: n.form}))
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return filesUnder(path)
    return e.isFile() ? [path] : []
  })
}

function git(cwd: string, args: string[]): Buffer {
  return execFileSync('git', args, {cwd, maxBuffer: 1 << 30})
}

/** Every git object, decompressed (loose and packed alike), each searched on its own so a hit names it. */
function scanGitObjects(root: string, names: Map<string, string>): Hit[] {
  const all = git(root, ['cat-file', '--batch-all-objects', '--batch'])
  const hits: Hit[] = []
  let at = 0
  while (at < all.length) {
    const eol = all.indexOf(0x0a, at)
    const [sha, type, size] = all.subarray(at, eol).toString().split(' ')
    const start = eol + 1
    const end = start + Number(size)
    hits.push(...scan(`git ${type} ${sha}${names.has(sha!) ? ` (${names.get(sha!)})` : ''}`, all.subarray(start, end)))
    at = end + 1
  }
  return hits
}

interface Project {
  root: string
  env: Record<string, string>
  outputs: Array<{args: string[]; result: CliResult}>
}

/** Every place rick could have left a secret, searched; the planted secrets file itself excepted. */
function scanProject(p: Project): {hits: Hit[]; snapshotRefs: string[]; snapshotPaths: Map<string, string>; filesScanned: number} {
  const hits: Hit[] = []
  for (const {args, result} of p.outputs) {
    hits.push(...scan(`stdout of rick ${args.join(' ')}`, result.stdout), ...scan(`stderr of rick ${args.join(' ')}`, result.stderr))
  }
  const files = filesUnder(p.root).filter((f) => relative(p.root, f) !== SECRETS_FILE)
  for (const file of files) hits.push(...scan(relative(p.root, file), readFileSync(file)))

  // The snapshots' trees, blob by blob (`git cat-file -p`), so a hit says which snapshot and path.
  const snapshotRefs = git(p.root, ['for-each-ref', '--format=%(refname)', 'refs/rick/snapshots/']).toString().split('\n').filter(Boolean)
  const snapshotPaths = new Map<string, string>()
  for (const ref of snapshotRefs) {
    for (const entry of git(p.root, ['ls-tree', '-r', '-z', ref]).toString().split('\0').filter(Boolean)) {
      const [meta, path] = entry.split('\t')
      const sha = meta!.split(' ')[2]!
      snapshotPaths.set(sha, `${path} in ${ref}`)
      hits.push(...scan(`${ref}:${path}`, git(p.root, ['cat-file', '-p', sha])))
    }
  }
  hits.push(...scanGitObjects(p.root, snapshotPaths))
  return {hits, snapshotRefs, snapshotPaths, filesScanned: files.length}
}

// --- the project

const COMMANDS: string[][] = [
  // With the keys set, canary is the real connector at Coinbase: denied without an approval (the
  // charter reads the keys' presence, the connector is never built); paper runs an engine.
  ['run', 'coinbase', '--canary', '--speed', 'max', '--bars', '300'],
  ['run', 'coinbase', '--paper', '--speed', 'max', '--bars', '300'],
  ['run', 'oanda', '--paper', '--speed', 'max', '--bars', '300'],
  ['backtest', 'ibkr', '--bars', '500', '--json'],
  ['status', '--json'],
  ['report', '--json'],
  ['config', 'show', '--json'],
  ['config', 'show'],
  ['config', 'validate'],
  ['sectors', 'list', '--json'],
  ['sectors', 'list'],
  ['ops', 'check-env', '--json'],
  ['ops', 'check-env', '--mode', 'live'],
  ['ops', 'check-env', '--json', '--mode', 'live'],
  ['charter', 'check', 'coinbase', '--json'],
  ['charter', 'check', 'oanda', '--mode', 'live'],
  ['snapshot', 'create'],
  ['snapshot', 'list', '--json'],
  ['run', 'nosuch'],
  ['run', 'nosuch', '--json', '--debug'],
  ['run', 'coinbase', '--live'],
  ['journal', 'export', '--format', 'jsonl'],
  ['journal', 'tail', '--json'],
]

let project: Project

function newProject(): Project {
  const root = mkdtempSync(join(tmpdir(), 'rick-secrets-leak-'))
  cpSync(join(REPO_ROOT, 'config'), join(root, 'config'), {recursive: true})
  cpSync(join(REPO_ROOT, 'strategies'), join(root, 'strategies'), {recursive: true})
  const configFile = join(root, 'config', 'trading_sectors.yaml')
  const config = readFileSync(configFile, 'utf8')
  const withFile = config.replace(/(\n  coinbase:\n(?:    .*\n|\s*\n)*?    connection:\n(?:      .*\n)+)/, `$1    secretsFiles: [${SECRETS_FILE}]\n`)
  expect(withFile, 'the coinbase sector of config/trading_sectors.yaml got its secretsFiles').not.toBe(config)
  writeFileSync(configFile, withFile)
  const dotenv = Object.entries(FILE_SECRETS).map(([k, v]) => `${k}="${v.replace(/\n/g, '\\n')}"`)
  writeFileSync(join(root, SECRETS_FILE), `# coinbase credentials\n${dotenv.join('\n')}\n`)
  chmodSync(join(root, SECRETS_FILE), 0o600)
  git(root, ['init', '-q'])

  // Nothing from the developer's shell: no credentials, no linked plugins; every folder rick or
  // oclif may write to lies inside the project, so the search covers it.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: join(root, '.home'),
    XDG_DATA_HOME: join(root, '.home', 'data'),
    XDG_CONFIG_HOME: join(root, '.home', 'config'),
    XDG_CACHE_HOME: join(root, '.home', 'cache'),
    TMPDIR: join(root, '.tmp'),
    NO_COLOR: '1',
    RICK_PROJECT: root,
    RICK_HOME: join(root, '.rick'),
    RICK_CACHE_DIR: join(root, '.cache'),
    ...ENV_SECRETS,
  }
  mkdirSync(env.TMPDIR!, {recursive: true})
  return {root, env, outputs: []}
}

beforeAll(async () => {
  project = newProject()
  for (const args of COMMANDS) {
    project.outputs.push({args, result: await rick(args, {cwd: project.root, env: project.env, extendEnv: false})})
  }
}, 300_000)
afterAll(() => project && rmSync(project.root, {recursive: true, force: true}))

const resultOf = (...args: string[]) => project.outputs.find((o) => o.args.join(' ') === args.join(' '))!.result

describe('secrets never leave rick', () => {
  it('every credential variable of every sector, in any mode, has a fake value in the environment', () => {
    const r = resultOf('ops', 'check-env', '--json')
    const data = JSON.parse(r.stdout) as {sectors: Array<{sector: string; variables: Array<{name: string; source?: string}>}>}
    expect(data.sectors.map((s) => s.sector).sort()).toEqual(['coinbase', 'ibkr', 'oanda'])
    const live = JSON.parse(resultOf('ops', 'check-env', '--json', '--mode', 'live').stdout) as typeof data
    const names = live.sectors.flatMap((s) => s.variables.map((v) => v.name))
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) expect(Object.keys(ENV_SECRETS), `a fake value for ${name}`).toContain(name)
    // The configured modes read the environment (which wins over the secrets file).
    for (const s of data.sectors) for (const v of s.variables) expect(v.source, `${s.sector} ${v.name}`).toBe('env')
  })

  it('the commands really ran: engines, backtest, journal, snapshot, and the error paths', () => {
    expect(resultOf('run', 'coinbase', '--canary', '--speed', 'max', '--bars', '300').exitCode).toBe(3)
    expect(resultOf('run', 'coinbase', '--paper', '--speed', 'max', '--bars', '300').exitCode).toBe(0)
    expect(resultOf('run', 'oanda', '--paper', '--speed', 'max', '--bars', '300').exitCode).toBe(0)
    expect(JSON.parse(resultOf('backtest', 'ibkr', '--bars', '500', '--json').stdout).sector).toBe('ibkr')
    expect(resultOf('snapshot', 'create').exitCode).toBe(0)
    expect(resultOf('run', 'nosuch').exitCode).toBe(2)
    expect(resultOf('run', 'nosuch').stderr).toContain("unknown sector 'nosuch'")
    expect(resultOf('run', 'coinbase', '--live').exitCode).not.toBe(0)
    const events = resultOf('journal', 'export', '--format', 'jsonl').stdout.split('\n').filter(Boolean)
    expect(events.length).toBeGreaterThan(100)
    expect(statSync(join(project.root, '.rick', 'journal.db')).size).toBeGreaterThan(0)
  })

  it('no secret in any output, file, journal byte or git object (snapshots included)', () => {
    const {hits, snapshotRefs, snapshotPaths, filesScanned} = scanProject(project)
    // Engine starts and `snapshot create` took snapshots; the secrets file is not in them.
    expect(snapshotRefs.length).toBeGreaterThanOrEqual(2)
    expect([...snapshotPaths.values()].some((p) => p.startsWith('config/trading_sectors.yaml in '))).toBe(true)
    expect([...snapshotPaths.values()].filter((p) => p.startsWith(`${SECRETS_FILE} in `))).toEqual([])
    expect(filesScanned).toBeGreaterThan(10)
    expect(existsSync(join(project.root, '.rick', 'journal.db'))).toBe(true)
    expect(hits).toEqual([])
  })

  it('self-check: the search finds planted copies, in every kind of place it searches', () => {
    const before = scanProject(project).hits
    const plantedDir = join(project.root, '.rick', 'planted')
    mkdirSync(plantedDir, {recursive: true})
    try {
      writeFileSync(join(plantedDir, 'raw.log'), `token=${ENV_SECRETS.OANDA_API_TOKEN}\n`)
      writeFileSync(join(plantedDir, 'b64.txt'), Buffer.from(FILE_SECRETS.COINBASE_API_KEY!).toString('base64'))
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {cwd: project.root, input: JSON.stringify({secret: ENV_SECRETS.COINBASE_API_SECRET})}).toString().trim()
      const pemLine = ENV_SECRETS.COINBASE_API_SECRET!.split('\n')[1]!
      const fake: Project = {...project, outputs: [...project.outputs, {args: ['planted'], result: {exitCode: 0, stdout: '', stderr: `oops ${pemLine}`}}]}
      const after = scanProject(fake).hits.filter((h) => !before.some((b) => b.where === h.where && b.secret === h.secret && b.form === h.form))
      const found = (where: string, secret: string, form: string) => after.some((h) => h.where === where && h.secret === secret && h.form === form)
      expect(found('.rick/planted/raw.log', 'OANDA_API_TOKEN (env)', 'raw')).toBe(true)
      expect(found('.rick/planted/b64.txt', `COINBASE_API_KEY (${SECRETS_FILE})`, 'base64')).toBe(true)
      expect(found(`git blob ${blob}`, 'COINBASE_API_SECRET (env)', 'json')).toBe(true)
      expect(found('stderr of rick planted', 'COINBASE_API_SECRET (env)', 'line 2')).toBe(true)
      // The planted secrets file is the one place a secret may be; searched, it would be found.
      expect(scan(SECRETS_FILE, readFileSync(join(project.root, SECRETS_FILE))).map((h) => h.secret)).toContain(`COINBASE_API_KEY (${SECRETS_FILE})`)
    } finally {
      rmSync(plantedDir, {recursive: true, force: true})
    }
  })
})

describe('snapshots and configured secrets files', () => {
  // Snapshots leave out `.env*` by name AND every sector's configured secretsFiles, whatever their
  // names (here secrets/ibkr.env, not hidden by .gitignore).
  let leaks: Hit[] | undefined

  it('snapshot of a project whose ibkr sector lists secrets/ibkr.env', async () => {
    const p = newProject()
    try {
      const configFile = join(p.root, 'config', 'trading_sectors.yaml')
      const config = readFileSync(configFile, 'utf8')
      const withFile = config.replace('accountEnv: IBKR_ACCOUNT}', 'accountEnv: IBKR_ACCOUNT}\n    secretsFiles: [secrets/ibkr.env]')
      expect(withFile).not.toBe(config)
      writeFileSync(configFile, withFile)
      mkdirSync(join(p.root, 'secrets'))
      writeFileSync(join(p.root, 'secrets', 'ibkr.env'), `IBKR_ACCOUNT=${ENV_SECRETS.IBKR_ACCOUNT}\n`)
      chmodSync(join(p.root, 'secrets', 'ibkr.env'), 0o600)
      const env = {...p.env}
      delete env.IBKR_ACCOUNT
      const r = await rick(['snapshot', 'create'], {cwd: p.root, env, extendEnv: false})
      expect(r.exitCode).toBe(0)
      leaks = scanGitObjects(p.root, new Map()).filter((h) => h.secret === 'IBKR_ACCOUNT (env)')
    } finally {
      rmSync(p.root, {recursive: true, force: true})
    }
  })

  it('a secretsFile not named .env* is never recorded in a snapshot', () => {
    expect(leaks).toBeDefined()
    expect(leaks).toEqual([])
  })
})
