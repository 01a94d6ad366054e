// A throwaway rick project for engine tests of the built CLI: its own config, a copy of the
// built-in sma-crossover strategy, its own rick home (journal, locks) and no broker credentials.
// Not a git repository, so engine starts take no snapshot (paper modes allow that).
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {EventType, JournalEvent} from '../../src/foundation/journal/events.js'
import {openJournal} from '../../src/foundation/journal/index.js'
import {REPO_ROOT} from '../helpers/cli.js'

export const FIXTURE_CONFIG = `version: 1
sectors:
  fx:
    venue: oanda
    mode: paper
    profile: Balanced
    instruments: [EUR_USD]
    strategy: {name: sma-crossover, params: {fast: 5, slow: 20, size: 1000}}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
  coinbase:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: sma-crossover, params: {fast: 5, slow: 20, size: 0.0003}}   # 18 USD: inside the canary caps a fallback keeps
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
`

export interface Fixture {
  root: string
  home: string
  journal: string
  env: NodeJS.ProcessEnv
  cleanup(): void
}

export function fixtureProject(config = FIXTURE_CONFIG): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'rick-engine-project-'))
  mkdirSync(join(root, 'config'))
  mkdirSync(join(root, 'strategies'))
  writeFileSync(join(root, 'config', 'trading_sectors.yaml'), config)
  copyFileSync(join(REPO_ROOT, 'strategies', 'sma-crossover.ts'), join(root, 'strategies', 'sma-crossover.ts'))
  const home = join(root, '.rick')
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('RICK_') || k.startsWith('COINBASE_') || k.startsWith('OANDA_') || k.startsWith('IBKR_')) continue
    env[k] = v
  }
  Object.assign(env, {RICK_PROJECT: root, RICK_HOME: home, RICK_CACHE_DIR: join(root, '.cache')})
  return {root, home, journal: join(home, 'journal.db'), env, cleanup: () => rmSync(root, {recursive: true, force: true})}
}

/** Every event of a journal (or those of some types), read with a read-only handle. */
export function readJournal(path: string, types?: EventType[]): JournalEvent[] {
  const j = openJournal({path, readonly: true})
  try {
    return [...j.events(types ? {types} : {})]
  } finally {
    j.close()
  }
}
