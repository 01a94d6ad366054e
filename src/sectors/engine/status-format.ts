// How `rick status`, `rick halt` and `rick resume` read to a person.
import type {ManualResult} from './halt-service.js'
import {formatAge, formatQty, formatTs} from './format.js'
import type {StatusResult} from './status-service.js'
import {runLabel} from '../ops/up/run-label.js'

export function statusText(r: StatusResult): string {
  if (r.sectors.length === 0) return 'No sectors configured.'
  const lines: string[] = []
  for (const s of r.sectors) {
    const run = s.lastRun
    const state = s.riskState
    const running = s.running ? `RUNNING (pid ${s.pid}, ${runLabel(s)})` : s.staleLock ? 'not running (stale lock: the engine died)' : 'not running'
    lines.push(`${s.sector}  ${running}`)
    lines.push(`  mode       configured ${s.configuredMode}${run ? `; last run ${run.effectiveMode}${run.requestedMode !== run.effectiveMode ? ` (asked: ${run.requestedMode})` : ''}` : ''}`)
    if (run) {
      const end = run.interrupted ? 'interrupted (no RUN_STOPPED)' : run.stoppedAt === null ? 'running' : `stopped: ${run.reason ?? '?'}`
      lines.push(`  last run   ${run.runId}, ${end}`)
    } else {
      lines.push('  last run   none (rick run ' + s.sector + ')')
    }
    const until = state.until !== null ? ` until ${formatTs(state.until)} UTC` : ''
    lines.push(`  risk       ${state.state}${state.code ? ` (${state.code}${until}): ${state.reason}` : ''}`)
    lines.push(`  positions  ${s.positions.length > 0 ? s.positions.map((p) => `${p.instrument} ${formatQty(p.qty)}`).join(', ') : 'flat'}${s.cash !== null ? `; cash ${s.cash.toFixed(2)} ${s.currency}` : ''}`)
    if (s.todayRealized !== null) lines.push(`  today      realized ${s.todayRealized.toFixed(2)} ${s.currency} net of fees (session day from ${formatTs(s.todaySince ?? NaN)} UTC)`)
    if (s.lastEventAgeMs !== null) {
      const age = s.lastEventAgeMs >= 0 ? `${formatAge(s.lastEventAgeMs)} ago` : `${formatAge(-s.lastEventAgeMs)} ahead of the wall clock (synthetic time)`
      lines.push(`  last event ${formatTs(s.lastEventAt ?? NaN)} UTC, ${age}`)
    }
    lines.push(`  snapshot   ${s.snapshot ? `${s.snapshot.id.slice(0, 12)} (${s.snapshot.kind})` : 'none'}`)
    lines.push(`  approval   ${s.approval.detail}`)
  }
  lines.push(`(journal ${r.journal})`)
  return lines.join('\n')
}

export function manualText(r: ManualResult): string {
  if (!r.changed) return `${r.sector} is already ${r.to}: nothing to do.`
  const pickup = r.runningPid !== null ? `the running engine (pid ${r.runningPid}) picks it up within a second` : 'the sector is not running: it starts in this state next time'
  const change = r.from === r.to ? `already ${r.to} (${r.previousCode ?? '?'}); now held by hand until \`rick resume ${r.sector}\`` : `${r.from} → ${r.to}`
  return `${r.sector}: ${change} (journal seq ${r.seq}); ${pickup}.`
}
