// What the live-path benchmarks (oanda-live.mjs, oanda-memory.mjs, coinbase-*.mjs) share: a venue's
// simulator as a process of its own (`rick sim <venue> --json`, the product command; its faults
// switched through its control endpoint, as a user would), a throwaway rick project (not a git
// repository, so an engine start takes no snapshot), and percentiles.
import {spawn} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

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
 * broker is not. Resolves once it printed its line (URLs, account, credentials).
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
    const r = await fetch(`${info.rest}/__sim/${path}`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
    if (r.status !== 200) throw new Error(`sim control ${path} answered ${r.status}: ${await r.text()}`)
    return r.json()
  }
  return {
    ...info,
    port: Number(new URL(info.rest).port),
    speed,
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
