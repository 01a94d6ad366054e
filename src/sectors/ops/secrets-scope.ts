// Which files are secrets files, for the ops tools (lock-secrets, check-env): exactly the files the
// charter checks — the root files of its secrets policy and every sector's `secretsFiles`, resolved
// as the engine resolves them. The rules live in the charter (secrets-files.ts) and in
// secrets-base.ts; this module only gathers their inputs and remembers which sectors list a file.
import {resolve} from 'node:path'

import {loadCharterLimits, packagedCharterPath, type SecretsPolicy} from '../../foundation/charter/limits.js'
import {secretsFileStatuses, type SecretFileStatus} from '../../foundation/charter/secrets-files.js'
import {readTextFile} from '../../foundation/config/read-file.js'
import {parseYamlSource} from '../../foundation/config/yaml-document.js'
import {configPath, projectRoot} from '../../foundation/paths.js'
import {resolveSecretsFiles} from '../../foundation/secrets/secrets-base.js'
import {SECRETS_TEMPLATE_NAMES} from '../../foundation/snapshots/exclusions.js'
import type {SectorRegistry} from '../definition.js'
import {displayPath, readSectorsConfig} from '../load-config.js'

/** The policy of config/charter.yaml as shipped, for when neither charter file can be read. */
const LAST_RESORT_POLICY: SecretsPolicy = {rootPatterns: ['.env', '.env.*'], ignore: [...SECRETS_TEMPLATE_NAMES]}

export interface SecretsPolicyRead {
  policy: SecretsPolicy
  /** Set when the project's charter could not be used and a default stood in. */
  warning?: string
}

/**
 * The charter's secrets policy. A broken charter falls back to the packaged one (and then to its
 * built-in copy), never to "no root files": these tools must still find `.env`.
 */
export function secretsPolicy(cwd: string, env: NodeJS.ProcessEnv): SecretsPolicyRead {
  const own = loadCharterLimits({cwd, env})
  if (own.limits) return {policy: own.limits.secrets}
  const why = own.diagnostics[0]?.message ?? 'it has errors'
  const packaged = loadCharterLimits({file: packagedCharterPath(), cwd, env})
  const policy = packaged.limits?.secrets ?? LAST_RESORT_POLICY
  return {policy, warning: `the charter's limits (${displayPath(own.file, cwd)}) cannot be used (${why}): the default secrets policy (${policy.rootPatterns.join(', ')}) applies`}
}

export interface SectorSecretsFiles {
  /** The config file read (absolute). */
  configFile: string
  /** Sector name -> its secretsFiles as written in the config. */
  bySector: Map<string, string[]>
  /** Set when the config is invalid and secretsFiles were read from it without validation. */
  warning?: string
}

/**
 * Every sector's `secretsFiles`, from the validated config; from the bare YAML when the config has
 * errors (locking a file a broken config lists is still right; the config can be fixed later).
 */
export function sectorSecretsFiles(options: {registry: SectorRegistry; file?: string; cwd: string; env: NodeJS.ProcessEnv}): SectorSecretsFiles {
  const read = readSectorsConfig({file: options.file, cwd: options.cwd, env: options.env, registry: options.registry})
  const bySector = new Map<string, string[]>()
  const errors = read.diagnostics.filter((d) => d.severity === 'error')
  if (read.loaded && errors.length === 0) {
    for (const sector of Object.values(read.loaded.config.sectors)) bySector.set(sector.name, [...(sector.secretsFiles ?? [])])
    return {configFile: read.file, bySector}
  }
  const shown = displayPath(read.file, options.cwd)
  // A regular file of bounded size only: a FIFO in its place must not hang lock-secrets.
  const file = readTextFile(read.file, {shown})
  if (!file.ok) return {configFile: read.file, bySector, warning: `${shown} cannot be read (${file.problem.message}): only the root secrets files are handled`}
  const text = file.text
  const sectors = (parseYamlSource(text, shown).value as {sectors?: unknown} | undefined)?.sectors
  if (sectors && typeof sectors === 'object' && !Array.isArray(sectors)) {
    for (const [name, sector] of Object.entries(sectors as Record<string, unknown>)) {
      const files = (sector as {secretsFiles?: unknown} | null)?.secretsFiles
      if (Array.isArray(files)) bySector.set(name, files.filter((f): f is string => typeof f === 'string' && f !== ''))
    }
  }
  return {configFile: read.file, bySector, warning: `${shown} has errors (see rick config validate): its secretsFiles were read without validation`}
}

export interface SecretsFileEntry extends SecretFileStatus {
  /** Absolute path. */
  absolute: string
  /** Sectors whose secretsFiles list the file (empty for a root file no sector lists). */
  sectors: string[]
}

/** The charter's statuses of the root secrets files plus `configured`, each with the sectors listing it. */
export function secretsFileEntries(root: string, policy: SecretsPolicy, configFile: string, bySector: ReadonlyMap<string, readonly string[]>): SecretsFileEntry[] {
  const sectorsOf = new Map<string, string[]>()
  for (const [sector, files] of bySector) {
    for (const abs of resolveSecretsFiles(configFile, files)) {
      const list = sectorsOf.get(abs) ?? []
      if (!list.includes(sector)) list.push(sector)
      sectorsOf.set(abs, list)
    }
  }
  return secretsFileStatuses(root, policy, [...sectorsOf.keys()]).map((s) => {
    const absolute = resolve(root, s.path)
    return {...s, absolute, sectors: sectorsOf.get(absolute) ?? []}
  })
}

/** The project root and config file as every rick command resolves them. */
export function projectFiles(cwd: string, env: NodeJS.ProcessEnv, file?: string): {root: string; configFile: string} {
  return {root: projectRoot(cwd, env), configFile: configPath(file, cwd, env)}
}

/** `0644` */
export function octalMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`
}
