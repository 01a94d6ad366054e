// Shared by the IBKR end-to-end tests: `rick run` on Interactive Brokers for real — the built CLI,
// the sector's connector on the real @stoqey/ib client, over TCP to rick's TWS simulator started
// here, in this process, so the test can count what reached the venue (its own records, not the
// connector's word) and switch faults while the run trades.
import {spawn, type ChildProcess} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {startIbkrSimulator, type IbkrRunningSimulator} from '../../plugins/ibkr/src/sim/index.js'
import type {EventPayloads, JournalEvent} from '../../src/foundation/journal/events.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import {REPO_ROOT, RICK_BIN} from '../helpers/cli.js'
import {fixtureProject, type Fixture} from './engine-fixture.js'

// The journal read while a run may still be creating it, and a bounded poll: the same as OANDA's.
export {events, until} from './oanda-live-fixture.js'

/** A strategy that holds one MES contract with a native bracket whenever it is flat. */
export const BRACKET_STRATEGY = `import type {StrategyModule} from '../src/sectors/strategy/contract.js'

interface Params {
  points: number
  qty: number
}

const strategy: StrategyModule<Params> = {
  name: 'mes-bracket',
  description: 'Buys qty MES with a stop and a target points away whenever it is flat.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      points: {type: 'number', default: 1, description: 'Distance of the stop and the target, in index points.'},
      qty: {type: 'number', default: 1, description: 'Contracts per entry.'},
    },
  },
  create(p) {
    return {
      init() {},
      onBar(bar, ctx) {
        if (!bar.instrument.startsWith('MES') || ctx.position(bar.instrument) !== 0) return []
        return [{instrument: bar.instrument, target: p.qty, bracket: {stopLoss: bar.close - p.points, takeProfit: bar.close + p.points}, reason: 'flat: one contract with a bracket'}]
      },
      onFill() {},
      state() {
        return {}
      },
      restore() {},
    }
  },
}

export default strategy
`

/** A strategy that sends an order every bar: long one MES, then flat, then long… (ids keep being used). */
export const FLIP_STRATEGY = `import type {StrategyModule} from '../src/sectors/strategy/contract.js'

const strategy: StrategyModule<Record<string, never>> = {
  name: 'mes-flip',
  description: 'Long one MES contract on one bar, flat on the next.',
  paramsSchema: {type: 'object', additionalProperties: false, properties: {}},
  create() {
    return {
      init() {},
      onBar(bar, ctx) {
        if (!bar.instrument.startsWith('MES')) return []
        return [{instrument: bar.instrument, target: ctx.position(bar.instrument) === 0 ? 1 : 0, reason: 'flip'}]
      },
      onFill() {},
      state() {
        return {}
      },
      restore() {},
    }
  },
}

export default strategy
`

export const MES = '{symbol: MES, secType: FUT, exchange: CME, currency: USD, lastTradeDateOrContractMonth: "202612"}'
export const SPY = '{symbol: SPY, secType: STK, exchange: SMART, currency: USD, primaryExchange: ARCA}'

export interface SectorOptions {
  instruments?: string[]
  strategy?: string
  session?: string
  clientId?: number
}

export function config(sim: IbkrRunningSimulator, o: SectorOptions = {}): string {
  return `version: 1
sectors:
  mes:
    venue: ibkr
    mode: practice
    profile: Aggressive
    instruments: [${(o.instruments ?? [MES, SPY]).join(', ')}]
    strategy: ${o.strategy ?? '{name: sma-crossover, params: {fast: 3, slow: 8, size: 1}}'}
    live: {warmupBars: 20, staleAfter: 3s, reconcileEvery: 1s}
    # One MES contract is ~30,000 USD of notional; losing streaks are the price path's.
    risk: {maxOrderNotional: 60000, maxPositionNotional: 60000, dailyLossCap: 100000, maxDrawdownPct: 50, consecutiveLossHalt: 1000, maxTradesPerDay: 1000, maxOrdersPerMinute: 1000}
${o.session ? `    session: ${o.session}\n` : ''}    connection: {host: 127.0.0.1, port: ${String(sim.connection.port)}, clientId: ${o.clientId ?? 7}}
`
}

/**
 * The shipped charter with caps a futures account needs: one MES contract is ~25,000 USD of
 * notional, the shipped order cap; and a run of brackets a point wide may lose ten in a row.
 */
function futuresCharter(): string {
  const caps: Record<string, number> = {maxOrderNotional: 100_000, maxPositionNotional: 200_000, dailyLossCap: 100_000, maxDrawdownPct: 50, consecutiveLossHalt: 1000, maxTradesPerDay: 1000, maxOrdersPerMinute: 1000}
  let text = readFileSync(join(REPO_ROOT, 'config', 'charter.yaml'), 'utf8')
  for (const [key, value] of Object.entries(caps)) text = text.replace(new RegExp(`^(  ${key}:) .*$`, 'm'), `$1 ${value}`)
  return text
}

export interface Live {
  sim: IbkrRunningSimulator
  f: Fixture
  env: NodeJS.ProcessEnv
}

const open: Live[] = []
const children: ChildProcess[] = []

/** For afterEach: ends the runs still going and closes the simulators and projects. */
export async function cleanupLive(): Promise<void> {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const l of open.splice(0)) {
    await l.sim.close()
    l.f.cleanup()
  }
}

/** A simulator (its clock at `speed`, from `startTs`) and a project whose sector trades on it. */
export async function live(o: SectorOptions & {speed?: number; startTs?: number; seed?: number} = {}): Promise<Live> {
  const sim = await startIbkrSimulator({core: coreRuntime, seed: o.seed ?? 5, speed: o.speed ?? 600, instruments: ['MES-202612', 'SPY'], ...(o.startTs === undefined ? {} : {startTs: o.startTs})})
  const f = fixtureProject(config(sim, o))
  writeFileSync(join(f.root, 'strategies', 'mes-bracket.ts'), BRACKET_STRATEGY)
  writeFileSync(join(f.root, 'strategies', 'mes-flip.ts'), FLIP_STRATEGY)
  writeFileSync(join(f.root, 'config', 'charter.yaml'), futuresCharter())
  const l = {sim, f, env: {...f.env, NO_COLOR: '1'}}
  open.push(l)
  return l
}

/** Per client order id and per instrument, the journal's fills summed here (signed per instrument). */
export function fillSums(evs: JournalEvent[]): {perOrder: Map<string, number>; perInstrument: Map<string, number>; fillIds: string[]} {
  const perOrder = new Map<string, number>()
  const perInstrument = new Map<string, number>()
  const fillIds: string[] = []
  for (const e of evs) {
    if (e.type !== 'FILL') continue
    const {fill} = e.payload as EventPayloads['FILL']
    fillIds.push(fill.fillId)
    perOrder.set(fill.clientOrderId, (perOrder.get(fill.clientOrderId) ?? 0) + fill.qty)
    perInstrument.set(fill.instrument, (perInstrument.get(fill.instrument) ?? 0) + (fill.side === 'buy' ? fill.qty : -fill.qty))
  }
  return {perOrder, perInstrument, fillIds}
}

/** The venue's positions by rick instrument id (futures `SYMBOL-YYYYMM`, stocks their symbol). */
export function positionsAtVenue(l: Live): Map<string, number> {
  const out = new Map<string, number>()
  for (const p of l.sim.venueRecords.positions()) {
    const c = p.contract
    const id = c.secType === 'FUT' ? `${c.symbol}-${c.lastTradeDateOrContractMonth.slice(0, 6)}` : c.symbol
    out.set(id, (out.get(id) ?? 0) + Number(p.pos))
  }
  return out
}

/** Starts `rick run mes …` in the background; resolves its exit. */
export function start(l: Live, args: string[]): {child: ChildProcess; exited: Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>} {
  const child = spawn(process.execPath, [RICK_BIN, 'run', 'mes', ...args], {cwd: l.f.root, env: l.env, stdio: ['ignore', 'pipe', 'pipe']})
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => void (stderr += d.toString()))
  const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}>((resolve) => child.on('exit', (code, signal) => resolve({code, signal, stdout, stderr})))
  return {child, exited}
}
