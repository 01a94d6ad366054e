import {describe, expect, it} from 'vitest'

import {parseYamlSource, parseYamlWithSchema, pointerToSegments, segmentsToPointer} from '../../../src/foundation/config/yaml-document.js'

const TEXT = `# a comment first
top:
  name: alpha          # col 9
  list:
    - one
    - {k: v, "a/b": 2}
  flow: [x, y]
  empty:
`

describe('positionOf', () => {
  const src = parseYamlSource(TEXT, 'f.yaml')

  it('maps keys and values, block and flow, to 1-based line and column', () => {
    expect(src.diagnostics).toEqual([])
    expect(src.positionOf('/top/name', 'key')).toEqual({line: 3, column: 3})
    expect(src.positionOf('/top/name', 'value')).toEqual({line: 3, column: 9})
    expect(src.positionOf('/top/list/0')).toEqual({line: 5, column: 7})
    expect(src.positionOf('/top/list/1/k')).toEqual({line: 6, column: 11})
    expect(src.positionOf(['top', 'list', 1, 'a/b'], 'key')).toEqual({line: 6, column: 14})
    expect(src.positionOf('/top/list/1/a~1b', 'value')).toEqual({line: 6, column: 21})
    expect(src.positionOf('/top/flow/1')).toEqual({line: 7, column: 13})
  })

  it('points at the key when the value is empty, and at the deepest ancestor for missing paths', () => {
    expect(src.positionOf('/top/empty', 'value')).toEqual({line: 8, column: 3})
    expect(src.positionOf('/top/name/nothing/deeper')).toEqual({line: 3, column: 9})
    expect(src.positionOf('/top/missing', 'key')).toEqual({line: 2, column: 1})
    expect(src.positionOf('')).toEqual({line: 2, column: 1})
  })

  it('round-trips JSON pointers with escapes', () => {
    expect(pointerToSegments('/a~1b/c~0d/0')).toEqual(['a/b', 'c~d', '0'])
    expect(segmentsToPointer(['a/b', 'c~d', 0])).toBe('/a~1b/c~0d/0')
    expect(pointerToSegments('')).toEqual([])
  })
})

describe('YAML syntax diagnostics', () => {
  const codes = (text: string) => parseYamlSource(text, 'f.yaml').diagnostics.map((d) => [d.line, d.column, d.code])

  it('reports duplicate keys with the first occurrence, and keeps going', () => {
    const src = parseYamlSource('a: 1\nb:\n  c: 1\n  c: 2\n', 'f.yaml')
    expect(src.fatal).toBe(false)
    expect(src.diagnostics).toMatchObject([{line: 4, column: 3, code: 'duplicate-key', message: 'duplicate key "c" (first defined at line 3)'}])
  })

  it('reports tabs, unclosed quotes and brackets where they are', () => {
    expect(codes('a:\n\tb: 1\n')).toEqual([[2, 1, 'tab-indent']])
    expect(codes('a: 1\nb: "open\nc: 2\n')).toEqual([[2, 4, 'yaml-syntax']])
    expect(codes("a: 1\nb: 'open\nc: 2\n")).toEqual([[2, 4, 'yaml-syntax']])
    expect(codes('a:\n  b: [1, 2\n  c: 3\n')).toEqual([[2, 6, 'yaml-syntax']])
  })

  it('blames the over-indented line, not the one above it', () => {
    const [d] = parseYamlSource('a:\n  b: 1\n    c: 2\n', 'f.yaml').diagnostics
    expect(d).toMatchObject({line: 3, column: 5, code: 'bad-indent', found: 'the key in column 5', expected: expect.stringContaining('column 3')})
  })

  it('rejects several documents and absurd nesting without calling the stack into question', () => {
    expect(codes('a: 1\n---\nb: 2\n')).toEqual([[2, 1, 'multiple-documents']])
    expect(codes('a: ' + '['.repeat(10000))[0]?.[2]).toBe('yaml-too-complex')
  })
})

describe('parseYamlWithSchema', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['pin'],
    properties: {pin: {type: 'string', minLength: 4, description: 'The PIN hash.'}, ttl: {type: 'integer', minimum: 1, description: 'Days.'}},
  }

  it('returns the value when valid', () => {
    expect(parseYamlWithSchema('pin: abcdef\nttl: 7\n', 'c.yaml', schema)).toEqual({value: {pin: 'abcdef', ttl: 7}, diagnostics: []})
  })

  it('returns every schema and syntax error with positions and no value', () => {
    const r = parseYamlWithSchema('pin: ab\nttl: 0\ntll: 3\n', 'c.yaml', schema)
    expect(r.value).toBeUndefined()
    expect(r.diagnostics.map((d) => [d.line, d.column, d.code, d.suggestion])).toEqual([
      [1, 6, 'length', undefined],
      [2, 6, 'range', undefined],
      [3, 1, 'unknown-key', 'ttl'],
    ])
    expect(parseYamlWithSchema('pin: "x\n', 'c.yaml', schema).diagnostics[0]).toMatchObject({code: 'yaml-syntax', line: 1, column: 6})
  })

  it('reports an empty file and a broken schema as diagnostics', () => {
    expect(parseYamlWithSchema('# nothing\n', 'c.yaml', schema).diagnostics).toMatchObject([{code: 'empty-file'}])
    expect(parseYamlWithSchema('a: 1\n', 'c.yaml', {type: 'objekt'}).diagnostics).toMatchObject([{code: 'internal'}])
  })

  it('uses the caller’s names for places', () => {
    const r = parseYamlWithSchema('ttl: 1\n', 'c.yaml', schema, {describe: (p) => (p.length === 0 ? 'the charter' : p.join('.'))})
    expect(r.diagnostics[0]!.message).toBe('missing required key "pin" at the top level')
  })
})
