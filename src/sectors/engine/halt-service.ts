// `rick halt <sector>` / `rick resume <sector>`: a manual RISK_STATE record in the journal (run id
// `manual`). A running engine picks it up within about a second (it polls the journal); a stopped
// sector gets it at its next start, when the account's risk records are folded.
import type {Mode} from '../../foundation/config/types.js'
import {loadCharterLimits} from '../../foundation/charter/limits.js'
import {ConfigError, UsageError} from '../../foundation/errors.js'
import {openJournal} from '../../foundation/journal/index.js'
import {resolveJournalPath} from '../../foundation/journal/location.js'
import {rickHome} from '../../foundation/paths.js'
import type {RiskTransition} from '../../foundation/risk/state.js'
import type {TradingState} from '../../foundation/risk/types.js'
import {loadSectorsConfig} from '../load-config.js'
import {pidAlive, readLock} from './lock.js'
import {MANUAL_RUN_ID, recoverAccount, SIMULATION_ENVIRONMENTS} from './recovery.js'
import {ACCOUNT_CURRENCY, buildRisk, type SetupContext} from './setup.js'
import {systemEngineClock} from '../../foundation/clock.js'
import {unknownSectorMessage} from '../../foundation/config/suggest.js'

export type ManualAction = 'halt' | 'resume' | 'reduce'

export interface ManualResult {
  sector: string
  action: ManualAction
  /** The state before, and after (the same when nothing changed). */
  from: TradingState
  to: TradingState
  /** The code of the transition that led to the state before (e.g. CONSECUTIVE_LOSSES). */
  previousCode?: string
  /** False when the sector already was in the asked state (nothing journaled). */
  changed: boolean
  transition?: RiskTransition
  seq?: number
  journal: string
  /** The engine that will pick it up, when one runs. */
  runningPid: number | null
}

export function manualRiskChange(sector: string, action: ManualAction, options: {reason?: string; journalPath?: string; now?: number}, ctx: SetupContext): ManualResult {
  const cwd = ctx.cwd ?? process.cwd()
  const env = ctx.env ?? process.env
  const loaded = loadSectorsConfig({file: ctx.file, cwd, registry: ctx.registry, env})
  const config = loaded.config.sectors[sector]
  if (!config) {
    const known = Object.keys(loaded.config.sectors)
    throw new UsageError(unknownSectorMessage(sector, known), 'UNKNOWN_SECTOR')
  }
  const limits = loadCharterLimits({cwd, env})
  if (!limits.limits) throw new ConfigError(`${limits.file}: the charter's hard limits have errors`, limits.diagnostics)
  const journalPath = resolveJournalPath(options.journalPath, cwd, env)
  // The wall clock: a manual record happens when the person typed the command.
  const now = options.now ?? systemEngineClock.now()
  const journal = openJournal({path: journalPath})
  try {
    // The state of the sector's latest (non-simulated) account; a fresh sector is ACTIVE.
    const runs = accountRunsOfSector(journal, sector)
    const last = runs.at(-1)
    const mode = (last?.effectiveMode ?? config.mode) as Mode
    const risk = buildRisk({config, hard: limits.limits}, mode)
    if (last) {
      const r = recoverAccount(journal, {sector, venue: last.venue, environment: last.environment}, {instruments: [], currency: ACCOUNT_CURRENCY, startingCash: 0})
      risk.states.fold(r.riskEvents, now)
    } else {
      risk.states.fold(journal.events({sector, runId: MANUAL_RUN_ID, types: ['RISK_STATE']}), now)
    }
    const from = risk.states.state
    const previousCode = risk.states.code
    const reason = options.reason ?? (action === 'halt' ? 'halted by hand' : action === 'resume' ? 'resumed by hand' : 'reduce-only by hand')
    const t = risk.states.onEvent({kind: action, reason: `${reason} (rick ${action})`}, now)
    const lock = readLock(rickHome(cwd, env), sector)
    const runningPid = lock && pidAlive(lock.pid) ? lock.pid : null
    const base = {sector, action, from, journal: journalPath, runningPid, ...(previousCode === undefined ? {} : {previousCode})}
    if (!t) return {...base, to: from, changed: false}
    const written = journal.append({ts: now, runId: MANUAL_RUN_ID, sector, type: 'RISK_STATE', payload: t})
    return {...base, to: t.to, changed: true, transition: t, seq: written.seq}
  } finally {
    journal.close()
  }
}

/**
 * The kill switch (`rick halt --all`) and its undo: the same change for every sector of the config,
 * in the config's order, each journaled as if asked one by one. A sector already in the asked state
 * is reported unchanged.
 */
export function manualRiskChangeAll(action: ManualAction, options: {reason?: string; journalPath?: string; now?: number}, ctx: SetupContext): ManualResult[] {
  const loaded = loadSectorsConfig({file: ctx.file, cwd: ctx.cwd ?? process.cwd(), registry: ctx.registry, env: ctx.env ?? process.env})
  const sectors = Object.keys(loaded.config.sectors)
  if (sectors.length === 0) throw new UsageError(`no sectors in ${loaded.file}: nothing to ${action}`, 'NO_SECTORS')
  return sectors.map((sector) => manualRiskChange(sector, action, options, ctx))
}

function accountRunsOfSector(journal: ReturnType<typeof openJournal>, sector: string): Array<{venue: string; environment: string; effectiveMode: string}> {
  const out: Array<{venue: string; environment: string; effectiveMode: string}> = []
  for (const summary of journal.runs({sector})) {
    for (const e of journal.events({runId: summary.runId, types: ['RUN_STARTED'], limit: 1})) {
      const p = e.payload as {venue: string; environment: string; effectiveMode: string}
      if (!SIMULATION_ENVIRONMENTS.includes(p.environment)) out.push(p)
    }
  }
  return out
}
