// Wrong-PIN throttling. Every PIN try (approve, and the current PIN when it is changed) goes
// through attemptPin:
//
// | wrong PINs in a row | the next try                                        |
// |---------------------|-----------------------------------------------------|
// | 1, 2, 3, 4          | waits 1, 2, 4, 8 s (rick sleeps, then asks)          |
// | 5                   | is refused for 15 min ("locked"), unchecked          |
// | 6, 7, …             | refused for 30 min, 1 h, … at most 24 h              |
// | a correct PIN       | resets the count                                    |
//
// The record is an append-only file of JSON lines under rick's home (charter/pin-attempts.jsonl,
// 0600). A try is written BEFORE the PIN is checked and its outcome after, so a guesser who kills
// rick as soon as a try is slow still pays for it; parallel tries are ordered by their place in
// the file (appends are atomic), so running rick many times at once buys nothing. The state is
// a fold of the file: nothing is cached in memory, a new process continues where the last stopped.
//
// Recovery: the lockout ends by itself at the time the message names. There is no override,
// because anything an unlocked terminal can run, an agent on it can run too. What this does not
// stop: someone who can write rick's home can delete this file (or read pin.json and guess
// offline at scrypt's cost): keep rick's home out of an agent's reach, and choose a strong PIN.
import {randomBytes} from 'node:crypto'
import {appendFileSync, readFileSync} from 'node:fs'

import {CharterDenied, RickError} from '../errors.js'
import {ensurePrivateDir, pinAttemptsFilePath} from './store.js'

export const MAX_WRONG_PINS = 5
const FIRST_DELAY_MS = 1000
export const LOCKOUT_MS = 15 * 60_000
export const MAX_LOCKOUT_MS = 24 * 60 * 60_000

export type PinAction = 'approve' | 'change-pin'

/** How long the next try waits after `failures` wrong PINs in a row (from the last try). */
export function waitAfter(failures: number): number {
  if (failures <= 0) return 0
  if (failures < MAX_WRONG_PINS) return FIRST_DELAY_MS * 2 ** (failures - 1)
  return Math.min(LOCKOUT_MS * 2 ** (failures - MAX_WRONG_PINS), MAX_LOCKOUT_MS)
}

/** Time, the single place PIN throttling learns it: injected so tests never wait for real. */
export interface PinClock {
  now(): Date
  sleep(ms: number): Promise<void>
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export interface PinGate extends PinClock {
  home: string
  action: PinAction
  /** Told before rick sleeps, so a person sees why nothing happens. */
  onWait?(ms: number, failures: number): void
}

export class WrongPin extends CharterDenied {
  constructor(detail?: string) {
    super(`wrong PIN${detail ?? ': nothing was changed'}`, 'CHARTER_PIN_WRONG')
  }
}

export class PinLocked extends CharterDenied {
  constructor(
    readonly failures: number,
    readonly until: Date,
    now: Date,
  ) {
    super(
      `PIN entry is locked after ${failures} wrong PINs in a row until ${until.toISOString()} (in ${formatWait(until.getTime() - now.getTime())}): nothing was checked or changed; ` +
        'wait until then and try again (the lockout ends by itself and cannot be lifted early; each further wrong PIN doubles it, up to 24 h)',
      'CHARTER_PIN_LOCKED',
    )
  }
}

/** Where PIN entry stands: wrong PINs in a row, and when the next try may run. */
export interface PinThrottle {
  failures: number
  /** When the last counted wrong try was checked. */
  lastWrongAt?: Date
  /** The earliest time of the next try; absent when it may run at once. */
  nextTryAt?: Date
  /** Set when the next try is not merely delayed but refused until then. */
  lockedUntil?: Date
}

type Event = 'pin-set' | 'try' | 'wrong' | 'ok' | 'refused'
const EVENTS: ReadonlySet<string> = new Set<Event>(['pin-set', 'try', 'wrong', 'ok', 'refused'])

interface Line {
  event: Event
  /** ms; NaN for a damaged line. */
  at: number
  id?: string
}

interface Written {
  event: Event
  at: Date
  id?: string
  action?: PinAction
  failures?: number
  until?: Date
}

function append(home: string, line: Written): void {
  ensurePrivateDir(home)
  const {at, until, ...rest} = line
  const json = JSON.stringify({v: 1, ...rest, at: at.toISOString(), ...(until ? {until: until.toISOString()} : {})})
  // One write of one line with O_APPEND: concurrent writers never interleave or overwrite.
  appendFileSync(pinAttemptsFilePath(home), `${json}\n`, {mode: 0o600})
}

function readLines(home: string): Line[] {
  let text: string
  try {
    text = readFileSync(pinAttemptsFilePath(home), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new RickError(`cannot read the PIN attempts record ${pinAttemptsFilePath(home)}: ${(error as Error).message}; PIN entry is refused until it can be read`, {
      code: 'CHARTER_PIN_RECORD',
    })
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(parseLine)
}

// A line that cannot be read counts as a wrong try: damage never resets the count.
function parseLine(text: string): Line {
  try {
    const data = JSON.parse(text) as {v?: unknown; event?: unknown; at?: unknown; id?: unknown}
    const at = typeof data.at === 'string' ? Date.parse(data.at) : NaN
    if (data.v === 1 && typeof data.event === 'string' && EVENTS.has(data.event) && Number.isFinite(at)) {
      return typeof data.id === 'string' ? {event: data.event as Event, at, id: data.id} : {event: data.event as Event, at}
    }
  } catch {
    // falls through
  }
  return {event: 'try', at: NaN}
}

interface Fold {
  failures: number
  /** When the last counted try ran (or was due to run). */
  lastSlot?: number
  /** False when the last counted try came from a damaged line (its time is a guess). */
  lastKnown: boolean
}

/** The count of wrong PINs in a row before line `end`, and when the last of them ran. */
function fold(lines: readonly Line[], end: number): Fold {
  const refused = new Set(lines.filter((l) => l.event === 'refused' && l.id !== undefined).map((l) => l.id))
  let failures = 0
  let lastSlot: number | undefined
  let lastKnown = true
  for (const line of lines.slice(0, end)) {
    if (line.event === 'ok' || line.event === 'pin-set') {
      failures = 0
      lastSlot = undefined
      lastKnown = true
    } else if (line.event === 'try' && !(line.id !== undefined && refused.has(line.id))) {
      // A try runs when it was written or when the tries before it let it, whichever is later.
      const due = lastSlot === undefined ? undefined : lastSlot + waitAfter(failures)
      const at = Number.isFinite(line.at) ? line.at : (lastSlot ?? 0)
      lastSlot = due === undefined ? at : Math.max(at, due)
      lastKnown = Number.isFinite(line.at)
      failures++
    }
  }
  return {failures, lastSlot, lastKnown}
}

function throttleOf(f: Fold, now: number): PinThrottle {
  const out: PinThrottle = {failures: f.failures}
  if (f.failures === 0 || f.lastSlot === undefined) return out
  if (f.lastKnown) out.lastWrongAt = new Date(f.lastSlot)
  const next = f.lastSlot + waitAfter(f.failures)
  if (next > now) {
    out.nextTryAt = new Date(next)
    if (f.failures >= MAX_WRONG_PINS) out.lockedUntil = new Date(next)
  }
  return out
}

/** Where PIN entry stands now (for status and the charter decision). */
export function pinThrottle(home: string, now: Date): PinThrottle {
  const lines = readLines(home)
  return throttleOf(fold(lines, lines.length), now.getTime())
}

/** Refuses while locked and waits out a delay; call it before asking for the PIN. */
export async function awaitPinTurn(gate: PinGate): Promise<void> {
  const state = pinThrottle(gate.home, gate.now())
  await waitOrRefuse(gate, state)
}

async function waitOrRefuse(gate: PinGate, state: PinThrottle, id?: string): Promise<void> {
  if (state.nextTryAt === undefined) return
  const now = gate.now()
  if (state.lockedUntil !== undefined) {
    append(gate.home, {event: 'refused', at: now, action: gate.action, failures: state.failures, until: state.lockedUntil, ...(id === undefined ? {} : {id})})
    throw new PinLocked(state.failures, state.lockedUntil, now)
  }
  const ms = state.nextTryAt.getTime() - now.getTime()
  gate.onWait?.(ms, state.failures)
  await gate.sleep(ms)
}

/**
 * One PIN try: refused while locked, delayed after wrong PINs, recorded before and after `check`.
 * `check` returns the unlocked value, or undefined for a wrong PIN (then WrongPin is thrown).
 */
export async function attemptPin<T>(gate: PinGate, check: () => Promise<T | undefined>): Promise<T> {
  await awaitPinTurn(gate)
  const id = randomBytes(8).toString('hex')
  append(gate.home, {event: 'try', at: gate.now(), id, action: gate.action})
  // Our place in the file decides: tries appended before ours (by any process) come first.
  const lines = readLines(gate.home)
  const index = lines.findIndex((l) => l.event === 'try' && l.id === id)
  if (index < 0) {
    throw new RickError(`the PIN try was not found in ${pinAttemptsFilePath(gate.home)} after writing it: PIN entry is refused`, {code: 'CHARTER_PIN_RECORD'})
  }
  const before = fold(lines, index)
  await waitOrRefuse(gate, throttleOf(before, gate.now().getTime()), id)
  const value = await check()
  const at = gate.now()
  if (value !== undefined) {
    append(gate.home, {event: 'ok', at, id, action: gate.action})
    return value
  }
  const failures = before.failures + 1
  const next = new Date(at.getTime() + waitAfter(failures))
  append(gate.home, {event: 'wrong', at, id, action: gate.action, failures, ...(failures >= MAX_WRONG_PINS ? {until: next} : {})})
  throw new WrongPin(wrongDetail(failures, next))
}

function wrongDetail(failures: number, next: Date): string {
  const head = ` (${failures} in a row): nothing was changed.`
  if (failures >= MAX_WRONG_PINS) {
    return `${head} PIN entry is locked until ${next.toISOString()} (${formatWait(waitAfter(failures))}): wait until then; each further wrong PIN doubles the lockout, up to 24 h.`
  }
  return `${head} The next try waits ${formatWait(waitAfter(failures))}; ${MAX_WRONG_PINS} wrong PINs in a row lock PIN entry for ${formatWait(LOCKOUT_MS)}.`
}

/** A new PIN starts a new count. */
export function recordPinSet(home: string, now: Date): void {
  append(home, {event: 'pin-set', at: now})
}

/** `8 s`, `15 min`, `14 min 30 s`, `2 h`, `1 h 30 min`. */
export function formatWait(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000))
  if (s < 60) return `${s} s`
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = s % 60
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`
  return rest > 0 ? `${m} min ${rest} s` : `${m} min`
}
