// `rick sim <venue>`: finds the venue's simulator in the sector registry, starts it with core's
// runtime, and says where it listens. The command only parses flags, calls this and renders.
import {UsageError} from '../../foundation/errors.js'
import {coreRuntime} from '../core-runtime.js'
import type {RunningSimulator, SectorRegistry} from '../definition.js'

export interface ServeRequest {
  venue: string
  port?: number
  seed?: number
  /** `60x`, `1x`, `2.5x` or a bare multiple (`60`). */
  speed?: string
  log?(message: string): void
}

export interface ServedSimulator {
  running: RunningSimulator
  speed: number
  seed: number
}

/** Parses a simulator speed: a positive multiple of real time, `60x` or `60`. */
export function parseSimSpeed(text: string | undefined): number {
  if (text === undefined) return 1
  const m = /^(\d+(?:\.\d+)?)x?$/.exec(text.trim().toLowerCase())
  const k = m ? Number(m[1]) : Number.NaN
  if (!(k > 0) || !Number.isFinite(k)) throw new UsageError(`--speed expects a positive multiple of real time like 1x or 60x; found '${text}'`, 'BAD_SPEED')
  return k
}

export async function serveSimulator(registry: SectorRegistry, req: ServeRequest): Promise<ServedSimulator> {
  const speed = parseSimSpeed(req.speed)
  const registered = registry.get(req.venue)
  if (registered === undefined) {
    const known = registry.list().map((r) => r.definition.venue)
    throw new UsageError(`unknown venue '${req.venue}' (known: ${known.join(', ') || 'none'})`, 'UNKNOWN_VENUE')
  }
  const start = registered.definition.startSimulator
  if (start === undefined) {
    const withSim = registry.list().filter((r) => r.definition.startSimulator !== undefined).map((r) => r.definition.venue)
    throw new UsageError(`venue '${req.venue}' has no simulator (simulated venues: ${withSim.join(', ') || 'none'})`, 'NO_SIMULATOR')
  }
  const seed = req.seed ?? 1
  const running = await start({port: req.port ?? 0, seed, speed, core: coreRuntime, ...(req.log ? {log: req.log} : {})})
  return {running, speed, seed}
}

/** The one JSON line `rick sim --json` prints: venue, endpoints, account, credentials. */
export function simJson(s: ServedSimulator): Record<string, unknown> {
  if (s.running.describe) return s.running.describe()
  return {venue: s.running.venue, ...s.running.endpoints, accountId: s.running.accountId, ...s.running.credentials}
}

/** The one line `rick sim` prints once serving. */
export function simText(s: ServedSimulator): string {
  const endpoints = Object.entries(s.running.endpoints).map(([k, v]) => `${k} ${v}`).join(', ')
  const credentials = Object.entries(s.running.credentials).map(([k, v]) => `${k} ${v}`).join(', ')
  return `${s.running.venue} simulator: ${endpoints}; account ${s.running.accountId}${credentials ? `; ${credentials}` : ''} (seed ${s.seed}, speed ${s.speed}x; Ctrl-C stops it)`
}
