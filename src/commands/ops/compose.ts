import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {RickError} from '../../foundation/errors.js'
import {displayPath} from '../../sectors/load-config.js'
import {planCompose, writeCompose, type ComposePlan} from '../../sectors/ops/compose.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class OpsCompose extends BaseCommand {
  static override summary = 'Generate ops/docker-compose.yml: one container per enabled sector.'

  static override description = `Each enabled sector of the config becomes a service running \`rick run <sector>\` from the image of the Dockerfile: restart unless stopped, its secrets from <project>/.env.<sector> when that file exists, the shared data volume at /data, a \`stop_grace_period\` long enough for the engine to cancel its working orders, and a healthcheck that runs \`rick status --sector <sector> --json\` and passes only while the engine runs.

Prints the file; --write writes it (ops/docker-compose.yml of the project, or --output); --check only compares, for CI and pre-commit hooks.

Exit codes: 0 ok (with --check: the file is up to date), 1 --check found the file missing or out of date, or it could not be written, 2 bad config or no enabled sector.`

  static override examples = [
    {description: 'What the config calls for', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'After adding or enabling a sector', command: '<%= config.bin %> <%= command.id %> --write'},
    {description: 'In CI: fail when the committed file is stale', command: '<%= config.bin %> <%= command.id %> --check'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    write: Flags.boolean({description: 'Write the file (only when it differs).', exclusive: ['check']}),
    check: Flags.boolean({description: 'Exit 1 when the file on disk differs from what the config calls for.', exclusive: ['write']}),
    output: Flags.string({description: 'The compose file to write or check (default: ops/docker-compose.yml of the project).'}),
    file: configFileFlag,
  }

  async run(): Promise<Omit<ComposePlan, 'text'> & {written: string | null; text: string}> {
    const {flags} = await this.parse(OpsCompose)
    const registry = await loadSectorRegistry(this.config)
    const plan = planCompose({output: flags.output}, {registry, file: flags.file})
    const shown = displayPath(plan.target, process.cwd())
    if (flags.check && plan.current !== 'same') {
      throw new RickError(`${shown} is ${plan.current === 'missing' ? 'missing' : 'out of date'}: the config calls for services ${plan.sectors.join(', ')}; run \`rick ops compose --write${flags.output ? ` --output ${flags.output}` : ''}${flags.file ? ` --file ${flags.file}` : ''}\``, {code: 'COMPOSE_STALE'})
    }
    const written = flags.write ? writeCompose(plan) : null
    if (!this.jsonEnabled()) {
      if (flags.check) this.log(`${shown} is up to date (services: ${plan.sectors.join(', ')})`)
      else if (written) this.log(`${written === 'unchanged' ? 'unchanged' : written === 'created' ? 'wrote' : 'updated'} ${shown} (services: ${plan.sectors.join(', ')}${plan.disabled.length > 0 ? `; disabled, no service: ${plan.disabled.join(', ')}` : ''})`)
      else process.stdout.write(plan.text)
    }
    return {...plan, written}
  }
}
