// The facts behind `rick sectors list`: for each configured sector its venue, mode, profile, the
// plugin that provides the venue, whether the venue's SDK loads, and whether the variables holding
// its credentials are set (in the environment or in the sector's secretsFiles). Values of
// credentials are never kept: only their names and where they were found.
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import type {SectorConfig} from '../foundation/config/types.js'
import type {Diagnostic} from '../foundation/errors.js'
import {readDotenvFiles} from '../foundation/secrets/dotenv.js'
import {resolveSecretsFiles} from '../foundation/secrets/secrets-base.js'
import type {RegisteredSector, SdkStatus, SectorRegistry} from './definition.js'
import {loadSectorsConfig} from './load-config.js'

export interface PluginRef {
  name: string
  version: string
  type: string
}

export interface SdkReport extends SdkStatus {
  /** With `deep`: whether importing the SDK for real worked, and how long it took. */
  imported?: boolean
  importMs?: number
}

export interface CredentialReport {
  status: 'none-needed' | 'set' | 'missing' | 'unknown'
  /** Names only; where each was found (`env` or a secrets file as written in the config). Values are never read out. */
  variables: Array<{name: string; set: boolean; source?: string}>
  detail?: string
}

export interface SectorRow {
  sector: string
  venue: string
  mode: string
  profile: string
  enabled: boolean
  plugin: PluginRef | null
  sdk: SdkReport | null
  credentials: CredentialReport
}

export interface VenueRow {
  venue: string
  description: string
  modes: string[]
  plugin: PluginRef
  sdk: SdkReport
}

export interface SectorsReport {
  /** The config file read (absolute). */
  file: string
  sectors: SectorRow[]
  /** Registered venues that no configured sector uses (e.g. a plugin just installed). */
  unusedVenues: VenueRow[]
  pluginFailures: Array<{plugin: string; error: string}>
}

export interface SectorsReportOptions {
  /** The sector definitions (loadSectorRegistry(this.config) in a command; a fake in tests). */
  registry: SectorRegistry
  /** Config file (default: RICK_CONFIG, else the project's config/trading_sectors.yaml). */
  file?: string | undefined
  cwd?: string | undefined
  /** Where credential variables are looked up (default process.env). */
  env?: NodeJS.ProcessEnv | undefined
  /** Import each SDK for real and time it (slow). */
  deep?: boolean | undefined
}

/**
 * Loads the config (an invalid one throws ConfigError, exit 2, with every diagnostic) and
 * describes its sectors. Config warnings come back beside the report, for the caller to show.
 */
export async function sectorsReport(options: SectorsReportOptions): Promise<{report: SectorsReport; warnings: Diagnostic[]}> {
  const env = options.env ?? process.env
  const loaded = loadSectorsConfig({file: options.file, cwd: options.cwd, registry: options.registry, env})
  const report = await describeSectors(loaded.file, Object.values(loaded.config.sectors), options.registry, {deep: options.deep ?? false, env})
  return {report, warnings: loaded.warnings}
}

/**
 * The report for already-loaded sectors of config `file` (relative secretsFiles resolve from it).
 * Pure apart from reading secrets files and, with `deep`, importing SDKs; a plugin function that
 * throws becomes an `unknown` / not-loadable entry, never an exception.
 */
export async function describeSectors(
  file: string,
  sectors: readonly SectorConfig[],
  registry: SectorRegistry,
  options: {deep: boolean; env: NodeJS.ProcessEnv},
): Promise<SectorsReport> {
  const sdkByVenue = new Map<string, SdkReport>()
  const sdkOf = async (reg: RegisteredSector): Promise<SdkReport> => {
    let report = sdkByVenue.get(reg.definition.venue)
    if (!report) {
      report = sdkStatusOf(reg)
      if (options.deep) Object.assign(report, await importSdk(reg, report))
      sdkByVenue.set(reg.definition.venue, report)
    }
    return report
  }

  const rows: SectorRow[] = []
  for (const sector of sectors) {
    const reg = registry.get(sector.venue)
    rows.push({
      sector: sector.name,
      venue: sector.venue,
      mode: sector.mode,
      profile: sector.profile,
      enabled: sector.enabled,
      plugin: reg ? pluginRef(reg) : null,
      sdk: reg ? await sdkOf(reg) : null,
      credentials: reg ? credentialReport(reg, sector, file, options.env) : {status: 'unknown', variables: [], detail: `no plugin provides venue ${sector.venue}`},
    })
  }
  const used = new Set(sectors.map((s) => s.venue))
  const unusedVenues: VenueRow[] = []
  for (const reg of registry.list()) {
    if (used.has(reg.definition.venue)) continue
    unusedVenues.push({venue: reg.definition.venue, description: reg.definition.description, modes: [...reg.definition.modes], plugin: pluginRef(reg), sdk: await sdkOf(reg)})
  }
  return {file, sectors: rows, unusedVenues, pluginFailures: [...registry.failures]}
}

/**
 * Whether the variables holding a sector's credentials (for its configured mode) are set: the
 * environment wins, then the sector's secretsFiles (later files win), resolved as the charter
 * resolves them. Only the names of non-empty values are kept; the values are dropped at once.
 */
export function credentialReport(reg: RegisteredSector, sector: SectorConfig, configFile: string, env: NodeJS.ProcessEnv): CredentialReport {
  let names: string[]
  try {
    names = reg.definition.credentialVariables(sector, sector.mode)
  } catch (error) {
    return {status: 'unknown', variables: [], detail: `credentialVariables() threw: ${messageOf(error)}`}
  }
  if (names.length === 0) return {status: 'none-needed', variables: []}
  const written = sector.secretsFiles ?? []
  const paths = resolveSecretsFiles(configFile, written)
  // Read per file so the report can say where a variable came from.
  const fileVars = paths.map((path, i) => {
    const vars = readDotenvFiles([path])
    return {file: written[i]!, names: new Set(Object.keys(vars).filter((k) => vars[k] !== ''))}
  })
  const variables = names.map((name) => {
    if (env[name] !== undefined && env[name] !== '') return {name, set: true, source: 'env'}
    const hit = [...fileVars].reverse().find((f) => f.names.has(name))
    return hit ? {name, set: true, source: hit.file} : {name, set: false}
  })
  return {status: variables.every((v) => v.set) ? 'set' : 'missing', variables}
}

function pluginRef(reg: RegisteredSector): PluginRef {
  return {name: reg.plugin.name, version: reg.plugin.version, type: reg.plugin.type}
}

function sdkStatusOf(reg: RegisteredSector): SdkReport {
  try {
    return {...reg.definition.sdkStatus()}
  } catch (error) {
    return {package: '?', loadable: false, detail: `sdkStatus() threw: ${messageOf(error)}`}
  }
}

async function importSdk(reg: RegisteredSector, status: SdkReport): Promise<Pick<SdkReport, 'imported' | 'importMs' | 'detail'>> {
  const loader = reg.definition.loadSdk
  const started = performance.now()
  try {
    if (typeof loader === 'function') {
      await loader.call(reg.definition)
    } else {
      // A plugin without loadSdk: import its package as the plugin itself would resolve it.
      const spec = status.package.startsWith('node:') ? status.package : pathToFileURL(createRequire(join(reg.plugin.root, 'package.json')).resolve(status.package)).href
      await import(spec)
    }
    return {imported: true, importMs: Math.round(performance.now() - started)}
  } catch (error) {
    return {imported: false, importMs: Math.round(performance.now() - started), detail: `import failed: ${messageOf(error)}`}
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
