// Reading config/trading_sectors.yaml into typed sectors, validated against the venues the loaded
// plugins registered. Used by the config and sectors commands and by the charter.
import {isAbsolute, relative} from 'node:path'

import {ConfigError, type Diagnostic} from '../foundation/errors.js'
import {hashCanonical} from '../foundation/canonical.js'
import {FILE_PROBLEM_CODES, readTextFile} from '../foundation/config/read-file.js'
import {validateConfigText} from '../foundation/config/validate.js'
import type {LoadedConfig} from '../foundation/config/types.js'
import {configPath} from '../foundation/paths.js'
import {cachedValidation} from './config-cache.js'
import type {SectorRegistry} from './definition.js'

export interface ReadConfigOptions {
  /** Explicit config file (`--file`); default: RICK_CONFIG, else the project's config/trading_sectors.yaml. */
  file?: string | undefined
  /** Directory relative paths are resolved against, and diagnostics shown relative to. */
  cwd?: string | undefined
  registry: SectorRegistry
  env?: NodeJS.ProcessEnv | undefined
}

export interface ReadConfigResult {
  /** Absolute path of the file that was (or would have been) read. */
  file: string
  /** Set when the file is valid (warnings may still be present in `diagnostics`). */
  loaded?: LoadedConfig
  /** Errors and warnings, sorted by position. */
  diagnostics: Diagnostic[]
}

/** Reads and validates the config. Bad input never throws: it comes back as diagnostics. */
export function readSectorsConfig(opts: ReadConfigOptions): ReadConfigResult {
  const cwd = opts.cwd ?? process.cwd()
  const file = configPath(opts.file, cwd, opts.env ?? process.env)
  const shown = displayPath(file, cwd)
  const read = readTextFile(file, {shown, what: 'config file'})
  if (!read.ok) {
    const p = read.problem
    const expected = p.code === 'file-not-found' ? 'a config file (pass --file, set RICK_CONFIG, or run inside a project with config/trading_sectors.yaml)' : p.expected
    return {file, diagnostics: [{file: shown, path: '', code: p.code, severity: 'error', message: p.message, expected, ...(p.code === 'file-not-found' ? {} : {found: p.found})}]}
  }
  const text = read.text

  const venues = opts.registry.list().map((r) => r.definition)
  const {config, diagnostics} = cachedValidation(text, shown, opts.registry, () => validateConfigText(text, shown, venues), {env: opts.env ?? process.env})
  explainUnknownVenues(diagnostics, opts.registry)
  if (config === undefined) return {file, diagnostics}
  return {file, loaded: {file, hash: hashCanonical(config), config}, diagnostics}
}

const FILE_PROBLEMS: ReadonlySet<string> = new Set(FILE_PROBLEM_CODES)

/** Like readSectorsConfig, but any error throws a ConfigError (exit 2) carrying every diagnostic. */
export function loadSectorsConfig(opts: ReadConfigOptions): LoadedConfig & {warnings: Diagnostic[]} {
  const result = readSectorsConfig(opts)
  const errors = result.diagnostics.filter((d) => d.severity === 'error')
  if (result.loaded === undefined || errors.length > 0) {
    const shown = result.diagnostics[0]?.file ?? result.file
    const unread = errors.length === 1 && FILE_PROBLEMS.has(errors[0]?.code ?? '')
    const message = unread ? `${shown}: cannot load the config` : `${shown}: ${errors.length} error${errors.length === 1 ? '' : 's'} in the config`
    throw new ConfigError(message, result.diagnostics)
  }
  return {...result.loaded, warnings: result.diagnostics.filter((d) => d.severity === 'warning')}
}

/** `config/trading_sectors.yaml` when under cwd, else the absolute path. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file
}

// A venue is often unknown because the plugin providing it failed to load: say so.
function explainUnknownVenues(diagnostics: Diagnostic[], registry: SectorRegistry): void {
  if (registry.failures.length === 0) return
  const failed = registry.failures.map((f) => f.plugin).join(', ')
  for (const d of diagnostics) {
    if (d.code === 'unknown-venue') d.message += ` (plugins that failed to load: ${failed}; see rick sectors list)`
  }
}
