// Guessing the charter PIN through rick: every wrong PIN makes the next try wait longer, five in a
// row lock PIN entry, and the state lives on disk so a new process (a new service, fresh deps)
// starts where the last one stopped. Time comes from an injected clock and sleep: nothing here
// waits for real, and the waits are asserted exactly.
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {ScryptParams} from '../../src/foundation/charter/pin.js'
import {approvalsFilePath, pinAttemptsFilePath} from '../../src/foundation/charter/store.js'
import {approveSector, charterStatus, checkCharter, initCharterPin, type CharterContext} from '../../src/sectors/charter-service.js'
import {fakeRegistry} from '../helpers/fake-venues.js'
import {charterProject} from './charter-fixture.js'

const FAST: ScryptParams = {N: 1024, r: 8, p: 1, keyLength: 32}
const PIN = 'approve-me-42'
const T0 = Date.parse('2030-03-01T09:00:00Z')
const MIN = 60_000

let project: string
let home: string
let clock: number
let sleeps: number[]

/** A fresh service context each call, as a new `rick` process would have: only the disk is shared. */
function ctx(): CharterContext {
  return {
    registry: fakeRegistry(),
    cwd: project,
    env: {RICK_PROJECT: project, RICK_HOME: home},
    deps: {
      now: () => new Date(clock),
      sleep: async (ms: number) => {
        sleeps.push(ms)
        clock += ms
      },
      username: () => 'alice',
    },
  }
}

const approve = (pin: string | (() => Promise<string>)) => approveSector('coinbase', {mode: 'canary', pin}, ctx())
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: {code?: string}) => e.code ?? String(e),
  )

function attemptLines(): Array<Record<string, unknown>> {
  return readFileSync(pinAttemptsFilePath(home), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

beforeEach(async () => {
  ;({root: project, home} = charterProject('rick-pin-lockout-'))
  clock = T0
  sleeps = []
  await initCharterPin({pins: {pin: PIN}, params: FAST}, {cwd: project, env: {RICK_PROJECT: project, RICK_HOME: home}, deps: ctx().deps})
})
afterEach(() => rmSync(project, {recursive: true, force: true}))

describe('wrong PINs', () => {
  it('make each next try wait longer (1, 2, 4, 8 s), then lock PIN entry for 15 minutes', async () => {
    const results: string[] = []
    for (let i = 0; i < 5; i++) results.push(await outcome(approve(`wrong-pin-${i}`)))
    expect(results).toEqual(Array(5).fill('CHARTER_PIN_WRONG'))
    expect(sleeps).toEqual([1000, 2000, 4000, 8000])
    // The sixth try, even with the right PIN, is refused without a wait and without being checked.
    let asked = 0
    const locked = await approve(async () => {
      asked++
      return PIN
    }).catch((e: {code: string; exitCode: number; message: string}) => e)
    expect(locked).toMatchObject({code: 'CHARTER_PIN_LOCKED', exitCode: 3})
    expect(asked).toBe(0)
    expect(sleeps).toHaveLength(4)
    const until = new Date(T0 + 15_000 + 15 * MIN).toISOString()
    expect((locked as {message: string}).message).toContain(`locked after 5 wrong PINs in a row until ${until}`)
    expect((locked as {message: string}).message).toMatch(/wait until then/)
    expect(existsSync(approvalsFilePath(home))).toBe(false)
  })

  it('tell the user how many in a row and what the next try costs', async () => {
    await expect(approve('wrong-pin-a')).rejects.toThrow('wrong PIN (1 in a row): nothing was changed. The next try waits 1 s; 5 wrong PINs in a row lock PIN entry for 15 min.')
    for (const p of ['b', 'c', 'd']) await outcome(approve(`wrong-pin-${p}`))
    await expect(approve('wrong-pin-e')).rejects.toThrow(`PIN entry is locked until ${new Date(T0 + 15_000 + 15 * MIN).toISOString()}`)
  })

  it('keep the lockout across processes: a correct PIN is refused until it ends, then works and clears the count', async () => {
    for (let i = 0; i < 5; i++) await outcome(approve(`wrong-pin-${i}`))
    const lockEnds = T0 + 15_000 + 15 * MIN
    clock = lockEnds - 1
    expect(await outcome(approve(PIN))).toBe('CHARTER_PIN_LOCKED')
    expect((await checkCharter('coinbase', {}, ctx())).pinAttempts).toEqual({failures: 5, lastWrongAt: new Date(T0 + 15_000).toISOString(), lockedUntil: new Date(lockEnds).toISOString()})
    clock = lockEnds
    expect(await outcome(approve(PIN))).toBe('ok')
    expect((await checkCharter('coinbase', {}, ctx())).pinAttempts).toEqual({failures: 0})
    // A fresh count: the next wrong PIN costs the next try 1 s, not a lockout.
    sleeps = []
    expect(await outcome(approve('wrong-again'))).toBe('CHARTER_PIN_WRONG')
    expect(await outcome(approve('wrong-again-2'))).toBe('CHARTER_PIN_WRONG')
    expect(sleeps).toEqual([1000])
  })

  it('double the lockout for every wrong PIN after it ends, up to 24 h', async () => {
    for (let i = 0; i < 5; i++) await outcome(approve(`wrong-pin-${i}`))
    const lockouts: number[] = []
    let lockedUntil = T0 + 15_000 + 15 * MIN
    for (let i = 0; i < 9; i++) {
      clock = lockedUntil
      await expect(approve(`still-wrong-${i}`)).rejects.toMatchObject({code: 'CHARTER_PIN_WRONG'})
      const status = await charterStatus(ctx())
      const next = Date.parse(status.pin.attempts!.lockedUntil!)
      lockouts.push((next - lockedUntil) / MIN)
      lockedUntil = next
    }
    expect(lockouts).toEqual([30, 60, 120, 240, 480, 960, 1440, 1440, 1440])
  })

  it('count the current PIN given to `charter init` too, and lock it out the same way', async () => {
    const change = (oldPin: string) => initCharterPin({pins: {pin: 'brand-new-pin-9', oldPin}, params: FAST}, {cwd: project, env: {RICK_PROJECT: project, RICK_HOME: home}, deps: ctx().deps})
    for (let i = 0; i < 3; i++) expect(await outcome(approve(`wrong-pin-${i}`))).toBe('CHARTER_PIN_WRONG')
    for (let i = 0; i < 2; i++) expect(await outcome(change(`wrong-old-${i}`))).toBe('CHARTER_PIN_WRONG')
    expect(sleeps).toEqual([1000, 2000, 4000, 8000])
    expect(await outcome(change(PIN))).toBe('CHARTER_PIN_LOCKED')
    expect(await outcome(approve(PIN))).toBe('CHARTER_PIN_LOCKED')
  })

  it('tried in parallel are still counted one by one: five are checked, the rest locked out', async () => {
    const results = await Promise.all(Array.from({length: 8}, (_, i) => outcome(approve(`parallel-${i}`))))
    expect(results.filter((r) => r === 'CHARTER_PIN_WRONG')).toHaveLength(5)
    expect(results.filter((r) => r === 'CHARTER_PIN_LOCKED')).toHaveLength(3)
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000 + 2000 + 4000 + 8000)
  })

  it('are recorded on disk, private, one line per try with its outcome', async () => {
    for (let i = 0; i < 5; i++) await outcome(approve(`wrong-pin-${i}`))
    await outcome(approve(PIN))
    const lines = attemptLines()
    const outcomes = lines.filter((l) => l.event !== 'try').map((l) => `${String(l.event)}${l.failures === undefined ? '' : `:${String(l.failures)}`}`)
    expect(outcomes).toEqual(['pin-set', 'wrong:1', 'wrong:2', 'wrong:3', 'wrong:4', 'wrong:5', 'refused:5'])
    expect(lines.filter((l) => l.event === 'try').every((l) => l.action === 'approve')).toBe(true)
    expect(readFileSync(pinAttemptsFilePath(home), 'utf8')).not.toContain('wrong-pin')
    if (process.platform !== 'win32') expect(execFileSync('stat', ['-c', '%a', pinAttemptsFilePath(home)], {encoding: 'utf8'}).trim()).toBe('600')
  })

  it('count a try whose process died before its outcome was written', async () => {
    // A guesser that kills rick as soon as a try is slow must not get that try for free.
    const file = pinAttemptsFilePath(home)
    for (let i = 0; i < 5; i++) writeFileSync(file, `${JSON.stringify({v: 1, event: 'try', id: `dead${i}`, action: 'approve', at: new Date(T0).toISOString()})}\n`, {flag: 'a'})
    expect(await outcome(approve(PIN))).toBe('CHARTER_PIN_LOCKED')
  })

  it('a damaged record counts against the guesser, never for him', async () => {
    const file = pinAttemptsFilePath(home)
    writeFileSync(file, `${readFileSync(file, 'utf8')}not json\n{"event":"ok"}\n{"v":1,"event":"ok","at":"garbage"}\n`)
    expect((await checkCharter('coinbase', {}, ctx())).pinAttempts?.failures).toBe(3)
  })
})
