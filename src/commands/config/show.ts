import {Flags} from '@oclif/core'
import {Document, isScalar, visit} from 'yaml'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {profileLimits} from '../../foundation/config/profiles.js'
import {suggest} from '../../foundation/config/suggest.js'
import type {RiskLimits, SectorConfig} from '../../foundation/config/types.js'
import {UsageError, formatDiagnostic} from '../../foundation/errors.js'
import {redactConfigForDisplay, redactSecrets} from '../../foundation/secrets/redact.js'
import type {SectorRegistry} from '../../sectors/definition.js'
import {displayPath, loadSectorsConfig} from '../../sectors/load-config.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export type EffectiveSector = SectorConfig & {
  /** The profile's limits with the sector's risk overrides applied (the charter may cap them further). */
  effectiveRisk: RiskLimits
}

export interface ConfigShowResult {
  file: string
  hash: string
  version: 1
  sectors: Record<string, EffectiveSector>
}

export default class ConfigShow extends BaseCommand {
  static override description = `Print the effective config: defaults applied, risk limits resolved, secrets redacted.

Each sector is shown as rick will run it: enabled/profile/risk/secretsFiles defaults filled in, and effectiveRisk holding the profile's limits with the sector's overrides applied. Values of secret-looking keys and of the sector's credential variables are masked; keys ending in Env (variable names) are shown as they are.

Exit codes: 0 ok, 2 invalid config or unknown sector.`

  static override examples = [
    {description: 'The whole effective config, as YAML', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'One sector', command: '<%= config.bin %> <%= command.id %> --sector ibkr'},
    {description: 'As JSON, e.g. for jq', command: "<%= config.bin %> <%= command.id %> --json | jq '.sectors.oanda.effectiveRisk'"},
  ]

  static override enableJsonFlag = true

  static override flags = {
    file: configFileFlag,
    sector: Flags.string({char: 's', description: 'Show only this sector.'}),
  }

  async run(): Promise<ConfigShowResult> {
    const {flags} = await this.parse(ConfigShow)
    const registry = await loadSectorRegistry(this.config)
    const loaded = loadSectorsConfig({file: flags.file, registry})
    if (!this.jsonEnabled()) for (const w of loaded.warnings) this.note(formatDiagnostic(w))

    let sectors = Object.values(loaded.config.sectors)
    if (flags.sector !== undefined) {
      const wanted = flags.sector
      const names = sectors.map((s) => s.name)
      if (!names.includes(wanted)) {
        const near = suggest(wanted, names)
        throw new UsageError(`no sector ${JSON.stringify(wanted)} in ${displayPath(loaded.file, process.cwd())}; expected one of: ${names.join(', ')}${near ? `; did you mean: ${near}` : ''}`, 'UNKNOWN_SECTOR')
      }
      sectors = sectors.filter((s) => s.name === wanted)
    }

    const effective: Record<string, EffectiveSector> = {}
    for (const s of sectors) effective[s.name] = {...s, effectiveRisk: profileLimits(s.profile, s.risk)}
    const result: ConfigShowResult = redactSecrets(
      redactConfigForDisplay({file: loaded.file, hash: loaded.hash, version: loaded.config.version, sectors: effective}),
      credentialValues(sectors, registry),
    )
    if (!this.jsonEnabled()) {
      this.log(`# ${displayPath(loaded.file, process.cwd())} (sha256 ${loaded.hash.slice(0, 12)}…), effective values, secrets redacted`)
      this.log(toYaml({version: result.version, sectors: result.sectors}))
    }
    return result
  }
}

/** YAML that reads like the config file: short lists inline, times quoted as the file needs them. */
function toYaml(value: unknown): string {
  const doc = new Document(value)
  visit(doc, {
    Seq(_, seq) {
      if (seq.items.every((item) => isScalar(item))) seq.flow = true
    },
    Scalar(_, scalar) {
      // Unquoted 09:30 is a string in YAML 1.2 but a number (sexagesimal) in YAML 1.1 readers.
      if (typeof scalar.value === 'string' && /^\d{1,2}:\d{2}$/.test(scalar.value)) scalar.type = 'QUOTE_DOUBLE'
    },
  })
  return doc.toString({lineWidth: 0, flowCollectionPadding: false}).trimEnd()
}

/** Values of the sectors' credential variables that are set, so that none can leak into the output. */
function credentialValues(sectors: SectorConfig[], registry: SectorRegistry): string[] {
  const values: string[] = []
  for (const s of sectors) {
    try {
      for (const name of registry.get(s.venue)?.definition.credentialVariables(s, s.mode) ?? []) {
        const v = process.env[name]
        if (v) values.push(v)
      }
    } catch {
      // A plugin bug must not stop the display; the key-based redaction still applies.
    }
  }
  return values
}
