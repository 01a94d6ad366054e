import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {loadSectorRegistry} from '../sectors/registry.js'
import {serveSimulator, simJson, simText} from '../sectors/sim/serve.js'

export default class Sim extends BaseCommand {
  static override summary = "Run a venue's wire-level simulator on 127.0.0.1 until stopped."

  static override description = `Serves the venue's real API (paths, JSON layouts, status codes, error bodies, streams) on 127.0.0.1 with a simulated account, seeded prices and switchable faults, so that the venue's official client libraries, and rick's connector, work against it unchanged. Once it serves it prints one line (with --json one JSON object: venue, endpoint URLs, account id and the test credentials: OANDA's token, Coinbase's CDP key name and private key; for IBKR, whose API is a TWS socket, {venue, host, port, account, control}) and runs until SIGINT or SIGTERM.

Faults are switched while it runs through the control endpoint on its REST port (IBKR: the control URL): GET/POST /__sim/faults, POST /__sim/actions/<name> (see the venue plugin's sim/faults.ts).

Exit codes: 0 stopped by a signal, 2 unknown venue, a venue without a simulator or a bad flag.`

  static override examples = [
    {description: 'OANDA v20 on a free port', command: '<%= config.bin %> <%= command.id %> oanda'},
    {description: 'An hour of market per minute, fixed port and seed', command: '<%= config.bin %> <%= command.id %> oanda --port 8080 --seed 7 --speed 60x'},
    {description: 'For scripts: one JSON line with the URLs, account and token', command: '<%= config.bin %> <%= command.id %> oanda --json'},
    {description: 'Coinbase Advanced Trade (REST and websocket); the JSON line holds a CDP key pair the simulator made', command: '<%= config.bin %> <%= command.id %> coinbase --json'},
    {description: 'A TWS / IB Gateway for any TWS API client (paper account DU…); faults over the control URL', command: '<%= config.bin %> <%= command.id %> ibkr --json --port 7497'},
  ]

  static override enableJsonFlag = true

  static override args = {
    venue: Args.string({description: 'Venue whose simulator to run (e.g. oanda).', required: true}),
  }

  static override flags = {
    port: Flags.integer({description: 'REST port, or the TWS socket port for IBKR (0: a free one; the stream, websocket or control port is the next one when fixed).', default: 0, min: 0, max: 65_534}),
    seed: Flags.integer({description: 'Seed of the price paths: the same seed gives the same prices.', default: 1, min: 0}),
    speed: Flags.string({description: "How many times faster than real time the simulator's clock runs: 1x, 60x… (default 1x).", default: '1x'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Sim)
    const registry = await loadSectorRegistry(this.config)
    const served = await serveSimulator(registry, {venue: args.venue, port: flags.port, seed: flags.seed, speed: flags.speed, log: (m) => this.note(m)})
    // Listening for the signals before the line goes out: whoever reads it may stop us at once.
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(simJson(served))}\n`)
    else this.log(simText(served))
    await stopped
    await served.running.close()
  }
}
