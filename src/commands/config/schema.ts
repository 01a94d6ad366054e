import {BaseCommand} from '../../cli/base-command.js'
import {buildConfigSchema} from '../../foundation/config/schema.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class ConfigSchema extends BaseCommand {
  static override description = `Print the JSON Schema of config/trading_sectors.yaml, with every installed venue's rules.

The schema covers the core keys and, per registered venue (bundled or user plugins), its connection settings and instrument format, so editors can autocomplete and check the file. config/trading_sectors.schema.json is this output (regenerate it with npm run schema); the YAML file's first line points the yaml-language-server (VS Code's YAML extension) at it.

Exit codes: 0 ok.`

  static override examples = [
    {description: 'Regenerate the schema file next to the config', command: '<%= config.bin %> <%= command.id %> > config/trading_sectors.schema.json'},
    {description: 'List the venues it knows', command: "<%= config.bin %> <%= command.id %> | jq '.properties.sectors.additionalProperties.properties.venue.enum'"},
  ]

  async run(): Promise<void> {
    await this.parse(ConfigSchema)
    const registry = await loadSectorRegistry(this.config)
    for (const f of registry.failures) this.note(`Warning: plugin ${f.plugin}: ${f.error}`)
    const schema = buildConfigSchema(registry.list().map((r) => r.definition))
    process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`)
  }
}
