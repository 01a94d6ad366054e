import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {configFileFlag, journalFlag} from '../cli/flags.js'
import {UsageError} from '../foundation/errors.js'
import {rickHome} from '../foundation/paths.js'
import {pidAlive, readLock} from '../sectors/engine/lock.js'
import {howRunning} from '../sectors/ops/up/how-running.js'
import {pickSectors} from '../sectors/ops/up/pick-sectors.js'
import {ENGINE_STOP_GRACE_SECONDS} from '../sectors/ops/systemd.js'
import {superviseSectors, type SupervisorResult} from '../sectors/ops/up/supervisor.js'
import {loadSectorRegistry} from '../sectors/registry.js'

export default class Up extends BaseCommand {
  static override summary = 'Start every enabled sector (or the named ones), each as its own `rick run`, and keep them running.'

  static override description = `Each sector runs as its own child process (\`rick run <sector>\`, in its configured mode unless a mode flag is given), independent as the systemd units are: one crashing never stops the others. A sector that crashes (any exit but 0, 2 and 3, or killed by a signal) is started again after a back-off (--restart-delay, doubling with each crash, at most 60 s; 5 crashes within 10 minutes and it stays down). Exit 0 is a normal stop; exit 2 (bad config or flags) and 3 (denied by the charter) are not restarted: starting again cannot fix them.

A sector whose engine already runs (started by hand, by systemd or by another \`rick up\`) is left alone, and said so.

Each sector's output goes to <rick home>/logs/<sector>.log and, prefixed with its name, to the terminal. <rick home>/up.json says what runs (for \`rick status\`).

Ctrl-C (SIGINT), SIGTERM or SIGHUP stops them all: SIGTERM to each (each cancels its working orders, keeps its positions, journals RUN_STOPPED), then waits for them; a second Ctrl-C kills them, and so does the end of the stop grace (${ENGINE_STOP_GRACE_SECONDS} s, as systemd's TimeoutStopSec=). \`rick down <sector>\` stops one of them without stopping the others.

Exit codes: 0 every sector stopped normally, 1 a sector ended in failure (exit 2 or 3, or gave up after crashes), 2 unknown sector or bad config or flags.`

  static override examples = [
    {description: 'Every enabled sector, each in its configured mode', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Two sectors on paper, faster synthetic bars', command: '<%= config.bin %> <%= command.id %> oanda coinbase --paper --speed 10x'},
    {description: 'Every sector against its venue simulator', command: '<%= config.bin %> <%= command.id %> --sim --practice'},
  ]

  static override strict = false

  static override args = {
    sector: Args.string({description: 'Sectors to start (default: every enabled sector).'}),
  }

  static override flags = {
    canary: Flags.boolean({description: 'Every sector in canary mode.', exclusive: ['paper', 'practice', 'observe']}),
    paper: Flags.boolean({description: 'Every sector in paper mode.', exclusive: ['canary', 'practice', 'observe']}),
    practice: Flags.boolean({description: 'Every sector in practice mode.', exclusive: ['canary', 'paper', 'observe']}),
    observe: Flags.boolean({description: 'Every sector in observe mode.', exclusive: ['canary', 'paper', 'practice']}),
    speed: Flags.string({description: 'Pace of synthetic bars, as for `rick run`.'}),
    bars: Flags.integer({description: 'Each sector stops after this many bars.', min: 1}),
    seed: Flags.integer({description: 'Seed of the synthetic data, as for `rick run`.', min: 0}),
    sim: Flags.boolean({description: "Each sector through its venue's real connector against rick's simulator."}),
    'restart-delay': Flags.string({description: 'Delay before the first restart of a crashed sector, like 500ms or 20s; it doubles with each crash in a row.', default: '1s'}),
    journal: journalFlag,
    file: configFileFlag,
  }

  async run(): Promise<SupervisorResult> {
    const {argv, flags} = await this.parse(Up)
    const cwd = process.cwd()
    const registry = await loadSectorRegistry(this.config)
    const picked = pickSectors(argv as string[], 'enabled', {registry, file: flags.file, cwd, env: process.env})
    const home = rickHome(cwd, process.env)
    // A sector whose engine already runs (by hand, systemd, another `rick up`) is left alone: its
    // child would only meet the lock (exit 1) and be restarted against it again and again.
    const sectors: string[] = []
    for (const sector of picked) {
      const lock = readLock(home, sector)
      if (lock !== undefined && lock.pid > 0 && pidAlive(lock.pid)) this.log(`rick up: ${sector} already runs (pid ${lock.pid}, ${howRunning(home, lock.pid)}): left alone`)
      else sectors.push(sector)
    }
    if (sectors.length === 0) {
      this.log('rick up: nothing to start')
      return {exitCode: 0, sectors: []}
    }
    const runArgs: string[] = []
    for (const mode of ['canary', 'paper', 'practice', 'observe', 'sim'] as const) if (flags[mode]) runArgs.push(`--${mode}`)
    if (flags.speed !== undefined) runArgs.push('--speed', flags.speed)
    if (flags.bars !== undefined) runArgs.push('--bars', String(flags.bars))
    if (flags.seed !== undefined) runArgs.push('--seed', String(flags.seed))
    if (flags.journal !== undefined) runArgs.push('--journal', flags.journal)
    if (flags.file !== undefined) runArgs.push('--file', flags.file)
    this.log(`rick up: ${sectors.join(', ')} (logs in ${home}/logs; Ctrl-C stops them all)`)
    const result = await superviseSectors({
      sectors,
      runArgs,
      home,
      cwd,
      env: process.env,
      node: process.execPath,
      script: process.argv[1]!,
      restartDelayMs: parseDelay(flags['restart-delay']),
      stopGraceMs: ENGINE_STOP_GRACE_SECONDS * 1000,
      print: (line) => this.log(line),
      now: () => Date.now(),
    })
    this.log(`rick up: done: ${result.sectors.map((s) => `${s.sector} ${s.state}${s.lastExit ? ` (${s.lastExit})` : ''}${s.restarts ? `, ${s.restarts} restarts` : ''}`).join('; ')}`)
    if (result.exitCode !== 0) process.exitCode = result.exitCode
    return result
  }
}

function parseDelay(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text.trim())
  if (m === null) throw new UsageError('--restart-delay: expected a duration like 500ms or 20s', 'BAD_FLAG')
  return Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1))
}
