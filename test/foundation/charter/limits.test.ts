import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {RISK_PROFILES} from '../../../src/foundation/config/profiles.js'
import {
  charterLimitsPath,
  effectiveCanaryCaps,
  effectiveLimits,
  loadCharterLimits,
  packagedCharterPath,
  parseCharterLimits,
} from '../../../src/foundation/charter/limits.js'

const shipped = readFileSync(packagedCharterPath(), 'utf8')
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

describe('config/charter.yaml as shipped', () => {
  it('loads without diagnostics and caps every risk key', () => {
    const r = parseCharterLimits(shipped, 'config/charter.yaml')
    expect(r.diagnostics).toEqual([])
    expect(r.limits?.risk.maxOrderNotional).toBe(25000)
    expect(Object.keys(r.limits!.risk).sort()).toEqual(Object.keys(RISK_PROFILES.Balanced).sort())
    expect(r.limits?.allowLeverage).toBe(false)
    expect(r.limits?.canary.maxPositions).toBe(1)
    expect(r.limits?.approvals).toEqual({defaultTtl: '7d', maxTtl: '30d'})
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('does not clip any built-in profile (the caps are above Aggressive)', () => {
    const hard = parseCharterLimits(shipped, 'c').limits!.risk
    for (const profile of Object.values(RISK_PROFILES)) expect(effectiveLimits(profile, hard)).toEqual(profile)
  })
})

describe('the charter hash', () => {
  it('ignores comments and key order but changes with any value', () => {
    const base = parseCharterLimits(shipped, 'c').hash
    const noComments = shipped.replace(/#.*$/gm, '')
    expect(parseCharterLimits(noComments, 'c').hash).toBe(base)
    const reordered = shipped.replace('allowLeverage: false\n', '').replace('version: 1\n', 'version: 1\nallowLeverage: false\n')
    expect(parseCharterLimits(reordered, 'c').hash).toBe(base)
    const changed = shipped.replace('maxOrderNotional: 25000', 'maxOrderNotional: 24000')
    expect(parseCharterLimits(changed, 'c').hash).not.toBe(base)
  })
})

describe('invalid charters', () => {
  it('refuses leverage, pointing at the line', () => {
    const text = shipped.replace('allowLeverage: false', 'allowLeverage: true')
    const r = parseCharterLimits(text, 'config/charter.yaml')
    expect(r.limits).toBeUndefined()
    const d = r.diagnostics.find((x) => x.path === '/allowLeverage')
    expect(d).toBeDefined()
    expect(d?.file).toBe('config/charter.yaml')
    expect(d?.line).toBe(text.split('\n').findIndex((l) => l.startsWith('allowLeverage')) + 1)
  })

  it('rejects unknown keys and wrong types', () => {
    const text = shipped.replace('  maxOpenOrders: 20', '  maxOpenOrders: many\n  maxOpenOrdrs: 3')
    const r = parseCharterLimits(text, 'c')
    expect(r.limits).toBeUndefined()
    expect(r.diagnostics.map((d) => d.path)).toEqual(expect.arrayContaining(['/risk/maxOpenOrders']))
    expect(r.diagnostics.some((d) => /maxOpenOrdrs/.test(`${d.message} ${d.found ?? ''} ${d.path}`))).toBe(true)
  })

  it('rejects a default TTL above the maximum and a maximum above 90 days, with positions', () => {
    const text = shipped.replace('defaultTtl: 7d', 'defaultTtl: 40d').replace('maxTtl: 30d', 'maxTtl: 13w')
    const r = parseCharterLimits(text, 'c')
    expect(r.limits).toBeUndefined()
    const codes = r.diagnostics.map((d) => `${d.path}:${d.code}`)
    expect(codes).toEqual(expect.arrayContaining(['/approvals/maxTtl:ttl-too-long']))
    const tooLong = r.diagnostics.find((d) => d.code === 'ttl-too-long')!
    expect(tooLong.line).toBe(text.split('\n').findIndex((l) => l.includes('maxTtl: 13w')) + 1)
    expect(tooLong.column).toBe(11)
  })

  it('rejects a default TTL longer than the maximum', () => {
    const r = parseCharterLimits(shipped.replace('defaultTtl: 7d', 'defaultTtl: 31d'), 'c')
    expect(r.limits).toBeUndefined()
    expect(r.diagnostics.map((d) => `${d.path}:${d.code}`)).toEqual(['/approvals/defaultTtl:ttl-above-max'])
  })

  it('rejects canary caps above the risk caps', () => {
    const r = parseCharterLimits(shipped.replace('  maxOrderNotional: 100\n', '  maxOrderNotional: 30000\n'), 'c')
    expect(r.diagnostics.map((d) => d.code)).toContain('canary-above-cap')
  })

  it('reports a missing file as a diagnostic, not a throw', () => {
    const r = loadCharterLimits({file: '/nonexistent/charter.yaml'})
    expect(r.limits).toBeUndefined()
    expect(r.diagnostics[0]?.code).toBe('charter-unreadable')
  })
})

describe('where the charter is read from', () => {
  it("prefers the project's config/charter.yaml and falls back to the packaged one", () => {
    const project = mkdtempSync(join(tmpdir(), 'rick-limits-'))
    dirs.push(project)
    expect(charterLimitsPath(project, {RICK_PROJECT: project})).toBe(packagedCharterPath())
    mkdirSync(join(project, 'config'))
    writeFileSync(join(project, 'config', 'charter.yaml'), shipped.replace('maxTradesPerDay: 200', 'maxTradesPerDay: 20'))
    expect(charterLimitsPath(project, {RICK_PROJECT: project})).toBe(join(project, 'config', 'charter.yaml'))
    expect(loadCharterLimits({cwd: project, env: {RICK_PROJECT: project}}).limits?.risk.maxTradesPerDay).toBe(20)
  })
})

describe('effectiveLimits', () => {
  it('takes the tighter value key by key', () => {
    const hard = {...RISK_PROFILES.Aggressive, maxOrderNotional: 300, maxOpenOrders: 50}
    const eff = effectiveLimits(RISK_PROFILES.Balanced, hard)
    expect(eff.maxOrderNotional).toBe(300)
    expect(eff.maxOpenOrders).toBe(RISK_PROFILES.Balanced.maxOpenOrders)
    expect(eff.dailyLossCap).toBe(RISK_PROFILES.Balanced.dailyLossCap)
  })

  it('caps canary caps, and uses the charter caps when the sector has none', () => {
    const hard = {maxOrderNotional: 100, maxPositions: 1, dailyLossCap: 50}
    expect(effectiveCanaryCaps({maxOrderNotional: 500, maxPositions: 3, dailyLossCap: 10}, hard)).toEqual({maxOrderNotional: 100, maxPositions: 1, dailyLossCap: 10})
    expect(effectiveCanaryCaps(undefined, hard)).toEqual(hard)
  })
})
