// `rick ops lock-secrets`: every secrets file the charter checks becomes mode 0600 and owned by the
// person running the command, and the report says what changed. Which files count is the charter's
// decision (secrets-scope.ts); here they are only changed.
//
// Ownership: a plain user cannot give a file away or take one, so rick changes the owner only when
// it runs as root through sudo (`sudo rick ops lock-secrets` hands the files to SUDO_UID:SUDO_GID);
// otherwise a file owned by someone else is reported, not touched. Symlinks are never followed for
// a change: as root, following `.env -> /etc/shadow` would be a disaster.
import {chmodSync, chownSync, lstatSync, readFileSync, realpathSync, statSync} from 'node:fs'
import {userInfo} from 'node:os'

import type {SectorRegistry} from '../definition.js'
import {octalMode, projectFiles, secretsFileEntries, secretsPolicy, sectorSecretsFiles, type SecretsFileEntry} from './secrets-scope.js'

/** The mode every secrets file gets: read and write for the owner, nothing for anyone else. */
export const SECRETS_FILE_MODE = 0o600

export type LockStatus = 'ok' | 'changed' | 'would-change' | 'missing' | 'failed'

export interface Owner {
  uid: number
  /** From /etc/passwd when listed there. */
  user?: string
}

export interface LockedFile {
  /** Relative to the project root when inside it. */
  path: string
  /** `root` = matched the charter's root patterns (`.env*`); `configured` = listed in secretsFiles. */
  source: 'root' | 'configured'
  /** Sectors whose secretsFiles list it. */
  sectors: string[]
  status: LockStatus
  /** `0644`; absent for a missing file. */
  modeBefore?: string
  /** The mode after the command (or after a real run, with --dry-run). */
  modeAfter?: string
  ownerBefore?: Owner
  ownerAfter?: Owner
  /** What was left alone and why (e.g. an owner that only root can change). */
  note?: string
  /** Why the file could not be locked (status `failed`). */
  error?: string
}

export interface LockReport {
  root: string
  dryRun: boolean
  /** Whom the files should belong to. */
  owner: Owner & {viaSudo: boolean}
  files: LockedFile[]
  /** Files changed (or, with dryRun, that would be). */
  changed: number
  failed: number
  warnings: string[]
}

/** File-system and process facts, replaceable in tests (ownership needs root to exercise for real). */
export interface LockDeps {
  getuid(): number
  lstat(path: string): {isSymbolicLink(): boolean}
  stat(path: string): {mode: number; uid: number; gid: number; isFile(): boolean}
  chmod(path: string, mode: number): void
  chown(path: string, uid: number, gid: number): void
  realpath(path: string): string
  userName(uid: number): string | undefined
}

export const defaultLockDeps: LockDeps = {
  getuid: () => (typeof process.getuid === 'function' ? process.getuid() : -1),
  lstat: (p) => lstatSync(p),
  stat: (p) => statSync(p),
  chmod: (p, m) => chmodSync(p, m),
  chown: (p, u, g) => chownSync(p, u, g),
  realpath: (p) => realpathSync(p),
  userName: passwdName,
}

export interface LockOptions {
  registry: SectorRegistry
  dryRun?: boolean
  /** Config file (`--file`). */
  file?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  deps?: Partial<LockDeps>
  /** Default process.platform; on Windows modes and owners mean nothing and nothing is changed. */
  platform?: string
}

interface Target {
  uid: number
  gid: number | undefined
  viaSudo: boolean
  /** Set when the owner to give files to cannot be known (root through sudo without SUDO_UID). */
  problem?: string
}

export async function lockSecrets(options: LockOptions): Promise<LockReport> {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const deps: LockDeps = {...defaultLockDeps, ...options.deps}
  const dryRun = options.dryRun ?? false
  const {root} = projectFiles(cwd, env, options.file)
  const warnings: string[] = []
  const policy = secretsPolicy(cwd, env)
  if (policy.warning) warnings.push(policy.warning)
  const configured = sectorSecretsFiles({registry: options.registry, file: options.file, cwd, env})
  if (configured.warning) warnings.push(configured.warning)

  const target = ownerTarget(deps, env)
  if (target.problem) warnings.push(target.problem)
  const entries = secretsFileEntries(root, policy.policy, configured.configFile, configured.bySector)
  const windows = (options.platform ?? process.platform) === 'win32'
  if (windows) warnings.push('on Windows file modes and owners do not protect files: nothing was changed; keep secrets files in your user profile')
  const files = entries.map((entry) => (windows ? windowsEntry(entry) : lockOne(entry, target, deps, dryRun)))
  return {
    root,
    dryRun,
    owner: {...named(deps, target.uid), viaSudo: target.viaSudo},
    files,
    changed: files.filter((f) => f.status === 'changed' || f.status === 'would-change').length,
    failed: files.filter((f) => f.status === 'failed').length,
    warnings,
  }
}

function ownerTarget(deps: LockDeps, env: NodeJS.ProcessEnv): Target {
  const uid = deps.getuid()
  if (uid !== 0 || !env.SUDO_USER) return {uid, gid: undefined, viaSudo: false}
  const sudoUid = Number(env.SUDO_UID)
  const sudoGid = Number(env.SUDO_GID)
  if (!Number.isInteger(sudoUid) || env.SUDO_UID === undefined || env.SUDO_UID === '') {
    return {uid, gid: undefined, viaSudo: false, problem: `SUDO_USER is ${env.SUDO_USER} but SUDO_UID is not set: owners are left as they are`}
  }
  return {uid: sudoUid, gid: Number.isInteger(sudoGid) && env.SUDO_GID ? sudoGid : undefined, viaSudo: true}
}

function named(deps: LockDeps, uid: number): Owner {
  const user = safe(() => deps.userName(uid))
  return user === undefined ? {uid} : {uid, user}
}

const who = (o: Owner) => (o.user ? `${o.user} (uid ${o.uid})` : `uid ${o.uid}`)

function lockOne(entry: SecretsFileEntry, target: Target, deps: LockDeps, dryRun: boolean): LockedFile {
  const base: LockedFile = {path: entry.path, source: entry.source, sectors: entry.sectors, status: 'ok'}
  if (!entry.exists) return {...base, status: 'missing', note: missingNote(entry)}
  if (entry.error !== undefined) return {...base, status: 'failed', error: `cannot lock it: ${entry.error}`}
  let st: ReturnType<LockDeps['stat']>
  let symlink: boolean
  try {
    symlink = deps.lstat(entry.absolute).isSymbolicLink()
    st = deps.stat(entry.absolute)
  } catch (error) {
    return {...base, status: 'failed', error: `cannot read its permissions: ${codeOf(error)}`}
  }
  const mode = st.mode & 0o777
  const ownerBefore = named(deps, st.uid)
  const wanted = named(deps, target.uid)
  const out: LockedFile = {...base, modeBefore: octalMode(mode), modeAfter: octalMode(mode), ownerBefore, ownerAfter: ownerBefore}
  const needsMode = mode !== SECRETS_FILE_MODE
  const needsOwner = st.uid !== target.uid && target.problem === undefined
  const mayChown = target.viaSudo && !symlink

  if (symlink && (needsMode || needsOwner)) {
    const real = safe(() => deps.realpath(entry.absolute)) ?? '(unresolvable)'
    const fix = [needsOwner ? `chown ${wanted.user ?? wanted.uid} ${real}` : '', needsMode ? `chmod 600 ${real}` : ''].filter(Boolean).join(' && ')
    return {...out, status: 'failed', error: `a symlink to ${real}: rick does not change files through symlinks (run: ${fix})`}
  }
  if (needsOwner && !mayChown) {
    out.note =
      deps.getuid() === 0
        ? `owned by ${who(ownerBefore)}, not by ${who(wanted)}: left as it is (as root, owners are changed only when run through sudo, giving the files to SUDO_USER)`
        : `owned by ${who(ownerBefore)}, not by ${who(wanted)}; only root can change that (run: sudo chown ${wanted.user ?? wanted.uid} ${entry.path})`
  }
  if (!needsMode && !(needsOwner && mayChown)) return out

  out.modeAfter = octalMode(SECRETS_FILE_MODE)
  if (needsOwner && mayChown) out.ownerAfter = wanted
  if (dryRun) return {...out, status: 'would-change'}
  try {
    // Owner first: chown by root may clear mode bits, never add them; chmod then sets the final mode.
    if (needsOwner && mayChown) deps.chown(entry.absolute, target.uid, target.gid ?? st.gid)
  } catch (error) {
    return {...out, modeAfter: octalMode(mode), ownerAfter: ownerBefore, status: 'failed', error: `chown to ${who(wanted)} failed: ${codeOf(error)}`}
  }
  try {
    if (needsMode) deps.chmod(entry.absolute, SECRETS_FILE_MODE)
  } catch (error) {
    const hint = codeOf(error).startsWith('EPERM') ? ` (only the owner, ${who(ownerBefore)}, or root may change its mode)` : ''
    return {...out, modeAfter: octalMode(mode), status: 'failed', error: `chmod 600 failed: ${codeOf(error)}${hint}`}
  }
  return {...out, status: 'changed'}
}

function windowsEntry(entry: SecretsFileEntry): LockedFile {
  const base: LockedFile = {path: entry.path, source: entry.source, sectors: entry.sectors, status: entry.exists ? 'ok' : 'missing'}
  return entry.exists ? {...base, note: 'not changed on Windows'} : {...base, note: missingNote(entry)}
}

// A root file exists by definition (it was listed from the folder): missing means a dangling symlink.
function missingNote(entry: SecretsFileEntry): string {
  return entry.source === 'root' ? 'a symlink to a missing file' : `listed in the secretsFiles of ${entry.sectors.join(', ')} but does not exist`
}

function codeOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException
  if (e && typeof e.code === 'string') return `${e.code}${e.syscall ? ` (${describeErrno(e.code)})` : ''}`
  return error instanceof Error ? error.message : String(error)
}

function describeErrno(code: string): string {
  const text: Record<string, string> = {
    EPERM: 'operation not permitted',
    EACCES: 'permission denied',
    EROFS: 'read-only file system',
    ENOENT: 'no such file',
    ELOOP: 'too many symlinks',
  }
  return text[code] ?? code.toLowerCase()
}

function safe<T>(get: () => T): T | undefined {
  try {
    return get()
  } catch {
    return undefined
  }
}

/** The user name of `uid` from /etc/passwd (no libc lookup in node); this process's own name as a fallback. */
export function passwdName(uid: number): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':')
      if (fields.length >= 3 && Number(fields[2]) === uid && fields[2] !== '') return fields[0]
    }
  } catch {
    // no /etc/passwd (Windows, some containers)
  }
  try {
    const me = userInfo()
    if (me.uid === uid) return me.username
  } catch {
    // no user entry at all
  }
  return undefined
}
