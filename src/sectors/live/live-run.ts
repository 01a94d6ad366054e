// `rick run` on a real venue (a broker, or its simulator with `--sim`): the sector's connector over
// the broker's SDK, bars from the venue's price stream on the venue's clock, and the same engine as
// every other mode. What this file adds to the engine is what a real venue needs and the paper
// venue does not: connect (a 401 stops cleanly, with the reason), warm up on the venue's history,
// reconcile with the venue at start, after every reconnect and every minute (reconcile.ts), stale
// data to REDUCING and back, and connection changes journaled as they happen.
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'

import type {SimulatedClock} from '../../foundation/clock.js'
import type {Bar} from '../../foundation/domain/bars.js'
import {BrokerError, NetworkError} from '../../foundation/domain/broker-errors.js'
import type {Instrument} from '../../foundation/domain/instrument.js'
import {ExitCode, RickError} from '../../foundation/errors.js'
import type {RunStartedPayload} from '../../foundation/journal/events.js'
import type {Journal} from '../../foundation/journal/types.js'
import type {Connector, ConnectorStatus} from '../connector.js'
import {coreRuntime} from '../core-runtime.js'
import type {SectorDefinition} from '../definition.js'
import {SectorEngine, type EngineObserver} from '../engine/engine.js'
import {adoptedReason, ManualPoller, manualReason, triggerOf} from '../engine/manual.js'
import {recoverAccount} from '../engine/recovery.js'
import {riskDayAt} from '../engine/risk-day.js'
import type {RiskSetup, SectorSetup} from '../engine/setup.js'
import {Ledger} from '../portfolio/ledger.js'
import {MarketData} from './market-data.js'
import {reconcileWithVenue} from './reconcile.js'

/** Bars of history the strategy warms up on before the first live bar (the sector's live.warmupBars). */
export const WARMUP_BARS = 200

export interface LiveRunOptions {
  runId: string
  sector: string
  setup: SectorSetup
  definition: SectorDefinition
  /** The mode the connector trades in (practice, canary, live; paper for a broker's paper account or a simulator). */
  mode: SectorSetup['config']['mode']
  /** The account this run trades: `practice`, `live`, `sim`… (its journal history is the account's). */
  environment: string
  /** The engine's clock; this run moves it along the venue's. */
  clock: SimulatedClock
  secrets: Readonly<Record<string, string>>
  risk: RiskSetup
  journal: Journal
  /** RUN_STARTED as the caller built it; the live run adds the connector, currency and instruments. */
  started: RunStartedPayload
  checkpoint?: unknown
  checkpointEvery: number
  periodMs: number
  warmupBars: number
  /** No price and no heartbeat for this long (local ms) → DATA_STALE. */
  staleAfterMs: number
  /** How often the account is reconciled with the venue while running (local ms). */
  reconcileEveryMs: number
  sendOrders: boolean
  /** Stop after this many bar periods. */
  maxPeriods?: number
  observer: EngineObserver & {flush?(): void}
  /** Local monotonic ms and timers (tests replace them). */
  monotonic(): number
  every(ms: number, fn: () => void): () => void
  /** The stop signal, once one came (SIGINT/SIGTERM/SIGHUP, also during start-up); the run then stops at the next moment it can. */
  stopRequested(): string | undefined
  onStopRequest(wake: () => void): void
  line(text: string): void
  notice(text: string): void
  /** Lines for the person before the first bar (connector, account, warm-up). */
  onStarted?(info: LiveStartInfo): void
}

export interface LiveStartInfo {
  engine: SectorEngine
  connector: Connector
  instruments: Instrument[]
  warmedUp: number
  notes: string[]
  cash: number
  currency: string
}

export interface LiveRunResult {
  engine: SectorEngine
  reason: 'signal' | 'bars-limit' | 'halted' | 'error'
  detail?: string
  periods: number
}

/**
 * Where a sector's connector keeps durable state (IBKR: the highest order id used), one folder per
 * account: ids of a simulator's account and of the broker's are separate sequences.
 */
export function connectorStateDir(home: string, sector: string, environment: string): string {
  const dir = join(home, 'state', sector, environment.replace(/[^A-Za-z0-9._-]/g, '_'))
  mkdirSync(dir, {recursive: true, mode: 0o700})
  return dir
}

/** Connects, reconciles, warms up, trades until stopped; the engine's RUN_STOPPED is always written once it started. */
export async function runLive(o: LiveRunOptions): Promise<LiveRunResult> {
  const config = o.setup.config
  if (o.definition.createConnector === undefined) throw new RickError(`${config.venue} has no connector`, {code: 'NO_CONNECTOR'})
  const clock = o.clock
  const stateDir = connectorStateDir(o.setup.home, o.sector, o.environment)
  const connector = await o.definition.createConnector({sector: config, mode: o.mode, secrets: o.secrets, instruments: o.setup.instruments, clock, stateDir, log: (m) => o.notice(`rick: ${config.venue}: ${m}`), core: coreRuntime})
  try {
    const result = await trade(o, connector, clock)
    // Cancels and the last fills need the connection: before it closes. A fatal stop (the venue
    // refused the credentials) has nothing to ask it with.
    if (result.reason !== 'error') await result.engine.windDown(result.reason, (done) => waitFor(done, STOP_SETTLE_MS))
    return result
  } finally {
    await connector.close().catch(() => undefined)
  }
}

/** How long a stop waits for the outcomes of its cancels (and of orders in flight) before asking the venue. */
const STOP_SETTLE_MS = 3_000

/** Resolves once `done()` holds, or after `ms` of wall time (checked every 20 ms). */
async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms
  while (!done() && performance.now() < end) await new Promise((r) => setTimeout(r, 20))
}

async function trade(o: LiveRunOptions, connector: Connector, clock: SimulatedClock): Promise<LiveRunResult> {
  await connectOrExplain(o, connector)
  const account = await connector.account()
  const conversions: string[] = []
  const instruments = await inAccountCurrency(await venueInstruments(o.setup.instruments, connector), connector, account.currency, conversions)
  const environment = o.environment
  const recovered = recoverAccount(o.journal, {sector: o.sector, venue: o.setup.config.venue, environment}, {instruments, currency: account.currency, startingCash: account.cash})
  const ledger = recovered.known ? Ledger.fromSnapshot(recovered.ledger.snapshot()) : new Ledger({currency: account.currency, startingCash: account.cash, instruments})
  for (const [instrument, price] of recovered.lastPrices) ledger.mark(instrument, price)

  const queue: Bar[][] = []
  let wake: (() => void) | undefined
  const poke = () => wake?.()
  o.onStopRequest(poke)
  let fatal: string | undefined
  let needReconcile = false
  let engine: SectorEngine | undefined
  const staleEvents: Array<{kind: 'data-stale' | 'data-fresh'; reason: string}> = []
  const md = new MarketData({
    connector,
    instruments: instruments.map((i) => i.id),
    periodMs: o.periodMs,
    staleAfterMs: o.staleAfterMs,
    monotonic: o.monotonic,
    every: o.every,
    onBars: (bars) => {
      queue.push(bars)
      poke()
    },
    onStale: (reason) => {
      staleEvents.push({kind: 'data-stale', reason})
      poke()
    },
    onFresh: (reason) => {
      staleEvents.push({kind: 'data-fresh', reason})
      needReconcile = true
      poke()
    },
    onStatus: (s) => onStatus(s),
  })
  const connected = new Set<string>()
  function onStatus(s: ConnectorStatus): void {
    if (s.kind === 'heartbeat') return
    if (s.kind === 'fatal') {
      fatal = `${s.code}: ${s.message}`
      engine?.recordConnection({stream: 'all', state: 'fatal', reason: fatal})
      poke()
      return
    }
    const payload = s.kind === 'connected' ? {stream: s.stream, state: 'connected' as const, venueTs: s.ts} : {stream: s.stream, state: 'disconnected' as const, reason: s.reason, venueTs: s.ts}
    engine?.recordConnection(payload)
    if (s.kind === 'connected') {
      // A reconnect (not the first connect) may have missed fills: reconcile before any new order.
      if (connected.has(s.stream)) needReconcile = true
      connected.add(s.stream)
    }
    poke()
  }

  const warm = await md.history(o.warmupBars)
  const lastWarm = warm.at(-1)
  // The engine's clock is the venue's from here on: the end of the last history bar. It started at
  // this machine's now, and set() never goes back, so a venue behind it (a simulator started in the
  // past, a venue whose clock is behind) froze the engine's time: its 60 s order-rate window never
  // passed. Events of this run may then carry times before the journal's last one; the journal and
  // recovery order events by seq, never by time.
  if (lastWarm) clock.rebase(lastWarm.ts + o.periodMs)
  else if (Number.isFinite(recovered.lastTs)) clock.set(recovered.lastTs + 1)

  const transitions = []
  const expired = o.risk.states.fold(recovered.riskEvents, clock.now())
  if (expired) transitions.push(expired)
  const riskDay = riskDayAt(recovered.riskTrail, o.risk.session, clock.now())
  const notes: string[] = []
  if (recovered.known) notes.push(`account continued from the journal: ${recovered.fills} fill(s) over ${recovered.runs.length} earlier run(s)`)
  else notes.push(environment.startsWith('sim:') ? "a fresh simulated account: the books start from the simulator's cash" : `first run on this ${environment} account: the books start from the venue's cash`)
  for (const c of recovered.fillConflicts) notes.push(c)
  notes.push(...conversions)

  const positions = await connector.positions()
  const started: RunStartedPayload = {
    ...o.started,
    environment,
    startingEquity: ledger.equity,
    currency: account.currency,
    instruments: instruments.map((i) => ({id: i.id, multiplier: i.multiplier, lotSize: i.lotSize, tickSize: i.tickSize})),
  } as RunStartedPayload
  if (connector.info) started.connector = {...connector.info}
  engine = new SectorEngine({
    runId: o.runId,
    sector: o.sector,
    instruments,
    connector,
    clock,
    journal: o.journal,
    durability: 'durable',
    sendOrders: o.sendOrders,
    strategy: {create: () => o.setup.strategy.create(), params: o.setup.strategy.params},
    gate: o.risk.gate,
    states: o.risk.states,
    limits: o.risk.limits,
    session: o.risk.session,
    ledger,
    checkpointEvery: o.checkpointEvery,
    observer: o.observer,
    recordBars: true,
  })
  const reconciled = {positions: positions.filter((p) => p.qty !== 0).map((p) => ({instrument: p.instrument, qty: p.qty})), cash: account.cash, notes}
  await engine.start({started, checkpoint: o.checkpoint, openOrders: recovered.openOrders, transitions, reconciled, riskDay})
  if (engine.strategyFault) return {engine, reason: 'halted', detail: `strategy error: ${engine.strategyFault.message}`, periods: 0}
  // In-flight orders of an earlier run are settled (engine.start); what the venue still holds that
  // the journal does not explain is reconciled now, before the first order.
  const first = await reconcileWithVenue(engine, connector, {sector: o.sector, sinceTs: Number.isFinite(recovered.lastTs) ? recovered.lastTs : clock.now() - 86_400_000, lastPrices: recovered.lastPrices})
  notes.push(...first.notes)
  for (const bar of warm) engine.warmUp(bar)
  o.onStarted?.({engine, connector, instruments, warmedUp: warm.length, notes, cash: account.cash, currency: account.currency})

  const poller = new ManualPoller(o.journal, o.sector, o.journal.lastSeq())
  let periods = 0
  let nextReconcile = o.monotonic() + o.reconcileEveryMs
  /** Venue time of the last reconciliation: the next one looks at fills since a bar before it. */
  let reconciledAt = clock.now()
  let nextPoll = o.monotonic() + 1000
  let nextSettle: number | undefined
  let settleWait = 1000
  md.start()
  try {
    for (;;) {
      if (o.stopRequested() !== undefined) return {engine, reason: 'signal', periods}
      if (fatal !== undefined) return {engine, reason: 'error', detail: fatal, periods}
      const fault = faultOf(engine)
      if (fault !== undefined) return {engine, reason: 'halted', detail: `strategy error: ${fault}`, periods}
      if (engine.isStopped) return {engine, reason: 'error', detail: 'the engine stopped (journal failure)', periods}
      for (const t of staleEvents.splice(0)) await engine.applyTrigger(t)
      const now = o.monotonic()
      if (needReconcile || now >= nextReconcile) {
        needReconcile = false
        nextReconcile = now + o.reconcileEveryMs
        try {
          const venueNow = Number.isFinite(md.venueNow()) ? md.venueNow() : clock.now()
          await reconcileWithVenue(engine, connector, {sector: o.sector, sinceTs: reconciledAt - o.periodMs, lastPrices: new Map()})
          reconciledAt = venueNow
        } catch (error) {
          // The venue could not be asked: try again soon; no new order waits on it forever.
          o.notice(`rick: reconciliation failed: ${messageOf(error)}; trying again`)
          nextReconcile = now + 5_000
        }
      }
      if (now >= nextPoll) {
        nextPoll = now + 1000
        for (const e of poller.poll()) {
          const kind = triggerOf(e.payload)
          if (kind !== undefined) await engine.applyTrigger({kind, reason: adoptedReason(manualReason(e.payload.reason), e.seq, periods)})
        }
      }
      // An order whose outcome is unknown is asked about at 1, 2, 4… s (at most every 30 s), not
      // only at the next bar; the engine never sends it again.
      if (engine.unknownOrders > 0) {
        if (nextSettle === undefined) {
          settleWait = 1000
          nextSettle = now + settleWait
        } else if (now >= nextSettle) {
          await engine.settleUnknown()
          settleWait = Math.min(30_000, settleWait * 2)
          nextSettle = o.monotonic() + settleWait
        }
      } else {
        nextSettle = undefined
      }
      const period = queue.shift()
      if (period === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, 250).unref?.()
        })
        wake = undefined
        continue
      }
      for (const bar of period) {
        // A fatal status (the venue refused the key) may have come while this loop awaited: no
        // bar, and so no order, after it.
        if (fatal !== undefined) return {engine, reason: 'error', detail: fatal, periods}
        clock.set(bar.ts)
        const work = engine.onBar(bar)
        if (work !== undefined) await work
      }
      periods++
      if (o.maxPeriods !== undefined && periods >= o.maxPeriods) return {engine, reason: 'bars-limit', periods}
    }
  } finally {
    md.stop()
  }
}

/** Connects; a venue that refuses the credentials stops the run with its reason, never a retry loop. */
async function connectOrExplain(o: LiveRunOptions, connector: Connector): Promise<void> {
  try {
    await connector.connect()
  } catch (error) {
    if (error instanceof BrokerError && error.kind === 'AuthFailed') {
      throw new RickError(`${o.sector}: ${o.setup.config.venue} refused access: ${error.message}`, {code: 'AUTH_FAILED', exitCode: ExitCode.Failure, cause: error})
    }
    if (error instanceof NetworkError) {
      throw new RickError(`${o.sector}: cannot reach ${o.setup.config.venue} (${error.kind}): ${error.message}`, {code: 'VENUE_UNREACHABLE', exitCode: ExitCode.Failure, cause: error})
    }
    throw error
  }
}

/** The configured instruments, with what the venue says about them (tick, lot, minimum) where it says. */
async function venueInstruments(configured: Instrument[], connector: Connector): Promise<Instrument[]> {
  const known = new Map((await connector.instruments()).map((i) => [i.id, i]))
  const missing = configured.filter((i) => !known.has(i.id)).map((i) => i.id)
  if (missing.length > 0) throw new RickError(`${connector.venue} does not trade ${missing.join(', ')} on this account`, {code: 'UNKNOWN_INSTRUMENT', exitCode: ExitCode.BadInput})
  return configured.map((i) => ({...i, ...(known.get(i.id) as Instrument), referencePrice: i.referencePrice}))
}

/** Read through a call: TypeScript would keep the narrowing of an earlier check across awaits. */
function faultOf(engine: SectorEngine): string | undefined {
  return engine.strategyFault?.message
}

/**
 * Instruments quoted in another currency than the account's get their money counted in the
 * account's: the venue's conversion factor at start is folded into the multiplier, so notional,
 * P&L and the risk limits of USD_JPY in a USD account are in USD. The factor is fixed for the run
 * (an FX move during it changes the true value a little; the venue's own balance stays the truth
 * at every reconciliation). Without a factor, the instrument keeps its quote currency and says so.
 */
async function inAccountCurrency(instruments: Instrument[], connector: Connector, currency: string, notes: string[]): Promise<Instrument[]> {
  const foreign = instruments.filter((i) => i.quoteCurrency !== currency)
  if (foreign.length === 0) return instruments
  const factors = connector.conversionFactors ? await connector.conversionFactors(foreign.map((i) => i.id)) : new Map<string, number>()
  return instruments.map((i) => {
    if (i.quoteCurrency === currency) return i
    const f = factors.get(i.id)
    if (f === undefined || !(f > 0)) {
      notes.push(`${i.id} is quoted in ${i.quoteCurrency} and the venue gave no conversion to ${currency}: its notional and P&L count 1 ${i.quoteCurrency} as 1 ${currency}`)
      return i
    }
    notes.push(`${i.id} is quoted in ${i.quoteCurrency}: its notional, P&L and limits are counted in ${currency} at the venue's factor ${Number(f.toPrecision(6))} (taken at start)`)
    return {...i, multiplier: i.multiplier * f, quoteCurrency: currency}
  })
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
