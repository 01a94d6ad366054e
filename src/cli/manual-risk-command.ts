// `rick halt` and `rick resume` differ only in the change they journal and in their help text;
// the flags, the service call and the rendering live here once.
import {Args, Flags} from '@oclif/core'

import {UsageError} from '../foundation/errors.js'
import {manualRiskChange, manualRiskChangeAll, type ManualResult} from '../sectors/engine/halt-service.js'
import {manualText} from '../sectors/engine/status-format.js'
import {loadSectorRegistry} from '../sectors/registry.js'
import {BaseCommand} from './base-command.js'
import {configFileFlag, journalFlag} from './flags.js'

// oclif's parse() copies only a command class's OWN statics, so each subclass declares
// `static args = MANUAL_ARGS` and `static flags = MANUAL_FLAGS` itself.
export const MANUAL_ARGS = {
  sector: Args.string({required: false, description: 'Sector name (a key under `sectors:` in the config); or --all.'}),
}

export const MANUAL_FLAGS = {
  all: Flags.boolean({description: 'Every sector of the config (the kill switch: `rick halt --all`).'}),
  reason: Flags.string({description: 'Why; journaled with the record.'}),
  journal: journalFlag,
  file: configFileFlag,
}

export abstract class ManualRiskCommand extends BaseCommand {
  static override enableJsonFlag = true
  static override args = MANUAL_ARGS
  static override flags = MANUAL_FLAGS

  protected abstract readonly change: 'halt' | 'resume'

  async run(): Promise<ManualResult | {sectors: ManualResult[]}> {
    // What parse() reads by default (this.ctor), typed as the statics every subclass repeats.
    const {args, flags} = await this.parse(this.ctor as unknown as typeof ManualRiskCommand)
    if (Boolean(flags.all) === (args.sector !== undefined)) throw new UsageError(flags.all ? `give a sector or --all, not both (found ${args.sector} and --all)` : `which sector? Give its name, or --all for every sector (rick ${this.change} --all)`, 'MISSING_SECTOR')
    const registry = await loadSectorRegistry(this.config)
    const options = {reason: flags.reason, journalPath: flags.journal}
    if (flags.all) {
      const results = manualRiskChangeAll(this.change, options, {registry, file: flags.file})
      if (!this.jsonEnabled()) this.log(results.map((r) => manualText(r)).join('\n'))
      return {sectors: results}
    }
    const result = manualRiskChange(args.sector as string, this.change, options, {registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(manualText(result))
    return result
  }
}
