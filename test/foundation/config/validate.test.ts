import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

import type {VenueRules} from '../../../src/foundation/config/venue-rules.js'
import {validateConfigText} from '../../../src/foundation/config/validate.js'
import {formatDiagnostic} from '../../../src/foundation/errors.js'
import {FAKE_VENUES, fakeCoinbase, fakeIbkr, fakeOanda} from '../../helpers/fake-venues.js'

const DEFAULT_CONFIG = readFileSync(fileURLToPath(new URL('../../../config/trading_sectors.yaml', import.meta.url)), 'utf8')
const FILE = 'config/trading_sectors.yaml'

const oandaSector = (extra = ''): string => `version: 1
sectors:
  oanda:
    venue: oanda
    mode: practice
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
${extra}`

describe('validateConfigText on the shipped config', () => {
  it('accepts config/trading_sectors.yaml with the three venues, without warnings', () => {
    const {config, diagnostics} = validateConfigText(DEFAULT_CONFIG, FILE, FAKE_VENUES)
    expect(diagnostics).toEqual([])
    expect(Object.keys(config!.sectors)).toEqual(['oanda', 'coinbase', 'ibkr'])
    expect(Object.values(config!.sectors).map((s) => [s.name, s.venue, s.mode, s.profile])).toEqual([
      ['oanda', 'oanda', 'practice', 'Balanced'],
      ['coinbase', 'coinbase', 'canary', 'Conservative'],
      ['ibkr', 'ibkr', 'paper', 'Balanced'],
    ])
  })

  it('applies the defaults: enabled, profile, risk, secretsFiles, strategy params', () => {
    const text = `version: 1
sectors:
  fx:
    venue: oanda
    mode: paper
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
`
    const {config, diagnostics} = validateConfigText(text, FILE, FAKE_VENUES)
    expect(diagnostics).toEqual([])
    expect(config!.sectors.fx).toEqual({
      name: 'fx',
      venue: 'oanda',
      enabled: true,
      mode: 'paper',
      profile: 'Balanced',
      risk: {},
      instruments: ['EUR_USD'],
      strategy: {name: 'sma-crossover', params: {}},
      connection: {accountId: '101-001-1234567-001', tokenEnv: 'OANDA_API_TOKEN'},
      secretsFiles: [],
    })
  })

  it('keeps IBKR contracts and session blocks as written', () => {
    const {config} = validateConfigText(DEFAULT_CONFIG, FILE, FAKE_VENUES)
    const ibkr = config!.sectors.ibkr!
    expect(ibkr.instruments[0]).toEqual({symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'})
    expect(ibkr.session).toEqual({timezone: 'America/New_York', windows: [{days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:30', end: '16:00'}], flattenAt: '15:55'})
    expect(ibkr.connection).toEqual({host: '127.0.0.1', port: 7497, clientId: 17, accountEnv: 'IBKR_ACCOUNT'})
  })
})

describe('validateConfigText diagnostics', () => {
  it('reports a misspelt key the way a compiler would, with the nearest valid key', () => {
    const text = DEFAULT_CONFIG.replace('    profile: Balanced         # Conservative', '    profle: Balanced          # Conservative')
    const line = text.split('\n').findIndex((l) => l.includes('profle')) + 1
    const {config, diagnostics} = validateConfigText(text, FILE, FAKE_VENUES)
    expect(config).toBeUndefined()
    expect(diagnostics).toHaveLength(1)
    expect(formatDiagnostic(diagnostics[0]!)).toBe(
      [
        `${FILE}:${line}:5: error: unknown key "profle" in sector "oanda"`,
        '    expected: one of: venue, enabled, mode, profile, risk, instruments, strategy, session, canary, paper, barPeriod, live, connection, secretsFiles',
        '    found:    "profle"',
        '    did you mean: profile',
      ].join('\n'),
    )
  })

  it('reports every error of the file at once, in file order', () => {
    const text = DEFAULT_CONFIG.replace('mode: practice ', 'mode: papper   ').replace('profile: Conservative', 'profile: Cautious').replace('port: 7497', 'port: "7497"').replace('GBP_USD', 'GBPUSD')
    const {diagnostics} = validateConfigText(text, FILE, FAKE_VENUES)
    expect(diagnostics.map((d) => d.code)).toEqual(['enum', 'pattern', 'enum', 'type'])
    const lines = diagnostics.map((d) => d.line!)
    expect([...lines].sort((a, b) => a - b)).toEqual(lines)
    expect(diagnostics[0]).toMatchObject({path: '/sectors/oanda/mode', expected: 'one of: observe, paper, practice, canary, live', found: '"papper" (a string)', suggestion: 'paper'})
  })

  it('points at the value for a wrong value and at the key for an unknown key', () => {
    const text = oandaSector('    enabeld: "no"\n').replace('mode: practice', 'mode: 42')
    const {diagnostics} = validateConfigText(text, FILE, FAKE_VENUES)
    const mode = diagnostics.find((d) => d.code === 'type')!
    expect([mode.line, mode.column]).toEqual([5, 11])
    const unknown = diagnostics.find((d) => d.code === 'unknown-key')!
    expect([unknown.line, unknown.column, unknown.suggestion]).toEqual([9, 5, 'enabled'])
  })

  it('suggests the nearest registered venue, and says when none is installed', () => {
    const text = oandaSector().replace('venue: oanda', 'venue: ibrk')
    expect(validateConfigText(text, FILE, FAKE_VENUES).diagnostics[0]).toMatchObject({code: 'unknown-venue', suggestion: 'ibkr', line: 4, column: 12})
    const none = validateConfigText(text, FILE, [])
    expect(none.diagnostics[0]!.expected).toContain('no sector plugin is installed')
  })

  it('rejects a mode the venue does not support', () => {
    const text = oandaSector().replace('mode: practice', 'mode: live')
    const onlyPaper: VenueRules = {...fakeOanda, modes: ['observe', 'paper']}
    expect(validateConfigText(text, FILE, [onlyPaper]).diagnostics[0]).toMatchObject({code: 'mode-unsupported', expected: 'one of: observe, paper', line: 5})
  })

  it('checks canary caps against the profile with the overrides applied', () => {
    const base = oandaSector('    profile: Aggressive\n    risk: {maxOrderNotional: 100}\n    canary: {maxOrderNotional: 150, maxPositions: 1, dailyLossCap: 900}\n')
    const {diagnostics} = validateConfigText(base, FILE, FAKE_VENUES)
    expect(diagnostics.map((d) => [d.code, d.path, d.expected])).toEqual([['canary-above-profile', '/sectors/oanda/canary/maxOrderNotional', "at most 100 (maxOrderNotional of this sector's risk override)"]])
    const within = base.replace('maxOrderNotional: 150', 'maxOrderNotional: 100')
    expect(validateConfigText(within, FILE, FAKE_VENUES).diagnostics).toEqual([])
  })

  it('requires credential variable names for live, and only warns for canary', () => {
    const live = `version: 1
sectors:
  cb:
    venue: coinbase
    mode: live
    instruments: [BTC-USD]
    strategy: {name: x}
    connection: {}
`
    expect(validateConfigText(live, FILE, FAKE_VENUES).diagnostics).toMatchObject([{code: 'credentials-missing', severity: 'error', line: 8, column: 5}])
    const canary = live.replace('mode: live', 'mode: canary').replace('connection: {}', 'connection: {}\n    canary: {maxOrderNotional: 10, maxPositions: 1, dailyLossCap: 5}')
    const result = validateConfigText(canary, FILE, FAKE_VENUES)
    expect(result.diagnostics).toMatchObject([{code: 'credentials-missing', severity: 'warning'}])
    expect(result.config).toBeDefined()
    const withNames = live.replace('connection: {}', 'connection: {apiKeyEnv: CB_KEY, apiSecretEnv: CB_SECRET}')
    expect(validateConfigText(withNames, FILE, FAKE_VENUES).diagnostics).toEqual([])
  })

  it('never echoes a secret pasted where a variable name belongs', () => {
    const secret = 'abcd1234efgh5678ijkl9012mnop3456-zz'
    const text = oandaSector().replace('tokenEnv: OANDA_API_TOKEN', `tokenEnv: "${secret}"`)
    const {diagnostics} = validateConfigText(text, FILE, FAKE_VENUES)
    expect(diagnostics.map((d) => d.code)).toEqual(['secret-in-config'])
    expect(JSON.stringify(diagnostics)).not.toContain(secret)
    expect(diagnostics[0]!.found).toContain('abcd…6-zz')
  })

  it('warns (without failing) when flattenAt falls outside every session window', () => {
    const text = oandaSector('    session: {timezone: Europe/London, windows: [{days: [mon], start: "08:00", end: "16:00"}], flattenAt: "17:00"}\n')
    const {config, diagnostics} = validateConfigText(text, FILE, FAKE_VENUES)
    expect(diagnostics).toMatchObject([{code: 'flatten-outside-session', severity: 'warning', line: 9}])
    expect(config).toBeDefined()
  })

  it('accepts windows past midnight and time zone aliases', () => {
    const text = oandaSector('    session: {timezone: US/Eastern, windows: [{days: [sun], start: "17:05", end: "16:55"}], flattenAt: "16:50"}\n')
    expect(validateConfigText(text, FILE, FAKE_VENUES).diagnostics).toEqual([])
  })

  it("maps a venue's check() issues under the sector, with their severity", () => {
    const venue: VenueRules = {
      ...fakeOanda,
      check: () => [
        {path: '/connection/accountId', code: 'account-format', message: 'looks like a live account', severity: 'warning'},
        {path: '/instruments/0', code: 'not-tradable', message: 'EUR_USD is closed', expected: 'an open market'},
      ],
    }
    const {diagnostics} = validateConfigText(oandaSector(), FILE, [venue])
    expect(diagnostics.map((d) => [d.line, d.column, d.code, d.severity, d.path])).toEqual([
      [6, 19, 'not-tradable', 'error', '/sectors/oanda/instruments/0'],
      [8, 29, 'account-format', 'warning', '/sectors/oanda/connection/accountId'],
    ])
    expect(diagnostics[0]!.message).toContain('EUR_USD is closed')
  })

  it('turns a throwing or broken plugin into diagnostics, never an exception', () => {
    const throwing: VenueRules = {
      ...fakeOanda,
      check: () => {
        throw new Error('plugin bug')
      },
      credentialVariables: () => {
        throw new Error('other bug')
      },
    }
    const r1 = validateConfigText(oandaSector(), FILE, [throwing])
    expect(r1.config).toBeUndefined()
    expect(r1.diagnostics.map((d) => d.code)).toEqual(['internal'])
    expect(r1.diagnostics[0]!.message).toContain('plugin bug')

    const brokenSchema: VenueRules = {...fakeCoinbase, venue: 'oanda', connectionSchema: {type: 'nonsense'}}
    const r2 = validateConfigText(oandaSector(), FILE, [brokenSchema])
    expect(r2.diagnostics[0]).toMatchObject({code: 'venue-schema-invalid', line: 4})
  })

  it('reports broken YAML syntax with positions and stops there', () => {
    const text = 'version: 1\nsectors:\n  oanda:\n    venue: "oanda\n    mode: paper\n'
    const {diagnostics} = validateConfigText(text, FILE, FAKE_VENUES)
    expect(diagnostics).toMatchObject([{code: 'yaml-syntax', line: 4, column: 12}])
  })

  it('validates the venue part even when the core part has errors', () => {
    const text = oandaSector().replace('mode: practice', 'mode: pracitce').replace('[EUR_USD]', '[EURUSD]').replace('tokenEnv: OANDA_API_TOKEN', 'tokenEnv: OANDA_API_TOKEN, timeout: 5')
    const codes = validateConfigText(text, FILE, [fakeOanda, fakeIbkr]).diagnostics.map((d) => d.code)
    expect(codes).toEqual(['enum', 'pattern', 'unknown-key'])
  })
})
