// rick's live order path on OANDA against rick's OANDA simulator, run as a process of its own
// (`rick sim oanda --speed 600x`), the venue outside the process under test as a broker is.
//
// rick runs IN THIS PROCESS through the live service `rick run` uses (dist/sectors/live/
// live-service.js tradeOnVenue: connector from the OANDA plugin's factory over the real
// @oanda/v20 SDK, reconcile, warm-up, bars from the price stream, strategy host, risk gate, durable
// journal), set up as `rick run` does (oclif's plugin registry, loadSectorSetup, the charter's
// authorizeEngineStart) in a temp project. In-process, not the CLI, because the journal's event
// times are the venue's clock, not wall times: the timestamps come from probes around the journal
// and the connector (oanda-probes.mjs says which), nothing inside src/ is touched. Only the sector
// lock and the command's printing are skipped.
//
// The sector: EUR_USD and GBP_USD, 1-minute bars, profile Aggressive with maxTradesPerDay 200 (the
// charter's cap), live.warmupBars 20; staleAfter and reconcileEvery left at their defaults (15 s,
// 60 s): what a user gets. Its strategy (written into the temp project, compiled and sandboxed like
// any) buys 10 EUR_USD at the close of every bar whose close moved: one market order per period,
// no closing trade, so no loss rule ever blocks the samples.
//
// Goals (figures are printed to stderr too):
//  1. ORDER_INTENT durable → its FILL durable (the connector's POST, the venue's answer, ORDER_ACK and
//     FILL appended), median over the orders, against the same MARKET order body sent with the bare
//     SDK (Context('127.0.0.1', port, false).order.create) to the same simulator, call → handler.
//     The bare orders go out as rick's do, one per bar period (100 ms at 600x), with the venue's
//     streams open and read: sent back to back, each finds the code, the caches and both processes
//     hot, and takes about half as long (1.1 vs 2.0 ms here), which no order of rick's ever does;
//     that figure is printed too. After each bare answer one durable journal append (openJournal +
//     append of a FILL, in the same pacing, on the same filesystem) is timed: the allowance.
//     Goal: rick p50 ≤ 1.3 × bare p50 + append p50. p99 printed.
//  2. Tick to order: the tick or price heartbeat that closes a period handed to the market-data side
//     → the order's POST written to its socket in this process (first order of each period). Goal
//     p50 ≤ 2 ms, p99 ≤ 10 ms. A period closed by the market-data side's timer before any line
//     crossed its end would not be counted (printed; the timer lags 250 ms × the venue's rate, so
//     at 600x a heartbeat, every 8 ms, always comes first).
//  3. Dead stream: heartbeats off + prices frozen (a silent stream): the last price line the
//     market-data side got → DATA_STALE journaled, in local ms and in venue ms (local × speed: the
//     simulator's clock is its wall clock × speed). Goal: ≤ 2 heartbeat intervals (2 × 5 s); counted
//     on the local figure, which is the venue's at a real broker (speed 1). Then the venue back
//     (faults off + the streams cut, as after an outage) → DATA_RESUMED and → the next order the
//     venue accepted (ORDER_ACK or FILL journaled; the reconcile after the reconnect included).
//     Goal ≤ 3 s. The same for a stream cut alone (dropStreams).
// Knobs: RICK_BENCH_LIVE_SPEED (600), RICK_BENCH_LIVE_ORDERS (100 timed orders, after 5 untimed).
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {median, printTable, row} from './lib.mjs'
import {everyMoveStrategy, openStreams, percentile, root, startLiveService, startSimProcess, tempProject, until} from './oanda-common.mjs'
import {LivePathProbe, OrderHttpTimes} from './oanda-probes.mjs'

const dist = (p) => pathToFileURL(join(root, 'dist', p)).href
const SPEED = Number(process.env.RICK_BENCH_LIVE_SPEED ?? 600)
const ORDERS = Number(process.env.RICK_BENCH_LIVE_ORDERS ?? 100)
const WARM = 5
const PERIOD_MS = 60_000
const HEARTBEAT_MS = 5_000
const SECTOR = 'fx'
const TOKEN_ENV = 'OANDA_SIM_TOKEN'
const INSTRUMENTS = ['EUR_USD', 'GBP_USD']

const STRATEGY = everyMoveStrategy({size: 10, unit: 'Units'})

function sectorConfig(sim) {
  return `version: 1
sectors:
  ${SECTOR}:
    venue: oanda
    mode: practice
    profile: Aggressive
    risk: {maxTradesPerDay: 200}
    instruments: [${INSTRUMENTS.join(', ')}]
    strategy: {name: bench-every-move, params: {instrument: EUR_USD, size: 10}}
    live: {warmupBars: 20}
    connection: {accountId: ${sim.accountId}, tokenEnv: ${TOKEN_ENV}, restUrl: "${sim.rest}", streamUrl: "${sim.stream}", timeoutMs: 5000}
`
}

/**
 * The same MARKET order body rick's connector sends, through the bare SDK, with the venue's two
 * streams open and read meanwhile (as rick has them): ms from the call to its handler, and the
 * venue's share (request on the wire → answer's headers). `paceMs`: the wait between orders (one
 * bar period, as rick's strategy sends them; 0: back to back). `journal`: one durable append timed
 * after each answer, as rick's fill is written after the venue's answer.
 */
async function bareOrders(sim, count, from, {paceMs = 0, journal} = {}) {
  const {Context} = createRequire(import.meta.url)('@oanda/v20/context')
  const ctx = new Context('127.0.0.1', sim.port, false, 'rick-bench')
  ctx.setToken(sim.token)
  const streams = await openStreams(sim, INSTRUMENTS)
  const http = new OrderHttpTimes()
  const out = []
  const appends = []
  try {
    for (let i = from; i < from + count; i++) {
      if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs))
      out.push(await bareOrder(ctx, sim.accountId, i))
      if (journal) appends.push(timedAppend(journal, i))
    }
  } finally {
    http.close()
    streams.close()
  }
  return {ms: out, appends, venue: http.all.map((e) => e.answered - e.wire), streamLines: streams.lines()}
}

function bareOrder(ctx, accountId, i) {
  // Buy and sell in turn: the account is flat again after an even count (rick's reconcile sees no position).
  const order = {type: 'MARKET', instrument: 'EUR_USD', units: i % 2 === 0 ? '10' : '-10', timeInForce: 'FOK', positionFill: 'DEFAULT', clientExtensions: {id: `bare-${i}`, tag: 'rick-bench'}}
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    ctx.order.create(accountId, {order}, (res) => {
      const ms = performance.now() - t0
      if (res.statusCode !== '201' || res.body?.orderFillTransaction === undefined) reject(new Error(`bare SDK order ${i}: ${res.statusCode} ${res.rawBody?.slice(0, 300)}`))
      else resolve(ms)
    })
  })
}

/** One durable Journal.append of a FILL shaped like the run's; ms. */
function timedAppend(journal, i) {
  const id = `fx-bench-${i}`
  const ts = Date.UTC(2026, 0, 5, 12) + i * 60_000
  const e = {ts, runId: 'bench', sector: 'fx', type: 'FILL', payload: {fill: {clientOrderId: id, fillId: String(1000 + i), venueOrderId: String(999 + i), instrument: 'EUR_USD', side: 'buy', qty: 10, price: 1.08123, fee: 0, liquidity: 'taker', ts}}}
  const t0 = performance.now()
  journal.append(e)
  return performance.now() - t0
}

async function openAppendJournal(dir) {
  const {openJournal} = await import(dist('foundation/journal/index.js'))
  return openJournal({path: join(dir, 'append-bench.db')})
}

/** Sets up the sector as `rick run` does and starts the live service; returns a stopper. */
/** rick's live path in this process, as `rick run fx --sim` starts it (oanda-common.mjs). */
function startRick(project, sim, probe) {
  return startLiveService({project, sector: SECTOR, venue: 'oanda', requestedMode: 'practice', probe, secrets: {[TOKEN_ENV]: sim.token}, periodMs: PERIOD_MS, simulator: {rest: sim.rest}})
}

export default async function oandaLive() {
  const sim = await startSimProcess({speed: SPEED})
  const project = tempProject(sectorConfig(sim), {'bench-every-move.mjs': STRATEGY})
  const probe = new LivePathProbe(PERIOD_MS)
  let rick
  // Every wait also ends when the run failed, with its error.
  const fail = () => {
    if (rick?.failed()) throw rick.failed()
    return false
  }
  try {
    // The baselines first (the engine not running): the bare SDK, and the durable append.
    // Paced as rick's orders (one per bar period), with one durable append after each answer.
    const appendJournal = await openAppendJournal(project.dir)
    const paceMs = PERIOD_MS / SPEED
    let bareA
    try {
      bareA = await bareOrders(sim, 2 * Math.ceil((ORDERS / 2 + WARM) / 2), 0, {paceMs, journal: appendJournal})
    } finally {
      appendJournal.close()
    }
    const hot = await bareOrders(sim, 2 * Math.ceil((ORDERS / 2 + WARM) / 2), 20_000)

    rick = await startRick(project, sim, probe)
    await until('the first orders', () => fail() || probe.orders.size >= WARM, 60_000)
    probe.phase = 'trade'
    await until(`${ORDERS} timed orders`, () => fail() || probe.roundTrips.length >= ORDERS, 120_000)
    probe.phase = 'faults'

    // 3a. A silent stream: no heartbeats, no prices.
    const tSilent = performance.now()
    await sim.faults({heartbeats: false, freezePrices: true})
    await until('DATA_STALE', () => fail() || probe.riskAfter('DATA_STALE', tSilent) !== undefined, 60_000)
    const staleA = probe.riskAfter('DATA_STALE', tSilent)
    // The stream is dead from the last line the market-data side got before DATA_STALE.
    const silentFrom = staleA.lastDelivery
    const tBack = performance.now()
    await sim.faults({heartbeats: true, freezePrices: false})
    await sim.act('dropStreams')
    await until('DATA_RESUMED and an order accepted', () => fail() || (probe.riskAfter('DATA_RESUMED', tBack) !== undefined && probe.acceptedAfter(tBack) !== undefined), 30_000)
    const resumedA = probe.riskAfter('DATA_RESUMED', tBack)
    const acceptedA = probe.acceptedAfter(tBack)

    // 3b. The streams cut alone (a reset connection).
    await until('a few more orders', () => fail() || probe.acceptedAfter(acceptedA.accepted + 1) !== undefined, 30_000)
    const tDrop = performance.now()
    await sim.act('dropStreams')
    await until('DATA_STALE after the cut', () => fail() || probe.riskAfter('DATA_STALE', tDrop) !== undefined, 30_000)
    const staleB = probe.riskAfter('DATA_STALE', tDrop)
    await until('DATA_RESUMED and an order after the cut', () => fail() || (probe.riskAfter('DATA_RESUMED', staleB.t) !== undefined && probe.acceptedAfter(staleB.t) !== undefined), 30_000)
    const resumedB = probe.riskAfter('DATA_RESUMED', staleB.t)
    const acceptedB = probe.acceptedAfter(staleB.t)

    rick.stop()
    const result = await rick.done
    rick = undefined
    const bareB = await bareOrders(sim, 2 * Math.ceil(ORDERS / 4), 10_000, {paceMs})

    const bare = [...bareA.ms.slice(WARM), ...bareB.ms]
    const bareVenue = [...bareA.venue.slice(WARM), ...bareB.venue]
    const parts = probe.roundTripParts(median)
    const rt = probe.roundTrips
    const bareP50 = median(bare)
    const appends = bareA.appends.slice(WARM)
    const appendP50 = median(appends)
    const hotP50 = median(hot.ms.slice(WARM))
    const rtP50 = median(rt)
    const allowance = 1.3 + appendP50 / bareP50
    const t2o = probe.ticksToOrder
    const rate = probe.venueRate()
    const ms = (x) => `${x.toFixed(2)} ms`
    const s = (x) => `${(x / 1000).toFixed(2)} s`
    const noticedLocal = staleA.t - silentFrom
    // The reconcile after a reconnect reads the venue's positions (GET …/openPositions) before any new order.
    const reconciledBefore = (from, to) => probe.http.positionReads.filter((t) => t > from && t < to).map((t) => s(t - from)).join(', ') || 'none'
    const lines = [
      `oanda-live: simulator at ${SPEED}x (venue clock seen at ${rate.toFixed(0)}x); run ${result.runId}: ${result.summary.orders} orders, ${result.summary.fills} fills, ${result.summary.denials} denied, ${probe.bars} bars journaled; stop ${result.stopReason}`,
      `  1. order round trip, ${rt.length} orders: rick ORDER_INTENT durable → FILL durable p50 ${ms(rtP50)}, p99 ${ms(percentile(rt, 99))}`,
      `     bare @oanda/v20 order.create, ${bare.length} orders one per ${paceMs} ms as rick's (its streams read ${bareA.streamLines + bareB.streamLines} lines meanwhile): p50 ${ms(bareP50)}, p99 ${ms(percentile(bare, 99))}; back to back: p50 ${ms(hotP50)}; durable journal append after each answer p50 ${ms(appendP50)}, p99 ${ms(percentile(appends, 99))}`,
      `     where rick's went (medians): intent durable → on the wire ${ms(parts.toWire)}, → venue answered ${ms(parts.venue)} (bare SDK: ${ms(median(bareVenue))}), → the answer's commit begins ${ms(parts.toCommit)}, → durable ${ms(parts.commit)} (${parts.batches.join(', ')} in one transaction)`,
      `     goal rick ≤ 1.3 × bare + 1 append = ${ms(1.3 * bareP50 + appendP50)}: ${rtP50 <= 1.3 * bareP50 + appendP50 ? 'met' : 'MISSED'} (rick - bare = ${ms(rtP50 - bareP50)} = ${((rtP50 - bareP50) / appendP50).toFixed(1)} appends)`,
      `  2. tick → order on the wire, ${t2o.length} periods: p50 ${ms(median(t2o))}, p99 ${ms(percentile(t2o, 99))} (closed → intent durable p50 ${ms(median(probe.closeToIntent))}, intent durable → wire p50 ${ms(median(probe.intentToWire))}); ${probe.closedByTimer} closed by the timer, not counted`,
      `  3. silent stream (heartbeats off, prices frozen): last line → DATA_STALE ${s(noticedLocal)} local = ${s(noticedLocal * SPEED)} venue at ${SPEED}x (${(noticedLocal * SPEED / HEARTBEAT_MS).toFixed(0)} heartbeat intervals; 2 × ${HEARTBEAT_MS / 1000} s at speed 1 is the goal)`,
      `     venue back (faults off, streams cut) → DATA_RESUMED ${s(resumedA.t - tBack)}, → next order accepted ${s(acceptedA.accepted - tBack)} (a reconcile before it: positions read at ${reconciledBefore(tBack, acceptedA.accepted)})`,
      `     streams cut alone → DATA_STALE ${s(staleB.t - tDrop)}, → DATA_RESUMED ${s(resumedB.t - tDrop)}, → next order accepted ${s(acceptedB.accepted - tDrop)} (positions read at ${reconciledBefore(tDrop, acceptedB.accepted)})`,
      `     risk states: ${probe.riskStates.map((r) => `${r.code}@${s(r.t - tSilent)}`).join(', ')}; connections: ${probe.connections.map((c) => `${c.stream} ${c.state}@${s(c.t - tSilent)}`).join(', ')}`,
    ]
    process.stderr.write(`${lines.join('\n')}\n`)
    return [
      row(`oanda order RT p50: rick intent→FILL vs bare SDK (goal 1.3x + 1 append ${ms(appendP50)})`, rtP50, 'bare SDK order p50', bareP50, Number(allowance.toFixed(2))),
      row('oanda bare SDK orders back to back vs one per period (info)', hotP50, 'bare SDK order p50', bareP50, undefined),
      row('oanda order RT p99: rick vs bare SDK (info)', percentile(rt, 99), 'bare SDK order p99', percentile(bare, 99)),
      row('oanda tick → order on the wire p50 (goal 2 ms)', median(t2o), 'goal ms', 2, 1),
      row('oanda tick → order on the wire p99 (goal 10 ms)', percentile(t2o, 99), 'goal ms', 10, 1),
      row(`oanda silent stream → DATA_STALE, local ms (${s(noticedLocal * SPEED)} venue at ${SPEED}x)`, noticedLocal, '2 heartbeats ms', 2 * HEARTBEAT_MS, 1),
      row('oanda venue back → order accepted ms (goal 3 s)', acceptedA.accepted - tBack, 'goal ms', 3000, 1),
      row('oanda streams cut → order accepted ms (goal 3 s)', acceptedB.accepted - tDrop, 'goal ms', 3000, 1),
    ]
  } finally {
    if (rick !== undefined) {
      rick.stop()
      await Promise.race([rick.done.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())])
    }
    probe.close()
    await sim.close()
    project.cleanup()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await oandaLive())
