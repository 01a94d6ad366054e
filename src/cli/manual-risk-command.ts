// `rick halt` and `rick resume` differ only in the change they journal and in their help text;
// the flags, the service call and the rendering live here once.
import {Args, Flags} from '@oclif/core'

import {manualRiskChange, type ManualResult} from '../sectors/engine/halt-service.js'
import {manualText} from '../sectors/engine/status-format.js'
import {loadSectorRegistry} from '../sectors/registry.js'
import {BaseCommand} from './base-command.js'
import {configFileFlag, journalFlag} from './flags.js'

// oclif's parse() copies only a command class's OWN statics, so each subclass declares
// `static args = MANUAL_ARGS` and `static flags = MANUAL_FLAGS` itself.
export const MANUAL_ARGS = {
  sector: Args.string({required: true, description: 'Sector name (a key under `sectors:` in the config).'}),
}

export const MANUAL_FLAGS = {
  reason: Flags.string({description: 'Why; journaled with the record.'}),
  journal: journalFlag,
  file: configFileFlag,
}

export abstract class ManualRiskCommand extends BaseCommand {
  static override enableJsonFlag = true
  static override args = MANUAL_ARGS
  static override flags = MANUAL_FLAGS

  protected abstract readonly change: 'halt' | 'resume'

  async run(): Promise<ManualResult> {
    // What parse() reads by default (this.ctor), typed as the statics every subclass repeats.
    const {args, flags} = await this.parse(this.ctor as unknown as typeof ManualRiskCommand)
    const registry = await loadSectorRegistry(this.config)
    const result = manualRiskChange(args.sector, this.change, {reason: flags.reason, journalPath: flags.journal}, {registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(manualText(result))
    return result
  }
}
