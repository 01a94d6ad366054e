// What \`rick run\` prints and decides the same way on the paper venue and on a real one: the
// summary, the charter's denial, run ids, the checkpoint to restore, the credentials a sector has.
import {readFileSync} from 'node:fs'

import {hashCanonical} from '../../foundation/canonical.js'
import type {Mode} from '../../foundation/config/types.js'
import type {RunStartedPayload} from '../../foundation/journal/events.js'
import {readDotenvFiles} from '../../foundation/secrets/dotenv.js'
import {resolveSecretsFiles} from '../../foundation/secrets/secrets-base.js'
import type {ConnectorChoice} from './connector-choice.js'
import type {EngineSummary} from './engine.js'
import {formatQty, money} from './format.js'
import type {RecoveredAccount} from './recovery.js'
import {ACCOUNT_CURRENCY, type SectorSetup} from './setup.js'

/** The stop request of one run: the first stop signal, and what to wake when it comes. */
export interface RunStop {
  readonly signal: string | undefined
  /** Called on a stop signal (a sleep between bars, the live loop's wait). */
  wake?: () => void
  dispose(): void
}

/**
 * Watches for stop signals from the very start of a run: one that came during start-up (before the
 * engine existed, or before this call) stops the run at its first chance, with the same notice.
 */
export function watchStop(io: {notice(text: string): void; onStopSignal(handler: (signal: string) => void): () => void}, sector: string): RunStop {
  let signal: string | undefined
  const stop: RunStop = {
    get signal() {
      return signal
    },
    dispose: () => remove(),
  }
  const remove = io.onStopSignal((s) => {
    if (signal === undefined) {
      signal = s
      io.notice(`rick: ${s}: stopping ${sector} (cancelling working orders, keeping positions)…`)
    }
    stop.wake?.()
  })
  return stop
}

export function summaryLines(io: {line(text: string): void; notice(text: string): void}, a: {journalPath: string; runId: string; req: {sector: string}}, reason: string, detail: string | undefined, s: EngineSummary): void {
  const positions = s.positions.length > 0 ? s.positions.map((p) => `${p.instrument} ${formatQty(p.qty)}`).join(', ') : 'flat'
  io.line(`stopped: ${reason}${detail ? ` (${detail})` : ''} after ${s.barsProcessed} bars`)
  // This run's counts and the account's totals (which include earlier runs) are labelled apart.
  io.line(`  this run: ${plural(s.signals, 'decision')}, ${plural(s.orders, 'order')}, ${plural(s.fills, 'fill')}, ${s.denials} denied, ${s.rejects} rejected; ${plural(s.trades, 'closing trade')}`)
  io.line(`  account:  realized ${money(s.realizedPnl, ACCOUNT_CURRENCY)}, fees ${money(s.fees, ACCOUNT_CURRENCY)}, equity ${money(s.equity, ACCOUNT_CURRENCY)}, cash ${money(s.cash, ACCOUNT_CURRENCY)}`)
  io.line(`  positions kept: ${positions}; risk state ${s.state}`)
  io.line(`  journal ${a.journalPath} (run ${a.runId}); see \`rick report ${a.req.sector} --run ${a.runId}\``)
  if (process.env.RICK_REPORT_RSS === '1') io.notice(`rss: ${residentMb().toFixed(1)} MB`)
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** VmRSS of this process in MB (Linux), else process.memoryUsage().rss. */
export function residentMb(): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) / 1024
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / (1024 * 1024)
}

export function credentialFacts(setup: Pick<SectorSetup, 'config' | 'configFile'>, definition: {credentialVariables(s: SectorSetup['config'], m: Mode): string[]} | undefined, mode: Mode, env: NodeJS.ProcessEnv) {
  const required = definition ? definition.credentialVariables(setup.config, mode) : []
  if (required.length === 0) return {required, missing: []}
  const files = readDotenvFiles(resolveSecretsFiles(setup.configFile, setup.config.secretsFiles))
  const set = (n: string) => (env[n] !== undefined && env[n] !== '') || (files[n] !== undefined && files[n] !== '')
  return {required, missing: required.filter((n) => !set(n))}
}

export function denialMessage(sector: string, choice: ConnectorChoice, decision: {rules: Array<{rule: string; status: string; detail: string}>; detail?: string}): string {
  const failed = decision.rules.filter((r) => r.status === 'fail').map((r) => `  ✗ ${r.rule}: ${r.detail}`)
  const lines = [`the charter denies ${sector} in mode ${choice.effectiveMode}${choice.effectiveMode !== choice.requestedMode ? ` (asked: ${choice.requestedMode})` : ''}: ${decision.detail ?? 'denied'}`]
  if (failed.length > 0) lines.push(...failed)
  lines.push(`(see \`rick charter check ${sector} --mode ${choice.effectiveMode}\`)`)
  return lines.join('\n')
}

/** `<sector>-<yyyymmddThhmmss>-<pid36>`: unique while the lock holds one engine per sector. */
export function newRunId(sector: string, io: {wallClock(): number; pid: number}): string {
  const t = new Date(io.wallClock()).toISOString().replace(/[-:]/g, '').slice(0, 15)
  return `${sector}-${t}-${io.pid.toString(36)}`
}

/** The last checkpoint, when it was taken by the same strategy code with the same params. */
export function usableCheckpoint(r: RecoveredAccount, setup: SectorSetup, notices: string[]): unknown {
  const cp = r.checkpoint
  if (!cp) return undefined
  const same = cp.strategy.name === setup.strategy.name && cp.strategy.codeHash === setup.strategy.codeHash && hashCanonical(cp.strategy.params) === hashCanonical({...setup.strategy.params})
  if (!same) {
    notices.push(`strategy checkpoint of run ${cp.runId} not restored: the strategy, its code or its params changed since`)
    return undefined
  }
  notices.push(`strategy restored from the checkpoint of run ${cp.runId} (after ${cp.barsProcessed} bars)`)
  return cp.state
}

/** The values of the credential variables a sector needs in `mode` (environment first, then its secrets files). */
export function credentialValues(setup: Pick<SectorSetup, 'config' | 'configFile'>, definition: {credentialVariables(s: SectorSetup['config'], m: Mode): string[]} | undefined, mode: Mode, env: NodeJS.ProcessEnv): Record<string, string> {
  const required = definition ? definition.credentialVariables(setup.config, mode) : []
  if (required.length === 0) return {}
  const files = readDotenvFiles(resolveSecretsFiles(setup.configFile, setup.config.secretsFiles))
  const out: Record<string, string> = {}
  for (const name of required) {
    const value = env[name] !== undefined && env[name] !== '' ? env[name] : files[name]
    if (value !== undefined && value !== '') out[name] = value
  }
  return out
}

/** RUN_STARTED as every `rick run` journals it (the paper venue and a real one add their parts). */
export function runStartedPayload(a: {
  choice: ConnectorChoice
  setup: SectorSetup
  auth: {decision: RunStartedPayload['charter'] & object; snapshot: RunStartedPayload['snapshot']}
  environment: string
  inputs: RunStartedPayload['inputs']
  seed: number
  limits: Record<string, number>
  version: string
  notices: string[]
  resumedFrom?: string
}): RunStartedPayload {
  const config = a.setup.config
  const started: RunStartedPayload = {
    requestedMode: a.choice.requestedMode,
    effectiveMode: a.choice.effectiveMode,
    venue: config.venue,
    environment: a.environment,
    profile: config.profile,
    charter: a.auth.decision,
    snapshot: a.auth.snapshot,
    configHash: hashCanonical(config),
    strategy: {name: a.setup.strategy.name, codeHash: a.setup.strategy.codeHash, params: {...a.setup.strategy.params}},
    inputs: a.inputs,
    seed: a.seed,
    limits: a.limits,
    version: a.version,
    notices: a.notices,
  }
  if (a.resumedFrom !== undefined) started.resumedFrom = a.resumedFrom
  return started
}
