// `rick ops check-env`: for each sector, which credential variables its mode needs, which are set
// and where (the environment wins, then the sector's secretsFiles, later files winning — the order
// the engine reads them in), and whether the secrets files pass the charter's privacy rule.
// Values are read only to be masked (`abcd…wxyz`, short ones fully); nothing else of them leaves
// this module. Permissions are judged by the charter's own rule (decideCharter), not a copy of it.
import {decideCharter, type RuleStatus} from '../../foundation/charter/decide.js'
import type {Mode, SectorConfig} from '../../foundation/config/types.js'
import {UsageError, type Diagnostic} from '../../foundation/errors.js'
import {readDotenvFiles} from '../../foundation/secrets/dotenv.js'
import {maskSecret} from '../../foundation/secrets/redact.js'
import {resolveSecretsFiles} from '../../foundation/secrets/secrets-base.js'
import type {SectorRegistry} from '../definition.js'
import {displayPath, loadSectorsConfig} from '../load-config.js'
import {octalMode, projectFiles, secretsFileEntries, secretsPolicy, type SecretsFileEntry} from './secrets-scope.js'
import {unknownSectorMessage} from '../../foundation/config/suggest.js'

export interface VariableCheck {
  name: string
  set: boolean
  /** `env`, or the secrets file (as written in the config) the value comes from. */
  source?: string
  /** `abcd…wxyz`, or `••••` for values shorter than 16 characters. Never the value. */
  masked?: string
  /** Other places that set it too, overridden by `source`. */
  overrides?: string[]
  /** Root secrets files (not read by rick) that define it: a hint where a missing value sits. */
  definedIn?: string[]
}

export interface FileCheck {
  path: string
  source: 'root' | 'configured'
  exists: boolean
  /** `0600`; absent when the file is missing or unreadable. */
  mode?: string
  /** The charter's verdict on this file in the sector's mode: fail in canary/live, warn otherwise. */
  status: RuleStatus
  detail: string
  /** Credential variables of this sector that the file sets (names only). */
  holds: string[]
}

export interface SectorEnvCheck {
  sector: string
  venue: string
  mode: Mode
  /** `config`, or `flag` when --mode chose it. */
  modeFrom: 'config' | 'flag'
  enabled: boolean
  /** Whether the sector counts for the exit code: enabled, or named with --sector. */
  counted: boolean
  ok: boolean
  variables: VariableCheck[]
  files: FileCheck[]
  /** The charter's secrets-private rule for the sector in this mode, as `rick charter check` shows it. */
  secretsPrivate: {status: RuleStatus; detail: string}
  /** Everything that makes `ok` false, one line each (names and paths, never values). */
  problems: string[]
}

export interface CheckEnvReport {
  /** The config file read (absolute). */
  file: string
  /** Every counted sector is ok: the exit code is 0 exactly when this is true. */
  ok: boolean
  sectors: SectorEnvCheck[]
  warnings: string[]
}

export interface CheckEnvOptions {
  registry: SectorRegistry
  sector?: string
  mode?: Mode
  file?: string
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Default process.platform (modes cannot be judged on Windows; the charter only warns there). */
  platform?: string
}

/** The report; an invalid config throws ConfigError (exit 2), an unknown --sector UsageError (exit 2). */
export function checkEnv(options: CheckEnvOptions): {report: CheckEnvReport; configWarnings: Diagnostic[]} {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const platform = options.platform ?? process.platform
  const loaded = loadSectorsConfig({file: options.file, cwd, env, registry: options.registry})
  const all = Object.values(loaded.config.sectors)
  if (options.sector !== undefined && !all.some((s) => s.name === options.sector)) {
    const known = all.map((s) => s.name)
    throw new UsageError(unknownSectorMessage(options.sector, known), 'UNKNOWN_SECTOR')
  }
  const {root} = projectFiles(cwd, env, options.file)
  const policy = secretsPolicy(cwd, env)
  const warnings = policy.warning ? [policy.warning] : []
  const selected = options.sector === undefined ? all : all.filter((s) => s.name === options.sector)
  const sectors = selected.map((sector) => {
    const entries = secretsFileEntries(root, policy.policy, loaded.file, new Map([[sector.name, sector.secretsFiles ?? []]]))
    return checkSector(sector, {configFile: loaded.file, mode: options.mode, named: options.sector !== undefined, entries, env, platform, registry: options.registry})
  })
  return {report: {file: loaded.file, ok: sectors.every((s) => !s.counted || s.ok), sectors, warnings}, configWarnings: loaded.warnings}
}

interface SectorInputs {
  configFile: string
  mode?: Mode
  named: boolean
  entries: SecretsFileEntry[]
  env: NodeJS.ProcessEnv
  platform: string
  registry: SectorRegistry
}

function checkSector(sector: SectorConfig, inputs: SectorInputs): SectorEnvCheck {
  const mode = inputs.mode ?? sector.mode
  const problems: string[] = []
  const reg = inputs.registry.get(sector.venue)
  let required: string[] = []
  if (!reg) {
    problems.push(`no installed plugin provides venue '${sector.venue}': its credential variables are unknown`)
  } else {
    if (!reg.definition.modes.includes(mode)) problems.push(`venue ${sector.venue} does not support mode ${mode} (it supports ${reg.definition.modes.join(', ')})`)
    try {
      required = [...reg.definition.credentialVariables(sector, mode)]
    } catch (error) {
      problems.push(`the ${sector.venue} plugin could not name the credential variables: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  // Per file, so the report can say which file a value comes from. Values are masked right here.
  const byPath = new Map(inputs.entries.map((e) => [e.absolute, e]))
  const valuesOf = new Map(inputs.entries.map((e) => [e, e.exists && e.error === undefined ? readDotenvFiles([e.absolute]) : {}] as const))
  const has = (e: SecretsFileEntry, name: string) => (valuesOf.get(e)?.[name] ?? '') !== ''
  // The config's order: a later file wins, as when the engine merges them.
  const configuredInOrder = [...new Set(resolveSecretsFiles(inputs.configFile, sector.secretsFiles ?? []).map((abs) => byPath.get(abs)))].filter(
    (e): e is SecretsFileEntry => e !== undefined,
  )

  const variables = required.map((name): VariableCheck => {
    const inFiles = configuredInOrder.filter((e) => has(e, name))
    const fromEnv = (inputs.env[name] ?? '') !== ''
    const winner = fromEnv ? undefined : inFiles[inFiles.length - 1]
    const value = fromEnv ? inputs.env[name] : winner ? valuesOf.get(winner)?.[name] : undefined
    const check: VariableCheck = {name, set: value !== undefined && value !== ''}
    if (check.set) {
      check.source = fromEnv ? 'env' : winner!.path
      check.masked = printable(maskSecret(value!))
      const others = inFiles.filter((e) => e !== winner).map((e) => e.path)
      if (others.length > 0) check.overrides = others
    } else {
      const hints = inputs.entries.filter((e) => e.source === 'root' && has(e, name)).map((e) => e.path)
      if (hints.length > 0) check.definedIn = hints
      problems.push(
        `${name} is not set` +
          (hints.length > 0 ? ` (${hints.join(', ')} defines it, but rick reads only the environment and the sector's secretsFiles: add it to secretsFiles or export it)` : ` (export it, or put it in a file listed in the sector's secretsFiles)`),
      )
    }
    return check
  })

  const judge = (secrets: SecretsFileEntry[]) =>
    decideCharter({
      sector: sector.name,
      mode,
      decidedAt: new Date(0),
      config: {valid: true, problems: [], sectorFound: true},
      approvals: [],
      secrets,
      platform: inputs.platform,
    }).rules.find((r) => r.rule === 'secrets-private') ?? {status: 'fail' as const, detail: 'the charter gave no secrets-private verdict'}

  const files = inputs.entries.map((e): FileCheck => {
    const verdict = judge([e])
    return {
      path: e.path,
      source: e.source,
      exists: e.exists,
      ...(e.mode !== undefined ? {mode: octalMode(e.mode)} : {}),
      status: verdict.status,
      detail: verdict.detail,
      holds: required.filter((n) => has(e, n)),
    }
  })
  // A listed secrets file that does not exist is optional (the shipped config lists `.env.oanda` for
  // whoever keeps the token there): it is shown, but only a file that exists and is open, or a
  // variable that is not set, makes a sector not ready.
  const rule = judge(inputs.entries.filter((e) => e.exists))
  if (rule.status !== 'pass') problems.push(`secrets files: ${rule.detail}`)

  return {
    sector: sector.name,
    venue: sector.venue,
    mode,
    modeFrom: inputs.mode === undefined ? 'config' : 'flag',
    enabled: sector.enabled,
    counted: sector.enabled || inputs.named,
    ok: problems.length === 0,
    variables,
    files,
    secretsPrivate: {status: rule.status, detail: rule.detail},
    problems,
  }
}

/** Control characters (the end of a PEM key is a newline) shown as escapes, so a mask stays on its line. */
function printable(masked: string): string {
  return masked.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))
}

/** The config file as the user would type it. */
export function shownConfigFile(report: CheckEnvReport, cwd: string = process.cwd()): string {
  return displayPath(report.file, cwd)
}
