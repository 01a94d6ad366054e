import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {formatDiagnostic} from '../../foundation/errors.js'
import {displayPath} from '../../sectors/load-config.js'
import {loadSectorRegistry} from '../../sectors/registry.js'
import {sectorsReport, type CredentialReport, type PluginRef, type SdkReport, type SectorsReport} from '../../sectors/sector-report.js'

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
    file: configFileFlag,
    deep: Flags.boolean({description: 'Import each SDK for real (slow: ccxt alone takes about half a second) to prove it loads.'}),
  }

  async run(): Promise<SectorsReport> {
    const {flags} = await this.parse(SectorsList)
    const {report, warnings} = await sectorsReport({registry: await loadSectorRegistry(this.config), file: flags.file, deep: flags.deep})

    for (const f of report.pluginFailures) this.note(`Warning: plugin ${f.plugin}: ${f.error}`)
    for (const w of warnings) this.note(formatDiagnostic(w))
    if (!this.jsonEnabled()) this.log(render(report, displayPath(report.file, process.cwd())))
    return report
  }
}

// --- rendering

function render(result: SectorsReport, shownFile: string): string {
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
