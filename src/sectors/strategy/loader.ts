// Loads strategy `<name>` of a project: finds its file, compiles it with esbuild (TypeScript or
// not, so every strategy runs the same way), caches the output under
// <rickHome>/cache/strategies/<key>.mjs keyed by the strategy's code hash, imports it, and
// validates its params. The code hash is the charter's (approvals are bound to it), so the code
// that runs is exactly the code that was approved: an edit changes the hash, hence the cache file,
// hence the module URL — a long-lived process picks up the new code too.
import {existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join, resolve, sep} from 'node:path'
import {pathToFileURL} from 'node:url'
import type * as Esbuild from 'esbuild'
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
import type {Strategy, StrategyModule} from './contract.js'

export interface LoadedStrategy {
  name: string
  /** Project-relative POSIX path of the entry file (`strategies/sma-crossover.ts`). */
  file: string
  module: StrategyModule
  /** Validated params: schema defaults and derived defaults applied; frozen. */
  params: Readonly<Record<string, unknown>>
  /** The charter's strategy hash (src/foundation/charter/strategy-hash.ts). */
  codeHash: string
  /** True when this load compiled the strategy; false when the cached output was reused. */
  compiled: boolean
  /** A fresh strategy instance with the validated params (may throw: call it through StrategyHost). */
  create(): Strategy
}

export interface LoadStrategyOptions {
  /** Sector name, for error paths (`/sectors/<sector>/strategy/params/fast`). */
  sector?: string
  /** Where compiled strategies are cached (default `<rickHome>/cache/strategies`). */
  cacheDir?: string
  env?: NodeJS.ProcessEnv
}

/** Bump when the compile options or the cache layout change. */
const CACHE_FORMAT = 1
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
  const compiled = join(cacheDir, `${key}.mjs`)
  const fresh = !existsSync(compiled)
  if (fresh) await compile(projectDir, entry, compiled, code.hash)

  let imported: {default?: unknown}
  try {
    imported = (await import(pathToFileURL(compiled).href)) as {default?: unknown}
  } catch (err) {
    if (fresh) throw strategyError(`strategy "${name}" (${entry.rel}) failed to load: ${(err as Error).message}`, err)
    // A cached file that does not load (damaged by hand?) is rebuilt once; the query gives the
    // rebuilt file a module URL of its own.
    await compile(projectDir, entry, compiled, code.hash)
    try {
      imported = (await import(`${pathToFileURL(compiled).href}?rebuilt=${++rebuilds}`)) as {default?: unknown}
    } catch (again) {
      throw strategyError(`strategy "${name}" (${entry.rel}) failed to load: ${(again as Error).message}`, again)
    }
  }
  const module = checkModule(imported.default, name, entry.rel)
  const params = validateParams(module, ref.params ?? {}, name, entry.rel, options.sector)
  return {
    name,
    file: entry.rel,
    module,
    params,
    codeHash: code.hash,
    compiled: fresh,
    create: () => module.create({...params}),
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

interface Entry {
  abs: string
  rel: string
  /** For a folder strategy: the folder, whose files are bundled; everything else stays outside. */
  scope?: string
}

function findEntry(root: string, name: string): Entry | undefined {
  const found: Entry[] = []
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

const requireHere = createRequire(import.meta.url)
/** Rebuilt cache files imported so far (each gets a module URL of its own). */
let rebuilds = 0

async function compile(root: string, entry: Entry, outFile: string, codeHash: string): Promise<void> {
  // Loaded here only: a cache hit never pays for esbuild. (required, not imported, so the CLI
  // bundler leaves esbuild and its native binary alone.)
  const esbuild = requireHere('esbuild') as typeof Esbuild
  let result: Esbuild.BuildResult & {outputFiles: Esbuild.OutputFile[]}
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry.abs],
      // Not written by esbuild (see below); named so the source map's paths lead back to the sources.
      outfile: outFile,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      // A fixed tsconfig: the output must depend on the hashed files only.
      tsconfigRaw: {compilerOptions: {}},
      banner: {js: `// rick: compiled from ${entry.rel} (code ${codeHash.slice(0, 12)})`},
      plugins: [scopePlugin(entry)],
    })
  } catch (err) {
    const errors = (err as {errors?: Esbuild.Message[]}).errors ?? []
    const lines = errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text))
    throw strategyError(`strategy ${entry.rel} does not compile:\n  ${lines.join('\n  ') || (err as Error).message}`, err)
  }
  const text = result.outputFiles[0]?.text ?? ''
  const dir = join(outFile, '..')
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const tmp = `${outFile}.${process.pid}.tmp`
  writeFileSync(tmp, text, {mode: 0o600})
  renameSync(tmp, outFile)
}

/**
 * Bundles the strategy's own files only: a single-file strategy is just its entry; a folder
 * strategy is its folder. Anything else stays an import — packages by name, other files by
 * absolute file URL (the compiled file lives elsewhere, so relative paths would break).
 */
function scopePlugin(entry: Entry): Esbuild.Plugin {
  return {
    name: 'rick-strategy-scope',
    setup(build) {
      build.onResolve({filter: /.*/}, (args) => {
        if (args.kind === 'entry-point') return undefined
        const spec = args.path
        if (spec.startsWith('node:') || !(spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:'))) {
          return {path: spec, external: true}
        }
        const abs = spec.startsWith('file:') ? new URL(spec).pathname : resolve(args.resolveDir, spec)
        if (entry.scope !== undefined && (abs === entry.scope || abs.startsWith(entry.scope + sep))) return undefined
        return {path: pathToFileURL(abs).href, external: true}
      })
    },
  }
}

function checkModule(value: unknown, name: string, file: string): StrategyModule {
  const m = value as Partial<StrategyModule> | null | undefined
  const problems: string[] = []
  if (m === null || typeof m !== 'object') {
    throw strategyError(`${file}: the default export must be a strategy module {name, description, paramsSchema, create}; found ${m === null ? 'null' : typeof m}`)
  }
  if (typeof m.name !== 'string') problems.push('name (a string)')
  if (typeof m.description !== 'string') problems.push('description (a string)')
  if (m.paramsSchema === null || typeof m.paramsSchema !== 'object' || Array.isArray(m.paramsSchema)) problems.push('paramsSchema (a JSON Schema object)')
  if (typeof m.create !== 'function') problems.push('create(params) (a function)')
  if (problems.length > 0) throw strategyError(`${file}: the default export is not a strategy module; missing or wrong: ${problems.join(', ')}`)
  if (m.name !== name) {
    // Not fatal: the file name is what the config refers to. Said so the two can be kept in step.
    process.emitWarning(`${file} exports a strategy named "${m.name}"; it is loaded as "${name}" (its file name)`, {code: 'RICK_STRATEGY_NAME'})
  }
  return m as StrategyModule
}

function validateParams(module: StrategyModule, given: Record<string, unknown>, name: string, file: string, sector?: string): Readonly<Record<string, unknown>> {
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
  try {
    if (module.deriveParams) params = module.deriveParams(params)
    const problems = module.checkParams ? module.checkParams(params) : []
    if (problems.length > 0) {
      throw new ConfigError(
        `invalid params for ${label}`,
        problems.map((p) => ({path: '/' + [...prefix, p.param].join('/'), code: 'param', severity: 'error', message: `param "${p.param}" of ${label}: ${p.message}`, found: JSON.stringify(params[p.param])})),
      )
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err
    throw strategyError(`${label}: checking params threw: ${(err as Error).message}`, err)
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

