// Compiled JSON Schema validators, fast to get. ajv is loaded lazily, and since compiling is the
// slow part of start-up (loading ajv and compiling the config schema take ~100 ms on a small
// machine), compiled validators are also kept on disk as ajv "standalone" code, keyed by a hash of
// the schema, ajv's version and the options: a later process loads them without loading ajv at
// all. The cache is an optimisation only; any problem with it falls back to compiling in memory.
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import type {Ajv as AjvClass, Options as AjvOptions, ValidateFunction} from 'ajv'

import {rickCacheDir} from '../paths.js'
import type {JsonSchema} from './venue-rules.js'

/**
 * Annotation keyword: what a value must look like, in words, for messages where a bare regular
 * expression would not help (`x-expected: "HH:MM, 24-hour"`). Editors ignore it.
 */
export const EXPECTED_KEYWORD = 'x-expected'

// Bump when the options below or the way code is stored change.
const CACHE_FORMAT = 1

type AjvCtor = new (opts: AjvOptions) => AjvClass
const require = createRequire(import.meta.url)
const instances = new Map<boolean, AjvClass>()

function options(strict: boolean): AjvOptions {
  return {
    allErrors: true,
    verbose: true,
    // Strict for rick's own schemas (a mistake there is a bug); lenient for plugin fragments,
    // which rick does not control. Numbers must be finite either way.
    strict,
    strictNumbers: true,
    allowUnionTypes: true,
    logger: false,
    code: {optimize: 1, source: true},
  }
}

function ajv(strict: boolean): AjvClass {
  let instance = instances.get(strict)
  if (instance === undefined) {
    const mod = require('ajv') as {default: AjvCtor}
    instance = new mod.default(options(strict))
    instance.addKeyword({keyword: EXPECTED_KEYWORD, schemaType: 'string'})
    instances.set(strict, instance)
  }
  return instance
}

export type Compiled = {validate: ValidateFunction} | {error: string}
const memory = [new WeakMap<object, Compiled>(), new WeakMap<object, Compiled>()] as const

/** The validator for `schema`, cached per schema object and on disk; a broken schema is reported, never thrown. */
export function validatorFor(schema: JsonSchema, strict = true): Compiled {
  const cache = memory[strict ? 1 : 0]
  let entry = cache.get(schema)
  if (entry === undefined) {
    entry = compile(schema, strict)
    cache.set(schema, entry)
  }
  return entry
}

function compile(schema: JsonSchema, strict: boolean): Compiled {
  const dir = cacheDir()
  let file: string | undefined
  if (dir !== undefined) {
    try {
      file = join(dir, `${cacheKey(schema, strict)}.cjs`)
      const loaded = loadStandalone(readFileSync(file, 'utf8'))
      if (loaded) return {validate: loaded}
    } catch {
      // Not cached yet (or unreadable): compile below.
    }
  }
  let validate: ValidateFunction
  try {
    validate = ajv(strict).compile(schema)
  } catch (err) {
    return {error: err instanceof Error ? err.message : String(err)}
  }
  if (file !== undefined && dir !== undefined) {
    try {
      const standaloneCode = (require('ajv/dist/standalone/index.js') as {default: (a: AjvClass, v: ValidateFunction) => string}).default
      const code = standaloneCode(ajv(strict), validate)
      mkdirSync(dir, {recursive: true, mode: 0o700})
      const tmp = `${file}.${process.pid}.tmp`
      writeFileSync(tmp, code, {mode: 0o600})
      renameSync(tmp, file)
    } catch {
      // A read-only or full disk only costs speed.
    }
  }
  return {validate}
}

function loadStandalone(code: string): ValidateFunction | undefined {
  const module = {exports: {} as unknown}
  // The code requires ajv's small runtime helpers; resolve them from here, not from the cache dir.
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', code)(require, module, module.exports)
  const exported = module.exports as {default?: unknown}
  const fn = typeof exported === 'function' ? exported : exported.default
  return typeof fn === 'function' ? (fn as ValidateFunction) : undefined
}

let ajvVersion: string | undefined
function cacheKey(schema: JsonSchema, strict: boolean): string {
  ajvVersion ??= (JSON.parse(readFileSync(require.resolve('ajv/package.json'), 'utf8')) as {version: string}).version
  return createHash('sha256')
    .update(JSON.stringify({f: CACHE_FORMAT, v: ajvVersion, strict, o: options(strict), k: EXPECTED_KEYWORD, schema}))
    .digest('hex')
    .slice(0, 32)
}

function cacheDir(): string | undefined {
  const base = rickCacheDir()
  return base === undefined ? undefined : join(base, 'schemas')
}
