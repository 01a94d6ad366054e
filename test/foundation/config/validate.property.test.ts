// Whatever a user (or an editor crash) does to the config, validation answers with a config or
// with located errors; it never throws.
import fc from 'fast-check'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parse, stringify} from 'yaml'

import {validateConfigText} from '../../../src/foundation/config/validate.js'
import {FAKE_VENUES} from '../../helpers/fake-venues.js'

const VALID = readFileSync(fileURLToPath(new URL('../../../config/trading_sectors.yaml', import.meta.url)), 'utf8')
const RUNS = 300

function assertAnswered(text: string): void {
  let result: ReturnType<typeof validateConfigText>
  expect(() => {
    result = validateConfigText(text, 'mutated.yaml', FAKE_VENUES)
  }).not.toThrow()
  const errors = result!.diagnostics.filter((d) => d.severity === 'error')
  if (result!.config === undefined) expect(errors.length, text).toBeGreaterThanOrEqual(1)
  else expect(errors, text).toEqual([])
  for (const d of result!.diagnostics) {
    expect(d.line, JSON.stringify(d)).toBeGreaterThanOrEqual(1)
    expect(d.column, JSON.stringify(d)).toBeGreaterThanOrEqual(1)
    expect(typeof d.message).toBe('string')
  }
}

// --- text mutations
const junk = fc.oneof(
  fc.string({maxLength: 8}),
  fc.constantFrom('\t', ':', ': ', '- ', '"', "'", '[', ']', '{', '}', '#', '&a ', '*a', '!!binary ', '---\n', '\n  ', '\u0000', '\uFEFF', '%YAML 1.1\n', '? '),
)
const textMutation = fc.oneof(
  fc.record({kind: fc.constant('insert' as const), at: fc.nat(), what: junk}),
  fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('deleteLine' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat()}),
  fc.record({kind: fc.constant('duplicateLine' as const), at: fc.nat()}),
)
type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never

function applyText(text: string, m: TextMutation): string {
  const lines = text.split('\n')
  switch (m.kind) {
    case 'insert': {
      const at = m.at % (text.length + 1)
      return text.slice(0, at) + m.what + text.slice(at)
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1))
    case 'deleteLine':
      lines.splice(m.at % lines.length, 1)
      return lines.join('\n')
    case 'swapLines': {
      const a = m.a % lines.length
      const b = m.b % lines.length
      ;[lines[a], lines[b]] = [lines[b]!, lines[a]!]
      return lines.join('\n')
    }
    case 'duplicateLine': {
      const at = m.at % lines.length
      lines.splice(at, 0, lines[at]!)
      return lines.join('\n')
    }
  }
}

// --- structural mutations on the parsed document
type Json = null | boolean | number | string | Json[] | {[k: string]: Json}
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({maxLength: 12}),
  fc.constantFrom('EUR_USD', 'papper', 'live', 'canary', '25:00', 'Mars/Olympus', 'sk-live-0123456789abcdef0123'),
  fc.array(fc.oneof(fc.integer(), fc.string({maxLength: 4})), {maxLength: 3}),
  fc.dictionary(fc.string({maxLength: 6}), fc.integer(), {maxKeys: 3}),
)
const structuralMutation = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'rename', 'swap'),
  pick: fc.nat(),
  pick2: fc.nat(),
  value: anyValue,
  name: fc.string({minLength: 1, maxLength: 10}),
})

function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = []
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...paths(v, [...prefix, i])))
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...paths(v, [...prefix, k]))
  return out
}

function parentOf(root: unknown, path: Array<string | number>): Record<string | number, unknown> {
  let v = root as Record<string | number, unknown>
  for (const s of path.slice(0, -1)) v = v[s] as Record<string | number, unknown>
  return v
}

function applyStructural(root: unknown, m: typeof structuralMutation extends fc.Arbitrary<infer T> ? T : never): unknown {
  const all = paths(root)
  if (all.length === 0) return root
  const path = all[m.pick % all.length]!
  const parent = parentOf(root, path)
  const key = path[path.length - 1]!
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(Number(key), 1)
      else delete parent[key]
      break
    case 'replace':
      parent[key] = m.value
      break
    case 'rename':
      if (!Array.isArray(parent)) {
        parent[m.name] = parent[key]
        delete parent[key]
      }
      break
    case 'swap': {
      const other = all[m.pick2 % all.length]!
      const otherParent = parentOf(root, other)
      const otherKey = other[other.length - 1]!
      const tmp = parent[key]
      parent[key] = otherParent[otherKey]
      otherParent[otherKey] = tmp
      break
    }
  }
  return root
}

describe('validateConfigText never throws', () => {
  it('on random text mutations of the valid config', () => {
    fc.assert(
      fc.property(fc.array(textMutation, {minLength: 1, maxLength: 4}), (mutations) => {
        assertAnswered(mutations.reduce(applyText, VALID))
      }),
      {numRuns: RUNS},
    )
  })

  it('on random structural mutations (deleted keys, changed types, renamed keys, swapped values)', () => {
    fc.assert(
      fc.property(fc.array(structuralMutation, {minLength: 1, maxLength: 4}), (mutations) => {
        let doc: unknown = parse(VALID)
        for (const m of mutations) doc = applyStructural(doc, m)
        assertAnswered(stringify(doc))
      }),
      {numRuns: RUNS},
    )
  })

  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), (text) => assertAnswered(text)),
      {numRuns: RUNS},
    )
  })

  it('on pathological YAML', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({length: 9}, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n')
    for (const text of [
      '',
      '\n\n',
      '~',
      'null',
      '[]',
      '"just a string"',
      '{version: 1, sectors: null}',
      'version: 1\nsectors: {a: null}',
      'version: 1\nsectors:\n  a: {venue: oanda, mode: live, instruments: [!!binary aGVsbG8=], strategy: {name: x}, connection: {}}',
      'version: 1\nsectors:\n  a: {venue: [oanda], mode: {x: 1}, instruments: "EUR_USD", strategy: sma, connection: []}',
      'version: 1\nsectors:\n  __proto__: {venue: oanda}\n  constructor: {venue: oanda}',
      'version: 1\nsectors:\n  a: &x {venue: oanda, mode: paper, instruments: [EUR_USD], strategy: {name: x}, connection: {accountId: 101-001-1-001, tokenEnv: T}}\n  b: *x',
      'version: 1\nsectors:\n  a:\n    ' + '- '.repeat(2000) + 'x',
      '[' .repeat(5000),
      bomb,
      '\u0000\u0001\u0002',
      'version: 1\nsectors:\n  a: {venue: oanda, mode: paper, instruments: [EUR_USD], strategy: {name: x, params: {n: .nan}}, connection: {accountId: 101-001-1-001, tokenEnv: T}}',
      'version: 1\nsectors:\n  ? [complex, key]\n  : 1',
    ]) {
      assertAnswered(text)
    }
  })
})
