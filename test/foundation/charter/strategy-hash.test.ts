import {mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {hashStrategy, strategyCandidates} from '../../../src/foundation/charter/strategy-hash.js'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rick-strategy-'))
  mkdirSync(join(root, 'strategies'))
})
afterEach(() => rmSync(root, {recursive: true, force: true}))

const write = (rel: string, text: string) => {
  const parts = rel.split('/')
  mkdirSync(join(root, ...parts.slice(0, -1)), {recursive: true})
  writeFileSync(join(root, ...parts), text)
}

describe('hashStrategy', () => {
  it('is null when the strategy has no files', () => {
    expect(hashStrategy(root, 'sma-crossover')).toBeNull()
    write('strategies/other.ts', 'x')
    expect(hashStrategy(root, 'sma-crossover')).toBeNull()
  })

  it('hashes a single file and changes with its content', () => {
    write('strategies/sma-crossover.ts', 'export const fast = 10\n')
    const a = hashStrategy(root, 'sma-crossover')!
    expect(a.files).toEqual([{path: 'strategies/sma-crossover.ts', sha256: expect.stringMatching(/^[0-9a-f]{64}$/)}])
    expect(hashStrategy(root, 'sma-crossover')!.hash).toBe(a.hash)
    write('strategies/sma-crossover.ts', 'export const fast = 11\n')
    expect(hashStrategy(root, 'sma-crossover')!.hash).not.toBe(a.hash)
  })

  it('includes every file of a strategy folder, nested, sorted by path', () => {
    write('strategies/breakout/index.ts', 'main')
    write('strategies/breakout/lib/signals.ts', 'signals')
    write('strategies/breakout/params.json', '{}')
    const a = hashStrategy(root, 'breakout')!
    expect(a.files.map((f) => f.path)).toEqual(['strategies/breakout/index.ts', 'strategies/breakout/lib/signals.ts', 'strategies/breakout/params.json'])
    write('strategies/breakout/lib/extra.ts', 'new file')
    expect(hashStrategy(root, 'breakout')!.hash).not.toBe(a.hash)
  })

  it('counts a rename as a change (paths are hashed too)', () => {
    write('strategies/breakout/a.ts', 'same')
    const before = hashStrategy(root, 'breakout')!.hash
    renameSync(join(root, 'strategies/breakout/a.ts'), join(root, 'strategies/breakout/b.ts'))
    expect(hashStrategy(root, 'breakout')!.hash).not.toBe(before)
  })

  it('takes every form that exists: file and folder of the same name', () => {
    write('strategies/mix.js', 'entry')
    const fileOnly = hashStrategy(root, 'mix')!.hash
    write('strategies/mix/helper.mjs', 'helper')
    const both = hashStrategy(root, 'mix')!
    expect(both.files.map((f) => f.path)).toEqual(['strategies/mix.js', 'strategies/mix/helper.mjs'])
    expect(both.hash).not.toBe(fileOnly)
  })

  it('refuses names that could leave the strategies folder', () => {
    expect(() => hashStrategy(root, '../secrets')).toThrow(/not a plain name/)
    expect(() => hashStrategy(root, 'a/b')).toThrow(/not a plain name/)
    expect(() => hashStrategy(root, '..')).toThrow(/not a plain name/)
  })

  it('names the places it looks', () => {
    expect(strategyCandidates('x')).toEqual(['strategies/x.ts', 'strategies/x.js', 'strategies/x.mjs', 'strategies/x/'])
  })
})
