// `rick ops systemd`: renders ops/rick@.service (a template unit, instance = sector) with this
// machine's real paths, and installs it where systemd looks. It never runs systemctl: it says
// which commands to type, so a person decides when engines start.
import {execFileSync} from 'node:child_process'
import {chownSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {homedir, userInfo} from 'node:os'
import {dirname, isAbsolute, join, relative, resolve} from 'node:path'

import {RickError, UsageError} from '../../foundation/errors.js'
import {resolveJournalPath} from '../../foundation/journal/location.js'
import {configPath, packageRoot, projectRoot, rickHome} from '../../foundation/paths.js'
import type {SectorRegistry} from '../definition.js'
import {displayPath, loadSectorsConfig} from '../load-config.js'
import {unknownSectorMessage} from '../../foundation/config/suggest.js'

/** The template unit, relative to the project (or to rick's own folder when the project has none). */
export const UNIT_TEMPLATE = join('ops', 'rick@.service')
export const UNIT_NAME = 'rick@.service'
export const SYSTEM_UNIT_DIR = '/etc/systemd/system'

export type SystemdScope = 'system' | 'user'

/**
 * How long a supervisor (systemd's TimeoutStopSec=, Compose's stop_grace_period) waits after
 * SIGTERM before killing an engine. On SIGTERM `rick run` cancels its working orders at the venue,
 * keeps its positions, journals RUN_STOPPED and exits 0: a few round trips to the broker. Killing
 * it earlier would leave orders working with no engine watching them.
 */
export const ENGINE_STOP_GRACE_SECONDS = 30

/** Folders ProtectHome= hides; a unit that reads anything in them must keep them visible (read-only). */
export const HOME_ROOTS = ['/home', '/root', '/run/user'] as const

/** Lines a --user unit leaves out: a user's service manager can neither switch users nor drop capabilities. */
const SYSTEM_ONLY_KEYS = ['User', 'Group', 'CapabilityBoundingSet', 'AmbientCapabilities']

/** The values that fill the template's placeholders. Paths are absolute. */
export interface UnitValues {
  node: string
  rick: string
  project: string
  data: string
  /** Account the engine runs as (system units only). */
  user: string
  readWritePaths: string[]
  protectHome: 'yes' | 'read-only'
  /** Extra `Environment=` assignments (RICK_CONFIG, RICK_JOURNAL), in order. */
  environment: Array<[string, string]>
}

// systemd splits these settings on whitespace, unquotes quotes and backslashes and expands `$` in
// ExecStart=. Quoting each setting correctly is fiddly and cannot be checked here without a running
// systemd, so such paths are refused with a clear message instead ('%' is escaped: it is common
// enough in generated folder names and has one simple escape).
const UNSAFE_PATH = /[\s"'\\$]|[\u0000-\u001f\u007f]/

function unitPath(what: string, path: string): string {
  if (!isAbsolute(path)) throw new UsageError(`${what} must be an absolute path for a systemd unit; found ${JSON.stringify(path)}`, 'UNIT_PATH')
  if (UNSAFE_PATH.test(path)) {
    throw new UsageError(
      `${what} ${JSON.stringify(path)} contains a space, quote, backslash, '$' or control character, which a systemd unit cannot name safely; expected a path without them (move it, or set RICK_HOME / RICK_PROJECT to one)`,
      'UNIT_PATH',
    )
  }
  return path.replaceAll('%', '%%')
}

/**
 * The unit text: placeholders filled in (outside comments), the explanatory header of the template
 * replaced by a short one, and for `--user` units the system-only lines left out.
 */
export function renderUnit(template: string, values: UnitValues, scope: SystemdScope, templateShown = UNIT_TEMPLATE): string {
  const project = unitPath('the project folder', values.project)
  const data = unitPath('the data folder', values.data)
  const fills: Record<string, string> = {
    NODE: unitPath('the node binary', values.node),
    RICK: unitPath("rick's bin/run.js", values.rick),
    PROJECT: project,
    DATA: data,
    // %i stays a specifier: systemd puts the sector's name there.
    ENVFILE: `${project}/.env.%i`,
    USER: values.user,
    READ_WRITE_PATHS: values.readWritePaths.map((p) => unitPath('a writable folder', p)).join(' '),
    PROTECT_HOME: values.protectHome,
  }
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(values.user)) throw new UsageError(`not a user name a unit can run as: ${JSON.stringify(values.user)}`, 'UNIT_USER')

  const lines = template.replace(/\r\n/g, '\n').split('\n')
  const firstSection = lines.findIndex((l) => l.trim().startsWith('['))
  if (firstSection < 0) throw new RickError(`${templateShown} has no [Unit] or [Service] section: not a unit file`, {code: 'UNIT_TEMPLATE'})
  const out: string[] = [
    `# ${UNIT_NAME}: rendered by \`rick ops systemd\` from ${templateShown}; render it again rather than editing it.`,
    '# One engine per sector: systemctl enable --now rick@<sector>',
    '',
  ]
  for (const line of lines.slice(firstSection)) {
    const trimmed = line.trim()
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) {
      out.push(line)
      continue
    }
    if (trimmed === '@ENVIRONMENT@') {
      for (const [key, value] of values.environment) out.push(`Environment=${key}=${unitPath(key, value)}`)
      continue
    }
    const key = /^([A-Za-z]+)=/.exec(trimmed)?.[1]
    if (scope === 'user' && key !== undefined && SYSTEM_ONLY_KEYS.includes(key)) continue
    let filled = line.replace(/@([A-Z_]+)@/g, (whole, name: string) => {
      const value = fills[name]
      if (value === undefined) throw new RickError(`${templateShown}: unknown placeholder ${whole}; known: ${Object.keys(fills).map((k) => `@${k}@`).join(', ')}, @ENVIRONMENT@`, {code: 'UNIT_TEMPLATE'})
      return value
    })
    if (scope === 'user' && trimmed === 'WantedBy=multi-user.target') filled = 'WantedBy=default.target'
    out.push(filled)
  }
  while (out.at(-1) === '') out.pop()
  return `${out.join('\n')}\n`
}

/** Whether `path` is `root` or lies below it. */
export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** ProtectHome=yes hides /home, /root and /run/user; anything the engine reads there needs read-only. */
export function protectHomeFor(paths: readonly string[]): UnitValues['protectHome'] {
  return paths.some((p) => HOME_ROOTS.some((root) => isWithin(p, root))) ? 'read-only' : 'yes'
}

/** The folders the engine writes: the data folder, the journal's folder, the git folder — none inside another. */
export function writablePaths(paths: ReadonlyArray<string | undefined>): string[] {
  const out: string[] = []
  for (const p of paths) {
    if (p === undefined || out.some((o) => isWithin(p, o))) continue
    for (let i = out.length - 1; i >= 0; i--) if (isWithin(out[i]!, p)) out.splice(i, 1)
    out.push(p)
  }
  return out
}

/**
 * The project's git folder (where the charter writes the snapshot of a dirty tree before an engine
 * starts), or undefined outside git. The common dir, so a worktree's snapshots land in the repository.
 */
export function gitCommonDir(project: string): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      cwd: project,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
      env: {...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_CEILING_DIRECTORIES: dirname(project)},
    }).trim()
    return out !== '' && isAbsolute(out) && existsSync(out) && statSync(out).isDirectory() ? out : undefined
  } catch {
    return undefined
  }
}

export interface SystemdRequest {
  /** Sectors to set up; default: every enabled sector of the config. */
  sectors?: readonly string[]
  scope: SystemdScope
  /** Where --install writes the unit (default /etc/systemd/system, or ~/.config/systemd/user). */
  dir?: string
}

export interface SystemdContext {
  registry: SectorRegistry
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Config file (`--file`). */
  file?: string
  /** The node binary (default process.execPath). */
  node?: string
  /** rick's bin/run.js (default: the one of the running rick). */
  rick?: string
  /** The effective uid (default process.getuid()). */
  uid?: number
}

export interface SystemdPlan {
  scope: SystemdScope
  unitName: typeof UNIT_NAME
  /** The template that was rendered (absolute). */
  template: string
  config: string
  sectors: string[]
  /** `rick@<sector>` for each sector. */
  instances: string[]
  paths: {node: string; rick: string; project: string; data: string; journal: string; gitDir: string | null}
  /** Whether the data folder exists (ReadWritePaths= needs it; --install creates it). */
  dataExists: boolean
  /** The account the engine runs as (system units); null for --user units (the user's own). */
  user: string | null
  protectHome: UnitValues['protectHome']
  readWritePaths: string[]
  /** `EnvironmentFile=` of each instance: `<project>/.env.<sector>`, read when present. */
  envFiles: Array<{sector: string; path: string; exists: boolean}>
  /** Where --install writes the unit. */
  target: string
  unit: string
  /** Things to know before installing (stderr in text mode). */
  notes: string[]
  /** Whether the commands to type need sudo (a system unit, typed by someone who is not root). */
  sudo: boolean
  /** The command that installs this very unit (sudo keeps RICK_* variables only when given on its line). */
  installCommand: string
  /** The commands to type after installing. */
  next: string[]
}

/** Renders the unit for the requested sectors; reads the config, writes nothing. */
export function planSystemd(request: SystemdRequest, ctx: SystemdContext): SystemdPlan {
  const cwd = ctx.cwd ?? process.cwd()
  const env = ctx.env ?? process.env
  const loaded = loadSectorsConfig({file: ctx.file, cwd, registry: ctx.registry, env})
  const shownConfig = displayPath(loaded.file, cwd)
  const sectors = chooseSectors(request.sectors, loaded.config.sectors, shownConfig)

  const project = projectRoot(cwd, env)
  const data = rickHome(cwd, env)
  const node = resolve(ctx.node ?? process.execPath)
  const rick = resolve(ctx.rick ?? join(packageRoot(), 'bin', 'run.js'))
  const journal = resolveJournalPath(undefined, cwd, env)
  const gitDir = gitCommonDir(project)
  const environment: Array<[string, string]> = []
  // The engine must read the config this command read, whatever told it where that is.
  const config = configPath(ctx.file, cwd, env)
  if (config !== join(project, 'config', 'trading_sectors.yaml')) environment.push(['RICK_CONFIG', config])
  if (env.RICK_JOURNAL) environment.push(['RICK_JOURNAL', journal])
  const readWritePaths = writablePaths([data, isWithin(journal, data) ? undefined : dirname(journal), gitDir])
  const protectHome = protectHomeFor([node, rick, project, data, config, journal, ...(gitDir ? [gitDir] : [])])

  const uid = ctx.uid ?? process.getuid?.() ?? -1
  const user = request.scope === 'system' ? invokingUser(env) : null
  const template = findTemplate(project)
  const templateShown = isWithin(template, project) ? relative(project, template) : template
  const values: UnitValues = {node, rick, project, data, user: user ?? userInfo().username, readWritePaths, protectHome, environment}
  const unit = renderUnit(readFileSync(template, 'utf8'), values, request.scope, templateShown)

  const target = join(request.dir ? resolve(cwd, request.dir) : defaultUnitDir(request.scope, env), UNIT_NAME)
  const instances = sectors.map((s) => `rick@${s}`)
  const sudo = request.scope === 'system' && (uid !== 0 || env.SUDO_USER !== undefined)
  const keep = sudo ? (['RICK_PROJECT', 'RICK_HOME', 'RICK_CONFIG', 'RICK_JOURNAL'] as const).filter((k) => env[k]).map((k) => `${k}=${resolve(cwd, env[k]!)}`) : []
  const installArgs = [
    ...(request.scope === 'user' ? ['--user'] : []),
    ...(request.sectors?.length ? sectors.map((s) => `--sector ${s}`) : []),
    ...(ctx.file ? [`--file ${resolve(cwd, ctx.file)}`] : []),
    ...(request.dir ? [`--dir ${resolve(cwd, request.dir)}`] : []),
  ]
  const installCommand = [...(sudo ? ['sudo', ...keep] : []), node, rick, 'ops systemd --install', ...installArgs].join(' ')
  const notes: string[] = []
  if (user === 'root') notes.push('the engines would run as root: run `rick ops systemd --install` through sudo from the account that should own them (User= is then that account)')
  return {
    scope: request.scope,
    unitName: UNIT_NAME,
    template,
    config: loaded.file,
    sectors,
    instances,
    paths: {node, rick, project, data, journal, gitDir: gitDir ?? null},
    dataExists: existsSync(data),
    user,
    protectHome,
    readWritePaths,
    envFiles: sectors.map((sector) => {
      const path = join(project, `.env.${sector}`)
      return {sector, path, exists: existsSync(path)}
    }),
    target,
    unit,
    notes,
    sudo,
    installCommand,
    next: nextCommands(request.scope, instances, {sudo, user: user ?? userInfo().username}),
  }
}

/** The commands a person types after installing: systemd picks the unit up, the engines start, their logs. */
export function nextCommands(scope: SystemdScope, instances: readonly string[], options: {sudo: boolean; user: string}): string[] {
  const first = instances[0] ?? 'rick@<sector>'
  if (scope === 'user') {
    return [
      'systemctl --user daemon-reload',
      `systemctl --user enable --now ${instances.join(' ')}`,
      `systemctl --user status ${first}`,
      `journalctl --user -u ${first} -f`,
      // Without lingering a user's service manager, and the engines with it, stop at logout.
      `loginctl enable-linger ${options.user}`,
    ]
  }
  const sudo = options.sudo ? 'sudo ' : ''
  return [`${sudo}systemctl daemon-reload`, `${sudo}systemctl enable --now ${instances.join(' ')}`, `systemctl status ${first}`, `journalctl -u ${first} -f`]
}

export interface SystemdInstall {
  path: string
  status: 'created' | 'updated' | 'unchanged'
  /** Set when the data folder did not exist and was created (mode 0700). */
  createdData: string | null
}

/** Writes the unit (0644, atomically) and creates the data folder the unit must be able to write. */
export function installSystemd(plan: SystemdPlan, ctx: {env?: NodeJS.ProcessEnv; uid?: number} = {}): SystemdInstall {
  const env = ctx.env ?? process.env
  const uid = ctx.uid ?? process.getuid?.() ?? -1
  let createdData: string | null = null
  if (!existsSync(plan.paths.data)) {
    mkdirSync(plan.paths.data, {recursive: true, mode: 0o700})
    createdData = plan.paths.data
    // Created by root through sudo: hand it to the account the engine runs as.
    const owner = sudoOwner(env)
    if (uid === 0 && owner && plan.scope === 'system') chownSync(plan.paths.data, owner.uid, owner.gid)
  }
  const previous = existsSync(plan.target) ? readFileSync(plan.target, 'utf8') : undefined
  if (previous === plan.unit) return {path: plan.target, status: 'unchanged', createdData}
  try {
    mkdirSync(dirname(plan.target), {recursive: true})
    const temp = `${plan.target}.rick-${process.pid}.tmp`
    writeFileSync(temp, plan.unit, {mode: 0o644})
    renameSync(temp, plan.target)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const denied = code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
    const hint = !denied
      ? (error as Error).message
      : plan.scope === 'system'
        ? `system units need root: ${plan.installCommand.startsWith('sudo ') ? plan.installCommand : `sudo ${plan.installCommand}`} (or --user for a unit of your own)`
        : 'pass --dir with a folder you can write'
    throw new RickError(`cannot write ${plan.target} (${code}): ${hint}`, {code: 'UNIT_WRITE', cause: error})
  }
  return {path: plan.target, status: previous === undefined ? 'created' : 'updated', createdData}
}

function chooseSectors(requested: readonly string[] | undefined, configured: Record<string, {enabled: boolean}>, shownConfig: string): string[] {
  const names = Object.keys(configured)
  const enabled = names.filter((n) => configured[n]!.enabled)
  if (requested === undefined || requested.length === 0) {
    if (enabled.length === 0) throw new UsageError(`no enabled sector in ${shownConfig}: expected at least one sector with enabled: true (found ${names.join(', ') || 'none'})`, 'NO_ENABLED_SECTOR')
    return enabled
  }
  const out: string[] = []
  for (const name of requested) {
    if (!names.includes(name)) throw new UsageError(unknownSectorMessage(name, names, shownConfig), 'UNKNOWN_SECTOR')
    if (!configured[name]!.enabled) throw new UsageError(`sector '${name}' is disabled in ${shownConfig} (enabled: false): enable it there first, or choose one of ${enabled.join(', ') || '(none enabled)'}`, 'SECTOR_DISABLED')
    if (!out.includes(name)) out.push(name)
  }
  return out
}

/** The project's template, else the one shipped with rick. */
function findTemplate(project: string): string {
  const candidates = [join(project, UNIT_TEMPLATE), join(packageRoot(), UNIT_TEMPLATE)]
  const found = candidates.find((c) => existsSync(c))
  if (found === undefined) throw new RickError(`no unit template: expected ${candidates.join(' or ')}`, {code: 'UNIT_TEMPLATE'})
  return found
}

/** The account behind `sudo`, else the current one. */
function invokingUser(env: NodeJS.ProcessEnv): string {
  if (env.SUDO_USER) return env.SUDO_USER
  return userInfo().username
}

function sudoOwner(env: NodeJS.ProcessEnv): {uid: number; gid: number} | undefined {
  const uid = Number(env.SUDO_UID)
  const gid = Number(env.SUDO_GID)
  return Number.isInteger(uid) && Number.isInteger(gid) && env.SUDO_UID !== undefined && env.SUDO_GID !== undefined ? {uid, gid} : undefined
}

function defaultUnitDir(scope: SystemdScope, env: NodeJS.ProcessEnv): string {
  if (scope === 'system') return SYSTEM_UNIT_DIR
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'systemd', 'user')
}
