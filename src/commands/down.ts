import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag} from '../cli/flags.js'
import {rickHome} from '../foundation/paths.js'
import {stopSectors, type DownResult} from '../sectors/ops/up/down-service.js'
import {pickSectors} from '../sectors/ops/up/pick-sectors.js'
import {ENGINE_STOP_GRACE_SECONDS} from '../sectors/ops/systemd.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Down extends BaseCommand {
  static override summary = 'Stop running sectors, however they were started (rick up, systemd, by hand).'

  static override description = `Sends SIGTERM to the engine whose pid is in the sector's lock (<rick home>/locks/<sector>.lock): it cancels its working orders, keeps its positions, journals RUN_STOPPED and exits 0. Then waits (at most --timeout seconds) until the lock is released. A sector under \`rick up\` is not restarted after this; the other sectors keep running.

Without sector names: every configured sector that runs.

Exit codes: 0 every sector asked is stopped (or was not running), 1 one still runs after --timeout, could not be signalled (another user's engine, or a lock whose pid is not \`rick run <sector>\`), or is between a crash and its restart by \`rick up\` (stop \`rick up\` to keep it down), 2 unknown sector or bad config.`

  static override examples = [
    {description: 'Stop every running sector', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Stop one sector, leave the others running', command: '<%= config.bin %> <%= command.id %> coinbase'},
    {description: 'For scripts', command: '<%= config.bin %> <%= command.id %> oanda --json'},
  ]

  static override strict = false
  static override enableJsonFlag = true

  static override args = {
    sector: Args.string({description: 'Sectors to stop (default: every configured sector).'}),
  }

  static override flags = {
    timeout: Flags.integer({description: 'Seconds to wait for each engine to stop.', default: ENGINE_STOP_GRACE_SECONDS + 5, min: 1}),
    file: configFileFlag,
  }

  async run(): Promise<DownResult> {
    const {argv, flags} = await this.parse(Down)
    const cwd = process.cwd()
    const registry = await loadSectorRegistry(this.config)
    const sectors = pickSectors((argv as string[]).filter((a) => a !== '--json'), 'all', {registry, file: flags.file, cwd, env: process.env})
    const result = await stopSectors(sectors, {home: rickHome(cwd, process.env), timeoutMs: flags.timeout * 1000})
    if (!this.jsonEnabled()) for (const s of result.sectors) this.log(`${s.sector}: ${s.detail}`)
    if (result.exitCode !== 0) process.exitCode = result.exitCode
    return result
  }
}
