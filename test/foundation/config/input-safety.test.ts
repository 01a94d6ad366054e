// What rick reads as its config must be a small regular text file that is a rick config; anything
// else is refused without reading it whole, waiting on it, or repeating what it holds.
import {execFileSync, spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {MAX_INPUT_BYTES, readTextFile} from '../../../src/foundation/config/read-file.js'
import {MAX_INSTRUMENTS_PER_SECTOR, MAX_SECTORS, validateConfigText} from '../../../src/foundation/config/validate.js'
import {MAX_YAML_ENTRIES, parseYamlSource, parseYamlWithSchema} from '../../../src/foundation/config/yaml-document.js'
import type {Diagnostic} from '../../../src/foundation/errors.js'
import {FAKE_VENUES} from '../../helpers/fake-venues.js'

const SECTOR = `venue: oanda, mode: paper, instruments: [EUR_USD], strategy: {name: s}, connection: {accountId: 101-001-1-001, tokenEnv: T}`
const everything = (ds: readonly Diagnostic[]): string => JSON.stringify(ds)

describe('readTextFile', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rick-read-'))
  })
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('reads a regular file (a symlink to one too), without a BOM', () => {
    writeFileSync(join(dir, 'a.yaml'), '\ufeffversion: 1\n')
    symlinkSync(join(dir, 'a.yaml'), join(dir, 'b.yaml'))
    expect(readTextFile(join(dir, 'a.yaml'))).toEqual({ok: true, text: 'version: 1\n'})
    expect(readTextFile(join(dir, 'b.yaml'))).toEqual({ok: true, text: 'version: 1\n'})
  })

  it('refuses a FIFO at once, without waiting for a writer', () => {
    const fifo = join(dir, 'fifo.yaml')
    execFileSync('mkfifo', [fifo])
    // Should the read block, a writer comes after 2 s, so a regression fails instead of hanging.
    const writer = spawn('timeout', ['4', 'sh', '-c', `sleep 2; echo 'version: 1' > '${fifo}'`], {stdio: 'ignore'})
    try {
      const t0 = performance.now()
      const r = readTextFile(fifo, {shown: 'fifo.yaml', what: 'config file'})
      expect(performance.now() - t0).toBeLessThan(1500)
      expect(r).toMatchObject({ok: false, problem: {code: 'not-a-regular-file', message: 'config file fifo.yaml is not a regular file: it is a FIFO (named pipe)'}})
    } finally {
      writer.kill()
    }
  })

  it('refuses a device through a symlink, and a directory, saying where the link leads', () => {
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'))
    const zero = readTextFile(join(dir, 'zero.yaml'), {shown: 'zero.yaml'})
    expect(zero).toMatchObject({ok: false, problem: {code: 'not-a-regular-file', found: 'a character device'}})
    expect(zero.ok ? '' : zero.problem.message).toMatch(/it leads to \/dev\/zero$/)
    mkdirSync(join(dir, 'd.yaml'))
    expect(readTextFile(join(dir, 'd.yaml'))).toMatchObject({ok: false, problem: {code: 'not-a-regular-file', found: 'a directory'}})
  }, 3000)

  it('refuses a file past the limit, and one that is not text, without showing it', () => {
    writeFileSync(join(dir, 'big.yaml'), 'a'.repeat(MAX_INPUT_BYTES + 1))
    writeFileSync(join(dir, 'limit.yaml'), 'a'.repeat(MAX_INPUT_BYTES))
    expect(readTextFile(join(dir, 'big.yaml'), {shown: 'big.yaml'})).toMatchObject({ok: false, problem: {code: 'file-too-large', message: 'file big.yaml is larger than the limit of 1 MiB'}})
    expect(readTextFile(join(dir, 'limit.yaml')).ok).toBe(true)
    expect(readTextFile(join(dir, 'small.yaml'), {maxBytes: 4})).toMatchObject({ok: false, problem: {code: 'file-not-found'}})
    writeFileSync(join(dir, 'bin.yaml'), Buffer.from([0x76, 0x3a, 0x00, 0x53, 0x45, 0x43, 0x52, 0x45, 0x54]))
    writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('k: caf\xe9 SECRET', 'latin1'))
    for (const name of ['bin.yaml', 'latin1.yaml']) {
      const r = readTextFile(join(dir, name))
      expect(r).toMatchObject({ok: false, problem: {code: 'not-text'}})
      expect(JSON.stringify(r)).not.toMatch(/SECRET/)
    }
  })
})

describe('a file that is not a rick config', () => {
  it('a shadow-like file: one error, none of its lines', () => {
    const shadow = 'root:$6$secrethash$Kq3Zl:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nsecret: hunter2\n'
    const r = validateConfigText(shadow, 'linked.yaml', FAKE_VENUES)
    expect(r.config).toBeUndefined()
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'not-a-config', line: 1, column: 1, found: 'a mapping of 3 keys, none of them "version" or "sectors"'})
    expect(everything(r.diagnostics)).not.toMatch(/secrethash|Kq3Zl|hunter2|root|daemon|\$6\$/)
  })

  it('plain text, a list, a scalar and broken YAML: no content in any error', () => {
    for (const text of ['hunter2-the-password\n', '- hunter2\n- other\n', '"hunter2: {["\n', 'key: [hunter2\nk2: {a: hunter2\n', 'hunter2: a\nhunter2: b\n']) {
      const r = validateConfigText(text, 'x.yaml', FAKE_VENUES)
      expect(r.diagnostics.map((d) => d.code), text).toEqual(['not-a-config'])
      expect(everything(r.diagnostics), text).not.toMatch(/hunter2/)
    }
  })

  it('a config with a syntax error is still reported in detail', () => {
    const r = validateConfigText('version: 1\nsectors:\n  fx: {venue: oanda\n', 'c.yaml', FAKE_VENUES)
    expect(r.diagnostics[0]?.code).not.toBe('not-a-config')
    expect(r.diagnostics[0]?.line).toBeGreaterThan(1)
  })

  it('a config as JSON is a config', () => {
    const r = validateConfigText(`{"version": 1, "sectors": {"fx": {${SECTOR.replace(/(\w+): /g, '"$1": ').replace(/: ([\w-]+)/g, ': "$1"')}}}}`, 'c.json', FAKE_VENUES)
    expect(r.diagnostics.map((d) => d.code)).not.toContain('not-a-config')
  })
})

describe('parseYamlWithSchema for other kinds of files (the charter)', () => {
  const schema = {type: 'object', additionalProperties: false, properties: {version: {type: 'integer'}, risk: {type: 'object'}}}
  const expect_ = {what: 'charter', keys: ['version', 'risk'], format: 'version: 1 and risk:'}

  it('with `expect`, a foreign file gets one error and none of its content', () => {
    const r = parseYamlWithSchema('root:$6$secrethash:1::\n', 'charter.yaml', schema, {expect: expect_})
    expect(r.diagnostics).toEqual([expect.objectContaining({code: 'not-a-config', message: 'not a charter: it has no top-level "version" or "risk" key (its content is not shown)'})])
    expect(everything(r.diagnostics)).not.toMatch(/secrethash/)
    // Without it, the unknown key is named (clipped): the reason to pass it.
    expect(everything(parseYamlWithSchema('root:$6$secrethash:1::\n', 'charter.yaml', schema).diagnostics)).toMatch(/secrethash/)
  })

  it('with `expect`, a file of the kind is validated as before', () => {
    expect(parseYamlWithSchema('version: 1\nrisk: {}\n', 'charter.yaml', schema, {expect: expect_})).toEqual({value: {version: 1, risk: {}}, diagnostics: []})
    expect(parseYamlWithSchema('version: 1\nrisks: {}\n', 'charter.yaml', schema, {expect: expect_}).diagnostics).toEqual([expect.objectContaining({code: 'unknown-key', line: 2})])
  })
})

describe('what a config error echoes', () => {
  it('caps a key or value taken from the file', () => {
    const long = `k${'x'.repeat(400)}TAIL`
    const r = validateConfigText(`version: 1\n${long}: 1\nsectors:\n  fx: {${SECTOR}, ${long}: 2}\n  ${long}: {${SECTOR}}\n`, 'c.yaml', FAKE_VENUES)
    expect(r.diagnostics.length).toBeGreaterThan(0)
    for (const d of r.diagnostics) {
      expect(JSON.stringify(d)).not.toMatch(/TAIL/)
      expect(d.message.length).toBeLessThan(200)
    }
  })
})

describe('bounded work', () => {
  it(`refuses more than ${MAX_SECTORS} sectors with one error naming the limit, before validating any`, () => {
    const lines = ['version: 1', 'sectors:']
    for (let i = 0; i < 3_000; i++) lines.push(`  s${i}: {venue: nope}`)
    const r = validateConfigText(lines.join('\n'), 'c.yaml', FAKE_VENUES)
    expect(r.diagnostics).toEqual([expect.objectContaining({code: 'too-many-sectors', line: 2, message: 'the config has 3,000 sectors; rick runs at most 1,000', path: '/sectors'})])
  })

  it(`refuses a sector of more than ${MAX_INSTRUMENTS_PER_SECTOR} instruments, and accepts one of exactly that many`, () => {
    const list = (n: number) => Array.from({length: n}, (_, i) => `I${i}_USD`).join(', ')
    const at = validateConfigText(`version: 1\nsectors:\n  fx: {${SECTOR.replace('[EUR_USD]', `[${list(MAX_INSTRUMENTS_PER_SECTOR)}]`)}}\n`, 'c.yaml', FAKE_VENUES)
    expect(at.diagnostics).toEqual([])
    const over = validateConfigText(`version: 1\nsectors:\n  fx: {${SECTOR.replace('[EUR_USD]', `[${list(MAX_INSTRUMENTS_PER_SECTOR + 1)}]`)}}\n`, 'c.yaml', FAKE_VENUES)
    expect(over.diagnostics).toEqual([expect.objectContaining({code: 'too-many-instruments', message: 'sector "fx" lists 10,001 instruments; a sector trades at most 10,000', path: '/sectors/fx/instruments'})])
  })

  it(`refuses YAML of more than ${MAX_YAML_ENTRIES} entries before parsing it`, () => {
    const text = `version: 1\nsectors: {a: [${'x,'.repeat(MAX_YAML_ENTRIES)}x]}\n`
    const src = parseYamlSource(text, 'c.yaml')
    expect(src.fatal).toBe(true)
    expect(src.diagnostics).toEqual([expect.objectContaining({code: 'yaml-too-large', message: `the YAML holds more than ${MAX_YAML_ENTRIES.toLocaleString('en-US')} entries (keys and list items)`})])
  })

  it('finds duplicate keys in time linear in the keys (yaml compared every key with every other)', () => {
    const perKey = (n: number): number => {
      const lines = ['version: 1', 'sectors:']
      for (let i = 0; i < n; i++) lines.push(`  s${i}: 0`)
      lines.push('  s0: 1')
      const t0 = process.hrtime.bigint()
      const src = parseYamlSource(lines.join('\n'), 'c.yaml')
      const ns = Number(process.hrtime.bigint() - t0)
      expect(src.diagnostics).toEqual([expect.objectContaining({code: 'duplicate-key', line: n + 3, message: 'duplicate key "s0" (first defined at line 3)'})])
      return ns / n
    }
    perKey(2_000) // warm-up
    const small = perKey(2_000)
    const large = perKey(16_000)
    // Comparing each key with all before it: 8 times the time per key at 8 times the keys.
    expect(large / small).toBeLessThan(3)
  })
})
