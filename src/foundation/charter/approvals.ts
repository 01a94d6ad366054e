// Canary/live approvals: each one is signed with the PIN-derived Ed25519 key over the canonical
// JSON of all its fields, and bound to the hashes of the strategy code, the sector config and the
// charter's hard limits. Verification needs only the public key in the PIN record, so an agent
// that can edit the approvals file cannot make one: any edited field, extra field, missing or
// foreign signature voids the entry.
import {createPublicKey, randomBytes, sign, verify} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {canonicalJson} from '../canonical.js'
import type {Mode} from '../config/types.js'
import {RickError} from '../errors.js'
import type {PinRecord, SigningKey} from './pin.js'
import {approvalsFilePath, ensurePrivateDir, writePrivateFile} from './store.js'

export const APPROVAL_MODES = ['canary', 'live'] as const
export type ApprovalMode = (typeof APPROVAL_MODES)[number]

export function needsApproval(mode: Mode): mode is ApprovalMode {
  return (APPROVAL_MODES as readonly string[]).includes(mode)
}

/** What an approval is bound to; a change of any hash voids it. */
export interface ApprovalBindings {
  strategy: {name: string; hash: string}
  /** sha256 of the canonical JSON of the sector's config. */
  config: string
  /** sha256 of the canonical JSON of the charter's hard limits. */
  charter: string
}

export interface ApprovalSnapshot {
  /** A rick snapshot id, or the HEAD commit when the tree was clean. */
  id: string
  commit: string
  kind: 'snapshot' | 'head'
}

export interface ApprovalBody {
  version: 1
  id: string
  sector: string
  venue: string
  mode: ApprovalMode
  bindings: ApprovalBindings
  snapshot: ApprovalSnapshot
  approver: string
  createdAt: string
  expiresAt: string
  /** Which PIN key signed it (see PinRecord.signing.keyId). */
  keyId: string
}

export interface SignedApproval extends ApprovalBody {
  /** base64 Ed25519 signature of signedMessage(body). */
  signature: string
}

/** The current hashes to compare an approval with; undefined = could not be computed. */
export interface CurrentBindings {
  /** null when the strategy's code was not found. */
  strategyHash?: string | null
  strategyName?: string
  configHash?: string
  charterHash?: string
}

export interface ApprovalCheck {
  id?: string
  sector?: string
  mode?: string
  approver?: string
  createdAt?: string
  expiresAt?: string
  snapshot?: ApprovalSnapshot
  valid: boolean
  /** Why it is void; empty when valid. */
  reasons: string[]
}

const DOMAIN = 'rick-charter-approval/v1\n'

/** The bytes that are signed: a domain tag plus the canonical JSON of every field but the signature. */
export function signedMessage(body: ApprovalBody | Record<string, unknown>): Buffer {
  const {signature: _ignored, ...rest} = body as Record<string, unknown>
  return Buffer.from(DOMAIN + canonicalJson(rest), 'utf8')
}

export function newApprovalId(): string {
  return randomBytes(8).toString('hex')
}

export function signApproval(body: Omit<ApprovalBody, 'keyId'>, key: SigningKey): SignedApproval {
  const full: ApprovalBody = {...body, keyId: key.keyId}
  const signature = sign(null, signedMessage(full), key.privateKey).toString('base64')
  return {...full, signature}
}

export interface ApprovalsRead {
  file: string
  /** Raw entries: verification decides what is trustworthy. */
  entries: unknown[]
  /** Set when the file exists but cannot be used at all (every approval is then void). */
  problem?: string
}

export function readApprovals(home: string): ApprovalsRead {
  const file = approvalsFilePath(home)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {file, entries: []}
    return {file, entries: [], problem: `cannot read ${file}: ${(error as Error).message}`}
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return {file, entries: [], problem: `the approvals file ${file} is not valid JSON`}
  }
  const doc = data as {version?: unknown; approvals?: unknown} | null
  if (!doc || typeof doc !== 'object' || doc.version !== 1 || !Array.isArray(doc.approvals)) {
    return {file, entries: [], problem: `the approvals file ${file} does not have the expected {version: 1, approvals: [...]} shape`}
  }
  return {file, entries: doc.approvals}
}

function writeApprovals(home: string, entries: unknown[]): void {
  ensurePrivateDir(home)
  writePrivateFile(approvalsFilePath(home), `${JSON.stringify({version: 1, approvals: entries}, null, 2)}\n`)
}

function field(entry: unknown, key: string): unknown {
  return entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[key] : undefined
}

/** Adds a signed approval, replacing any earlier one for the same sector and mode. */
export function saveApproval(home: string, approval: SignedApproval): void {
  const read = readApprovals(home)
  if (read.problem) {
    throw new RickError(`${read.problem}; move it away (no approval in it is valid) and approve again`, {code: 'CHARTER_APPROVALS_DAMAGED'})
  }
  const kept = read.entries.filter((e) => !(field(e, 'sector') === approval.sector && field(e, 'mode') === approval.mode))
  writeApprovals(home, [...kept, approval])
}

/** Removes the sector's approvals (one mode or all); needs no PIN because it only takes rights away. */
export function removeApprovals(home: string, sector: string, mode?: string): {removed: number; problem?: string} {
  const read = readApprovals(home)
  if (read.problem) return {removed: 0, problem: read.problem}
  const kept = read.entries.filter((e) => !(field(e, 'sector') === sector && (mode === undefined || field(e, 'mode') === mode)))
  const removed = read.entries.length - kept.length
  if (removed > 0) writeApprovals(home, kept)
  return {removed}
}

const STRING_FIELDS = ['id', 'sector', 'venue', 'mode', 'approver', 'createdAt', 'expiresAt', 'keyId', 'signature'] as const

function shapeProblems(entry: unknown): string[] {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return ['the entry is not an object']
  const e = entry as Record<string, unknown>
  const out: string[] = []
  if (e.version !== 1) out.push('version is not 1')
  for (const key of STRING_FIELDS) if (typeof e[key] !== 'string') out.push(`${key} is missing or not a string`)
  const b = e.bindings as Record<string, unknown> | undefined
  const s = b?.strategy as Record<string, unknown> | undefined
  if (!b || typeof b !== 'object' || typeof b.config !== 'string' || typeof b.charter !== 'string' || !s || typeof s.hash !== 'string' || typeof s.name !== 'string') {
    out.push('bindings are missing or incomplete')
  }
  const snap = e.snapshot as Record<string, unknown> | undefined
  if (!snap || typeof snap !== 'object' || typeof snap.id !== 'string' || typeof snap.commit !== 'string') out.push('snapshot is missing')
  return out
}

/**
 * Checks one stored entry: shape, signer, signature, then (only for an authentic entry) expiry
 * and every binding against the current hashes. Never throws.
 */
export function verifyApproval(entry: unknown, pin: PinRecord | undefined, current: CurrentBindings, now: Date): ApprovalCheck {
  const str = (key: string) => {
    const v = field(entry, key)
    return typeof v === 'string' ? v : undefined
  }
  const check: ApprovalCheck = {
    id: str('id'),
    sector: str('sector'),
    mode: str('mode'),
    approver: str('approver'),
    createdAt: str('createdAt'),
    expiresAt: str('expiresAt'),
    valid: false,
    reasons: [],
  }
  const problems = shapeProblems(entry)
  if (problems.length > 0) {
    check.reasons.push(`the approval entry is malformed (${problems.join('; ')}): it was edited by hand or damaged`)
    return check
  }
  const a = entry as SignedApproval
  check.snapshot = a.snapshot
  if (!pin) {
    check.reasons.push('no charter PIN is set, so no approval can be verified (run `rick charter init`, then approve again)')
    return check
  }
  if (a.keyId !== pin.signing.keyId) {
    check.reasons.push(`signed by another key (${a.keyId}) than the PIN's key (${pin.signing.keyId}): the PIN was changed or the approval was forged`)
    return check
  }
  let authentic = false
  try {
    const publicKey = createPublicKey({key: Buffer.from(pin.signing.publicKey, 'base64'), format: 'der', type: 'spki'})
    authentic = verify(null, signedMessage(a), publicKey, Buffer.from(a.signature, 'base64'))
  } catch {
    authentic = false
  }
  if (!authentic) {
    check.reasons.push('the signature does not match the approval: the approvals file was altered or the approval forged')
    return check
  }
  // From here on the fields are the ones a person approved.
  const expires = Date.parse(a.expiresAt)
  if (!Number.isFinite(expires) || now.getTime() >= expires) check.reasons.push(`expired at ${a.expiresAt}`)
  if (current.strategyName !== undefined && current.strategyName !== a.bindings.strategy.name) {
    check.reasons.push(`the sector now runs strategy '${current.strategyName}', the approval was for '${a.bindings.strategy.name}'`)
  } else if (current.strategyHash === null) {
    check.reasons.push(`the code of strategy '${a.bindings.strategy.name}' is missing`)
  } else if (current.strategyHash === undefined) {
    check.reasons.push('the strategy code hash could not be computed')
  } else if (current.strategyHash !== a.bindings.strategy.hash) {
    check.reasons.push(`the code of strategy '${a.bindings.strategy.name}' changed since the approval`)
  }
  if (current.configHash === undefined) check.reasons.push('the sector config could not be read, so it cannot be compared')
  else if (current.configHash !== a.bindings.config) check.reasons.push('the sector config changed since the approval')
  if (current.charterHash === undefined) check.reasons.push("the charter's hard limits could not be read, so they cannot be compared")
  else if (current.charterHash !== a.bindings.charter) check.reasons.push("the charter's hard limits changed since the approval")
  check.valid = check.reasons.length === 0
  return check
}
