// What the live-path benchmarks (oanda-live.mjs, oanda-memory.mjs, coinbase-*.mjs) share: a venue's
// simulator as a process of its own (`rick sim <venue> --json`, the product command; its faults
// switched through its control endpoint, as a user would), a throwaway rick project (not a git
// repository, so an engine start takes no snapshot), and percentiles.
import {spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const rickBin = join(root, 'bin', 'run.js')

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
}

/**
 * `rick sim <venue> --json` in a child process: the venue is not in the process under test, as a
 * broker is not. Resolves once it printed its line (URLs, account, credentials; IBKR: host, port,
 * account and the control endpoint its faults are switched through).
 */
export async function startSimProcess({venue = 'oanda', speed, seed = 7}) {
  const child = spawn(process.execPath, [rickBin, 'sim', venue, '--json', '--speed', `${speed}x`, '--seed', String(seed)], {cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
  let err = ''
  child.stderr.on('data', (d) => void (err += d))
  const line = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`rick sim ${venue} printed nothing in 15 s; stderr: ${err.slice(0, 500)}`)), 15_000)
    child.stdout.on('data', (d) => {
      out += d
      const nl = out.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve(out.slice(0, nl))
      }
    })
    child.once('exit', (code) => reject(new Error(`rick sim ${venue} exited ${code} before serving: ${err.slice(0, 500)}`)))
  })
  const info = JSON.parse(line)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const control = async (path, body) => {
    const r = await fetch(`${info.control ?? info.rest}/__sim/${path}`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
    if (r.status !== 200) throw new Error(`sim control ${path} answered ${r.status}: ${await r.text()}`)
    return r.json()
  }
  return {
    ...info,
    // IBKR's line names its TWS port and a control URL of its own; the HTTP venues' their REST URL.
    port: info.port ?? Number(new URL(info.rest).port),
    speed,
    pid: child.pid,
    /** A signal to the simulator's process (SIGSTOP / SIGCONT: a venue frozen with its sockets open). */
    signal: (sig) => child.kill(sig),
    faults: (switches) => control('faults', switches),
    act: (name, args = {}) => control(`actions/${name}`, args),
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
      await exited
    },
  }
}

/**
 * A rick project in a temp folder: config/trading_sectors.yaml (`config`), the repo's charter, the
 * repo's built-in strategies plus `strategies` ({file name: source}); its own rick home.
 */
export function tempProject(config, strategies = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rick-bench-live-'))
  mkdirSync(join(dir, 'config'))
  mkdirSync(join(dir, 'strategies'))
  writeFileSync(join(dir, 'config', 'trading_sectors.yaml'), config)
  copyFileSync(join(root, 'config', 'charter.yaml'), join(dir, 'config', 'charter.yaml'))
  for (const f of readdirSync(join(root, 'strategies'))) if (f.endsWith('.ts')) copyFileSync(join(root, 'strategies', f), join(dir, 'strategies', f))
  for (const [name, source] of Object.entries(strategies)) writeFileSync(join(dir, 'strategies', name), source)
  const env = {}
  // No credentials or rick settings of the shell leak into the run.
  for (const [k, v] of Object.entries(process.env)) if (!/^(RICK_|OANDA_|COINBASE_|IBKR_)/.test(k)) env[k] = v
  Object.assign(env, {RICK_PROJECT: dir, RICK_HOME: join(dir, '.rick'), RICK_CACHE_DIR: join(dir, '.cache'), NO_COLOR: '1'})
  return {dir, env, journal: join(dir, '.rick', 'journal.db'), cleanup: () => rmSync(dir, {recursive: true, force: true})}
}

/** Polls `cond` every `everyMs` until it holds; throws after `ms` naming `what`. */
export async function until(what, cond, ms, everyMs = 20) {
  const end = performance.now() + ms
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/**
 * The simulator's two streams (prices of `instruments`, transactions) opened and read line by line
 * as a plain client would (node:http; the SDK's own stream reader throws on PRICE lines), so the
 * venue streams to the bare-SDK baseline what it streams to rick. Resolves once both answered 200.
 */
export async function openStreams(sim, instruments) {
  const {request} = await import('node:http')
  const paths = [`/v3/accounts/${sim.accountId}/pricing/stream?instruments=${instruments.join(',')}&snapshot=true`, `/v3/accounts/${sim.accountId}/transactions/stream`]
  const reqs = []
  let lines = 0
  await Promise.all(
    paths.map(
      (path) =>
        new Promise((resolve, reject) => {
          const req = request(`${sim.stream}${path}`, {headers: {Authorization: `Bearer ${sim.token}`}}, (res) => {
            if (res.statusCode !== 200) return reject(new Error(`stream ${path} answered ${res.statusCode}`))
            res.setEncoding('utf8')
            let rest = ''
            res.on('data', (chunk) => {
              const parts = (rest + chunk).split('\n')
              rest = parts.pop()
              for (const p of parts) if (p !== '') JSON.parse(p) && lines++
            })
            res.on('error', () => {})
            resolve()
          })
          req.on('error', (e) => (reqs.closed ? undefined : reject(e)))
          req.end()
          reqs.push(req)
        }),
    ),
  )
  return {
    lines: () => lines,
    close() {
      reqs.closed = true
      for (const r of reqs) r.destroy()
    },
  }
}

/**
 * The live-path benchmarks' strategy as source (written into the temp project, compiled and
 * sandboxed like any): it buys `size` of `instrument` at the close of every bar whose close moved —
 * one market order per period, no closing trade, so no loss rule ever blocks the samples.
 */
export function everyMoveStrategy({size, unit}) {
  return `// bench: buys \`size\` of \`instrument\` at the close of every bar whose close moved.
const NONE = []
class EveryMove {
  constructor(p) { this.instrument = p.instrument; this.size = p.size; this.last = null }
  init() {}
  onBar(bar, ctx) {
    if (bar.instrument !== this.instrument) return NONE
    const moved = this.last !== null && bar.close !== this.last
    this.last = bar.close
    if (!moved) return NONE
    return [{instrument: bar.instrument, target: ctx.position(bar.instrument) + this.size, reason: 'price moved'}]
  }
  onFill() {}
  state() { return {last: this.last} }
  restore(s) { this.last = s.last }
}
export default {
  name: 'bench-every-move',
  description: 'Benchmark strategy: one market buy per bar whose close moved.',
  paramsSchema: {type: 'object', additionalProperties: false, required: ['instrument'], properties: {
    instrument: {type: 'string', description: 'The instrument it buys.'},
    size: {type: 'number', exclusiveMinimum: 0, default: ${size}, description: '${unit} per order.'},
  }},
  create: (p) => new EveryMove(p),
}
`
}

/**
 * Sets `sector` up in `project` as `rick run` does (oclif's plugin registry, loadSectorSetup, the
 * charter's authorizeEngineStart) and starts the live service (dist/…/live-service.js tradeOnVenue)
 * in this process, its journal and connector wrapped by `probe` (oanda-probes.mjs). `choice` as
 * `rick run <sector> --sim` makes it: the venue's real connector, the charter judging paper.
 * `connector(o, real)`: makes the connector (default: the venue plugin's own createConnector).
 * Only the sector lock and the command's printing are skipped. Returns a stopper.
 */
export async function startLiveService({project, sector, venue, requestedMode, probe, secrets, periodMs, simulator, connector}) {
  const dist = (p) => pathToFileURL(join(root, 'dist', p)).href
  const [{Config}, {loadSectorRegistry}, {loadSectorSetup}, {authorizeEngineStart}, {tradeOnVenue}, {openJournal}, {newRunId, watchStop}] = await Promise.all([
    import('@oclif/core'),
    import(dist('sectors/registry.js')),
    import(dist('sectors/engine/setup.js')),
    import(dist('sectors/charter-service.js')),
    import(dist('sectors/live/live-service.js')),
    import(dist('foundation/journal/index.js')),
    import(dist('sectors/engine/run-common.js')),
  ])
  const registry = await loadSectorRegistry(await Config.load(root))
  const ctx = {registry, cwd: project.dir, env: project.env}
  const setup = await loadSectorSetup(sector, ctx)
  const real = registry.get(venue).definition
  const make = connector ?? ((o) => real.createConnector(o))
  const definition = {...real, createConnector: async (o) => probe.wrapConnector(await make(o, real))}
  const choice = {requestedMode, effectiveMode: 'paper', venueLabel: `${venue} connector → simulator`, real: true}
  const auth = await authorizeEngineStart(sector, {mode: choice.effectiveMode}, ctx)
  const journal = openJournal({path: project.journal})
  let stop
  const notices = []
  const io = {
    line: () => {},
    notice: (t) => notices.push(t),
    onStopSignal: (handler) => {
      stop = handler
      return () => {}
    },
    sleep: (ms) => ({done: new Promise((r) => setTimeout(r, ms)), wake() {}}),
    monotonic: () => performance.now(),
    wallClock: () => Date.now(),
    pid: process.pid,
  }
  const done = tradeOnVenue({
    req: {sector, mode: requestedMode, seed: 1, version: 'bench'},
    io,
    setup,
    definition,
    choice,
    journal: probe.wrapJournal(journal),
    journalPath: project.journal,
    runId: newRunId(sector, io),
    auth,
    secrets,
    periodMs,
    stop: watchStop(io, sector),
    simulator,
  }).finally(() => journal.close())
  // A run that fails early must not leave the bench waiting for samples.
  let failed
  done.catch((e) => void (failed = e))
  return {done, notices, failed: () => failed, stop: () => stop?.('SIGINT')}
}

/**
 * One outage of the venue as the live-path benchmarks make it: `down()` (switch a fault on, cut the
 * streams), wait for DATA_STALE; then `up()` if given (the venue back), and wait for DATA_RESUMED
 * and the first order accepted after it (ORDER_ACK or FILL journaled; LivePathProbe). Local times:
 * tDown before down(), tUp before up() (without up: DATA_STALE's time); `fail()` throws the run's
 * error, if any, so no wait outlives a failed run.
 */
export async function outage(probe, fail, {down, up, ms = 30_000}) {
  const tDown = performance.now()
  await down()
  await until('DATA_STALE', () => fail() || probe.riskAfter('DATA_STALE', tDown) !== undefined, ms)
  const stale = probe.riskAfter('DATA_STALE', tDown)
  const tUp = up === undefined ? stale.t : performance.now()
  await up?.()
  await until('DATA_RESUMED and an order accepted', () => fail() || (probe.riskAfter('DATA_RESUMED', tUp) !== undefined && probe.acceptedAfter(tUp) !== undefined), ms)
  return {tDown, stale, tUp, resumed: probe.riskAfter('DATA_RESUMED', tUp), accepted: probe.acceptedAfter(tUp)}
}

/**
 * Bar periods closing as a client sees them: `seen(venueTs)` for every message with a venue time;
 * `next()` resolves with the local time of the next message whose time is in a later `periodMs`
 * period than the one before it (how rick's bar builder sees a bar close).
 */
export function periodCloses(periodMs) {
  let period = Number.NaN
  let waiters = []
  return {
    seen(venueTs) {
      const p = Math.floor(venueTs / periodMs)
      if (Number.isNaN(period) || p <= period) {
        if (Number.isNaN(period)) period = p
        return
      }
      period = p
      const t = performance.now()
      for (const w of waiters.splice(0)) w(t)
    },
    next: () => new Promise((resolve) => waiters.push(resolve)),
  }
}
