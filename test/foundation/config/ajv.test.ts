import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {validatorFor} from '../../../src/foundation/config/ajv.js'

// Compiled validators are cached on disk as standalone code; a validator loaded from the cache
// must behave exactly like a freshly compiled one, including the verbose error details.
describe('validatorFor', () => {
  let dir: string
  let saved: string | undefined
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rick-ajv-'))
    saved = process.env.RICK_CACHE_DIR
    process.env.RICK_CACHE_DIR = dir
  })
  afterEach(() => {
    if (saved === undefined) delete process.env.RICK_CACHE_DIR
    else process.env.RICK_CACHE_DIR = saved
    rmSync(dir, {recursive: true, force: true})
  })

  const schema = () => ({
    type: 'object',
    additionalProperties: false,
    required: ['a'],
    properties: {a: {type: 'string', pattern: '^[A-Z]+$', 'x-expected': 'capitals', description: 'A.'}, b: {type: 'array', uniqueItems: true, items: {type: 'integer'}, description: 'B.'}},
  })

  const run = (v: ReturnType<typeof validatorFor>, data: unknown) => {
    if ('error' in v) throw new Error(v.error)
    const ok = v.validate(data)
    return {ok, errors: (v.validate.errors ?? []).map((e) => ({...e, schemaPath: e.schemaPath}))}
  }

  it('writes standalone code on first use and loads it, with identical results, afterwards', () => {
    const fresh = validatorFor(schema())
    const files = readdirSync(join(dir, 'schemas'))
    expect(files).toHaveLength(1)
    const cached = validatorFor(schema()) // a new object: misses the in-memory cache, hits the disk
    for (const data of [{a: 'OK'}, {a: 'no', c: 1, b: [1, 1, 'x']}, {}, 'string', null]) {
      expect(run(cached, data)).toEqual(run(fresh, data))
    }
    expect(run(cached, {a: 'no'}).errors[0]!.parentSchema).toMatchObject({'x-expected': 'capitals'})
  })

  it('falls back to compiling when the cache file is corrupt, and reports broken schemas', () => {
    validatorFor(schema())
    const [file] = readdirSync(join(dir, 'schemas'))
    writeFileSync(join(dir, 'schemas', file!), 'this is not javascript {')
    expect(run(validatorFor(schema()), {a: 'X'}).ok).toBe(true)
    expect(validatorFor({type: 'objekt'})).toMatchObject({error: expect.stringContaining('schema is invalid')})
  })

  it('can be switched off', () => {
    process.env.RICK_CACHE_DIR = 'off'
    expect(run(validatorFor(schema()), {a: 'X'}).ok).toBe(true)
    expect(readdirSync(dir)).toEqual([])
  })
})
