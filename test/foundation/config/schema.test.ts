import Ajv from 'ajv'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {parse} from 'yaml'

import {buildConfigSchema, coreConfigSchema} from '../../../src/foundation/config/schema.js'
import {FAKE_VENUES} from '../../helpers/fake-venues.js'

type Schema = Record<string, unknown>
const DEFAULT_CONFIG = parse(readFileSync(fileURLToPath(new URL('../../../config/trading_sectors.yaml', import.meta.url)), 'utf8')) as unknown

/** Every object schema reachable from `schema`, with its path. */
function objectSchemas(schema: unknown, path = '#'): Array<[string, Schema]> {
  if (schema === null || typeof schema !== 'object') return []
  const s = schema as Schema
  const out: Array<[string, Schema]> = s.type === 'object' ? [[path, s]] : []
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' && v && typeof v === 'object') for (const [p, sub] of Object.entries(v)) out.push(...objectSchemas(sub, `${path}/properties/${p}`))
    else if (['items', 'additionalProperties'].includes(k)) out.push(...objectSchemas(v, `${path}/${k}`))
  }
  return out
}

function lenientAjv(): InstanceType<typeof Ajv.default> {
  const ajv = new Ajv.default({allErrors: true, strict: false})
  return ajv
}

describe('core config schema', () => {
  const core = coreConfigSchema()

  it('is draft-07 and compiles in ajv strict mode', () => {
    expect(core.$schema).toBe('http://json-schema.org/draft-07/schema#')
    const ajv = new Ajv.default({strict: true, allowUnionTypes: true})
    ajv.addKeyword('x-expected')
    expect(() => ajv.compile(core)).not.toThrow()
  })

  it('describes every property and rejects unknown keys in every object with properties', () => {
    const objects = objectSchemas(core)
    expect(objects.length).toBeGreaterThan(8)
    for (const [path, s] of objects) {
      expect(s.description, `${path} has no description`).toEqual(expect.any(String))
      if (s.properties) {
        expect(s.additionalProperties, `${path} accepts unknown keys`).toBe(false)
        for (const [name, prop] of Object.entries(s.properties as Record<string, Schema>)) expect(prop.description, `${path}/${name}`).toEqual(expect.any(String))
      }
    }
  })

  it('accepts the shipped config', () => {
    const validate = lenientAjv().compile(core)
    expect(validate(DEFAULT_CONFIG), JSON.stringify(validate.errors)).toBe(true)
  })

  it('has the enums and patterns the format promises', () => {
    const sector = ((core.properties as Schema).sectors as Schema).additionalProperties as Schema
    const props = sector.properties as Record<string, Schema>
    expect(props.mode!.enum).toEqual(['observe', 'paper', 'practice', 'canary', 'live'])
    expect(props.profile!.enum).toEqual(['Conservative', 'Balanced', 'Aggressive'])
    expect(sector.required).toEqual(['venue', 'mode', 'instruments', 'strategy', 'connection'])
  })
})

describe('buildConfigSchema (for editors)', () => {
  const full = buildConfigSchema(FAKE_VENUES)
  const validate = lenientAjv().compile(full)

  it('injects each venue as if/then so connection and instruments are checked', () => {
    expect(validate(DEFAULT_CONFIG), JSON.stringify(validate.errors)).toBe(true)
    const bad = structuredClone(DEFAULT_CONFIG) as {sectors: Record<string, {instruments: unknown[]; connection: Record<string, unknown>}>}
    bad.sectors.oanda!.instruments[0] = 'EURUSD'
    bad.sectors.ibkr!.connection.hots = 'x'
    expect(validate(bad)).toBe(false)
    const paths = (validate.errors ?? []).map((e) => e.instancePath)
    expect(paths).toContain('/sectors/oanda/instruments/0')
    expect(paths).toContain('/sectors/ibkr/connection')
  })

  it('lists the registered venues and restricts modes per venue', () => {
    const sector = ((full.properties as Schema).sectors as Schema).additionalProperties as Schema
    expect(((sector.properties as Record<string, Schema>).venue!).enum).toEqual(['coinbase', 'ibkr', 'oanda'])
    const bad = structuredClone(DEFAULT_CONFIG) as {sectors: Record<string, {mode: string}>}
    bad.sectors.coinbase!.mode = 'practice'
    expect(validate(bad)).toBe(false)
  })

  it('is deterministic whatever order the venues come in', () => {
    expect(JSON.stringify(buildConfigSchema([...FAKE_VENUES].reverse()))).toBe(JSON.stringify(full))
  })
})
