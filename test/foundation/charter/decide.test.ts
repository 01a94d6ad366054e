import {describe, expect, it} from 'vitest'

import type {ApprovalCheck} from '../../../src/foundation/charter/approvals.js'
import {decideCharter, RULES, type CharterInput, type RuleResult} from '../../../src/foundation/charter/decide.js'
import type {Mode} from '../../../src/foundation/config/types.js'

const AT = new Date('2030-01-10T12:00:00Z')
const VALID: ApprovalCheck = {id: 'abc', mode: 'canary', approver: 'alice', expiresAt: '2030-01-17T12:00:00.000Z', valid: true, reasons: []}

function input(mode: Mode, overrides: Partial<CharterInput> = {}): CharterInput {
  return {
    sector: 'coinbase',
    mode,
    decidedAt: AT,
    config: {valid: true, problems: [], sectorFound: true, knownSectors: ['coinbase']},
    venue: {name: 'coinbase', registered: true, modes: ['observe', 'paper', 'canary', 'live']},
    secrets: [{path: '.env', source: 'root', exists: true, mode: 0o600}],
    approvals: mode === 'canary' || mode === 'live' ? [{...VALID, mode}] : [],
    credentials: {required: mode === 'canary' || mode === 'live' ? ['COINBASE_API_KEY'] : [], missing: []},
    platform: 'linux',
    ...overrides,
  }
}

const rule = (rules: RuleResult[], name: string) => rules.find((r) => r.rule === name)!

describe('decideCharter', () => {
  it('allows when every rule passes, and reports the rules in order', () => {
    const d = decideCharter(input('canary'))
    expect(d.allow).toBe(true)
    expect(d.code).toBeUndefined()
    expect(d.rules.map((r) => r.rule)).toEqual([...RULES])
    expect(d.rules.every((r) => r.status === 'pass')).toBe(true)
    expect(d.approvalId).toBe('abc')
    expect(d.decidedAt).toBe('2030-01-10T12:00:00.000Z')
  })

  it('denies canary when .env is readable by the group, but only warns in paper', () => {
    const secrets = [{path: '.env', source: 'root' as const, exists: true, mode: 0o640}]
    const canary = decideCharter(input('canary', {secrets}))
    expect(canary.allow).toBe(false)
    expect(canary.code).toBe('CHARTER_DENIED')
    expect(rule(canary.rules, 'secrets-private')).toEqual({rule: 'secrets-private', status: 'fail', detail: '.env is 0640: group can access it (run: chmod 600 .env)'})
    const paper = decideCharter(input('paper', {secrets}))
    expect(paper.allow).toBe(true)
    expect(rule(paper.rules, 'secrets-private').status).toBe('warn')
  })

  it('names group and others for a world-readable file', () => {
    const d = decideCharter(input('live', {secrets: [{path: '.env.cb', source: 'configured', exists: true, mode: 0o644}]}))
    expect(rule(d.rules, 'secrets-private').detail).toBe('.env.cb is 0644: group and others can access it (run: chmod 600 .env.cb)')
  })

  it('treats a missing configured secrets file as a warning in paper and a failure in live', () => {
    const secrets = [{path: '.env.cb', source: 'configured' as const, exists: false}]
    expect(rule(decideCharter(input('paper', {secrets})).rules, 'secrets-private').status).toBe('warn')
    const live = decideCharter(input('live', {secrets}))
    expect(live.allow).toBe(false)
    expect(rule(live.rules, 'secrets-private').detail).toBe('.env.cb is listed in secretsFiles but does not exist')
  })

  it('needs an approval for canary and live only', () => {
    for (const mode of ['observe', 'paper', 'practice'] as const) {
      expect(rule(decideCharter(input(mode, {approvals: []})).rules, 'approval')).toEqual({rule: 'approval', status: 'pass', detail: `not required in ${mode}`})
    }
    const none = decideCharter(input('live', {approvals: []}))
    expect(none.allow).toBe(false)
    expect(rule(none.rules, 'approval').detail).toBe('no live approval: run `rick charter approve coinbase --mode live`')
  })

  it('denies with the reasons when the only approval is void', () => {
    const d = decideCharter(input('canary', {approvals: [{...VALID, valid: false, reasons: ['the sector config changed since the approval']}]}))
    expect(d.allow).toBe(false)
    expect(d.detail).toBe('denied by approval')
    expect(rule(d.rules, 'approval').detail).toBe('approval abc is void: the sector config changed since the approval')
  })

  it('denies a mode the venue does not support', () => {
    const d = decideCharter(input('practice'))
    expect(d.allow).toBe(false)
    expect(rule(d.rules, 'mode-allowed').detail).toBe('venue coinbase supports observe, paper, canary, live; not practice')
  })

  it('denies when no plugin provides the venue', () => {
    const d = decideCharter(input('paper', {venue: {name: 'kraken', registered: false, modes: []}}))
    expect(rule(d.rules, 'mode-allowed')).toMatchObject({status: 'fail', detail: "no installed plugin provides venue 'kraken'"})
  })

  it('fails live without credentials (no fallback) and only warns in canary', () => {
    const credentials = {required: ['COINBASE_API_KEY', 'COINBASE_API_SECRET'], missing: ['COINBASE_API_SECRET']}
    const live = decideCharter(input('live', {credentials}))
    expect(live.allow).toBe(false)
    expect(rule(live.rules, 'credentials').detail).toBe('not set: COINBASE_API_SECRET (live never falls back to paper)')
    expect(rule(decideCharter(input('canary', {credentials})).rules, 'credentials').status).toBe('warn')
  })

  it('denies on an invalid config or an unknown sector, naming the problem', () => {
    const bad = decideCharter(input('paper', {config: {valid: false, problems: ['c.yaml:3:5: error: unknown key'], sectorFound: false}}))
    expect(bad.allow).toBe(false)
    expect(rule(bad.rules, 'config-valid').detail).toBe('c.yaml:3:5: error: unknown key')
    const unknown = decideCharter(input('paper', {config: {valid: true, problems: [], sectorFound: false, knownSectors: ['oanda', 'ibkr']}, venue: undefined}))
    expect(rule(unknown.rules, 'config-valid').detail).toBe("no sector 'coinbase' in the config (sectors: oanda, ibkr)")
    expect(rule(unknown.rules, 'mode-allowed').status).toBe('fail')
  })

  it('turns an exception while deciding into a CHARTER_ERROR denial', () => {
    const poisoned = input('paper')
    Object.defineProperty(poisoned, 'secrets', {
      get() {
        throw new Error('disk on fire')
      },
    })
    const d = decideCharter(poisoned)
    expect(d).toMatchObject({allow: false, code: 'CHARTER_ERROR', sector: 'coinbase', mode: 'paper', rules: []})
    expect(d.detail).toBe('the charter could not decide, so it denies: disk on fire')
  })

  it('denies with CHARTER_ERROR even when the input itself is unusable', () => {
    const d = decideCharter(null as unknown as CharterInput)
    expect(d.allow).toBe(false)
    expect(d.code).toBe('CHARTER_ERROR')
  })

  it('is a pure function: the same input gives the same decision', () => {
    expect(decideCharter(input('canary'))).toEqual(decideCharter(input('canary')))
  })
})
