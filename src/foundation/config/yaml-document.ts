// YAML parsing that remembers where every key and value came from, so that a schema error found
// on the plain JS value can still be reported as `file:line:column`. `yaml` is loaded lazily
// (synchronously, it ships CommonJS) so that importing this file costs nothing until a parse.
import * as YAML from 'yaml'
import type {Document, LineCounter, Node as YamlNode, YAMLError} from 'yaml'

import type {Diagnostic} from '../errors.js'
import {validatorFor} from './ajv.js'
import {quoted} from './echo.js'
import {schemaDiagnostics, type DescribePath} from './schema-errors.js'
import type {JsonSchema} from './venue-rules.js'

export type {DescribePath} from './schema-errors.js'

export type PathSegment = string | number

/** 1-based line and column in the source text. */
export interface LineColumn {
  line: number
  column: number
}

export interface YamlSource {
  file: string
  text: string
  /** The document as plain JS (maps -> objects, sequences -> arrays); undefined for an empty file. */
  value: unknown
  /** YAML-level problems: syntax, duplicate keys, tabs, bad indentation. */
  diagnostics: Diagnostic[]
  /** True when the syntax is broken badly enough that `value` cannot be trusted. */
  fatal: boolean
  /**
   * Where `path` (segments or a JSON pointer such as an ajv instancePath) is in the source.
   * `key` points at the mapping key that holds the node (or the sequence item itself), `value` at
   * the node's value. A path that leads nowhere resolves to its deepest existing ancestor.
   */
  positionOf(path: string | readonly PathSegment[], target?: 'key' | 'value'): LineColumn
}

// Imported statically: the build bundles it, which loads faster than yaml's ~80 separate files.
function yaml(): typeof YAML {
  return YAML
}

/** Splits a JSON pointer (`/sectors/oanda/instruments/0`) into its unescaped segments. */
export function pointerToSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return pointer === '/' ? [''] : []
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Joins segments into a JSON pointer, escaping `~` and `/`. */
export function segmentsToPointer(segments: readonly PathSegment[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('')
}

// yaml's own codes, renamed to the stable codes rick documents.
const CODE_NAMES: Partial<Record<YAMLError['code'], string>> = {
  TAB_AS_INDENT: 'tab-indent',
  BAD_INDENT: 'bad-indent',
  MISSING_CHAR: 'yaml-syntax',
  MULTIPLE_DOCS: 'multiple-documents',
  BAD_ALIAS: 'bad-alias',
  RESOURCE_EXHAUSTION: 'yaml-too-complex',
}

/** Parses YAML text, collecting every syntax problem with its position. Never throws. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const Y = yaml()
  const lineCounter = new Y.LineCounter()
  const diagnostics: Diagnostic[] = []
  let doc: Document.Parsed | undefined
  let value: unknown
  let fatal = false
  const shape = scanShape(text)
  if (shape.tooDeepAt !== undefined || shape.tooLargeAt !== undefined) {
    // yaml recurses per level (thousands of levels overflow the stack) and spends ~15 µs and a few
    // hundred bytes per entry: refused before it starts, as no config needs either.
    const deep = shape.tooDeepAt !== undefined
    const at = (deep ? shape.tooDeepAt : shape.tooLargeAt) as number
    const d = deep
      ? syntaxDiagnostic(file, text, lineCounterFor(text), at, 'yaml-too-complex', `the YAML is nested more than ${MAX_NESTING} levels deep`, `at most ${MAX_NESTING} levels of nesting`)
      : syntaxDiagnostic(file, text, lineCounterFor(text), at, 'yaml-too-large', `the YAML holds more than ${MAX_YAML_ENTRIES.toLocaleString('en-US')} entries (keys and list items)`, `at most ${MAX_YAML_ENTRIES.toLocaleString('en-US')} entries`)
    return {file, text, value: undefined, diagnostics: [d], fatal: true, positionOf: () => ({line: 1, column: 1})}
  }
  try {
    // Several documents in one file are a mistake here; parseAllDocuments lets us say so.
    // uniqueKeys: yaml compares each key with every key before it (100,000 keys: 150 s); the
    // duplicates are found below with a Set instead.
    const docs = Y.parseAllDocuments(text, {lineCounter, prettyErrors: false, uniqueKeys: false, strict: true})
    const all = Array.isArray(docs) ? docs : [docs as unknown as Document.Parsed]
    doc = all[0]
    if (all.length > 1) {
      const second = all[1]
      const at = second?.range?.[0] ?? 0
      diagnostics.push(syntaxDiagnostic(file, text, lineCounter, at, 'multiple-documents', 'the file holds more than one YAML document (a line with `---`); rick reads one'))
      fatal = true
    }
    for (const d of all.slice(0, 1)) {
      const unclosed = lazyUnclosed(text)
      // A pathological file can hold thousands of errors; the first ones are what a person reads.
      for (const err of d.errors.slice(0, MAX_SYNTAX_ERRORS)) {
        diagnostics.push(yamlErrorDiagnostic(err, text, file, lineCounter, unclosed))
        fatal = true
      }
      diagnostics.push(...duplicateKeys(d, text, file, lineCounter))
    }
    if (doc !== undefined) {
      try {
        value = doc.toJS({maxAliasCount: 100})
      } catch (err) {
        fatal = true
        diagnostics.push({
          file,
          line: 1,
          column: 1,
          path: '',
          code: 'yaml-syntax',
          severity: 'error',
          message: `cannot read the YAML document: ${(err as Error).message}`,
        })
      }
    }
  } catch (err) {
    fatal = true
    diagnostics.push({file, line: 1, column: 1, path: '', code: 'yaml-syntax', severity: 'error', message: `cannot parse YAML: ${(err as Error).message}`})
  }
  const deduped = dedupeByLine(diagnostics)
  return {
    file,
    text,
    value: value === null && (doc?.contents ?? null) === null ? undefined : value,
    diagnostics: deduped,
    fatal,
    positionOf: (path, target = 'value') => locate(doc, lineCounter, text, path, target),
  }
}

/** What a kind of document looks like at the top, so that a file of another kind is not repeated. */
export interface ExpectedDocument {
  /** For messages: "rick config", "charter". */
  what: string
  /** Top-level keys; a document of this kind has at least one of them. */
  keys: readonly string[]
  /** What was expected instead, for the message. */
  format: string
}

/**
 * The one error for a file that is not of the expected kind (a password file, a README, a list),
 * which describes its shape and never its content. Undefined for a document of the kind, broken or
 * not (a key of the kind at the start of a line, of a list item or in JSON is enough), or an empty one.
 */
export function foreignDocument(source: YamlSource, expected: ExpectedDocument): Diagnostic | undefined {
  const value = source.value
  const isMap = value !== null && typeof value === 'object' && !Array.isArray(value)
  if (!source.fatal && value === undefined) return undefined
  if (!source.fatal && isMap && expected.keys.some((k) => k in value)) return undefined
  const names = expected.keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')
  if (new RegExp(`(?:^|[{,])[ \\t]*(?:-[ \\t]+)?["']?(?:${names})["']?[ \\t]*:`, 'm').test(source.text)) return undefined
  const keyList = expected.keys.map((k) => JSON.stringify(k)).join(' or ')
  const count = isMap ? Object.keys(value).length : 0
  const found = source.fatal
    ? 'text that is not valid YAML'
    : isMap
      ? `a mapping of ${count} key${count === 1 ? '' : 's'}, none of them ${keyList}`
      : Array.isArray(value)
        ? `a list of ${value.length} item${value.length === 1 ? '' : 's'}`
        : 'a single value'
  return {
    file: source.file,
    line: 1,
    column: 1,
    path: '',
    code: 'not-a-config',
    severity: 'error',
    message: `not a ${expected.what}: it has no top-level ${keyList} key (its content is not shown)`,
    expected: expected.format,
    found,
  }
}

export interface SchemaParseOptions {
  /** Names a location for messages, e.g. `sector "oanda"`; defaults to a dotted path. */
  describe?: DescribePath
  /** When set, a file that is not of this kind gets one error and none of its content (see foreignDocument). */
  expect?: ExpectedDocument
  /** Compile `schema` with ajv's strict mode (default true: schema mistakes are bugs). */
  strictSchema?: boolean
}

/**
 * Parses `text` and validates it against `schema`; every problem (syntax or schema) becomes a
 * Diagnostic with line and column. `value` is set only when there are no errors. Never throws.
 */
export function parseYamlWithSchema(text: string, file: string, schema: JsonSchema, opts: SchemaParseOptions = {}): {value?: unknown; diagnostics: Diagnostic[]} {
  try {
    const source = parseYamlSource(text, file)
    const foreign = opts.expect === undefined ? undefined : foreignDocument(source, opts.expect)
    if (foreign !== undefined) return {diagnostics: [foreign]}
    if (source.fatal) return {diagnostics: source.diagnostics}
    if (source.value === undefined) return {diagnostics: [...source.diagnostics, emptyFileDiagnostic(file)]}
    const compiled = validatorFor(schema, opts.strictSchema ?? true)
    if ('error' in compiled) {
      return {diagnostics: [...source.diagnostics, internalDiagnostic(file, `the schema itself is invalid: ${compiled.error}`)]}
    }
    const diagnostics = [...source.diagnostics]
    if (!compiled.validate(source.value)) {
      diagnostics.push(...schemaDiagnostics(compiled.validate.errors ?? [], {source, root: source.value, prefix: [], describe: opts.describe}))
    }
    const sorted = sortDiagnostics(diagnostics)
    if (sorted.some((d) => d.severity === 'error')) return {diagnostics: sorted}
    return {value: source.value, diagnostics: sorted}
  } catch (err) {
    return {diagnostics: [internalDiagnostic(file, (err as Error)?.message ?? String(err))]}
  }
}

/** The file holds no YAML document at all (empty, or only comments). */
export function emptyFileDiagnostic(file: string): Diagnostic {
  return {file, line: 1, column: 1, path: '', code: 'empty-file', severity: 'error', message: 'the file is empty', expected: 'a YAML mapping (key: value lines)', found: 'nothing'}
}

/** A bug inside rick reported as a diagnostic rather than a crash. */
export function internalDiagnostic(file: string, message: string, path = ''): Diagnostic {
  return {file, line: 1, column: 1, path, code: 'internal', severity: 'error', message: `internal error while validating (please report): ${message}`}
}

/** Orders diagnostics by position; those without a position go last. Stable otherwise. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({d, i}))
    .sort((a, b) => (a.d.line ?? Infinity) - (b.d.line ?? Infinity) || (a.d.column ?? 0) - (b.d.column ?? 0) || a.i - b.i)
    .map((x) => x.d)
}

function dedupeByLine(diagnostics: Diagnostic[]): Diagnostic[] {
  // One broken line often yields several follow-up errors from yaml; the first says it best. A
  // tab used as indentation also confuses the next line's indentation: one complaint is enough.
  const seen = new Set<string>()
  const tabLines = new Set(diagnostics.filter((d) => d.code === 'tab-indent').map((d) => d.line))
  return diagnostics.filter((d) => {
    if (d.code === 'duplicate-key') return true
    if (d.code === 'bad-indent' && d.line !== undefined && (tabLines.has(d.line) || tabLines.has(d.line - 1))) return false
    const key = `${d.line}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const MAX_SYNTAX_ERRORS = 25
const MAX_NESTING = 64

/** More entries than a config needs (10,000 instruments of 5 keys are 60,000); yaml parses 100,000 in about 3 s. */
export const MAX_YAML_ENTRIES = 100_000

interface Shape {
  /** Offset where flow brackets, `- ` items on one line, or indentation go beyond MAX_NESTING levels. */
  tooDeepAt?: number
  /** Offset of the entry past MAX_YAML_ENTRIES. */
  tooLargeAt?: number
}

/**
 * One pass over the text, before yaml sees it: nesting depth, and an estimate of the entries
 * (`key:` and `- ` items, flow items). An estimate is enough: the cap is far above any config.
 */
function scanShape(text: string): Shape {
  let flow = 0
  let quote: string | undefined
  let lineStart = true
  let dashes = 0
  let indent = 0
  let entries = 0
  // The last significant character: a quote only opens a string where a scalar can start (`don't`
  // in a plain scalar opens nothing).
  let prev = '\n'
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c === '\n') {
      lineStart = true
      dashes = 0
      indent = 0
      if (quote === undefined) prev = '\n'
      continue
    }
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++
        else {
          quote = undefined
          prev = c
        }
      }
      continue
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const nl = text.indexOf('\n', i)
      i = (nl < 0 ? text.length : nl) - 1
      continue
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      if (lineStart && c === ' ' && ++indent > MAX_NESTING * 4) return {tooDeepAt: i}
      continue
    }
    if (lineStart && (c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\n' || i + 1 === text.length)) {
      if (++dashes > MAX_NESTING) return {tooDeepAt: i}
      if (++entries > MAX_YAML_ENTRIES) return {tooLargeAt: i}
      prev = '-'
      continue
    }
    lineStart = false
    if ((c === '"' || c === "'") && (prev === '\n' || prev === ':' || prev === '-' || prev === '?' || prev === ',' || prev === '[' || prev === '{')) quote = c
    else if (c === '[' || c === '{') {
      if (++flow > MAX_NESTING) return {tooDeepAt: i}
    } else if (c === ']' || c === '}') flow = Math.max(0, flow - 1)
    else if (c === ',' && flow > 0) {
      if (++entries > MAX_YAML_ENTRIES) return {tooLargeAt: i}
    } else if (c === ':') {
      const next = text[i + 1]
      if (next === undefined || next === ' ' || next === '\n' || next === '\r' || next === '\t' || prev === '"' || prev === "'") {
        if (++entries > MAX_YAML_ENTRIES) return {tooLargeAt: i}
      }
    }
    prev = c
  }
  return {}
}

/**
 * Keys that appear twice in one mapping, each pointing back at the first; scalar keys compared by
 * value as yaml's uniqueKeys does (1 and "1" differ). The key shown is capped: it comes from the file.
 */
function duplicateKeys(doc: Document.Parsed, text: string, file: string, lc: LineCounter): Diagnostic[] {
  const Y = yaml()
  const out: Diagnostic[] = []
  Y.visit(doc, {
    Map(_, map) {
      if (out.length >= MAX_SYNTAX_ERRORS) return Y.visit.BREAK
      const first = new Map<unknown, number>()
      for (const pair of map.items) {
        const key = pair.key
        if (!Y.isScalar(key) || key.range === undefined || key.range === null) continue
        const earlier = first.get(key.value)
        if (earlier === undefined) {
          first.set(key.value, key.range[0])
          continue
        }
        const shown = quoted(String(key.value))
        out.push(syntaxDiagnostic(file, text, lc, key.range[0], 'duplicate-key', `duplicate key ${shown} (first defined at line ${lc.linePos(earlier).line})`, 'each key once per mapping'))
        if (out.length >= MAX_SYNTAX_ERRORS) return Y.visit.BREAK
      }
      return undefined
    },
  })
  return out
}

function lineCounterFor(text: string): LineCounter {
  const lc = new (yaml().LineCounter)()
  lc.addNewLine(0)
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1)
  return lc
}

function yamlErrorDiagnostic(err: YAMLError, text: string, file: string, lc: LineCounter, unclosed: () => Unclosed): Diagnostic {
  let offset = Math.max(0, Math.min(err.pos?.[0] ?? 0, text.length))
  let code = CODE_NAMES[err.code] ?? 'yaml-syntax'
  let message: string
  let expected: string | undefined
  let found: string | undefined
  switch (err.code) {
    case 'TAB_AS_INDENT':
      message = 'a tab is used for indentation; YAML indentation must be spaces'
      found = 'a tab character'
      expected = 'spaces'
      break
    case 'MISSING_CHAR': {
      const quote = /quote/i.test(err.message) ? lastBefore(unclosed().quotes, offset) : undefined
      if (quote !== undefined) {
        offset = quote
        message = 'unclosed quote: this string is never closed'
        expected = `a closing ${text[quote] === "'" ? "'" : '"'} on the same value`
      } else {
        message = `YAML syntax: ${lowerFirst(err.message)}`
      }
      break
    }
    case 'BAD_INDENT': {
      const open = /end with a [\]}]/.test(err.message) ? lastBefore(unclosed().flows, offset) : undefined
      if (open !== undefined) {
        offset = open
        code = 'yaml-syntax'
        message = `unclosed ${text[open]}: this ${text[open] === '[' ? 'list' : 'mapping'} is never closed`
        expected = `a closing ${text[open] === '[' ? ']' : '}'} before the next key`
      } else {
        message = `bad indentation: ${lowerFirst(err.message)}`
      }
      break
    }
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      code = 'bad-indent'
      const deeper = overIndentedNextLine(text, offset)
      if (deeper !== undefined) {
        offset = deeper.offset
        message = `bad indentation: this line is indented deeper than ${JSON.stringify(deeper.above)} above it, which already has a value`
        expected = `the key in column ${deeper.column} (like its siblings), or nested under a key that ends with ":"`
        found = `the key in column ${deeper.foundColumn}`
      } else {
        message = `a key cannot start here: check this line's indentation against the line above, or quote a value that contains ": " (${lowerFirst(err.message)})`
      }
      break
    }
    default:
      message = `YAML syntax: ${lowerFirst(err.message)}`
  }
  if (err.code !== 'TAB_AS_INDENT') offset = skipIndent(text, offset)
  return syntaxDiagnostic(file, text, lc, offset, code, message, expected, found)
}

function syntaxDiagnostic(file: string, _text: string, lc: LineCounter, offset: number, code: string, message: string, expected?: string, found?: string): Diagnostic {
  const {line, col} = lc.linePos(offset)
  const d: Diagnostic = {file, line, column: col, path: '', code, severity: 'error', message}
  if (expected !== undefined) d.expected = expected
  if (found !== undefined) d.found = found
  return d
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s
}

/** When yaml points into a line's leading spaces, the first real character is the better spot. */
function skipIndent(text: string, offset: number): number {
  let i = offset
  while (i < text.length && text[i] === ' ') i++
  return i < text.length && text[i] !== '\n' && text[i] !== '\r' ? i : offset
}

// `key: value` followed by a more indented `other: x` makes yaml complain about the first line;
// the culprit is the second.
function overIndentedNextLine(text: string, offset: number): {offset: number; above: string; column: number; foundColumn: number} | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1
  const lineEnd = text.indexOf('\n', offset)
  if (lineEnd < 0) return undefined
  const line = text.slice(lineStart, lineEnd)
  const nextEnd = text.indexOf('\n', lineEnd + 1)
  const next = text.slice(lineEnd + 1, nextEnd < 0 ? text.length : nextEnd)
  if (/^ *\t/.test(line) || /^ *\t/.test(next)) return undefined // tabs get their own diagnostic
  const indent = /^ */.exec(line)![0].length
  const nextIndent = /^ */.exec(next)![0].length
  if (!/^\s*[^\s#][^#]*?:\s+\S/.test(line) || nextIndent <= indent || !/^\s*[^\s#-][^:]*:(\s|$)/.test(next)) return undefined
  return {offset: lineEnd + 1 + nextIndent, above: line.trim(), column: indent + 1, foundColumn: nextIndent + 1}
}

interface Unclosed {
  /** Offsets of `"` / `'` that open a string never closed. */
  quotes: number[]
  /** Offsets of `[` / `{` that open a flow collection never closed. */
  flows: number[]
}

// yaml reports an unclosed quote or bracket where it gave up (often the end of the file); the
// character that opened it is more useful. One pass over yaml's CST, only when needed.
function lazyUnclosed(text: string): () => Unclosed {
  let found: Unclosed | undefined
  return () => {
    found ??= scanUnclosed(text)
    return found
  }
}

function scanUnclosed(text: string): Unclosed {
  const out: Unclosed = {quotes: [], flows: []}
  try {
    // Iterative walk: deeply nested input must not overflow the stack.
    const stack: unknown[] = [...new (yaml().Parser)().parse(text)]
    while (stack.length > 0) {
      const token = stack.pop()
      if (token === null || typeof token !== 'object') continue
      const t = token as {type?: string; offset?: number; source?: string; end?: unknown}
      if (typeof t.offset === 'number') {
        if ((t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && typeof t.source === 'string') {
          const q = t.type === 'double-quoted-scalar' ? '"' : "'"
          const closed = t.source.length >= 2 && t.source.endsWith(q) && !(q === '"' && /(^|[^\\])(\\\\)*\\"$/.test(t.source))
          if (!closed) out.quotes.push(t.offset)
        } else if (t.type === 'flow-collection') {
          const end = Array.isArray(t.end) ? (t.end as Array<{source?: string}>) : []
          if (!end.some((e) => e.source === ']' || e.source === '}')) out.flows.push(t.offset)
        }
      }
      for (const v of Object.values(token)) {
        if (Array.isArray(v)) stack.push(...v)
        else if (v !== null && typeof v === 'object') stack.push(v)
      }
    }
  } catch {
    // Best effort: the caller keeps yaml's own position.
  }
  return out
}

/** The largest offset not after `limit`. */
function lastBefore(offsets: readonly number[], limit: number): number | undefined {
  let best: number | undefined
  for (const o of offsets) if (o <= limit && (best === undefined || o > best)) best = o
  return best
}

function locate(doc: Document.Parsed | undefined, lc: LineCounter, text: string, path: string | readonly PathSegment[], target: 'key' | 'value'): LineColumn {
  const first = firstContentOffset(text)
  const fallback = (): LineColumn => toLineColumn(lc, first)
  try {
    if (doc === undefined) return fallback()
    const Y = yaml()
    const segments = typeof path === 'string' ? pointerToSegments(path) : path
    let node: unknown = doc.contents
    let keyNode: YamlNode | undefined
    let holder: YamlNode | undefined // the node that contains `node` (for missing values)
    for (const seg of segments) {
      if (Y.isMap(node)) {
        const pair = node.items.find((p) => (Y.isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg))
        if (pair === undefined) break
        holder = node
        keyNode = Y.isNode(pair.key) ? pair.key : undefined
        node = pair.value
      } else if (Y.isSeq(node)) {
        const item = node.items[Number(seg)]
        if (item === undefined) break
        holder = node
        keyNode = undefined
        node = item
      } else {
        break
      }
    }
    const valueOffset = Y.isNode(node) && node.range ? node.range[0] : undefined
    const keyOffset = keyNode?.range?.[0]
    let offset: number | undefined
    if (target === 'key') offset = keyOffset ?? valueOffset
    else offset = valueOffset !== undefined && !(Y.isScalar(node) && node.value === null && keyOffset !== undefined) ? valueOffset : keyOffset
    if (offset === undefined && Y.isNode(holder) && holder.range) offset = holder.range[0]
    return offset === undefined || segments.length === 0 ? fallback() : toLineColumn(lc, offset)
  } catch {
    return fallback()
  }
}

function toLineColumn(lc: LineCounter, offset: number): LineColumn {
  const {line, col} = lc.linePos(offset)
  return {line: Math.max(1, line), column: Math.max(1, col)}
}

/** Offset of the first character that is neither whitespace nor part of a comment. */
function firstContentOffset(text: string): number {
  const m = /^(?:\s|#[^\n]*)*/.exec(text)
  const at = m ? m[0].length : 0
  return at < text.length ? at : 0
}
