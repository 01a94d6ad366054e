// The translation of ajv's errors into Diagnostics a person can act on: what was expected, what
// was found, where (line and column), and the nearest valid key.
import type {ErrorObject} from 'ajv'

import type {Diagnostic} from '../errors.js'
import {isSecretKey, maskSecret} from '../secrets/redact.js'
import {EXPECTED_KEYWORD} from './ajv.js'
import {clip, quoted} from './echo.js'
import {suggest} from './suggest.js'
import type {LineColumn, PathSegment} from './yaml-document.js'

/** Names a location for messages: `sector "oanda"`, `"session.windows[0]" in sector "oanda"`. */
export type DescribePath = (segments: readonly PathSegment[]) => string

/** The parts of a parsed YAML source the translation needs. */
export interface SourcePositions {
  file: string
  positionOf(path: readonly PathSegment[], target?: 'key' | 'value'): LineColumn
}

export interface ErrorContext {
  source: SourcePositions
  /** The value that was validated (to show what was found). */
  root: unknown
  /** Path of the validated value inside the document (ajv paths are relative to it). */
  prefix: readonly PathSegment[]
  describe?: DescribePath | undefined
}

/** Translates ajv errors into Diagnostics. Noise (branch failures of if/then, follow-ups) is dropped. */
export function schemaDiagnostics(errors: readonly ErrorObject[], ctx: ErrorContext): Diagnostic[] {
  const typeErrorPaths = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath))
  const out: Diagnostic[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'then' || e.keyword === 'else') continue
    // propertyNames reports the failing inner keyword too, flagged with propertyName.
    if ((e as {propertyName?: string}).propertyName !== undefined && e.keyword !== 'propertyNames') continue
    // When the type is wrong, enum/pattern/range complaints about the same value are just noise.
    if (e.keyword !== 'type' && typeErrorPaths.has(e.instancePath)) continue
    const d = translate(e, ctx)
    const key = `${d.path}|${d.code}|${d.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(d)
  }
  return out
}

function translate(e: ErrorObject, ctx: ErrorContext): Diagnostic {
  const relative = e.instancePath === '' ? [] : e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  const at = [...ctx.prefix, ...relative]
  const describe = ctx.describe ?? defaultDescribe
  const value = valueAt(ctx.root, relative)
  const label = describe(at)
  const parentSchema = (e.parentSchema ?? {}) as Record<string, unknown>
  const hint = typeof parentSchema[EXPECTED_KEYWORD] === 'string' ? (parentSchema[EXPECTED_KEYWORD] as string) : undefined
  const lastKey = at.length > 0 ? String(at[at.length - 1]) : ''
  const found = describeValue(value, isSecretKey(lastKey) || /Env$/.test(lastKey))
  const p = e.params as Record<string, unknown>
  const make = (code: string, message: string, target: 'key' | 'value', path = at, extra: Partial<Diagnostic> = {}): Diagnostic => {
    const pos = ctx.source.positionOf(path, target)
    return {file: ctx.source.file, line: pos.line, column: pos.column, path: pointer(path), code, severity: 'error', message, ...extra}
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty)
      const allowed = Object.keys((parentSchema.properties as Record<string, unknown> | undefined) ?? {})
      const suggestion = suggest(key, allowed)
      return make('unknown-key', `unknown key ${quoted(key)} ${where(at, describe)}`, 'key', [...at, key], {
        ...(allowed.length > 0 ? {expected: `one of: ${allowed.join(', ')}`} : {}),
        found: quoted(key),
        ...(suggestion === undefined ? {} : {suggestion}),
      })
    }
    case 'required': {
      const key = String(p.missingProperty)
      const prop = ((parentSchema.properties as Record<string, Record<string, unknown>> | undefined) ?? {})[key]
      const expected = typeof prop?.description === 'string' ? `${key}: ${firstSentence(prop.description)}` : `a key ${JSON.stringify(key)}`
      return make('missing-key', `missing required key ${JSON.stringify(key)} ${where(at, describe)}`, 'key', at, {expected})
    }
    case 'type': {
      const expected = typeNames(p.type)
      return make('type', `wrong type for ${label}`, 'value', at, {expected: hint ?? expected, found})
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]) ?? []
      const suggestion = typeof value === 'string' ? suggest(value, allowed.map(String)) : undefined
      return make('enum', `invalid value for ${label}`, 'value', at, {
        expected: `one of: ${allowed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`,
        found,
        ...(suggestion === undefined ? {} : {suggestion}),
      })
    }
    case 'const':
      return make('const', `invalid value for ${label}`, 'value', at, {expected: JSON.stringify(p.allowedValue), found})
    case 'pattern': {
      // Plugin fragments rarely carry x-expected, but their description usually says it in words.
      const description = typeof parentSchema.description === 'string' ? parentSchema.description : undefined
      const expected = hint ?? (description ? `${description} (pattern ${String(p.pattern)})` : `text matching ${String(p.pattern)}`)
      return make('pattern', `invalid format for ${label}`, 'value', at, {expected, found})
    }
    case 'format':
      return make('format', `invalid format for ${label}`, 'value', at, {expected: hint ?? `a ${String(p.format)}`, found})
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf': {
      const words: Record<string, string> = {minimum: '>=', maximum: '<=', exclusiveMinimum: '>', exclusiveMaximum: '<', multipleOf: 'a multiple of'}
      const expected = hint ?? `a number ${words[e.keyword]} ${String(p.limit ?? p.multipleOf)}`
      return make('range', `${label} is out of range`, 'value', at, {expected, found})
    }
    case 'minLength':
    case 'maxLength': {
      const n = Number(p.limit)
      const expected = hint ?? (e.keyword === 'minLength' ? (n === 1 ? 'a non-empty string' : `at least ${n} characters`) : `at most ${n} characters`)
      return make('length', `${label} has the wrong length`, 'value', at, {expected, found})
    }
    case 'minItems':
    case 'maxItems': {
      const n = Number(p.limit)
      const expected = e.keyword === 'minItems' ? (n === 1 ? 'at least one item' : `at least ${n} items`) : `at most ${n} items`
      return make(e.keyword === 'minItems' ? 'min-items' : 'max-items', `${label} has ${e.keyword === 'minItems' ? 'too few' : 'too many'} items`, 'value', at, {expected, found: Array.isArray(value) ? `${value.length} item${value.length === 1 ? '' : 's'}` : found})
    }
    case 'uniqueItems': {
      const i = Number(p.i)
      const j = Number(p.j)
      const later = Math.max(i, j)
      const earlier = Math.min(i, j)
      const item = Array.isArray(value) ? value[later] : undefined
      const firstPos = ctx.source.positionOf([...at, earlier], 'value')
      const shown = item !== null && typeof item === 'object' ? 'entry' : `item ${quoted(String(item))}`
      return make('duplicate-item', `duplicate ${shown} in ${label} (first at line ${firstPos.line})`, 'value', [...at, later], {expected: 'each item once'})
    }
    case 'minProperties':
    case 'maxProperties': {
      const n = Number(p.limit)
      return make(e.keyword === 'minProperties' ? 'min-properties' : 'max-properties', `${label} has ${e.keyword === 'minProperties' ? 'too few' : 'too many'} entries`, 'value', at, {
        expected: e.keyword === 'minProperties' ? `at least ${n} entr${n === 1 ? 'y' : 'ies'}` : `at most ${n} entries`,
        found: value !== null && typeof value === 'object' ? `${Object.keys(value).length} entr${Object.keys(value).length === 1 ? 'y' : 'ies'}` : found,
      })
    }
    case 'propertyNames': {
      const name = String(p.propertyName)
      const names = (parentSchema.propertyNames ?? {}) as Record<string, unknown>
      const expected = typeof names[EXPECTED_KEYWORD] === 'string' ? (names[EXPECTED_KEYWORD] as string) : typeof names.pattern === 'string' ? `a name matching ${names.pattern}` : 'a valid name'
      return make('invalid-name', `invalid name ${quoted(name)} ${where(at, describe)}`, 'key', [...at, name], {expected, found: quoted(name)})
    }
    case 'dependencies':
    case 'dependentRequired': {
      const missing = String(p.missingProperty)
      return make('missing-key', `missing key ${JSON.stringify(missing)} ${where(at, describe)} (needed when ${JSON.stringify(p.property)} is set)`, 'key', at, {expected: `a key ${JSON.stringify(missing)}`})
    }
    case 'oneOf':
    case 'anyOf':
    case 'not':
      return make('schema', `${label} does not match any allowed form`, 'value', at, {...(hint === undefined ? {} : {expected: hint}), found})
    default:
      return make(e.keyword, `${label} ${e.message ?? 'is invalid'}`, 'value', at, {found})
  }
}

function pointer(segments: readonly PathSegment[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

function where(at: readonly PathSegment[], describe: DescribePath): string {
  return at.length === 0 ? 'at the top level' : `in ${describe(at)}`
}

/** `"a.b[0].c"`, or `the document` for the root. */
export function defaultDescribe(segments: readonly PathSegment[]): string {
  return segments.length === 0 ? 'the document' : `"${dotted(segments)}"`
}

/** `a.b[0].c` */
export function dotted(segments: readonly PathSegment[]): string {
  let out = ''
  for (const s of segments) {
    if (typeof s === 'number' || /^\d+$/.test(s)) out += `[${clip(String(s))}]`
    else out += out === '' ? clip(s) : `.${clip(s)}`
  }
  return out
}

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let v = root
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<string, unknown>)[s]
  }
  return v
}

/** How a found value is shown: strings quoted, collections by kind, secrets masked. */
export function describeValue(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'an empty value (null)'
  if (typeof value === 'string') {
    if (secret && !/^[A-Z_][A-Z0-9_]*$/.test(value)) return `${JSON.stringify(maskSecret(value))} (a string, masked)`
    return `${quoted(value)} (a string)`
  }
  if (typeof value === 'number') return `${String(value)} (${Number.isInteger(value) ? 'an integer' : 'a number'})`
  if (typeof value === 'boolean') return `${String(value)} (a boolean)`
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`
  if (typeof value === 'object') return 'a mapping (key: value)'
  return typeof value
}

function typeNames(type: unknown): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: 'true or false',
    object: 'a mapping (key: value)',
    array: 'a list',
    null: 'an empty value',
  }
  const list = Array.isArray(type) ? type : String(type).split(',')
  return list.map((t) => names[String(t)] ?? String(t)).join(' or ')
}

/** Up to the first full stop that ends a sentence (not the one in "e.g."). */
function firstSentence(text: string): string {
  const m = /^(.*?)\.(?=\s+[A-Z]|\s*$)/s.exec(text)
  return (m ? (m[1] ?? '') : text).trim()
}
