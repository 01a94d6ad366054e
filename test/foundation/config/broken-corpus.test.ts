// Every file under test/fixtures/config/broken/ is a config with known mistakes. Its header says
// which diagnostics validation must report, one per line, and nothing else:
//   # expect: LINE:COLUMN [warning] CODE "message substring" [suggest=NEAREST]
import {readdirSync, readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import {validateConfigText} from '../../../src/foundation/config/validate.js'
import {FAKE_VENUES} from '../../helpers/fake-venues.js'

const DIR = fileURLToPath(new URL('../../fixtures/config/broken/', import.meta.url))
const EXPECT = /^# expect: (\d+):(\d+) (?:(warning) )?([a-z-]+) ("(?:[^"\\]|\\.)*")(?: suggest=(\S+))?\s*$/

interface Expectation {
  line: number
  column: number
  severity: 'error' | 'warning'
  code: string
  message: string
  suggestion?: string
}

function expectations(text: string, file: string): Expectation[] {
  const out: Expectation[] = []
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('# expect:')) continue
    const m = EXPECT.exec(raw)
    if (!m) throw new Error(`${file}: malformed expectation: ${raw}`)
    out.push({
      line: Number(m[1]),
      column: Number(m[2]),
      severity: m[3] === 'warning' ? 'warning' : 'error',
      code: m[4]!,
      message: JSON.parse(m[5]!) as string,
      ...(m[6] === undefined ? {} : {suggestion: m[6]}),
    })
  }
  return out
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()

describe('broken config corpus', () => {
  it('has at least 25 broken files, each with expectations', () => {
    expect(files.length).toBeGreaterThanOrEqual(25)
    for (const f of files) expect(expectations(readFileSync(DIR + f, 'utf8'), f).length, f).toBeGreaterThan(0)
  })

  it.each(files)('%s reports exactly the expected diagnostics', (f) => {
    const text = readFileSync(DIR + f, 'utf8')
    const wanted = expectations(text, f)
    const result = validateConfigText(text, `broken/${f}`, FAKE_VENUES)

    expect(result.config, 'an invalid file must not produce a config').toBeUndefined()
    const got = result.diagnostics.map((d) => ({line: d.line, column: d.column, severity: d.severity, code: d.code, message: d.message, suggestion: d.suggestion}))
    // Every diagnostic is located, in this file.
    for (const d of result.diagnostics) {
      expect(d.file).toBe(`broken/${f}`)
      expect(d.line).toBeGreaterThanOrEqual(1)
      expect(d.column).toBeGreaterThanOrEqual(1)
    }
    expect(got.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(wanted.map((w) => `${w.line}:${w.column} ${w.code}`))
    wanted.forEach((w, i) => {
      const d = got[i]!
      expect(d.severity).toBe(w.severity)
      expect(d.message).toContain(w.message)
      if (w.suggestion !== undefined) expect(d.suggestion).toBe(w.suggestion)
    })
  })
})
