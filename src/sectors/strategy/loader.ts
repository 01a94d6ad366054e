// Loads strategy `<name>` of a project: finds its file, compiles it (sandbox/compile.ts: imports
// checked, one script for the strategy's realm), caches the output under
// <rickHome>/cache/strategies/<key>.js keyed by the strategy's code hash, evaluates it in a realm
// of its own to read its description and validate its params. The code hash is the charter's
// (approvals are bound to it), so the code that runs is exactly the code that was approved.
//
// Nothing of the strategy runs in the caller's realm: the module is never imported, only evaluated
// in a sandbox realm (sandbox/realm.ts), and every instance the engine gets is a sandboxed one.
import {existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import type {ErrorObject} from 'ajv'

import {sha256Hex} from '../../foundation/canonical.js'
import {STRATEGIES_DIR, STRATEGY_EXTENSIONS, hashStrategy} from '../../foundation/charter/strategy-hash.js'
import {validatorFor} from '../../foundation/config/ajv.js'
import {schemaDiagnostics} from '../../foundation/config/schema-errors.js'
import {suggest} from '../../foundation/config/suggest.js'
import type {StrategyRef} from '../../foundation/config/types.js'
import type {JsonSchema} from '../../foundation/config/venue-rules.js'
import {ConfigError, ExitCode, RickError, type Diagnostic} from '../../foundation/errors.js'
import {rickHome} from '../../foundation/paths.js'
import type {Strategy} from './contract.js'
import {compileStrategy, StrategyCompileError, type StrategyEntry} from './sandbox/compile.js'
import {Realm, RealmLoadError} from './sandbox/realm.js'
import {DEFAULT_BUDGET, sandboxedStrategy, type SandboxBudget} from './sandbox/sandboxed-strategy.js'

/** What a strategy module says about itself (read in its realm, as plain data). */
export interface StrategyDescription {
  name: string
  description: string
  paramsSchema: Record<string, unknown>
}

export interface LoadedStrategy {
  name: string
  /** Project-relative POSIX path of the entry file (`strategies/sma-crossover.ts`). */
  file: string
  module: StrategyDescription
  /** Validated params: schema defaults and derived defaults applied; frozen. */
  params: Readonly<Record<string, unknown>>
  /** The charter's strategy hash (src/foundation/charter/strategy-hash.ts). */
  codeHash: string
  /** True when this load compiled the strategy; false when the cached output was reused. */
  compiled: boolean
  /** The compiled realm script. */
  script: string
  budget: SandboxBudget
  /**
   * A fresh sandboxed instance with the validated params, its realm in a worker thread (every call
   * bounded in time, the heap in size): what runs that trade use. Call it through StrategyHost.
   */
  create(): Strategy & {close(): void}
  /** The same with the realm in the calling thread (no per-call budget; backtests and replays). */
  createInThread(): Strategy & {close(): void}
}

export interface LoadStrategyOptions {
  /** Sector name, for error paths (`/sectors/<sector>/strategy/params/fast`). */
  sector?: string
  /** Where compiled strategies are cached (default `<rickHome>/cache/strategies`). */
  cacheDir?: string
  env?: NodeJS.ProcessEnv
  /** Time and memory budgets of the sandbox (default DEFAULT_BUDGET). */
  budget?: Partial<SandboxBudget>
}

/** Bump when the compile options or the cache layout change. */
const CACHE_FORMAT = 2
/** Entry files of a folder strategy `strategies/<name>/`, in order of preference. */
const INDEX_FILES = ['index.ts', 'index.mts', 'index.js', 'index.mjs'] as const

/** Finds, compiles (or reuses), imports and validates strategy `ref.name` of the project at `root`. */
export async function loadStrategy(root: string, ref: StrategyRef, options: LoadStrategyOptions = {}): Promise<LoadedStrategy> {
  const projectDir = resolve(root)
  const name = ref.name
  let code
  try {
    code = hashStrategy(projectDir, name)
  } catch (err) {
    throw notFound(projectDir, name, options.sector, (err as Error).message)
  }
  const entry = code === null ? undefined : findEntry(projectDir, name)
  if (code === null || entry === undefined) throw notFound(projectDir, name, options.sector)

  const cacheDir = options.cacheDir ?? join(rickHome(projectDir, options.env ?? process.env), 'cache', 'strategies')
  const key = sha256Hex(JSON.stringify({f: CACHE_FORMAT, root: projectDir, entry: entry.rel, code: code.hash}))
  const compiled = join(cacheDir, `${key}.js`)
  const fresh = !existsSync(compiled)
  let script = fresh ? undefined : readCached(compiled)
  if (script === undefined) script = await compile(projectDir, entry, compiled, code.hash)
  const budget = {...DEFAULT_BUDGET, ...options.budget}
  const filename = entry.abs
  let realm: Realm
  try {
    realm = openRealm(script, filename, entry.rel, budget)
  } catch (err) {
    if (fresh) throw err
    // A cached file that does not parse (damaged by hand?) is rebuilt once.
    script = await compile(projectDir, entry, compiled, code.hash)
    realm = openRealm(script, filename, entry.rel, budget)
  }
  const module = describeModule(realm, name, entry.rel)
  const params = validateParams(realm, module, ref.params ?? {}, name, entry.rel, options.sector)
  const spec = {script, filename, params, budget}
  return {
    name,
    file: entry.rel,
    module,
    params,
    codeHash: code.hash,
    compiled: fresh,
    script,
    budget,
    create: () => sandboxedStrategy(spec, 'worker'),
    createInThread: () => sandboxedStrategy(spec, 'thread'),
  }
}

/** Names of the strategies found under `<root>/strategies`, sorted. */
export function availableStrategies(root: string): string[] {
  const dir = join(root, STRATEGIES_DIR)
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return []
  }
  const names = new Set<string>()
  for (const e of entries) {
    const ext = STRATEGY_EXTENSIONS.find((x) => e.endsWith(x) && !e.endsWith(`.d${x}`))
    if (ext !== undefined && isFile(join(dir, e))) names.add(e.slice(0, -ext.length))
    else if (isDir(join(dir, e)) && INDEX_FILES.some((f) => isFile(join(dir, e, f)))) names.add(e)
  }
  return [...names].sort()
}

function findEntry(root: string, name: string): StrategyEntry | undefined {
  const found: StrategyEntry[] = []
  for (const ext of STRATEGY_EXTENSIONS) {
    const abs = join(root, STRATEGIES_DIR, `${name}${ext}`)
    if (isFile(abs)) found.push({abs, rel: `${STRATEGIES_DIR}/${name}${ext}`})
  }
  const folder = join(root, STRATEGIES_DIR, name)
  const index = isDir(folder) ? INDEX_FILES.find((f) => isFile(join(folder, f))) : undefined
  if (index !== undefined) found.push({abs: join(folder, index), rel: `${STRATEGIES_DIR}/${name}/${index}`, scope: folder})
  if (found.length > 1) {
    throw strategyError(`strategy "${name}" is defined more than once: ${found.map((f) => f.rel).join(', ')}; keep one`)
  }
  return found[0]
}

async function compile(root: string, entry: StrategyEntry, outFile: string, codeHash: string): Promise<string> {
  let text: string
  try {
    text = await compileStrategy(root, entry, `// rick: compiled from ${entry.rel} (code ${codeHash.slice(0, 12)})`)
  } catch (err) {
    if (err instanceof StrategyCompileError) throw strategyError(err.message, err)
    throw err
  }
  const dir = join(outFile, '..')
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const tmp = `${outFile}.${process.pid}.tmp`
  writeFileSync(tmp, text, {mode: 0o600})
  renameSync(tmp, outFile)
  return text
}

function readCached(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** The strategy's module evaluated in a realm of its own (its top level bounded by the load budget). */
function openRealm(script: string, filename: string, file: string, budget: SandboxBudget): Realm {
  try {
    return new Realm({script, filename, seed: 0, instruments: [], loadTimeoutMs: budget.loadMs})
  } catch (err) {
    throw strategyError(`strategy ${file}: ${(err as Error).message}`, err)
  }
}

/** A loading call's answer: JSON text, or '!' + a fault (thrown as a strategy error). */
function answer(realm: Realm, file: string, what: string, method: 'describe' | 'deriveParams' | 'checkParams', arg?: string): unknown {
  let out: string
  try {
    out = realm.load(method, arg)
  } catch (err) {
    if (err instanceof RealmLoadError) throw strategyError(`${what}: ${err.message}`, err)
    throw err
  }
  if (out.startsWith('!')) {
    const f = JSON.parse(out.slice(1)) as {message?: string; shape?: boolean}
    throw strategyError(f.shape ? `${file}: ${f.message}` : `${what}: ${f.message ?? 'an error'}`)
  }
  return JSON.parse(out) as unknown
}

interface Described extends StrategyDescription {
  derive: boolean
  check: boolean
}

function describeModule(realm: Realm, name: string, file: string): Described {
  const said = answer(realm, file, `strategy "${name}" (${file}) failed to load`, 'describe') as {schema: unknown; about: Partial<Described> & {create?: boolean}}
  const m = {...said.about, paramsSchema: said.schema as Record<string, unknown>}
  const problems: string[] = []
  if (typeof m.name !== 'string') problems.push('name (a string)')
  if (typeof m.description !== 'string') problems.push('description (a string)')
  if (m.paramsSchema === null || typeof m.paramsSchema !== 'object' || Array.isArray(m.paramsSchema)) problems.push('paramsSchema (a JSON Schema object)')
  if (m.create !== true) problems.push('create(params) (a function)')
  if (problems.length > 0) throw strategyError(`${file}: the default export is not a strategy module; missing or wrong: ${problems.join(', ')}`)
  if (m.name !== name) {
    // Not fatal: the file name is what the config refers to. Said so the two can be kept in step.
    process.emitWarning(`${file} exports a strategy named "${m.name}"; it is loaded as "${name}" (its file name)`, {code: 'RICK_STRATEGY_NAME'})
  }
  return {name: m.name!, description: m.description!, paramsSchema: m.paramsSchema!, derive: m.derive === true, check: m.check === true}
}

function validateParams(realm: Realm, module: Described, given: Record<string, unknown>, name: string, file: string, sector?: string): Readonly<Record<string, unknown>> {
  const prefix = sector === undefined ? ['strategy', 'params'] : ['sectors', sector, 'strategy', 'params']
  const label = `strategy "${name}" (${file})`
  const schema = module.paramsSchema as JsonSchema
  const compiled = validatorFor(schema, false)
  if ('error' in compiled) throw strategyError(`${file}: paramsSchema is not a valid JSON Schema: ${compiled.error}`)
  let params = structuredClone(given) as Record<string, unknown>
  applyDefaults(schema, params)
  if (!compiled.validate(params)) {
    const errors = (compiled.validate.errors ?? []) as ErrorObject[]
    const diagnostics = schemaDiagnostics(errors, {
      source: {file: '', positionOf: () => ({line: 1, column: 1})},
      root: params,
      prefix,
      describe: (segments) => (segments.length > prefix.length ? `param "${segments.slice(prefix.length).join('.')}" of ${label}` : `the params of ${label}`),
    }).map(withoutPosition)
    throw new ConfigError(`invalid params for ${label}`, diagnostics)
  }
  if (module.derive) {
    const derived = answer(realm, file, `${label}: deriveParams`, 'deriveParams', JSON.stringify(params))
    if (derived === null || typeof derived !== 'object' || Array.isArray(derived)) throw strategyError(`${label}: deriveParams returned ${Array.isArray(derived) ? 'an array' : typeof derived}, expected the params object`)
    params = derived as Record<string, unknown>
  }
  const problems = module.check ? (answer(realm, file, `${label}: checking params`, 'checkParams', JSON.stringify(params)) as Array<{param: string; message: string}>) : []
  if (problems.length > 0) {
    throw new ConfigError(
      `invalid params for ${label}`,
      problems.map((p) => ({path: '/' + [...prefix, p.param].join('/'), code: 'param', severity: 'error', message: `param "${p.param}" of ${label}: ${p.message}`, found: JSON.stringify(params[p.param])})),
    )
  }
  return Object.freeze(params)
}

/** Fills `default`s of object properties that are absent, recursively (ajv here is not set to). */
function applyDefaults(schema: JsonSchema, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return
  const props = (schema as {properties?: Record<string, JsonSchema>}).properties
  if (props === undefined) return
  const obj = value as Record<string, unknown>
  for (const [key, sub] of Object.entries(props)) {
    if (obj[key] === undefined && sub !== null && typeof sub === 'object' && 'default' in sub) obj[key] = structuredClone((sub as {default: unknown}).default)
    if (obj[key] !== undefined) applyDefaults(sub, obj[key])
  }
}

function withoutPosition(d: Diagnostic): Diagnostic {
  const {file: _file, line: _line, column: _column, ...rest} = d
  return rest
}

function notFound(root: string, name: string, sector: string | undefined, why?: string): ConfigError {
  const available = availableStrategies(root)
  const hint = suggest(name, available)
  const where = join(root, STRATEGIES_DIR)
  const list = available.length > 0 ? `available: ${available.join(', ')}` : `no strategies in ${where}`
  const tried = [...STRATEGY_EXTENSIONS.map((x) => `${STRATEGIES_DIR}/${name}${x}`), `${STRATEGIES_DIR}/${name}/index.{ts,mts,js,mjs}`]
  return new ConfigError(`strategy "${name}" not found in ${where}; ${list}`, [
    {
      path: sector === undefined ? '/strategy/name' : `/sectors/${sector}/strategy/name`,
      code: 'unknown-strategy',
      severity: 'error',
      message: why ?? `no strategy named "${name}"`,
      expected: available.length > 0 ? `one of: ${available.join(', ')}` : `a file such as ${STRATEGIES_DIR}/${name}.ts`,
      found: `nothing at ${tried.join(', ')}`,
      ...(hint === undefined ? {} : {suggestion: hint}),
    },
  ])
}

function strategyError(message: string, cause?: unknown): RickError {
  return new RickError(message, {code: 'STRATEGY_INVALID', exitCode: ExitCode.BadInput, cause})
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile()
  } catch {
    return false
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

