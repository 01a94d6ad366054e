// A throw-away rick project for the ops command tests: three sectors on the real plugins, and an
// environment with nothing from the developer's shell (no credential variables, no linked plugins).
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const OPS_CONFIG = `version: 1
sectors:
  oanda:
    venue: oanda
    mode: practice
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
  coinbase:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: sma-crossover}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
    secretsFiles: [.env.coinbase]   # dotenv file with the key and secret
  ibkr:
    venue: ibkr
    mode: paper
    instruments:
      - {symbol: SPY, secType: STK, exchange: SMART, currency: USD, primaryExchange: ARCA}
    strategy: {name: sma-crossover}
    connection: {host: 127.0.0.1, port: 7497, clientId: 17, accountEnv: IBKR_ACCOUNT}
    secretsFiles:
      - secrets/ibkr.env
`

export interface OpsProject {
  root: string
  env: Record<string, string>
  cleanup(): void
}

export function opsProject(prefix: string, config = OPS_CONFIG): OpsProject {
  const root = mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(join(root, 'config'))
  writeFileSync(join(root, 'config', 'trading_sectors.yaml'), config)
  const xdg = join(root, '.xdg')
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: root,
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CONFIG_HOME: join(xdg, 'config'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    NO_COLOR: '1',
  }
  return {root, env, cleanup: () => rmSync(root, {recursive: true, force: true})}
}
