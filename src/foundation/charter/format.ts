// Human-readable text for charter decisions and approvals, shared by the charter commands and,
// later, the engine's start-up banner.
import type {ApprovalCheck} from './approvals.js'
import type {CharterDecision, RuleStatus} from './decide.js'
import {FALLS_BACK} from './decide.js'

export const STATUS_MARK: Record<RuleStatus, string> = {pass: '✓', warn: '!', fail: '✗'}

/** The verdict line plus one line per rule: `✓ config-valid  detail`. */
export function formatDecision(decision: CharterDecision): string {
  const verdict = decision.allow ? 'ALLOW' : `DENY (${decision.code ?? 'CHARTER_DENIED'})`
  const lines = [`Charter: ${decision.sector} in ${decision.mode}: ${verdict}`]
  const width = Math.max(0, ...decision.rules.map((r) => r.rule.length))
  for (const r of decision.rules) lines.push(`  ${STATUS_MARK[r.status]} ${r.rule.padEnd(width)}  ${r.detail}`)
  if (decision.code === 'CHARTER_ERROR' && decision.detail) lines.push(`  ✗ ${decision.detail}`)
  // The verdict is about the mode at the venue; without credentials a run does something else.
  // Say what `rick run` will actually do, so the two never seem to disagree.
  const credentials = decision.rules.find((r) => r.rule === 'credentials')
  if (credentials?.status === 'warn' && credentials.detail.endsWith(FALLS_BACK)) {
    lines.push(`  → \`rick run ${decision.sector}\` in ${decision.mode} now: without its credentials it runs on rick's paper venue (effective mode paper, the ${decision.mode} limits), which the charter judges as paper; the verdict above is for ${decision.mode} at the venue`)
  }
  return lines.join('\n')
}

/** One line about an approval: valid until …, or void and why. */
export function formatApprovalCheck(a: ApprovalCheck): string {
  const who = a.approver ? ` by ${a.approver}` : ''
  const head = `${a.mode ?? '?'} approval ${a.id ?? '(no id)'}${who}`
  return a.valid ? `${head}: valid until ${a.expiresAt}` : `${head}: VOID: ${a.reasons.join('; ')}`
}
