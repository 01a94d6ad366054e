// An IBKR simulator on 127.0.0.1 (port 0) and rick's IBKR connector built by the plugin's factory
// over the real @stoqey/ib client, for the connector's integration tests. The simulator's own
// records (venueRecords: orders by orderRef, executions, positions) are the witness, never what the
// connector says about itself.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach} from 'vitest'

import type {IbkrConnector} from '../../plugins/ibkr/src/connector.js'
import {createConnector, type IbkrTuning} from '../../plugins/ibkr/src/factory.js'
import {describeInstrument} from '../../plugins/ibkr/src/instruments.js'
import {startIbkrSimulator, type IbkrRunningSimulator, type IbkrSimulatorOptions} from '../../plugins/ibkr/src/sim/index.js'
import type {SectorConfig} from '../../src/foundation/config/types.js'
import type {VenueEvent} from '../../src/foundation/domain/orders.js'
import type {ConnectorStatus} from '../../src/sectors/connector.js'
import {coreRuntime} from '../../src/sectors/core-runtime.js'
import {ManualWall} from '../../src/sectors/sim/clock.js'
import {until as untilFixture} from '../conformance/fixture.js'

/** A Tuesday, 15:00 UTC (10:00 New York): both MES and SPY trade. */
export const T0 = Date.UTC(2026, 2, 3, 15, 0, 0)
/** MES's front quarter at T0 (March 2026 expires on the 20th). */
export const MES = 'MES-202603'
export const MES_SPEC = {symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202603'}
export const SPY_SPEC = {symbol: 'SPY', secType: 'STK', exchange: 'SMART', currency: 'USD', primaryExchange: 'ARCA'}

export interface Rig {
  sim: IbkrRunningSimulator
  wall: ManualWall
  /** Moves the market on by a step (a second of wall, a minute of the market) and waits for what it caused. */
  step(): Promise<void>
  /** Steps until `cond` holds (bounded). */
  stepUntil(what: string, cond: () => boolean | Promise<boolean>, ms?: number): Promise<void>
  /** The simulator's quote of an instrument (the witness, not the connector). */
  quote(instrument: string): {bid: number; ask: number}
  c: IbkrConnector
  events: VenueEvent[]
  statuses: ConnectorStatus[]
  logs: string[]
  stateDir: string
  /** Another connector on the same simulator and state directory (a restart of rick). */
  reopen(tuning?: IbkrTuning): Promise<IbkrConnector>
  close(): Promise<void>
}

export const FAST: IbkrTuning = {backoff: {baseMs: 50, maxMs: 200}, connectTimeoutMs: 2_000, requestTimeoutMs: 2_000, submitTimeoutMs: 1_500, heartbeat: {everyMs: 250, timeoutMs: 750}, commissionWaitMs: 500}

export async function startRig(o: {sim?: Partial<IbkrSimulatorOptions>; tuning?: IbkrTuning; connect?: boolean; clientId?: number; speed?: number} = {}): Promise<Rig> {
  const wall = new ManualWall(0)
  const sim = await startIbkrSimulator({core: coreRuntime, seed: 5, startTs: T0, speed: o.speed ?? 60, wall, instruments: [MES, 'SPY'], ...o.sim})
  const stateDir = await mkdtemp(join(tmpdir(), 'rick-ibkr-'))
  const logs: string[] = []
  const events: VenueEvent[] = []
  const statuses: ConnectorStatus[] = []
  const opened: IbkrConnector[] = []
  const make = async (tuning: IbkrTuning): Promise<IbkrConnector> => {
    const specs = [MES_SPEC, SPY_SPEC]
    const sector: SectorConfig = {
      name: 'ibtest', venue: 'ibkr', enabled: true, mode: 'paper', profile: 'Balanced', risk: {}, instruments: specs, strategy: {name: 'sma', params: {}}, secretsFiles: [],
      connection: {host: '127.0.0.1', port: Number(sim.connection.port), clientId: o.clientId ?? 1},
    }
    const c = (await createConnector(
      {sector, mode: 'paper', secrets: {}, instruments: specs.map((s) => describeInstrument(s)), clock: {now: () => sim.broker.now()}, log: (m) => void logs.push(m), core: coreRuntime, stateDir},
      {...FAST, ...tuning},
    )) as IbkrConnector
    opened.push(c)
    return c
  }
  const c = await make(o.tuning ?? {})
  c.onEvent((e) => void events.push(structuredClone(e)))
  c.onStatus((s) => void statuses.push(s))
  if (o.connect !== false) await c.connect()
  const step = async (): Promise<void> => {
    wall.advance(1_000)
    await c.settled()
  }
  return {
    sim, c, events, statuses, logs, stateDir, wall, step,
    stepUntil: (what, cond, ms = 4_000) => untilFixture(what, cond, {ms, venue: {step, settle: () => c.settled()}}),
    quote(instrument) {
      const p = sim.broker.catalogue.byInstrumentId(instrument)
      const q = p === undefined ? undefined : sim.broker.market.quote(p.contract.conId, sim.broker.now())
      if (q === undefined) throw new Error(`the simulator quotes no ${instrument}`)
      return {bid: q.bid, ask: q.ask}
    },
    reopen: (tuning = {}) => make({...o.tuning, ...tuning}),
    async close() {
      for (const x of opened) await x.close()
      await sim.close()
      await rm(stateDir, {recursive: true, force: true})
    },
  }
}

/** A rig per test, closed after it (registers the afterEach of the calling file). */
export function useRigs(): (o?: Parameters<typeof startRig>[0]) => Promise<Rig> {
  const rigs: Rig[] = []
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.close()
  })
  return async (o) => {
    const r = await startRig(o)
    rigs.push(r)
    return r
  }
}

/** Polls a condition (bounded; no fixed sleeps). */
export const until = (what: string, cond: () => boolean | Promise<boolean>, ms = 4_000): Promise<void> => untilFixture(what, cond, {ms})

export const kinds = (events: readonly VenueEvent[], id: string): string[] => events.filter((e) => (e.kind === 'fill' ? e.fill.clientOrderId : e.clientOrderId) === id).map((e) => e.kind)
