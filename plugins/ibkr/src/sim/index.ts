// Interactive Brokers, simulated on 127.0.0.1 (`rick sim ibkr`, `rick run <sector> --sim`): the TWS
// API socket (wire/server.ts) over the broker (broker.ts: one paper account DU…, seeded prices, TWS's
// order rules, brackets, OCA, IBKR's commissions and margins), fault switches (faults.ts) and their
// HTTP control endpoint (control.ts). Time is a SimClock over the wall clock (o.speed); a pulse
// every 100 ms of wall time moves the market, works the orders and sends market data. Core's
// runtime values come only through `o.core`.
import type {RunningSimulator, SimulatorOptions} from '../../../../src/sectors/definition.js'
import type {WallClock} from '../../../../src/sectors/sim/index.js'
import {IbkrBroker} from './broker.js'
import {arg, IBKR_SWITCHES} from './faults.js'
import {controlHandler} from './control.js'
import type {IbkrVenueRecords} from './records.js'
import type {SimContract, TwsServerHandle} from './seam.js'

export interface IbkrSimulatorOptions extends SimulatorOptions {
  /** Wall clock and timers (default: the system's). Tests pass a ManualWall. */
  wall?: WallClock
  /** Sim time at start (default: the wall clock's now). */
  startTs?: number
  /** Messages a second a client may send (TWS: 50). */
  maxMessagesPerSecond?: number
}

export interface IbkrRunningSimulator extends RunningSimulator {
  /** What happened at the venue, for tests (records.ts). */
  readonly venueRecords: IbkrVenueRecords
  /** The broker itself (sim time, market, account) for tests that look inside. */
  readonly broker: IbkrBroker
}

/** Wall ms between two pulses. */
const PULSE_MS = 100
/** Pulses between two trims of old prices (a minute of wall time). */
const TRIM_EVERY = 600
const DEFAULT_INSTRUMENTS = ['MES', 'SPY']

/** The optional hook a wire may offer to make the pacing fault bite (see faults.ts). */
type PacingHandle = TwsServerHandle & {setMaxMessagesPerSecond?(max: number): void; setHolding?(hold: boolean): void}

export async function startIbkrSimulator(o: IbkrSimulatorOptions): Promise<IbkrRunningSimulator> {
  const core = o.core
  const sim = core.sim
  const seed = (o.seed ?? 1) >>> 0
  const wall = o.wall ?? sim.systemWall()
  const clock = new sim.SimClock({startTs: Math.floor(o.startTs ?? wall.now()), speed: o.speed ?? 1, wall})
  const log = o.log ?? (() => {})
  const cash = o.startingCash ?? 1_000_000
  if (!(cash > 0) || !Number.isFinite(cash)) throw new Error(`startingCash must be a positive amount, found ${cash}`)

  let tws: PacingHandle | undefined
  const faults: InstanceType<typeof sim.FaultSwitches<typeof IBKR_SWITCHES>> = new sim.FaultSwitches(IBKR_SWITCHES, {
    dropSockets: () => ({cut: tws?.cutAll() ?? 0}),
    connectivityLost: () => {
      broker.loseConnectivity()
      tws?.broadcast(1100, 'Connectivity between IB and Trader Workstation has been lost.')
      return {code: 1100}
    },
    connectivityRestored: (args) => {
      const dataLost = arg(args, 'dataLost', 'boolean') ?? false
      broker.restoreConnectivity(dataLost)
      const code = dataLost ? 1101 : 1102
      tws?.broadcast(code, `Connectivity between IB and Trader Workstation has been restored - data ${dataLost ? 'lost' : 'maintained'}.`)
      return {code}
    },
    gatewayRestart: (args) => {
      const rollback = arg(args, 'rollbackIds', 'number') ?? 5
      const downMs = arg(args, 'downMs', 'number') ?? 1000
      if (rollback < 0 || downMs < 0) throw new TypeError('rollbackIds and downMs must be >= 0')
      tws?.setRefusing(true)
      const cut = tws?.cutAll() ?? 0
      const nextValidId = broker.restart(rollback)
      wall.setTimeout(() => tws?.setRefusing(false), downMs)
      return {cut, nextValidId}
    },
    pacing: (args) => {
      const max = arg(args, 'max', 'number') ?? 1
      if (tws?.setMaxMessagesPerSecond === undefined) throw new Error('pacing: this wire cannot change its message limit while it runs')
      tws.setMaxMessagesPerSecond(max)
      return {max}
    },
    reject: (args) => {
      const count = arg(args, 'count', 'number') ?? 1
      const code = arg(args, 'code', 'number') ?? 201
      const reason = arg(args, 'reason', 'string')
      broker.setRejection(code, reason ?? (code === 201 ? 'YOUR ORDER IS NOT ACCEPTED.' : `Order rejected (${code})`))
      faults.set({reject: count})
      return {count: faults.value('reject'), code, reason: reason ?? null}
    },
    fillWhileAway: (args) => {
      const holdMs = arg(args, 'holdMs', 'number') ?? 300
      tws?.setRefusing(true)
      tws?.cutAll()
      try {
        return broker.fillUnseen(arg(args, 'clientId', 'number'), arg(args, 'orderId', 'number'))
      } finally {
        wall.setTimeout(() => tws?.setRefusing(false), holdMs)
      }
    },
    placeExternalOrder: (args) => {
      const contract = externalContract(broker, args)
      const action = (arg(args, 'action', 'string') ?? 'BUY').toUpperCase()
      if (action !== 'BUY' && action !== 'SELL') throw new TypeError('action must be BUY or SELL')
      const lmtPrice = arg(args, 'lmtPrice', 'number')
      return broker.placeExternal(contract, {
        action,
        totalQuantity: String(arg(args, 'quantity', 'number') ?? 1),
        orderType: arg(args, 'orderType', 'string') ?? (lmtPrice === undefined ? 'MKT' : 'LMT'),
        lmtPrice: lmtPrice ?? null,
        auxPrice: null,
        tif: arg(args, 'tif', 'string') ?? 'DAY',
        ocaGroup: '',
        ocaType: 0,
        orderRef: arg(args, 'orderRef', 'string') ?? '',
        transmit: true,
        parentId: 0,
        outsideRth: false,
      })
    },
  })
  faults.onChange((name, value) => {
    if (name === 'freezePrices') broker.frozen = value === true
    if (name === 'stallAnswers') {
      if (tws?.setHolding === undefined) throw new Error('stallAnswers: this wire cannot hold its answers')
      tws.setHolding(value === true)
    }
  })
  const broker = new IbkrBroker({core, seed, now: () => clock.now(), startingCash: cash, log, takeReject: () => faults.take('reject'), takeSilent: () => faults.take('silentOrders'), takeUnreachable: () => faults.take('unreachableOrders'), readOnly: () => faults.value('readOnlyApi')})

  // Every instrument asked for must be in the catalogue: a typo fails at start, not at the first order.
  for (const id of o.instruments ?? DEFAULT_INSTRUMENTS) {
    const p = broker.catalogue.byInstrumentId(id)
    if (p === undefined) throw new Error(`ibkr sim: no contract ${id} (futures as MES-202612, stocks as SPY, FX as EUR.USD)`)
    broker.market.path(p.contract.conId)
  }

  // The wire is loaded only when a simulator really starts.
  const {startTwsServer} = await import('./wire/server.js')
  tws = await startTwsServer({broker, port: o.port ?? 0, wall, log, ...(o.maxMessagesPerSecond === undefined ? {} : {maxMessagesPerSecond: o.maxMessagesPerSecond})})
  let control: Awaited<ReturnType<typeof sim.startHttpServer>>
  try {
    control = await sim.startHttpServer(controlHandler(core, faults), {port: o.port ? o.port + 1 : 0})
  } catch (error) {
    await tws.close()
    throw error
  }
  const port = tws.port

  let stopped = false
  let pulses = 0
  let timer: number | undefined
  const pulse = (): void => {
    if (stopped) return
    try {
      broker.pulse()
      if (++pulses % TRIM_EVERY === 0) broker.market.trim(clock.now())
    } catch (error) {
      log(`ibkr sim: pulse failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    }
    timer = wall.setTimeout(pulse, PULSE_MS)
  }
  timer = wall.setTimeout(pulse, PULSE_MS)

  return {
    venue: 'ibkr',
    endpoints: {api: `tcp://127.0.0.1:${port}`, control: control.url},
    accountId: broker.account,
    credentials: {},
    connection: {host: '127.0.0.1', port, clientId: 1},
    env: () => ({}),
    // `rick sim ibkr --json`: a TWS is a host and a port, not URLs; the control endpoint switches faults.
    describe: () => ({venue: 'ibkr', host: '127.0.0.1', port, account: broker.account, control: control.url}),
    faults,
    venueRecords: broker.venueRecords,
    broker,
    async close() {
      stopped = true
      if (timer !== undefined) wall.clearTimeout(timer)
      await Promise.all([tws?.close(), control.close()])
    },
  }
}

/** The contract of a placeExternalOrder: by conId, a rick instrument id, or the default MES front month. */
function externalContract(broker: IbkrBroker, args: Record<string, unknown>): SimContract {
  const conId = arg(args, 'conId', 'number')
  const id = arg(args, 'instrument', 'string') ?? 'MES'
  const p = conId !== undefined ? broker.catalogue.get(conId) : broker.catalogue.byInstrumentId(id)
  if (p === undefined) throw new Error(`placeExternalOrder: no contract ${conId ?? id}`)
  return {...p.contract}
}
