
import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {ConfigError, formatDiagnostic, type Diagnostic} from '../../foundation/errors.js'
import {displayPath, readSectorsConfig} from '../../sectors/load-config.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export interface ConfigValidateResult {
  file: string
  valid: true
  hash: string
  sectors: Array<{name: string; venue: string; mode: string; enabled: boolean}>
  /** Warnings only: errors make the command fail with exit code 2. */
  diagnostics: Diagnostic[]
}

export default class ConfigValidate extends BaseCommand {
  static override description = `Check config/trading_sectors.yaml against the schema and the sector plugins' rules.

Reports every problem at once as file:line:column, with what was expected, what was found and, for a misspelt key or value, the nearest valid one. Checks the JSON Schema (unknown keys, types, enums), each venue's connection and instrument formats, and the cross-field rules: canary caps within the risk profile, credential variable names for live, valid session windows and time zone, no duplicate instruments, no secret values in the file.

Exit codes: 0 valid (warnings may be printed), 2 invalid or unreadable.`

  static override examples = [
    {description: 'Validate the project config', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Validate another file', command: '<%= config.bin %> <%= command.id %> --file ops/prod/trading_sectors.yaml'},
    {description: 'Machine-readable result (errors come as {"error": {"diagnostics": [...]}})', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    file: configFileFlag,
  }

  async run(): Promise<ConfigValidateResult> {
    const {flags} = await this.parse(ConfigValidate)
    const registry = await loadSectorRegistry(this.config)
    const result = readSectorsConfig({file: flags.file, registry})
    const errors = result.diagnostics.filter((d) => d.severity === 'error')
    const shown = displayPath(result.file, process.cwd())
    if (result.loaded === undefined || errors.length > 0) {
      throw new ConfigError(`${shown}: ${errors.length} error${errors.length === 1 ? '' : 's'}`, result.diagnostics)
    }
    const warnings = result.diagnostics
    if (!this.jsonEnabled()) for (const w of warnings) this.note(formatDiagnostic(w))
    const sectors = Object.values(result.loaded.config.sectors)
    if (!this.jsonEnabled()) {
      const names = sectors.map((s) => s.name).join(', ')
      const count = `${sectors.length} sector${sectors.length === 1 ? '' : 's'}`
      const warned = warnings.length > 0 ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''
      this.log(`✓ ${shown}: ${count} valid (${names})${warned}`)
    }
    return {
      file: result.file,
      valid: true,
      hash: result.loaded.hash,
      sectors: sectors.map((s) => ({name: s.name, venue: s.venue, mode: s.mode, enabled: s.enabled})),
      diagnostics: warnings,
    }
  }
}
