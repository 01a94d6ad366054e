// A cache of validated configs. Parsing and validating config/trading_sectors.yaml is most of
// what `rick sectors list` or `rick status` costs after start-up (about 30 ms, mostly the YAML
// parser's first use), and the file rarely changes between two runs. The result of a run without
// errors is kept under the cache folder, keyed by everything it depends on:
//   - the config text and the name it is shown under;
//   - rick's own code: the running module's URL and modification time (every build rewrites it);
//   - every loaded sector plugin: name, version, root, and the size and modification time of its
//     JavaScript files (their check() code is part of validation).
// A stale or unreadable entry is never trusted over a fresh validation: it is simply not found.
// From the TypeScript sources (tests, dev mode) the cache is off unless asked for, because
// editing a source file does not change the modification time of this module.
import {createHash} from 'node:crypto'
import {mkdirSync, readdirSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {extname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {MAX_INPUT_BYTES, readTextFile} from '../foundation/config/read-file.js'
import type {RickConfig} from '../foundation/config/types.js'
import type {Diagnostic} from '../foundation/errors.js'
import {rickCacheDir} from '../foundation/paths.js'
import type {SectorRegistry} from './definition.js'

const FORMAT = 1
/** A plugin with more code files than this is not fingerprinted (the walk would cost more than it saves). */
const MAX_PLUGIN_FILES = 200
/** A validated config of 1 MiB of YAML, as JSON with its defaults filled in, stays well under this. */
const MAX_ENTRY_BYTES = 8 * MAX_INPUT_BYTES

export interface ValidationResult {
  config?: RickConfig
  diagnostics: Diagnostic[]
}

export interface ConfigCacheOptions {
  env?: NodeJS.ProcessEnv
  /** Use the cache even when running from the sources (tests of this module). */
  force?: boolean
}

/** `validate()`'s result for this text and these plugins, from the cache when an entry matches. */
export function cachedValidation(
  text: string,
  shownFile: string,
  registry: SectorRegistry,
  validate: () => ValidationResult,
  options: ConfigCacheOptions = {},
): ValidationResult {
  const file = entryPath(text, shownFile, registry, options)
  if (file === undefined) return validate()
  const hit = readEntry(file)
  if (hit !== undefined) return hit
  const result = validate()
  if (result.config !== undefined && !result.diagnostics.some((d) => d.severity === 'error')) writeEntry(file, result)
  return result
}

function entryPath(text: string, shownFile: string, registry: SectorRegistry, options: ConfigCacheOptions): string | undefined {
  const self = fileURLToPath(import.meta.url)
  if (!options.force && !self.includes(`${join('dist', 'bundle')}`)) return undefined
  const dir = rickCacheDir(options.env ?? process.env)
  if (dir === undefined) return undefined
  try {
    const plugins = registry.list().map((r) => {
      const files = codeFiles(r.plugin.root)
      if (files === undefined) throw new Error('plugin too large to fingerprint')
      return {name: r.plugin.name, version: r.plugin.version, root: r.plugin.root, files}
    })
    const code = statSync(self)
    const key = createHash('sha256')
      .update(JSON.stringify({f: FORMAT, self, mtime: code.mtimeMs, size: code.size, shownFile, plugins, failures: registry.failures}))
      .update('\0')
      .update(text)
      .digest('hex')
    return join(dir, 'configs', `${key.slice(0, 40)}.json`)
  } catch {
    return undefined
  }
}

/** `path size mtime` of every .js/.mjs/.cjs file under root (node_modules excluded), or undefined past the cap. */
function codeFiles(root: string): string[] | undefined {
  const out: string[] = []
  const walk = (dir: string, depth: number): boolean => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (depth < 6 && !walk(path, depth + 1)) return false
      } else if (['.js', '.mjs', '.cjs'].includes(extname(entry.name))) {
        const st = statSync(path)
        out.push(`${path} ${st.size} ${st.mtimeMs}`)
        if (out.length > MAX_PLUGIN_FILES) return false
      }
    }
    return true
  }
  return walk(root, 0) ? out.sort() : undefined
}

function readEntry(file: string): ValidationResult | undefined {
  // Guarded like the config itself: a FIFO or a device planted in the cache folder must not hang
  // or swallow a run (an unreadable entry is simply not found).
  const read = readTextFile(file, {maxBytes: MAX_ENTRY_BYTES})
  if (!read.ok) return undefined
  try {
    const parsed = JSON.parse(read.text) as {format?: number; result?: ValidationResult}
    if (parsed.format !== FORMAT || parsed.result?.config === undefined || !Array.isArray(parsed.result.diagnostics)) return undefined
    return parsed.result
  } catch {
    return undefined
  }
}

function writeEntry(file: string, result: ValidationResult): void {
  try {
    mkdirSync(join(file, '..'), {recursive: true, mode: 0o700})
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify({format: FORMAT, result}), {mode: 0o600})
    renameSync(tmp, file)
  } catch {
    // A read-only or full disk only costs speed.
  }
}
