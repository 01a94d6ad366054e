// What the Coinbase benchmarks (coinbase-live.mjs, coinbase-startup.mjs, coinbase-memory.mjs) share:
// - probes of the REST calls ccxt sends (undici's diagnostics channels: ccxt talks HTTP through the
//   `undici` package, not node:http, so oanda-probes.mjs's node:http channels never fire for it);
// - LivePathProbe (oanda-probes.mjs) fed by those probes;
// - a plain websocket client of Coinbase's feed (the `ws` package, the one rick's connector uses),
//   for the bare-ccxt baseline: ccxt's own websocket client has no heartbeats watch;
// - `rick run coinbase …` as a child process, with the wall times of its lines and its VmRSS.
import {spawn} from 'node:child_process'
import dc from 'node:diagnostics_channel'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {periodCloses, rickBin, root} from './oanda-common.mjs'
import {LivePathProbe} from './oanda-probes.mjs'

export const ORDERS_PATH = '/api/v3/brokerage/orders'

/**
 * Wire and answer times of every POST /api/v3/brokerage/orders this process sends through undici
 * (rick's connector or the bare ccxt client): `undici:request:bodySent` is published once the whole
 * request (headers and body) has been written to the socket — the order on the wire; and
 * `undici:request:headers` once the answer's headers are parsed — the venue answered. Also when
 * the account was read (GET …/accounts: the reconcile's read of the venue).
 */
export class UndiciOrderTimes {
  constructor(onWire) {
    this.byRequest = new WeakMap()
    this.all = []
    /** When a GET /api/v3/brokerage/accounts went out (the start's account read, a reconcile). */
    this.positionReads = []
    /** Every request sent: {t, what: 'GET /api/v3/brokerage/…' (no query)}. */
    this.requests = []
    this.onSent = ({request}) => {
      const path = String(request.path ?? '')
      this.requests.push({t: performance.now(), what: `${request.method} ${path.split('?')[0]}`})
      if (request.method === 'GET' && path.startsWith('/api/v3/brokerage/accounts')) this.positionReads.push(performance.now())
      if (request.method !== 'POST' || path !== ORDERS_PATH) return
      const entry = {wire: performance.now(), answered: Number.NaN}
      this.byRequest.set(request, entry)
      this.all.push(entry)
      onWire?.(entry)
    }
    this.onHeaders = ({request}) => {
      const entry = this.byRequest.get(request)
      if (entry) entry.answered = performance.now()
    }
    dc.subscribe('undici:request:bodySent', this.onSent)
    dc.subscribe('undici:request:headers', this.onHeaders)
  }

  close() {
    dc.unsubscribe('undici:request:bodySent', this.onSent)
    dc.unsubscribe('undici:request:headers', this.onHeaders)
  }
}

/**
 * LivePathProbe with the order's wire time taken from undici (where ccxt sends it), and how many
 * more ticks and heartbeats the market-data side was handed between a period's close and its
 * order's intent (`burst`): at 600x the simulator sends a venue minute of ticks every 100 ms, and
 * the ones after the closing tick in the same socket read run before the engine's next step.
 */
export class CoinbaseLivePathProbe extends LivePathProbe {
  constructor(periodMs) {
    super(periodMs)
    this.burst = []
    this.closedCount = new Map()
    this.http.close()
    // As LivePathProbe's: rick sends one order at a time, so the next POST is submit()'s.
    this.http = new UndiciOrderTimes((entry) => {
      const o = this.pendingWire === undefined ? undefined : this.orders.get(this.pendingWire)
      this.pendingWire = undefined
      if (o) {
        o.http = entry
        this.wired(o, entry.wire)
      }
    })
  }

  delivery(kind, venueTs) {
    const before = this.closedAt.size
    super.delivery(kind, venueTs)
    if (this.closedAt.size > before) for (const period of this.closedAt.keys()) if (!this.closedCount.has(period)) this.closedCount.set(period, this.deliveries)
  }

  appended(e, t) {
    if (e.type === 'ORDER_INTENT' && this.phase === 'trade' && !this.orders.has(e.payload.order.clientOrderId)) {
      const at = this.closedCount.get(e.ts)
      if (at !== undefined && !this.periodsWithOrder.has(e.ts)) this.burst.push(this.deliveries - at)
    }
    super.appended(e, t)
  }
}

/**
 * RICK_BENCH_CCXT_LIMITER: `on` (default: ccxt's own request spacing on, as rick's connector ships
 * and as a ccxt user gets it) or `off` (both arms without it: rick's through the factory's
 * `ccxtRateLimit: false` tuning). ccxt 4.5's leaky bucket refills only while a request waits, so
 * with it on every request after a quiet moment waits rateLimit × cost (34 ms at Coinbase).
 */
export const CCXT_LIMITER = process.env.RICK_BENCH_CCXT_LIMITER === 'off' ? 'off' : 'on'
// (Both arms use the rolling window rick's connector sets; the leaky-bucket figure above is ccxt's default.)

/** ccxt's coinbase class, imported alone, as rick's connector imports it (plugins/coinbase rest.ts). */
export async function bareCcxt(sim, {timeoutMs = 5000} = {}) {
  const {importCcxtCoinbase} = await import(pathToFileURL(join(root, 'plugins', 'coinbase', 'dist', 'rest.js')).href)
  const {Coinbase, version} = await importCcxtCoinbase()
  // The request spacing rick's connector uses (a one-second rolling window; ccxt's default leaky
  // bucket makes every request after a quiet moment wait ~34 ms), so the two arms differ by rick's
  // own work. ccxt's defaults otherwise, its pure-JS ES256 signer included (rick signs with
  // node:crypto: about 1-2 ms of a request's difference is that).
  const ex = new Coinbase({apiKey: sim.apiKey, secret: sim.apiSecret, timeout: timeoutMs, enableRateLimit: CCXT_LIMITER === 'on', rateLimiterAlgorithm: 'rollingWindow', rollingWindowSize: 1000})
  // setSandboxMode would empty the URLs: the REST root is pointed at the simulator instead.
  ex.urls.api = {...ex.urls.api, rest: sim.rest}
  return {ex, version}
}

/**
 * Coinbase's websocket feed read by a plain client, as rick reads it: one connection with `user` +
 * `heartbeats` and one with `ticker` + `heartbeats` for `products`, each subscription signed with a
 * JWT ccxt makes. Resolves once both subscriptions are acknowledged. `filled(clientOrderId)`
 * resolves with performance.now() when the user channel says that order is FILLED;
 * `periodClosed()` at the next message of the ticker connection whose venue time is in a later
 * `periodMs` period than the one before it (how rick's bar builder sees a bar close).
 */
export async function openCoinbaseStreams(sim, ex, products, {periodMs = 60_000} = {}) {
  const {WebSocket} = await import('ws')
  const waiters = new Map()
  const seenFilled = new Map()
  let messages = 0
  const closes = periodCloses(periodMs)
  const onMarket = (m) => {
    const ts = Date.parse(m.timestamp)
    if (Number.isFinite(ts)) closes.seen(ts)
  }
  const onUser = (m) => {
    for (const e of m.events ?? []) {
      for (const o of e.orders ?? []) {
        if (o.status !== 'FILLED') continue
        const t = performance.now()
        const w = waiters.get(o.client_order_id)
        if (w) {
          waiters.delete(o.client_order_id)
          w(t)
        } else if (!seenFilled.has(o.client_order_id)) seenFilled.set(o.client_order_id, t)
      }
    }
  }
  const open = (channel) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(sim.ws)
      const timer = setTimeout(() => reject(new Error(`no ${channel} subscription acknowledgement in 10 s`)), 10_000)
      ws.on('open', () => {
        const jwt = ex.createAuthToken(ex.seconds())
        ws.send(JSON.stringify({type: 'subscribe', channel: 'heartbeats', jwt}))
        ws.send(JSON.stringify({type: 'subscribe', channel, product_ids: products, jwt}))
      })
      ws.on('message', (data) => {
        messages++
        const m = JSON.parse(String(data))
        if (m.type === 'error') return reject(new Error(`${channel}: ${m.message}`))
        if (m.channel === 'subscriptions' && m.events?.some((e) => e.subscriptions && channel in e.subscriptions)) {
          clearTimeout(timer)
          resolve(ws)
        }
        if (m.channel === 'user') onUser(m)
        else if (channel === 'ticker' && (m.channel === 'ticker' || m.channel === 'heartbeats')) onMarket(m)
      })
      ws.on('error', (e) => {
        clearTimeout(timer)
        reject(e)
      })
    })
  const sockets = await Promise.all([open('user'), open('ticker')])
  return {
    messages: () => messages,
    /** Call before sending the order: resolves with the local time its FILLED update arrived. */
    filled(clientOrderId) {
      const early = seenFilled.get(clientOrderId)
      if (early !== undefined) return Promise.resolve(early)
      return new Promise((resolve) => waiters.set(clientOrderId, resolve))
    },
    /** Resolves with the local time of the next message that closes a period. */
    periodClosed: closes.next,
    close() {
      for (const s of sockets) s.terminate()
    },
  }
}

export function vmRssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : Number.NaN
  } catch {
    return Number.NaN // gone
  }
}

/** The repo's config/trading_sectors.yaml as shipped (its `coinbase` sector: canary, BTC-USD and ETH-USD, donchian-breakout). */
export function shippedConfig() {
  // The other sectors stay as shipped: `rick run coinbase` loads the whole file, as a user's run does.
  return readFileSync(join(root, 'config', 'trading_sectors.yaml'), 'utf8')
}

/** The header's last line, printed once the run trades: "  stop      Ctrl-C …". */
export const TRADING_LINE = /^ {2}stop {6}/

/**
 * `rick run <sector> <args>` (the built CLI; sector `coinbase` unless told) in `project`: the wall
 * time (ms after spawn) of its first line on either stream and of the line that says it trades, its
 * VmRSS every `sampleMs`, and after `stop()` (SIGINT) its exit, output and the RSS it reported
 * (RICK_REPORT_RSS=1).
 */
export function spawnRun(project, args, {env = {}, sampleMs = 250, sector = 'coinbase'} = {}) {
  const t0 = performance.now()
  const child = spawn(process.execPath, [rickBin, 'run', sector, ...args], {cwd: project.dir, env: {...project.env, RICK_REPORT_RSS: '1', ...env}, stdio: ['ignore', 'pipe', 'pipe']})
  const r = {child, stdout: '', stderr: '', firstLine: undefined, firstLineText: undefined, trading: undefined, samples: []}
  const watch = (name) => {
    let rest = ''
    child[name].on('data', (d) => {
      const t = performance.now() - t0
      r[name] += d
      const parts = (rest + d).split('\n')
      rest = parts.pop()
      for (const line of parts) {
        if (r.firstLine === undefined) {
          r.firstLine = t
          r.firstLineText = `${name}: ${line.slice(0, 100)}`
        }
        if (r.trading === undefined && name === 'stdout' && TRADING_LINE.test(line)) r.trading = t
      }
    })
  }
  watch('stdout')
  watch('stderr')
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({code, signal})))
  const sampler = setInterval(() => {
    const mb = vmRssMb(child.pid)
    if (Number.isFinite(mb)) r.samples.push({t: performance.now() - t0, mb})
  }, sampleMs)
  r.waitTrading = async (ms = 30_000) => {
    const end = performance.now() + ms
    while (r.trading === undefined) {
      if (child.exitCode !== null || performance.now() > end) {
        clearInterval(sampler)
        child.kill('SIGKILL')
        throw new Error(`rick run ${sector} ${args.join(' ')} did not start trading (exit ${child.exitCode}): ${r.stderr.slice(0, 800)} ${r.stdout.slice(0, 400)}`)
      }
      await new Promise((res) => setTimeout(res, 5))
    }
    return r.trading
  }
  r.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
    const {code} = await exited
    clearInterval(sampler)
    const m = /rss: ([\d.]+) MB/.exec(r.stderr)
    r.reportedRss = m ? Number(m[1]) : Number.NaN
    if (code !== 0) throw new Error(`rick run ${sector} ${args.join(' ')} exited ${code}: ${r.stderr.slice(0, 800)}`)
    return r
  }
  return r
}

/**
 * What a memory benchmark reports of a stopped spawnRun(): the highest RSS once it traded (samples
 * and the CLI's own figure after RUN_STOPPED), when it was sampled (s of trading), the RSS at each
 * fifth of the trading time (a run that keeps growing shows it), and the summary's counts.
 */
export function tradingFigures(run, trading) {
  const trades = run.samples.filter((x) => x.t >= trading)
  const during = trades.map((x) => x.mb)
  const top = trades.reduce((a, b) => (b.mb > a.mb ? b : a), {t: Number.NaN, mb: -1})
  const counts = /(\d+) decisions?, (\d+) orders?, (\d+) fills?/.exec(run.stdout)
  const bars = /after (\d+) bars/.exec(run.stdout)
  return {
    peak: Math.max(run.reportedRss, ...during),
    peakAt: (top.t - trading) / 1000,
    trend: [0, 1, 2, 3, 4].map((k) => during[Math.floor((k * (during.length - 1)) / 4)] ?? Number.NaN),
    atEnd: run.reportedRss,
    orders: counts ? Number(counts[2]) : Number.NaN,
    fills: counts ? Number(counts[3]) : Number.NaN,
    bars: bars ? Number(bars[1]) : Number.NaN,
  }
}

/**
 * Start-ups of `rick run <sector>` with `subject` and `baseline` args, interleaved (`warmup` untimed
 * pairs, then `runs`), each in a fresh project from `makeProject()`: per run the ms from spawn to
 * its first line (and that line) and to the line that says it trades.
 */
export async function interleavedStartups({makeProject, sector = 'coinbase', subject, baseline, runs, warmup = 1}) {
  const once = async (args) => {
    const project = makeProject()
    try {
      const run = spawnRun(project, args, {sector})
      await run.waitTrading()
      await run.stop()
      return {first: run.firstLine, firstText: run.firstLineText, trading: run.trading}
    } finally {
      project.cleanup()
    }
  }
  const out = {subject: [], baseline: []}
  for (let i = 0; i < warmup + runs; i++) {
    const s = await once(subject)
    const b = await once(baseline)
    if (i >= warmup) {
      out.subject.push(s)
      out.baseline.push(b)
    }
  }
  return out
}
