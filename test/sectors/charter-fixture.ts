// A throwaway project for charter tests: one coinbase sector in canary, its strategy, a git
// repository with one commit (approvals snapshot the code), and rick's home inside it.
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {rick, type CliResult} from '../helpers/cli.js'

export const CANARY_CONFIG = `version: 1
sectors:
  coinbase:
    venue: coinbase
    mode: canary
    profile: Conservative
    instruments: [BTC-USD]
    strategy: {name: donchian-breakout, params: {lookback: 20}}
    canary: {maxOrderNotional: 25, maxPositions: 1, dailyLossCap: 10}
    connection: {apiKeyEnv: COINBASE_API_KEY, apiSecretEnv: COINBASE_API_SECRET}
`

export interface CharterProject {
  root: string
  /** RICK_HOME */
  home: string
  git(...args: string[]): string
}

export function charterProject(prefix: string, gitignore = '.rick/\n'): CharterProject {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {cwd: root, encoding: 'utf8'})
  mkdirSync(join(root, 'config'))
  mkdirSync(join(root, 'strategies'))
  writeFileSync(join(root, '.gitignore'), gitignore)
  writeFileSync(join(root, 'config', 'trading_sectors.yaml'), CANARY_CONFIG)
  writeFileSync(join(root, 'strategies', 'donchian-breakout.ts'), 'export const lookback = 20\n')
  git('init', '-q')
  git('add', '-A')
  git('commit', '-q', '-m', 'init')
  return {root, home: join(root, '.rick'), git}
}

/** Runs the built `rick` in the project, with its own home and no config from the environment. */
export function cliIn(p: Pick<CharterProject, 'root' | 'home'>): (args: string[], input?: string) => Promise<CliResult> {
  return (args, input) => rick(args, {cwd: p.root, env: {RICK_PROJECT: p.root, RICK_HOME: p.home, RICK_CONFIG: ''}, ...(input === undefined ? {} : {input})})
}
