// The charter as a service: gathers the facts (config, charter limits, file permissions,
// approvals, hashes, credentials), lets the pure decideCharter judge them, and carries out the
// PIN-guarded actions (init, approve) and the safe ones (revoke, status). Everything the service
// touches goes through `deps`, so a test can replace any of it — including making it throw, which
// must end in a CHARTER_ERROR denial, never an allow.
import {userInfo} from 'node:os'

import {hashCanonical} from '../foundation/canonical.js'
import {
  newApprovalId,
  needsApproval,
  readApprovals,
  removeApprovals,
  saveApproval,
  signApproval,
  verifyApproval,
  type ApprovalCheck,
  type ApprovalMode,
  type ApprovalSnapshot,
  type ApprovalsRead,
  type CurrentBindings,
  type SignedApproval,
} from '../foundation/charter/approvals.js'
import {charterErrorDecision, decideCharter, type CharterDecision, type CharterInput, type PinAttemptsSummary} from '../foundation/charter/decide.js'
import {formatDuration, parseDuration} from '../foundation/charter/duration.js'
import {loadCharterLimits, type LoadedCharterLimits, type SecretsPolicy} from '../foundation/charter/limits.js'
import {attemptPin, awaitPinTurn, pinThrottle, realSleep, type PinGate, type PinThrottle} from '../foundation/charter/pin-attempts.js'
import {noPinError, readPinRecord, setPin, tryUnlockSigningKey, type PinRecord, type ScryptParams} from '../foundation/charter/pin.js'
import {secretsFileStatuses, type SecretFileStatus} from '../foundation/charter/secrets-files.js'
import {hashStrategy, strategyCandidates, type StrategyCode} from '../foundation/charter/strategy-hash.js'
import type {Mode, SectorConfig} from '../foundation/config/types.js'
import {ConfigError, ExitCode, RickError, UsageError, formatDiagnostic, type Diagnostic} from '../foundation/errors.js'
import {configPath, projectRoot, rickHome} from '../foundation/paths.js'
import {readDotenvFiles} from '../foundation/secrets/dotenv.js'
import {resolveSecretsFiles} from '../foundation/secrets/secrets-base.js'
import {createSnapshot, ensureRepository, isTreeDirty, type SnapshotInfo} from '../foundation/snapshots/index.js'
import {repositoryState} from '../foundation/snapshots/repository.js'
import type {SectorRegistry} from './definition.js'
import {readSectorsConfig} from './load-config.js'
import {systemClock} from '../foundation/clock.js'
import {unknownSectorMessage} from '../foundation/config/suggest.js'

/** Everything the service reads or writes; tests replace single functions. */
export interface CharterDeps {
  now(): Date
  /** Waits out the delay after wrong PINs (tests advance a fake clock instead). */
  sleep(ms: number): Promise<void>
  pinThrottle(home: string, now: Date): PinThrottle
  readConfig: typeof readSectorsConfig
  loadLimits(options: {file?: string; cwd: string; env: NodeJS.ProcessEnv}): LoadedCharterLimits
  hashStrategy(root: string, name: string): StrategyCode | null
  secretsFiles(root: string, policy: SecretsPolicy, configured: readonly string[]): SecretFileStatus[]
  readDotenv(paths: readonly string[]): Record<string, string>
  readPinRecord(home: string): PinRecord | undefined
  readApprovals(home: string): ApprovalsRead
  ensureRepository(cwd: string): Promise<string>
  isTreeDirty(cwd: string, env: NodeJS.ProcessEnv): Promise<boolean>
  headCommit(cwd: string): Promise<string | null>
  createSnapshot(options: {cwd: string; message?: string; trigger?: SnapshotInfo['trigger']; env: NodeJS.ProcessEnv}): Promise<SnapshotInfo>
  platform: string
  username(): string
}

export const defaultCharterDeps: CharterDeps = {
  now: systemClock,
  sleep: realSleep,
  pinThrottle,
  readConfig: readSectorsConfig,
  loadLimits: (options) => loadCharterLimits(options),
  hashStrategy,
  secretsFiles: secretsFileStatuses,
  readDotenv: readDotenvFiles,
  readPinRecord,
  readApprovals,
  ensureRepository,
  isTreeDirty,
  headCommit: async (cwd) => (await repositoryState(cwd)).head,
  createSnapshot: (options) => createSnapshot(options),
  platform: process.platform,
  username: () => {
    try {
      return userInfo().username
    } catch {
      return process.env.USER ?? process.env.USERNAME ?? 'unknown'
    }
  },
}

export interface CharterContext {
  /** The sector definitions (from loadSectorRegistry(this.config) in a command; a fake in tests). */
  registry: SectorRegistry
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Config file (default: RICK_CONFIG, else the project's config/trading_sectors.yaml). */
  file?: string
  /** rick's data folder (default rickHome()). */
  home?: string
  /** The charter's hard limits (default: the project's config/charter.yaml, else the packaged one). */
  charterFile?: string
  deps?: Partial<CharterDeps>
}

interface Resolved {
  cwd: string
  env: NodeJS.ProcessEnv
  root: string
  home: string
  configFile: string
  deps: CharterDeps
}

function resolveContext(ctx: CharterContext): Resolved {
  const cwd = ctx.cwd ?? process.cwd()
  const env = ctx.env ?? process.env
  return {
    cwd,
    env,
    root: projectRoot(cwd, env),
    home: ctx.home ?? rickHome(cwd, env),
    configFile: configPath(ctx.file, cwd, env),
    deps: {...defaultCharterDeps, ...ctx.deps},
  }
}

/** The facts about one sector that every action needs. */
interface SectorFacts {
  diagnostics: Diagnostic[]
  limits: LoadedCharterLimits
  sectors: Record<string, SectorConfig>
  sector?: SectorConfig
  configHash?: string
}

async function readFacts(r: Resolved, ctx: CharterContext, sectorName?: string): Promise<SectorFacts> {
  const read = await r.deps.readConfig({file: r.configFile, cwd: r.cwd, registry: ctx.registry, env: r.env})
  const limits = r.deps.loadLimits({file: ctx.charterFile, cwd: r.cwd, env: r.env})
  const diagnostics = [...read.diagnostics, ...limits.diagnostics].filter((d) => d.severity === 'error')
  const sectors = read.loaded?.config.sectors ?? {}
  const sector = sectorName === undefined ? undefined : sectors[sectorName]
  return {diagnostics, limits, sectors, sector, configHash: sector ? hashCanonical(sector) : undefined}
}

// When the charter file itself is broken the root patterns fall back to the strictest reading.
const FALLBACK_SECRETS_POLICY: SecretsPolicy = {rootPatterns: ['.env*'], ignore: []}

function currentBindings(r: Resolved, facts: SectorFacts): CurrentBindings {
  const out: CurrentBindings = {configHash: facts.configHash, charterHash: facts.limits.hash}
  if (facts.sector) {
    out.strategyName = facts.sector.strategy.name
    out.strategyHash = r.deps.hashStrategy(r.root, facts.sector.strategy.name)?.hash ?? null
  }
  return out
}

function approvalChecks(r: Resolved, sector: string, mode: string, bindings: CurrentBindings): ApprovalCheck[] {
  const read = r.deps.readApprovals(r.home)
  if (read.problem) return [{sector, mode, valid: false, reasons: [read.problem]}]
  const pin = r.deps.readPinRecord(r.home)
  const now = r.deps.now()
  const field = (e: unknown, k: string) => (e && typeof e === 'object' ? (e as Record<string, unknown>)[k] : undefined)
  return read.entries.filter((e) => field(e, 'sector') === sector && field(e, 'mode') === mode).map((e) => verifyApproval(e, pin, bindings, now))
}

/**
 * The charter's decision for one sector. `mode` defaults to the sector's configured mode. Never
 * throws: anything that goes wrong while gathering facts is a CHARTER_ERROR denial.
 */
export async function checkCharter(sector: string, options: {mode?: Mode}, ctx: CharterContext): Promise<CharterDecision> {
  let r: Resolved | undefined
  // Until the config says otherwise the strictest mode is assumed, which only ever means "deny".
  const judged = {mode: options.mode ?? ('live' as Mode)}
  try {
    r = resolveContext(ctx)
    return decideCharter(await gatherInput(r, ctx, sector, options.mode, judged))
  } catch (error) {
    return charterErrorDecision(sector, judged.mode, error, safeNow(r))
  }
}

async function gatherInput(r: Resolved, ctx: CharterContext, name: string, requested: Mode | undefined, judged: {mode: Mode}): Promise<CharterInput> {
  const facts = await readFacts(r, ctx, name)
  const problems = facts.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0] ?? d.message)
  const config = facts.sector
  const mode = requested ?? config?.mode ?? 'live'
  judged.mode = mode
  if (!requested && !config) problems.push('mode unknown without a valid sector config: judged as live, the strictest')
  const input: CharterInput = {
    sector: name,
    mode,
    decidedAt: r.deps.now(),
    config: {valid: facts.diagnostics.length === 0, problems, sectorFound: config !== undefined, knownSectors: Object.keys(facts.sectors)},
    approvals: [],
    platform: r.deps.platform,
  }
  if (!config) return input
  const reg = ctx.registry.get(config.venue)
  input.venue = {name: config.venue, registered: reg !== undefined, modes: reg ? [...reg.definition.modes] : []}
  const secretsFiles = resolveSecretsFiles(r.configFile, config.secretsFiles)
  input.secrets = r.deps.secretsFiles(r.root, facts.limits.limits?.secrets ?? FALLBACK_SECRETS_POLICY, secretsFiles)
  if (reg) {
    const required = reg.definition.credentialVariables(config, mode)
    const fromFiles = required.length > 0 ? r.deps.readDotenv(secretsFiles) : {}
    const isSet = (n: string) => (r.env[n] !== undefined && r.env[n] !== '') || (fromFiles[n] !== undefined && fromFiles[n] !== '')
    input.credentials = {required, missing: required.filter((n) => !isSet(n))}
  }
  // PIN and approvals are read only where they matter: a damaged PIN file must not stop paper.
  if (needsApproval(mode)) {
    input.bindings = currentBindings(r, facts)
    input.approvals = approvalChecks(r, name, mode, input.bindings)
    input.pinAttempts = pinAttemptsSummary(r)
  } else {
    input.bindings = {configHash: facts.configHash, charterHash: facts.limits.hash}
  }
  return input
}

// Journaled with the decision (RUN_STARTED), so a run's record says whether someone was guessing.
function pinAttemptsSummary(r: Resolved): PinAttemptsSummary {
  try {
    const t = r.deps.pinThrottle(r.home, r.deps.now())
    const out: PinAttemptsSummary = {failures: t.failures}
    if (t.lastWrongAt) out.lastWrongAt = t.lastWrongAt.toISOString()
    if (t.lockedUntil) out.lockedUntil = t.lockedUntil.toISOString()
    return out
  } catch (error) {
    // The record of tries is not part of the decision: an unreadable one is reported, not fatal.
    return {failures: 0, problem: error instanceof Error ? error.message : String(error)}
  }
}

function safeNow(r: Resolved | undefined): Date {
  try {
    return r ? r.deps.now() : systemClock()
  } catch {
    return systemClock()
  }
}

export interface EngineStartAuthorization {
  decision: CharterDecision
  /** The code the engine runs: a fresh snapshot of a dirty tree, else HEAD; null outside git (paper-like modes only). */
  snapshot: ApprovalSnapshot | null
  /** Something the engine should tell the user (e.g. no git repository, so no snapshot). */
  notice?: string
}

/**
 * The charter's gate before an engine starts: the decision, and when it allows, the snapshot of
 * the code that will run (taken now if the tree is dirty). A failure to snapshot is a denial.
 */
export async function authorizeEngineStart(sector: string, options: {mode?: Mode}, ctx: CharterContext): Promise<EngineStartAuthorization> {
  const decision = await checkCharter(sector, options, ctx)
  if (!decision.allow) return {decision, snapshot: null}
  let r: Resolved | undefined
  try {
    r = resolveContext(ctx)
    try {
      await r.deps.ensureRepository(r.root)
    } catch (error) {
      if (!(error instanceof RickError && error.code === 'NOT_A_REPOSITORY')) throw error
      if (needsApproval(decision.mode)) throw new Error(`${r.root} is not a git repository: ${decision.mode} needs a snapshot to roll back to`)
      return {decision, snapshot: null, notice: `${r.root} is not a git repository: no snapshot of the code was taken`}
    }
    return {decision, snapshot: await snapshotOfCode(r, `engine start: ${sector} (${decision.mode})`, 'engine-start')}
  } catch (error) {
    return {decision: charterErrorDecision(sector, decision.mode, error, safeNow(r)), snapshot: null}
  }
}

async function snapshotOfCode(r: Resolved, message: string, trigger: SnapshotInfo['trigger']): Promise<ApprovalSnapshot> {
  const head = await r.deps.headCommit(r.root)
  if (head !== null && !(await r.deps.isTreeDirty(r.root, r.env))) return {id: head, commit: head, kind: 'head'}
  const snap = await r.deps.createSnapshot({cwd: r.root, message, trigger, env: r.env})
  return {id: snap.id, commit: snap.commit, kind: 'snapshot'}
}

// --- PIN

export interface InitPinResult {
  home: string
  replaced: boolean
  keyId: string
  /** Approvals signed with the previous PIN's key, void from now on. */
  voidedApprovals: number
}

export interface NewPins {
  pin: string
  /** The current PIN; needed when one is set. */
  oldPin?: string
}

export interface InitPinOptions {
  /** The PINs, or a function asked for them (told whether the current PIN is needed) once PIN entry is open. */
  pins: NewPins | ((needOld: boolean) => Promise<NewPins>)
  params?: ScryptParams
  onWait?: PinGate['onWait']
}

export async function initCharterPin(opts: InitPinOptions, ctx: Omit<CharterContext, 'registry'>): Promise<InitPinResult> {
  const r = resolveContext({...ctx, registry: emptyRegistry})
  const needOld = r.deps.readPinRecord(r.home) !== undefined
  // A locked-out user is told so before typing anything.
  if (needOld && typeof opts.pins === 'function') await awaitPinTurn(pinGate(r, 'change-pin', opts.onWait))
  const {pin, oldPin} = typeof opts.pins === 'function' ? await opts.pins(needOld) : opts.pins
  const {record, replaced} = await setPin({home: r.home, pin, oldPin, params: opts.params, now: r.deps.now, sleep: r.deps.sleep, onWait: opts.onWait})
  const read = r.deps.readApprovals(r.home)
  const voidedApprovals = replaced ? read.entries.filter((e) => (e as {keyId?: unknown})?.keyId !== record.signing.keyId).length : 0
  return {home: r.home, replaced, keyId: record.signing.keyId, voidedApprovals}
}

const emptyRegistry: SectorRegistry = {list: () => [], get: () => undefined, failures: []}

function pinGate(r: Resolved, action: PinGate['action'], onWait?: PinGate['onWait']): PinGate {
  return {home: r.home, action, now: r.deps.now, sleep: r.deps.sleep, ...(onWait ? {onWait} : {})}
}

// --- approve / revoke

export interface ApproveOptions {
  mode: ApprovalMode
  /** e.g. `7d`; default from the charter. */
  ttl?: string
  /** The PIN, or a function asked for it only once every other check has passed. */
  pin: string | (() => Promise<string>)
  /** Default: the OS user. */
  approver?: string
  /** Told before rick waits out the delay after wrong PINs. */
  onWait?: PinGate['onWait']
}

export interface ApproveResult {
  approval: SignedApproval
  ttl: string
  /** What the charter would decide now, so the user sees other problems (permissions, credentials) at once. */
  check: CharterDecision
}

export async function approveSector(sector: string, options: ApproveOptions, ctx: CharterContext): Promise<ApproveResult> {
  const r = resolveContext(ctx)
  if (!needsApproval(options.mode)) {
    throw new UsageError(`only canary and live need an approval; found mode ${String(options.mode)}`, 'CHARTER_BAD_MODE')
  }
  const pin = r.deps.readPinRecord(r.home)
  if (!pin) throw noPinError()
  const facts = await readFacts(r, ctx, sector)
  if (facts.diagnostics.length > 0) {
    throw new ConfigError('cannot approve: the config or the charter limits have errors; fix them first', facts.diagnostics)
  }
  const config = facts.sector
  if (!config) {
    const known = Object.keys(facts.sectors)
    throw new UsageError(unknownSectorMessage(sector, known), 'UNKNOWN_SECTOR')
  }
  const reg = ctx.registry.get(config.venue)
  if (!reg) throw new UsageError(`cannot approve ${sector}: no installed plugin provides venue '${config.venue}'`, 'UNKNOWN_VENUE')
  if (!reg.definition.modes.includes(options.mode)) {
    throw new UsageError(`cannot approve ${sector} for ${options.mode}: venue ${config.venue} supports ${reg.definition.modes.join(', ')}`, 'CHARTER_BAD_MODE')
  }
  const limits = facts.limits.limits!
  const ttl = options.ttl ?? limits.approvals.defaultTtl
  const ttlMs = parseDuration(ttl)
  if (ttlMs === undefined) throw new UsageError(`--ttl expects a duration like 12h, 7d or 2w; found '${ttl}'`, 'CHARTER_BAD_TTL')
  const maxMs = parseDuration(limits.approvals.maxTtl) ?? 0
  if (ttlMs > maxMs) throw new UsageError(`--ttl ${ttl} is longer than the charter allows (approvals.maxTtl: ${limits.approvals.maxTtl})`, 'CHARTER_BAD_TTL')
  const code = r.deps.hashStrategy(r.root, config.strategy.name)
  if (!code) {
    throw new UsageError(
      `cannot approve ${sector}: the code of strategy '${config.strategy.name}' was not found (looked for ${strategyCandidates(config.strategy.name).join(', ')} in ${r.root})`,
      'STRATEGY_NOT_FOUND',
    )
  }
  try {
    await r.deps.ensureRepository(r.root)
  } catch (error) {
    if (error instanceof RickError && error.code === 'NOT_A_REPOSITORY') {
      throw new RickError(
        `cannot approve ${sector} for ${options.mode}: ${r.root} is not a git repository. The charter promises that approved code can be rolled back, which needs git: run \`git init\` there (and commit your code) first.`,
        {code: 'CHARTER_NO_REPOSITORY', exitCode: ExitCode.BadInput},
      )
    }
    throw error
  }
  // Only now the PIN: a wrong PIN is refused before anything is written. A lockout is said before
  // the PIN is asked for; attemptPin checks again, as another process may have tried meanwhile.
  const gate = pinGate(r, 'approve', options.onWait)
  await awaitPinTurn(gate)
  const typed = typeof options.pin === 'string' ? options.pin : await options.pin()
  const key = await attemptPin(gate, () => tryUnlockSigningKey(pin, typed))
  const snapshot = await snapshotOfCode(r, `approval: ${sector} ${options.mode}`, 'approval')
  const now = r.deps.now()
  const approval = signApproval(
    {
      version: 1,
      id: newApprovalId(),
      sector,
      venue: config.venue,
      mode: options.mode,
      bindings: {strategy: {name: code.name, hash: code.hash}, config: facts.configHash!, charter: facts.limits.hash!},
      snapshot,
      approver: options.approver ?? r.deps.username(),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    },
    key,
  )
  saveApproval(r.home, approval)
  const check = await checkCharter(sector, {mode: options.mode}, ctx)
  return {approval, ttl: formatDuration(ttlMs), check}
}

export interface RevokeResult {
  sector: string
  mode?: string
  removed: number
  /** Set when the approvals file is damaged (nothing in it is valid, so nothing was removed). */
  problem?: string
}

/** Removes approvals; needs no PIN because it only ever takes permission away. */
export function revokeSector(sector: string, options: {mode?: ApprovalMode}, ctx: Omit<CharterContext, 'registry'>): RevokeResult {
  const r = resolveContext({...ctx, registry: emptyRegistry})
  const result = removeApprovals(r.home, sector, options.mode)
  const out: RevokeResult = {sector, removed: result.removed}
  if (options.mode) out.mode = options.mode
  if (result.problem) out.problem = result.problem
  return out
}

// --- status

export interface SectorCharterStatus {
  sector: string
  configured: boolean
  venue?: string
  /** The mode in the config. */
  mode?: Mode
  approvals: ApprovalCheck[]
}

export interface CharterStatus {
  home: string
  pin: {set: boolean; keyId?: string; createdAt?: string; problem?: string; attempts?: PinAttemptsStatus}
  approvalsFile: string
  approvalsProblem?: string
  /** Errors in the config or the charter limits (approvals cannot be matched without them). */
  configProblems: string[]
  charterFile: string
  sectors: SectorCharterStatus[]
}

/** Wrong PINs in a row and when PIN entry opens again (ISO times). */
export interface PinAttemptsStatus {
  failures: number
  lastWrongAt?: string
  nextTryAt?: string
  lockedUntil?: string
  problem?: string
}

function pinAttemptsStatus(r: Resolved): PinAttemptsStatus {
  const summary = pinAttemptsSummary(r)
  if (summary.problem !== undefined) return summary
  const next = r.deps.pinThrottle(r.home, r.deps.now()).nextTryAt
  return next ? {...summary, nextTryAt: next.toISOString()} : summary
}

export async function charterStatus(ctx: CharterContext): Promise<CharterStatus> {
  const r = resolveContext(ctx)
  const facts = await readFacts(r, ctx)
  let pin: PinRecord | undefined
  let pinProblem: string | undefined
  try {
    pin = r.deps.readPinRecord(r.home)
  } catch (error) {
    pinProblem = error instanceof Error ? error.message : String(error)
  }
  const read = r.deps.readApprovals(r.home)
  const now = r.deps.now()
  const field = (e: unknown, k: string) => (e && typeof e === 'object' ? (e as Record<string, unknown>)[k] : undefined)
  const names = new Set(Object.keys(facts.sectors))
  for (const e of read.entries) if (typeof field(e, 'sector') === 'string') names.add(field(e, 'sector') as string)
  const sectors: SectorCharterStatus[] = []
  for (const name of names) {
    const config = facts.sectors[name]
    const entries = read.entries.filter((e) => field(e, 'sector') === name)
    let approvals: ApprovalCheck[]
    if (config) {
      const bindings = currentBindings(r, {...facts, sector: config, configHash: hashCanonical(config)})
      approvals = entries.map((e) => verifyApproval(e, pin, bindings, now))
    } else {
      approvals = entries.map((e) => {
        const check = verifyApproval(e, pin, {charterHash: facts.limits.hash}, now)
        const kept = check.reasons.filter((x) => !/could not be (read|computed)/.test(x))
        return {...check, valid: false, reasons: [`sector '${name}' is not in the config`, ...kept]}
      })
    }
    if (pinProblem) approvals = approvals.map((a) => ({...a, valid: false, reasons: [pinProblem!, ...a.reasons]}))
    sectors.push(config ? {sector: name, configured: true, venue: config.venue, mode: config.mode, approvals} : {sector: name, configured: false, approvals})
  }
  const status: CharterStatus = {
    home: r.home,
    pin: pin ? {set: true, keyId: pin.signing.keyId, createdAt: pin.createdAt, attempts: pinAttemptsStatus(r)} : {set: pinProblem !== undefined},
    approvalsFile: read.file,
    configProblems: facts.diagnostics.map((d) => formatDiagnostic(d).split('\n')[0] ?? d.message),
    charterFile: facts.limits.file,
    sectors,
  }
  if (pinProblem) status.pin.problem = pinProblem
  if (read.problem) status.approvalsProblem = read.problem
  return status
}
