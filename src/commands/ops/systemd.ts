import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {installSystemd, planSystemd, type SystemdInstall, type SystemdPlan} from '../../sectors/ops/systemd.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class OpsSystemd extends BaseCommand {
  static override summary = 'Render the systemd unit that runs one engine per sector (rick@<sector>), and install it.'

  static override description = `Fills ops/rick@.service, a template unit whose instance is the sector (\`systemctl enable --now rick@oanda\` runs \`rick run oanda\`), with this machine's paths: the node binary running this command, the project folder, rick's data folder (RICK_HOME) and each sector's secrets file <project>/.env.<sector> (EnvironmentFile=, optional). The unit restarts a failed engine with a back-off, stops it with SIGTERM (working orders cancelled) and runs it hardened: read-only system, writable data folder only (plus the git folder for the charter's snapshots).

Without --install the unit is printed on stdout (redirect it, or read it first). With --install it is written to /etc/systemd/system (system unit, runs as the invoking user, or SUDO_USER under sudo) or ~/.config/systemd/user (--user), the data folder is created, and the next commands are printed. systemctl is never run for you.

Sectors: every enabled sector of the config, or those given with --sector (each must exist and be enabled).

Exit codes: 0 ok, 1 the unit could not be written, 2 unknown or disabled sector, bad config, or a path a unit cannot name.`

  static override examples = [
    {description: 'Look at the unit first', command: '<%= config.bin %> <%= command.id %> --sector oanda'},
    {description: 'Install the system unit (root writes it, your account runs it)', command: 'sudo "$(command -v node)" bin/run.js ops systemd --install --sector oanda --sector ibkr'},
    {description: 'A unit of your own user, no root needed', command: '<%= config.bin %> <%= command.id %> --user --install'},
    {description: 'Everything it would do, as JSON', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    sector: Flags.string({description: 'A sector to run as rick@<sector> (repeatable; default: every enabled sector).', multiple: true}),
    user: Flags.boolean({description: "A unit for your user's service manager (systemctl --user) instead of a system unit."}),
    install: Flags.boolean({description: 'Write the unit where systemd looks and print the commands to type next.'}),
    print: Flags.boolean({description: 'Print the unit (the default without --install; with --install, print it too).'}),
    dir: Flags.string({description: 'Write the unit into this folder instead of /etc/systemd/system or ~/.config/systemd/user.'}),
    file: configFileFlag,
  }

  async run(): Promise<SystemdPlan & {installed: SystemdInstall | null}> {
    const {flags} = await this.parse(OpsSystemd)
    const registry = await loadSectorRegistry(this.config)
    const plan = planSystemd({sectors: flags.sector, scope: flags.user ? 'user' : 'system', dir: flags.dir}, {registry, file: flags.file})
    const installed = flags.install ? installSystemd(plan) : null
    if (!this.jsonEnabled()) {
      for (const n of plan.notes) this.note(`Note: ${n}`)
      if (!installed && !plan.dataExists) this.note(`Note: the data folder ${plan.paths.data} does not exist yet: --install creates it (ReadWritePaths= needs it)`)
      if (!installed || flags.print) process.stdout.write(plan.unit)
      if (installed) {
        if (flags.print) this.log('')
        this.log(`${installed.status === 'unchanged' ? 'unchanged' : installed.status === 'created' ? 'wrote' : 'updated'} ${installed.path}`)
        if (installed.createdData) this.log(`created ${installed.createdData} (mode 0700)`)
        for (const f of plan.envFiles) this.log(`secrets of ${f.sector}: ${f.path}${f.exists ? '' : ' (not there: the sector starts without it)'}`)
        this.log('')
        this.log('Next:')
        for (const c of plan.next) this.log(`  ${c}`)
      } else {
        this.note(`# to install: ${plan.installCommand}`)
      }
    }
    return {...plan, installed}
  }
}
