// The charter's decision: a pure function of gathered facts (no I/O, no clock), so it can be
// tested exhaustively and journaled as-is by the engine. Every rule is evaluated and reported;
// the decision allows only when no rule fails, and any exception becomes a CHARTER_ERROR denial.
import type {Mode} from '../config/types.js'
import {needsApproval, type ApprovalCheck, type CurrentBindings} from './approvals.js'
import {FORBIDDEN_MODE_BITS, type SecretFileStatus} from './secrets-files.js'
import {suggest} from '../config/suggest.js'

export const RULES = ['config-valid', 'mode-allowed', 'secrets-private', 'approval', 'credentials'] as const
export type RuleName = (typeof RULES)[number]
export type RuleStatus = 'pass' | 'warn' | 'fail'

export interface RuleResult {
  rule: RuleName
  status: RuleStatus
  detail: string
}

export interface CharterInput {
  sector: string
  mode: Mode
  /** When the facts were gathered (the decision carries it; decide never reads a clock). */
  decidedAt: Date
  config: {
    /** The config file (and charter limits) had no errors. */
    valid: boolean
    /** One line per error, shown in the rule's detail. */
    problems: string[]
    /** The sector exists in the config. */
    sectorFound: boolean
    knownSectors?: string[]
  }
  /** The venue of the sector and whether a plugin provides it; undefined when unknown. */
  venue?: {name: string; registered: boolean; modes: readonly Mode[]}
  /** undefined when the secrets files could not be listed. */
  secrets?: SecretFileStatus[]
  /** Verification results of this sector's stored approvals for `mode`. */
  approvals: ApprovalCheck[]
  /** Credential variable names the venue needs in `mode`, and which of them are unset. */
  credentials?: {required: string[]; missing: string[]}
  /** Hashes of what an approval binds, for the journal. */
  bindings?: CurrentBindings
  /** Mode bits mean nothing on Windows. */
  platform?: string
  /** Wrong charter PINs in a row (canary and live only): reported with the decision, never judged. */
  pinAttempts?: PinAttemptsSummary
}

export interface PinAttemptsSummary {
  failures: number
  /** ISO times. */
  lastWrongAt?: string
  lockedUntil?: string
  /** The record of PIN tries could not be read. */
  problem?: string
}

export type CharterCode = 'CHARTER_DENIED' | 'CHARTER_ERROR'

export interface CharterDecision {
  allow: boolean
  sector: string
  mode: Mode
  rules: RuleResult[]
  code?: CharterCode
  /** Summary of a denial (which rules failed, or the error). */
  detail?: string
  /** ISO time. */
  decidedAt: string
  /** The approval that allowed a canary/live start. */
  approvalId?: string
  bindings?: CurrentBindings
  /** So the run's journal (RUN_STARTED.charter) shows whether someone was guessing the PIN. */
  pinAttempts?: PinAttemptsSummary
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`
const strict = (mode: Mode) => mode === 'canary' || mode === 'live'

function ruleConfig(input: CharterInput): RuleResult {
  const {config} = input
  if (!config.valid) {
    return {rule: 'config-valid', status: 'fail', detail: config.problems.length > 0 ? config.problems.join('; ') : 'the config is invalid'}
  }
  if (!config.sectorFound) {
    const known = config.knownSectors && config.knownSectors.length > 0 ? config.knownSectors.join(', ') : 'none'
    const near = suggest(input.sector, config.knownSectors ?? [])
    return {rule: 'config-valid', status: 'fail', detail: `no sector '${input.sector}' in the config (sectors: ${known})${near ? `; did you mean: ${near}` : ''}`}
  }
  return {rule: 'config-valid', status: 'pass', detail: 'config and charter limits are valid'}
}

function ruleMode(input: CharterInput): RuleResult {
  const {venue, mode} = input
  if (!venue) return {rule: 'mode-allowed', status: 'fail', detail: 'not checked: the sector config is unavailable'}
  if (!venue.registered) {
    return {rule: 'mode-allowed', status: 'fail', detail: `no installed plugin provides venue '${venue.name}'`}
  }
  if (!venue.modes.includes(mode)) {
    return {rule: 'mode-allowed', status: 'fail', detail: `venue ${venue.name} supports ${venue.modes.join(', ')}; not ${mode}`}
  }
  return {rule: 'mode-allowed', status: 'pass', detail: `venue ${venue.name} supports ${mode}`}
}

function ruleSecrets(input: CharterInput): RuleResult {
  const {secrets, mode} = input
  const bad: RuleStatus = strict(mode) ? 'fail' : 'warn'
  if (!secrets) {
    const why = input.config.sectorFound ? 'the secrets files could not be listed' : 'the sector config is unavailable'
    return {rule: 'secrets-private', status: bad, detail: `not checked: ${why}`}
  }
  const problems: Array<{status: RuleStatus; text: string}> = []
  for (const s of secrets) {
    if (!s.exists && s.symlink !== undefined) {
      problems.push({status: bad, text: `${s.path} is a symbolic link to ${s.symlink}, which does not exist; rick does not follow symlinks for secrets files`})
    } else if (!s.exists) {
      // A missing configured file: harmless while simulating, fatal when money is real.
      problems.push({status: bad, text: `${s.path} is listed in secretsFiles but does not exist`})
    } else if (s.error !== undefined) {
      problems.push({status: bad, text: `${s.path} cannot be checked (${s.error})`})
    } else if (input.platform === 'win32') {
      problems.push({status: 'warn', text: `${s.path}: permissions cannot be checked on Windows`})
    } else if (s.mode !== undefined && (s.mode & FORBIDDEN_MODE_BITS) !== 0) {
      const who = [(s.mode & 0o070) !== 0 ? 'group' : '', (s.mode & 0o007) !== 0 ? 'others' : ''].filter(Boolean).join(' and ')
      problems.push({status: bad, text: `${s.path} is ${octal(s.mode)}: ${who} can access it (run: chmod 600 ${s.path})`})
    }
  }
  if (problems.length === 0) {
    const detail = secrets.length === 0 ? 'no secrets files found' : `${secrets.map((s) => s.path).join(', ')}: private`
    return {rule: 'secrets-private', status: 'pass', detail}
  }
  const status: RuleStatus = problems.some((p) => p.status === 'fail') ? 'fail' : 'warn'
  return {rule: 'secrets-private', status, detail: problems.map((p) => p.text).join('; ')}
}

function ruleApproval(input: CharterInput): {result: RuleResult; approvalId?: string} {
  const {mode, sector} = input
  if (!needsApproval(mode)) return {result: {rule: 'approval', status: 'pass', detail: `not required in ${mode}`}}
  if (!input.config.sectorFound) return {result: {rule: 'approval', status: 'fail', detail: 'not checked: the sector config is unavailable'}}
  const valid = input.approvals.find((a) => a.valid)
  if (valid) {
    return {
      result: {rule: 'approval', status: 'pass', detail: `approved by ${valid.approver} until ${valid.expiresAt} (id ${valid.id})`},
      approvalId: valid.id,
    }
  }
  if (input.approvals.length === 0) {
    return {result: {rule: 'approval', status: 'fail', detail: `no ${mode} approval: run \`rick charter approve ${sector} --mode ${mode}\``}}
  }
  const why = input.approvals.map((a) => `approval ${a.id ?? '(no id)'} is void: ${a.reasons.join('; ')}`)
  return {result: {rule: 'approval', status: 'fail', detail: why.join(' | ')}}
}

/** The end of the credentials rule's detail when a run would fall back to the paper venue. */
export const FALLS_BACK = 'the connector will fall back to the paper venue'

function ruleCredentials(input: CharterInput): RuleResult {
  const {credentials, mode} = input
  if (!credentials) {
    return {rule: 'credentials', status: mode === 'live' ? 'fail' : 'warn', detail: 'not checked: the sector config is unavailable'}
  }
  if (credentials.required.length === 0) return {rule: 'credentials', status: 'pass', detail: `none needed in ${mode}`}
  if (credentials.missing.length === 0) return {rule: 'credentials', status: 'pass', detail: `set: ${credentials.required.join(', ')}`}
  const missing = credentials.missing.join(', ')
  if (mode === 'live') return {rule: 'credentials', status: 'fail', detail: `not set: ${missing} (live never falls back to paper)`}
  return {rule: 'credentials', status: 'warn', detail: `not set: ${missing}; ${FALLS_BACK}`}
}

/** The charter's decision for `input.sector` in `input.mode`. Never throws. */
export function decideCharter(input: CharterInput): CharterDecision {
  try {
    const approval = ruleApproval(input)
    const rules = [ruleConfig(input), ruleMode(input), ruleSecrets(input), approval.result, ruleCredentials(input)]
    const failed = rules.filter((r) => r.status === 'fail')
    const decision: CharterDecision = {
      allow: failed.length === 0,
      sector: input.sector,
      mode: input.mode,
      rules,
      decidedAt: input.decidedAt.toISOString(),
    }
    if (failed.length > 0) {
      decision.code = 'CHARTER_DENIED'
      decision.detail = `denied by ${failed.map((r) => r.rule).join(', ')}`
    }
    if (approval.approvalId !== undefined && decision.allow) decision.approvalId = approval.approvalId
    if (input.bindings) decision.bindings = input.bindings
    if (input.pinAttempts) decision.pinAttempts = input.pinAttempts
    return decision
  } catch (error) {
    return charterErrorDecision(safe(() => input.sector, '?'), safe(() => input.mode, 'live'), error, safe(() => input.decidedAt, new Date(0)))
  }
}

function safe<T>(get: () => T, fallback: T): T {
  try {
    return get() ?? fallback
  } catch {
    return fallback
  }
}

/** The denial returned whenever gathering facts or deciding throws: deny on error. */
export function charterErrorDecision(sector: string, mode: Mode, error: unknown, at: Date): CharterDecision {
  const message = error instanceof Error ? error.message : String(error)
  let decidedAt: string
  try {
    decidedAt = at.toISOString()
  } catch {
    decidedAt = new Date(0).toISOString()
  }
  return {
    allow: false,
    sector,
    mode,
    rules: [],
    code: 'CHARTER_ERROR',
    detail: `the charter could not decide, so it denies: ${message}`,
    decidedAt,
  }
}
