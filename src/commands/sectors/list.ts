import {Flags} from '@oclif/core'
import {createRequire} from 'node:module'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {BaseCommand} from '../../cli/base-command.js'
import {formatDiagnostic} from '../../foundation/errors.js'
import type {SectorConfig} from '../../foundation/config/types.js'
import {projectRoot} from '../../foundation/paths.js'
import {readDotenvFiles} from '../../foundation/secrets/dotenv.js'
import type {RegisteredSector, SdkStatus, SectorRegistry} from '../../sectors/definition.js'
import {displayPath, loadSectorsConfig} from '../../sectors/load-config.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export interface PluginRef {
  name: string
  version: string
  type: string
}

export interface SdkReport extends SdkStatus {
  /** With --deep: whether importing the SDK for real worked, and how long it took. */
  imported?: boolean
  importMs?: number
}

export interface CredentialReport {
  status: 'none-needed' | 'set' | 'missing' | 'unknown'
  /** Names only; where each was found (`env` or a secrets file). Values are never read out. */
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

export interface SectorsListResult {
  file: string
  sectors: SectorRow[]
  /** Registered venues that no configured sector uses (e.g. a plugin just installed). */
  unusedVenues: VenueRow[]
  pluginFailures: Array<{plugin: string; error: string}>
}

export default class SectorsList extends BaseCommand {
  static override summary = 'List the configured sectors and the plugins behind them.'

  static override description = [
    'One row per sector in the config: its venue, mode, risk profile, whether it is enabled, the plugin that provides the venue, whether the venue\'s SDK can be loaded, and whether the environment variables holding its credentials are set (in the environment or in the sector\'s secretsFiles; values are never printed).',
    'Venues registered by a plugin but used by no sector are listed after the table, so a newly installed sector plugin shows up. Plugins whose rick:sectors hook failed are reported on stderr.',
    'Exit codes: 0 ok, 2 the config is invalid (every problem is listed), 1 anything else.',
  ].join('\n\n')

  static override examples = [
    {description: 'Sectors of the project config', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Another config file, as JSON', command: '<%= config.bin %> <%= command.id %> --file ops/prod/trading_sectors.yaml --json'},
    {description: 'Import every SDK for real and time it', command: '<%= config.bin %> <%= command.id %> --deep'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    file: Flags.string({char: 'f', description: 'Config file to read (default: RICK_CONFIG, else config/trading_sectors.yaml of the project).'}),
    deep: Flags.boolean({description: 'Import each SDK for real (slow: ccxt alone takes about half a second) to prove it loads.'}),
  }

  async run(): Promise<SectorsListResult> {
    const {flags} = await this.parse(SectorsList)
    const registry = await loadSectorRegistry(this.config)
    const loaded = loadSectorsConfig({file: flags.file, registry})
    const result = await describeSectors(loaded.file, Object.values(loaded.config.sectors), registry, {deep: flags.deep, env: process.env})

    for (const f of result.pluginFailures) this.note(`Warning: plugin ${f.plugin}: ${f.error}`)
    for (const w of loaded.warnings) this.note(formatDiagnostic(w))
    if (!this.jsonEnabled()) this.log(render(result, displayPath(result.file, process.cwd())))
    return result
  }
}

// --- building the report (pure apart from reading secrets files and, with --deep, importing SDKs)

async function describeSectors(
  file: string,
  sectors: SectorConfig[],
  registry: SectorRegistry,
  options: {deep: boolean; env: NodeJS.ProcessEnv},
): Promise<SectorsListResult> {
  const sdkByVenue = new Map<string, SdkReport>()
  const sdkOf = async (reg: RegisteredSector): Promise<SdkReport> => {
    let report = sdkByVenue.get(reg.definition.venue)
    if (!report) {
      report = safeSdkStatus(reg)
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
      credentials: reg ? credentials(reg, sector, options.env) : {status: 'unknown', variables: [], detail: `no plugin provides venue ${sector.venue}`},
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

function pluginRef(reg: RegisteredSector): PluginRef {
  return {name: reg.plugin.name, version: reg.plugin.version, type: reg.plugin.type}
}

function safeSdkStatus(reg: RegisteredSector): SdkReport {
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

function credentials(reg: RegisteredSector, sector: SectorConfig, env: NodeJS.ProcessEnv): CredentialReport {
  let names: string[]
  try {
    names = reg.definition.credentialVariables(sector, sector.mode)
  } catch (error) {
    return {status: 'unknown', variables: [], detail: `credentialVariables() threw: ${messageOf(error)}`}
  }
  if (names.length === 0) return {status: 'none-needed', variables: []}
  // secretsFiles are relative to the project root, as the charter reads them.
  const root = projectRoot(process.cwd(), env)
  // Read per file so the report can say where a variable came from; only the names of non-empty
  // values are kept, the values themselves are dropped at once.
  const fileVars = (sector.secretsFiles ?? []).map((f) => {
    const vars = readDotenvFiles([resolve(root, f)])
    return {file: f, names: new Set(Object.keys(vars).filter((k) => vars[k] !== ''))}
  })
  const variables = names.map((name) => {
    if (env[name] !== undefined && env[name] !== '') return {name, set: true, source: 'env'}
    const hit = [...fileVars].reverse().find((f) => f.names.has(name))
    return hit ? {name, set: true, source: hit.file} : {name, set: false}
  })
  return {status: variables.every((v) => v.set) ? 'set' : 'missing', variables}
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

// --- rendering

function render(result: SectorsListResult, shownFile: string): string {
  const lines: string[] = [`Config: ${shownFile}`, '']
  if (result.sectors.length === 0) {
    lines.push('No sectors configured.')
  } else {
    lines.push(
      ...table(
        ['SECTOR', 'VENUE', 'MODE', 'PROFILE', 'ENABLED', 'PLUGIN', 'SDK', 'CREDENTIALS'],
        result.sectors.map((r) => [
          r.sector,
          r.venue,
          r.mode,
          r.profile,
          r.enabled ? 'yes' : 'no',
          r.plugin ? pluginText(r.plugin) : 'none (unknown venue)',
          r.sdk ? sdkText(r.sdk) : '-',
          credentialText(r.credentials),
        ]),
      ),
    )
  }
  if (result.unusedVenues.length > 0) {
    lines.push('', 'Venues registered by plugins but used by no sector:', '')
    lines.push(...table(['VENUE', 'PLUGIN', 'MODES', 'SDK', 'DESCRIPTION'], result.unusedVenues.map((v) => [v.venue, pluginText(v.plugin), v.modes.join(','), sdkText(v.sdk), v.description])))
  }
  return lines.join('\n')
}

function pluginText(p: PluginRef): string {
  return `${p.name}@${p.version} (${p.type})`
}

function sdkText(s: SdkReport): string {
  const name = `${s.package}${s.version ? ` ${s.version}` : ''}`
  if (s.imported === true) return `${name} imported in ${s.importMs} ms`
  if (s.imported === false) return `${name} FAILS: ${s.detail ?? 'import failed'}`
  return s.loadable ? `${name} loads` : `missing: ${s.package}${s.detail ? ` (${s.detail})` : ''}`
}

function credentialText(c: CredentialReport): string {
  const total = c.variables.length
  const set = c.variables.filter((v) => v.set).length
  switch (c.status) {
    case 'none-needed':
      return 'none needed'
    case 'set':
      return `set (${set}/${total})`
    case 'missing':
      return `missing: ${c.variables.filter((v) => !v.set).map((v) => v.name).join(', ')} (${set}/${total} set)`
    default:
      return `unknown: ${c.detail ?? ''}`
  }
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')
  return [line(header), ...rows.map(line)]
}
