// `rick status`: every configured sector at a glance — running or not (the lock's pid), the mode
// of its last run, its risk state, positions, today's P&L, how old its last event is, the code
// snapshot it ran, and whether its approval (canary/live) is valid. All of it read from the lock
// files, the journal and the charter; nothing is changed.
import {existsSync} from 'node:fs'

import type {Mode} from '../../foundation/config/types.js'
import {openJournal} from '../../foundation/journal/index.js'
import {resolveJournalPath} from '../../foundation/journal/location.js'
import type {Journal} from '../../foundation/journal/types.js'
import type {ApprovalCheck} from '../../foundation/charter/approvals.js'
import {loadCharterLimits} from '../../foundation/charter/limits.js'
import {rickHome} from '../../foundation/paths.js'
import {charterStatus} from '../charter-service.js'
import {resolveInstruments} from '../data/instruments.js'
import {loadSectorsConfig} from '../load-config.js'
import {pidAlive, readLock} from './lock.js'
import {howRunning, type RunsAs} from '../ops/up/how-running.js'
import {MANUAL_RUN_ID, recoverAccount, SIMULATION_ENVIRONMENTS, type AccountRun} from './recovery.js'
import {ACCOUNT_CURRENCY, buildRisk, DEFAULT_PAPER_CASH, type SetupContext} from './setup.js'
import {fromMicro, toMicro} from '../../foundation/domain/money.js'
import {UsageError} from '../../foundation/errors.js'
import {systemEngineClock} from '../../foundation/clock.js'

export interface SectorStatus {
  sector: string
  venue: string
  /** The mode in the config. */
  configuredMode: Mode
  running: boolean
  pid: number | null
  /** How the running engine was started: a child of a live `rick up`, a systemd service, or by hand. */
  runsAs: RunsAs | null
  /** The last CONNECTION event of the running engine's run (none on the paper venue). */
  connection: {stream: string; state: string; reason: string | null; ts: number} | null
  /** A lock whose engine is gone (killed or crashed); the next start takes it over. */
  staleLock: boolean
  lastRun: {runId: string; requestedMode: string; effectiveMode: string; startedAt: number; stoppedAt: number | null; reason: string | null; interrupted: boolean} | null
  riskState: {state: string; code: string | null; reason: string | null; until: number | null}
  positions: Array<{instrument: string; qty: number}>
  /** Account currency (decimal, like every amount rick prints as JSON). */
  cash: number | null
  /** Realized P&L net of fees since the session day of the last event began (decimal). */
  todayRealized: number | null
  currency: string
  todaySince: number | null
  lastEventAt: number | null
  /** Wall time minus the last event's engine time; negative when a synthetic clock ran ahead. */
  lastEventAgeMs: number | null
  snapshot: {id: string; commit: string; kind: string} | null
  approval: {needed: boolean; valid: boolean; detail: string}
}

export interface StatusResult {
  journal: string
  home: string
  sectors: SectorStatus[]
}

export async function sectorStatuses(options: {sector?: string; journalPath?: string; now?: number}, ctx: SetupContext): Promise<StatusResult> {
  const cwd = ctx.cwd ?? process.cwd()
  const env = ctx.env ?? process.env
  const home = rickHome(cwd, env)
  const loaded = loadSectorsConfig({file: ctx.file, cwd, registry: ctx.registry, env})
  const names = Object.keys(loaded.config.sectors)
  if (options.sector !== undefined && !names.includes(options.sector)) {
    throw new UsageError(`unknown sector '${options.sector}': expected one of ${names.join(', ') || '(none configured)'}`, 'UNKNOWN_SECTOR')
  }
  const journalPath = resolveJournalPath(options.journalPath, cwd, env)
  const journal = existsSync(journalPath) ? openJournal({path: journalPath, readonly: true}) : undefined
  const limits = loadCharterLimits({cwd, env})
  const charter = await charterStatus({registry: ctx.registry, cwd, env, file: ctx.file})
  // The one place a status reads the wall clock: to say how old things are.
  const now = options.now ?? systemEngineClock.now()
  try {
    const out: SectorStatus[] = []
    for (const name of names) {
      if (options.sector !== undefined && name !== options.sector) continue
      const config = loaded.config.sectors[name]!
      const lock = readLock(home, name)
      const alive = lock !== undefined && pidAlive(lock.pid)
      const status: SectorStatus = {
        sector: name,
        venue: config.venue,
        configuredMode: config.mode,
        running: alive,
        pid: alive ? lock!.pid : null,
        runsAs: alive ? howRunning(home, lock!.pid) : null,
        connection: alive && journal && lock!.runId ? lastConnection(journal, lock!.runId) : null,
        staleLock: lock !== undefined && !alive,
        lastRun: null,
        riskState: {state: 'ACTIVE', code: null, reason: null, until: null},
        positions: [],
        cash: null,
        todayRealized: null,
        currency: ACCOUNT_CURRENCY,
        todaySince: null,
        lastEventAt: null,
        lastEventAgeMs: null,
        snapshot: null,
        approval: approvalOf(name, charter.sectors.find((s) => s.sector === name), config.mode),
      }
      if (journal && limits.limits) fillFromJournal(status, journal, {config, hard: limits.limits}, ctx, now)
      out.push(status)
    }
    return {journal: journalPath, home, sectors: out}
  } finally {
    journal?.close()
  }
}

function lastConnection(journal: Journal, runId: string): SectorStatus['connection'] {
  let last: SectorStatus['connection'] = null
  for (const e of journal.events({runId, types: ['CONNECTION']})) {
    const p = e.payload as {stream: string; state: string; reason?: string}
    last = {stream: p.stream, state: p.state, reason: p.reason ?? null, ts: e.ts}
  }
  return last
}

function fillFromJournal(status: SectorStatus, journal: Journal, setup: Parameters<typeof buildRisk>[0], ctx: SetupContext, now: number): void {
  const runs: AccountRun[] = []
  for (const summary of journal.runs({sector: status.sector})) {
    for (const e of journal.events({runId: summary.runId, types: ['RUN_STARTED'], limit: 1})) {
      const started = e.payload as AccountRun['started']
      if (!SIMULATION_ENVIRONMENTS.includes(started.environment)) runs.push({summary, started, interrupted: summary.stoppedAt === undefined})
    }
  }
  const last = runs.at(-1)
  if (!last) {
    // Never ran: only `rick halt`/`rick resume` records can have changed its state.
    const risk = buildRisk(setup, setup.config.mode)
    risk.states.fold(journal.events({sector: status.sector, runId: MANUAL_RUN_ID, types: ['RISK_STATE']}), now)
    status.riskState = {state: risk.states.state, code: risk.states.code ?? null, reason: risk.states.reason ?? null, until: risk.states.until ?? null}
    return
  }
  const s = last.summary
  const stoppedReason = s.reason ?? null
  status.lastRun = {
    runId: s.runId,
    requestedMode: last.started.requestedMode,
    effectiveMode: last.started.effectiveMode,
    startedAt: s.startedAt,
    stoppedAt: s.stoppedAt ?? null,
    reason: stoppedReason,
    interrupted: last.interrupted && !status.running,
  }
  status.snapshot = last.started.snapshot
  let instruments: ReturnType<typeof resolveInstruments> = []
  try {
    instruments = resolveInstruments(setup.config, ctx.registry)
  } catch {
    // the books still fold with default lot sizes
  }
  // The account's books fold with the multipliers its last run traded with: at a venue, an
  // instrument quoted in another currency carries the conversion into the account's currency.
  const traded = new Map(((last.started as {instruments?: Array<{id: string; multiplier?: number}>}).instruments ?? []).map((i) => [i.id, i.multiplier]))
  instruments = instruments.map((i) => {
    const m = traded.get(i.id)
    return m !== undefined && Number.isFinite(m) && m > 0 ? {...i, multiplier: m} : i
  })
  const recovered = recoverAccount(journal, {sector: status.sector, venue: last.started.venue, environment: last.started.environment}, {instruments, currency: ACCOUNT_CURRENCY, startingCash: toMicro(DEFAULT_PAPER_CASH)})
  const risk = buildRisk(setup, (last.started.effectiveMode as Mode) ?? setup.config.mode)
  const lastTs = Math.max(recovered.lastTs, s.startedAt)
  risk.states.fold(recovered.riskEvents, lastTs)
  status.riskState = {state: risk.states.state, code: risk.states.code ?? null, reason: risk.states.reason ?? null, until: risk.states.until ?? null}
  status.positions = recovered.ledger.positions().filter((p) => p.qty !== 0).map((p) => ({instrument: p.instrument, qty: p.qty}))
  status.cash = fromMicro(recovered.ledger.cash)
  status.lastEventAt = lastTs
  status.lastEventAgeMs = now - lastTs
  const dayStart = risk.session.sessionDayStart(lastTs)
  status.todaySince = dayStart
  let before = {realized: 0, fees: 0}
  let after = {realized: 0, fees: 0}
  for (const m of recovered.fillMarks) {
    if (m.ts < dayStart) before = m
    after = m
  }
  status.todayRealized = fromMicro(after.realized - before.realized - (after.fees - before.fees))
}

function approvalOf(sector: string, charter: {approvals: ApprovalCheck[]} | undefined, mode: Mode): SectorStatus['approval'] {
  if (mode !== 'canary' && mode !== 'live') return {needed: false, valid: true, detail: `not needed in ${mode}`}
  const approvals = (charter?.approvals ?? []).filter((a) => a.mode === mode)
  const valid = approvals.find((a) => a.valid)
  if (valid) return {needed: true, valid: true, detail: `valid until ${valid.expiresAt ?? '?'}`}
  if (approvals.length === 0) return {needed: true, valid: false, detail: `no ${mode} approval (rick charter approve ${sector} --mode ${mode})`}
  return {needed: true, valid: false, detail: `void: ${approvals.flatMap((a) => a.reasons).join('; ')}`}
}
