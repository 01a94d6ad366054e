// `rick config show`: the effective config, secrets redacted.
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT, rick} from '../../helpers/cli.js'

const SHIPPED = readFileSync(join(REPO_ROOT, 'config', 'trading_sectors.yaml'), 'utf8')
const PASTED = 'pk_live_0123456789abcdefXYZ'
const TOKEN = 'oanda-token-value-0123456789'

describe('rick config show', () => {
  let project: string
  let env: Record<string, string>
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'rick-cli-show-'))
    mkdirSync(join(project, 'config'))
    // A secret pasted under a secret-looking key, and the token's value pasted under an innocent one.
    const text = SHIPPED.replace('params: {fast: 10, slow: 50, notional: 1000}', `params: {fast: 10, slow: 50, notional: 1000, apiKey: ${PASTED}, note: "${TOKEN}"}`)
    writeFileSync(join(project, 'config', 'trading_sectors.yaml'), text)
    env = {XDG_DATA_HOME: join(project, '.xdg-data'), RICK_CACHE_DIR: join(project, '.cache'), RICK_CONFIG: '', RICK_PROJECT: '', OANDA_API_TOKEN: TOKEN}
  })
  afterAll(() => rmSync(project, {recursive: true, force: true}))

  it('shows defaults and effective risk limits, with secrets redacted, as JSON', async () => {
    const r = await rick(['config', 'show', '--json'], {cwd: project, env})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).not.toContain(PASTED)
    expect(r.stdout).not.toContain(TOKEN)
    const out = JSON.parse(r.stdout) as {hash: string; sectors: Record<string, Record<string, any>>}
    expect(Object.keys(out.sectors)).toEqual(['oanda', 'coinbase', 'ibkr'])
    const oanda = out.sectors.oanda!
    expect(oanda.strategy.params).toEqual({fast: 10, slow: 50, notional: 1000, apiKey: 'pk_l…fXYZ', note: 'oand…6789'})
    expect(oanda.connection.tokenEnv).toBe('OANDA_API_TOKEN')
    expect(oanda.effectiveRisk).toEqual({
      maxOrderNotional: 1500,
      maxPositionNotional: 5000,
      maxOpenOrders: 4,
      dailyLossCap: 200,
      maxDrawdownPct: 10,
      consecutiveLossHalt: 5,
      maxTradesPerDay: 30,
      maxOrdersPerMinute: 12,
    })
    expect(out.sectors.coinbase).toMatchObject({enabled: true, profile: 'Conservative', risk: {}, secretsFiles: [], effectiveRisk: {maxOrderNotional: 500, dailyLossCap: 50}})
  })

  it('shows one sector as YAML', async () => {
    const r = await rick(['config', 'show', '--sector', 'ibkr'], {cwd: project, env})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^# config\/trading_sectors\.yaml \(sha256 [0-9a-f]{12}…\), effective values, secrets redacted\nversion: 1\nsectors:\n  ibkr:\n/)
    expect(r.stdout).not.toContain('oanda')
    expect(r.stdout).toContain('    effectiveRisk:\n      maxOrderNotional: 2000\n')
  })

  it('rejects an unknown sector with exit 2 and the nearest name', async () => {
    const r = await rick(['config', 'show', '--sector', 'ibrk'], {cwd: project, env})
    expect(r.exitCode).toBe(2)
    expect(r.stderr.trim()).toBe('Error: no sector "<--sector value>" in config/trading_sectors.yaml; expected one of: oanda, coinbase, ibkr; did you mean: ibkr')
  })
})
