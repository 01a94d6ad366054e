// What a strategy hands the engine, checked on the engine's side: signals and checkpoints are
// plain data here (a sandboxed strategy's come out of its realm as JSON text, parsed by the
// engine), and these checks decide whether they are usable. Shared by the in-process host (tests'
// strategy objects) and the sandbox runners.
import type {Signal} from './contract.js'

/** A signal's reason is journaled with its intent: capped, so a strategy cannot fill the disk. */
export const MAX_REASON_CHARS = 1024

const ORDER_TYPES = new Set(['market', 'limit', 'stop'])

/** Why `s` is not a usable signal for a sector trading `known`, or undefined. */
export function signalProblem(s: unknown, known: ReadonlySet<string>): string | undefined {
  if (s === null || typeof s !== 'object') return `${describe(s)} is not a signal object`
  const sig = s as Partial<Signal>
  if (typeof sig.instrument !== 'string' || !known.has(sig.instrument)) {
    return `unknown instrument ${describe(sig.instrument)} (the sector trades ${[...known].slice(0, 20).join(', ') || 'nothing'}${known.size > 20 ? ', …' : ''})`
  }
  if (typeof sig.target !== 'number' || !Number.isFinite(sig.target)) return `target must be a finite number of units, found ${describe(sig.target)}`
  if (typeof sig.reason !== 'string') return `reason must be a string, found ${describe(sig.reason)}`
  if (sig.type !== undefined && !ORDER_TYPES.has(sig.type)) return `type must be market, limit or stop, found ${describe(sig.type)}`
  if (sig.type === 'limit' && !positive(sig.limitPrice)) return `a limit signal needs a finite positive limitPrice, found ${describe(sig.limitPrice)}`
  if (sig.type === 'stop' && !positive(sig.stopPrice)) return `a stop signal needs a finite positive stopPrice, found ${describe(sig.stopPrice)}`
  if (sig.limitPrice !== undefined && !positive(sig.limitPrice)) return `limitPrice must be a finite positive price, found ${describe(sig.limitPrice)}`
  if (sig.stopPrice !== undefined && !positive(sig.stopPrice)) return `stopPrice must be a finite positive price, found ${describe(sig.stopPrice)}`
  if (sig.postOnly !== undefined && typeof sig.postOnly !== 'boolean') return `postOnly must be true or false, found ${describe(sig.postOnly)}`
  if (sig.postOnly === true && sig.type !== 'limit') return `postOnly is for limit signals only, found type ${describe(sig.type ?? 'market')}`
  if (sig.bracket !== undefined) {
    const b = sig.bracket as unknown as Record<string, unknown> | null
    if (b === null || typeof b !== 'object' || !positive(b.stopLoss) || !positive(b.takeProfit)) {
      return `bracket must be {stopLoss, takeProfit} with finite positive prices, found ${describe(b)}`
    }
  }
  return undefined
}

/**
 * A fresh signal holding only the contract's fields (nothing else the strategy attached travels on
 * into the engine and the journal), its reason cut to MAX_REASON_CHARS. Call after signalProblem.
 */
export function copySignal(s: Signal): Signal {
  const out: Signal = {instrument: s.instrument, target: s.target, reason: s.reason.length > MAX_REASON_CHARS ? `${s.reason.slice(0, MAX_REASON_CHARS - 1)}…` : s.reason}
  if (s.type !== undefined) out.type = s.type
  if (s.limitPrice !== undefined) out.limitPrice = s.limitPrice
  if (s.stopPrice !== undefined) out.stopPrice = s.stopPrice
  if (s.postOnly === true) out.postOnly = true
  if (s.bracket !== undefined) out.bracket = {stopLoss: s.bracket.stopLoss, takeProfit: s.bracket.takeProfit}
  return out
}

function positive(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v > 0
}

/** Why `v` would not survive a JSON round trip unchanged, or undefined. Depth-limited against cycles. */
export function jsonProblem(v: unknown, path: string, depth: number): string | undefined {
  if (depth > 64) return `${path} is nested more than 64 levels (a cycle?)`
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} is ${v}`
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], `${path}[${i}]`, depth + 1)
      if (p !== undefined) return p
    }
    return undefined
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown
    if (proto !== Object.prototype && proto !== null) return `${path} is a ${(v as object).constructor?.name ?? 'non-plain object'}, not a plain object or array`
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue
      const p = jsonProblem(x, `${path}.${k}`, depth + 1)
      if (p !== undefined) return p
    }
    return undefined
  }
  return `${path} is a ${typeof v}`
}

/** A short, safe description of a value for an error message (never its whole text). */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined'
  if (v === null) return 'null'
  if (typeof v === 'number') return String(v)
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)
  if (Array.isArray(v)) return `an array of ${v.length}`
  if (typeof v === 'object') return `an object {${Object.keys(v).slice(0, 5).join(', ')}}`
  return `a ${typeof v}`
}
