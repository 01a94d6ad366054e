// rick's live order path on Coinbase against rick's Coinbase simulator run as a process of its own
// (`rick sim coinbase --json --speed 120x`), the venue outside the process under test as an exchange is.
//
// rick runs IN THIS PROCESS through the live service `rick run` uses (dist/sectors/live/
// live-service.js tradeOnVenue: the connector from the Coinbase plugin's factory over the real ccxt
// (its coinbase class imported alone) and the `ws` package, reconcile, warm-up, bars from the ticker
// channel, strategy host, risk gate, durable journal), set up as `rick run` does (oclif's plugin
// registry, loadSectorSetup, the charter's authorizeEngineStart) in a temp project, as
// oanda-live.mjs does and for the same reason (the journal's times are the venue's clock): the
// timestamps come from probes around the journal and the connector (oanda-probes.mjs) and around
// undici, which ccxt sends its requests through (coinbase-common.mjs); nothing in src/ or plugins/
// is touched. The sector asks for `live` and runs as `--sim` makes it (charter judges paper).
//
// The sector: BTC-USD and ETH-USD, 1-minute bars, profile Aggressive with maxTradesPerDay 200 (the
// charter's cap), live.warmupBars 20; staleAfter and reconcileEvery left at their defaults (9 s,
// 60 s). Its strategy buys 0.0001 BTC at the close of every bar whose close moved: one market
// order per period, no closing trade, so no loss rule ever blocks the samples.
//
// What "FILL durable" waits for. At Coinbase a market order's create answer says only success and
// the order id; the fill is told on the user channel (the order's update with status FILLED,
// cumulative quantity, average price, total fees) and listed by the fills endpoint (fill ids,
// price, size, commission each). rick's connector (connector-orders.ts) acks on the answer, and on
// the FILLED update reads the order's fills (GET …/orders/historical/fills?order_ids=…) and emits a
// FILL per fill: its round trip is ORDER_INTENT durable → the first FILL durable, i.e. POST answered
// + FILLED update heard + fills read + journal commits. The bare arm sends the same body
// (market_market_ioc base_size, client_order_id rick-style) with ccxt's implicit API method
// `v3PrivatePostBrokerageOrders` — the call ccxt's own createOrder ends in, and the one rick's
// request('brokerage/orders', ['v3','private'], 'POST') is — with both websockets open and read as
// rick has them (coinbase-common.mjs openCoinbaseStreams), and times:
//   - "bare": call → both the answer and the user channel's FILLED update in hand (what a ccxt user
//     needs to know the order filled, its average price and fees): the goal's baseline;
//   - "bare + fills read": then GET …/orders/historical/fills?order_ids=… (ccxt's implicit
//     v3PrivateGetBrokerageOrdersHistoricalFills), the same facts rick journals (fill ids): info.
// createOrder() itself is not used: for a market buy it sends quote_size (cost), not rick's
// base_size, and it needs loadMarkets().
//
// Goals (figures go to stderr too), as oanda-live.mjs:
//  1. rick p50 ≤ 1.3 × bare p50 + one durable journal append p50 (timed after each bare answer).
//     Paced one order per bar period (500 ms at 120x), sent when a ticker message closes it, as rick's.
//  2. Tick to order: the ticker message or prices heartbeat that closes a period handed to the
//     market-data side → the order's POST written to its socket (undici:request:bodySent). Goal
//     p50 ≤ 2 ms, p99 ≤ 10 ms.
//  3. Dead stream: wsQuiet (sockets open, nothing sent, heartbeats included) → DATA_STALE, from the
//     last message the market-data side got. The connector's watchdog (ws-stream.ts,
//     DEFAULT_HEARTBEAT_TIMEOUT_MS) drops a connection after 5 s without a message (five missed
//     1-s heartbeats) and reports `disconnected`, which the market-data side turns into DATA_STALE at
//     once: goal ≤ 5 s + 2 heartbeat intervals (2 × 1 s) = 7 s. Then wsQuiet off → DATA_RESUMED and
//     the next order the venue accepted (ORDER_ACK or FILL journaled), goal ≤ 3 s. The same for a
//     cut alone (dropStreams).
// As shipped (ccxt's limiter on) every REST request waits ~35 ms in ccxt's throttle before it is
// sent, in both arms: rick's round trip pays it twice (the create, then the fills read), its tick
// to order once; RICK_BENCH_CCXT_LIMITER=off shows the path without it.
// Knobs: RICK_BENCH_LIVE_SPEED (120), RICK_BENCH_LIVE_ORDERS (100 timed orders, after 5 untimed),
// RICK_BENCH_CCXT_LIMITER (`on` as shipped; `off`: ccxt's request spacing off in both arms, see
// coinbase-common.mjs: with it on every request waits ~35 ms, which the figures show).
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {bareCcxt, CCXT_LIMITER, CoinbaseLivePathProbe, openCoinbaseStreams, UndiciOrderTimes} from './coinbase-common.mjs'
import {median, printTable, row} from './lib.mjs'
import {everyMoveStrategy, outage, percentile, root, startLiveService, startSimProcess, tempProject, until} from './oanda-common.mjs'

const dist = (p) => pathToFileURL(join(root, 'dist', p)).href
// 120x, not oanda-live's 600x: at 600x the simulator's pulse (every 100 wall ms) sends a venue minute
// of ticks per product, and an order that arrives with a bar's close (rick's and the baseline's
// both) waits for that work: the bare answer took ~12 ms instead of ~2.5 ms back to back, which
// would have made the baseline, not the subject, the slow side. At 120x it is 12 venue seconds.
const SPEED = Number(process.env.RICK_BENCH_LIVE_SPEED ?? 120)
const ORDERS = Number(process.env.RICK_BENCH_LIVE_ORDERS ?? 100)
const WARM = 5
const PERIOD_MS = 60_000
const HEARTBEAT_MS = 1_000
const WATCHDOG_MS = 5_000
const STALE_GOAL_MS = WATCHDOG_MS + 2 * HEARTBEAT_MS
const SECTOR = 'crypto'
const KEY_ENV = 'COINBASE_SIM_API_KEY'
const SECRET_ENV = 'COINBASE_SIM_API_SECRET'
const PRODUCTS = ['BTC-USD', 'ETH-USD']
const SIZE = '0.0001'

const STRATEGY = everyMoveStrategy({size: SIZE, unit: 'Base units'})

function sectorConfig(sim) {
  return `version: 1
sectors:
  ${SECTOR}:
    venue: coinbase
    mode: live
    profile: Aggressive
    risk: {maxTradesPerDay: 200}
    instruments: [${PRODUCTS.join(', ')}]
    strategy: {name: bench-every-move, params: {instrument: BTC-USD, size: ${SIZE}}}
    live: {warmupBars: 20}
    connection: {apiKeyEnv: ${KEY_ENV}, apiSecretEnv: ${SECRET_ENV}, restUrl: "${sim.rest}", wsUrl: "${sim.ws}", timeoutMs: 5000}
`
}

/**
 * Market orders of SIZE BTC, buy and sell in turn (flat after an even count), through the bare ccxt
 * client, with the two websockets open and read; `paced`: each sent when a ticker message closes a
 * bar period, as rick's are (one per period; a fixed timer would beat with the simulator's 100-ms
 * pulse and land its orders at a phase of its own). Per order: ms from the call to its answer, to
 * answer + FILLED update (`ms`), to the fills read after that (`withFills`, when asked); the
 * venue's share (request on the wire → answer's headers); a durable append after each (`journal`).
 */
async function bareOrders(sim, count, from, {paced = false, journal, readFills = false} = {}) {
  const {ex} = await bareCcxt(sim)
  const streams = await openCoinbaseStreams(sim, ex, PRODUCTS, {periodMs: PERIOD_MS})
  const http = new UndiciOrderTimes()
  const out = {ms: [], answers: [], withFills: [], appends: [], closeToWire: [], orderIds: []}
  try {
    for (let i = from; i < from + count; i++) {
      const closed = paced ? await streams.periodClosed() : undefined
      const id = `bare-${i}`
      const filled = streams.filled(id)
      const t0 = performance.now()
      const answer = await ex.v3PrivatePostBrokerageOrders({client_order_id: id, product_id: 'BTC-USD', side: i % 2 === 0 ? 'BUY' : 'SELL', order_configuration: {market_market_ioc: {base_size: SIZE}}})
      const answered = performance.now()
      if (answer.success !== true) throw new Error(`bare ccxt order ${i}: ${JSON.stringify(answer).slice(0, 300)}`)
      const heard = await Promise.race([filled, new Promise((_, reject) => setTimeout(() => reject(new Error(`bare order ${i}: no FILLED update on the user channel in 5 s`)), 5000).unref())])
      const done = Math.max(answered, heard)
      out.answers.push(answered - t0)
      out.orderIds.push(answer.success_response.order_id)
      if (closed !== undefined) out.closeToWire.push(http.all.at(-1).wire - closed)
      out.ms.push(done - t0)
      if (readFills) {
        const fills = await ex.v3PrivateGetBrokerageOrdersHistoricalFills({order_ids: [answer.success_response.order_id], limit: 250})
        if (!Array.isArray(fills.fills) || fills.fills.length === 0) throw new Error(`bare order ${i}: no fills listed`)
        out.withFills.push(performance.now() - t0)
      }
      if (journal) out.appends.push(timedAppend(journal, i))
    }
  } finally {
    http.close()
    streams.close()
    await ex.fetchDispatcher?.destroy()
  }
  return {...out, venue: http.all.map((e) => e.answered - e.wire), streamMessages: streams.messages()}
}

/** One durable Journal.append of a FILL shaped like the run's; ms. */
function timedAppend(journal, i) {
  const id = `${SECTOR}-bench-${i}`
  const ts = Date.UTC(2026, 0, 5, 12) + i * 60_000
  const e = {ts, runId: 'bench', sector: SECTOR, type: 'FILL', payload: {fill: {clientOrderId: id, fillId: `0b6c3f1e-${String(i).padStart(4, '0')}-4c1a-9f3e-5d2a7c8b9e01`, venueOrderId: `5f2d8a7e-${String(i).padStart(4, '0')}-4b3c-8d9e-1a2b3c4d5e6f`, instrument: 'BTC-USD', side: 'buy', qty: 0.0001, price: 60012.34, fee: 0.054, liquidity: 'taker', ts}}}
  const t0 = performance.now()
  journal.append(e)
  return performance.now() - t0
}

/** The first CONNECTION journaled for `stream` in `state` after local time `after`. */
function connectionAfter(probe, stream, state, after) {
  return probe.connections.find((c) => c.stream === stream && c.state === state && c.t > after)
}

export default async function coinbaseLive() {
  const sim = await startSimProcess({venue: 'coinbase', speed: SPEED})
  const project = tempProject(sectorConfig(sim), {'bench-every-move.mjs': STRATEGY})
  const probe = new CoinbaseLivePathProbe(PERIOD_MS)
  let rick
  const fail = () => {
    if (rick?.failed()) throw rick.failed()
    return false
  }
  try {
    // The baselines first (the engine not running), paced as rick's orders, one durable append after each.
    const {openJournal} = await import(dist('foundation/journal/index.js'))
    const appendJournal = openJournal({path: join(project.dir, 'append-bench.db')})
    const pairs = 2 * Math.ceil((ORDERS / 2 + WARM) / 2)
    let bareA
    try {
      bareA = await bareOrders(sim, pairs, 0, {paced: true, journal: appendJournal, readFills: true})
    } finally {
      appendJournal.close()
    }
    const hot = await bareOrders(sim, pairs, 20_000)

    // With the limiter off, the connector comes from the plugin's factory with its ccxtRateLimit tuning.
    const {createConnector} = await import(pathToFileURL(join(root, 'plugins', 'coinbase', 'dist', 'factory.js')).href)
    rick = await startLiveService({
      project,
      sector: SECTOR,
      venue: 'coinbase',
      requestedMode: 'live',
      probe,
      secrets: {[KEY_ENV]: sim.apiKey, [SECRET_ENV]: sim.apiSecret},
      periodMs: PERIOD_MS,
      simulator: {rest: sim.rest},
      ...(CCXT_LIMITER === 'on' ? {} : {connector: (o) => createConnector(o, {ccxtRateLimit: false})}),
    })
    await until('the first orders', () => fail() || probe.orders.size >= WARM, 60_000)
    probe.phase = 'trade'
    await until(`${ORDERS} timed orders`, () => fail() || probe.roundTrips.length >= ORDERS, 120_000)
    probe.phase = 'faults'

    // 3a. A websocket that goes quiet without closing, then the venue back.
    const quiet = await outage(probe, fail, {down: () => sim.faults({wsQuiet: true}), up: () => sim.faults({wsQuiet: false})})
    const quietFrom = quiet.stale.lastDelivery
    const downA = connectionAfter(probe, 'prices', 'disconnected', quiet.tDown)
    // 3b. The sockets cut alone (a reset connection), after a few more orders.
    await until('a few more orders', () => fail() || probe.acceptedAfter(quiet.accepted.accepted + 1) !== undefined, 30_000)
    const cut = await outage(probe, fail, {down: () => sim.act('dropStreams')})

    rick.stop()
    const result = await rick.done
    rick = undefined
    const bareB = await bareOrders(sim, 2 * Math.ceil(ORDERS / 4), 10_000, {paced: true, readFills: true})

    const bare = [...bareA.ms.slice(WARM), ...bareB.ms]
    const bareFills = [...bareA.withFills.slice(WARM), ...bareB.withFills]
    const bareAnswers = [...bareA.answers.slice(WARM), ...bareB.answers]
    const bareVenue = [...bareA.venue.slice(WARM), ...bareB.venue]
    const bareCloseToWire = [...bareA.closeToWire.slice(WARM), ...bareB.closeToWire]
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
    const noticedLocal = quiet.stale.t - quietFrom
    // What went to the venue between two moments, by path (an order's id as {id}; how many of those
    // were the bare arm's orders, which share the account): a reconcile's reads, polls, orders.
    const bareIds = new Set([...bareA.orderIds, ...hot.orderIds])
    const requestsBetween = (from, to) => {
      const n = new Map()
      let bareLookups = 0
      for (const r of probe.http.requests) {
        if (r.t <= from || r.t >= to) continue
        const m = /\/orders\/historical\/([0-9a-f-]{36})$/.exec(r.what)
        if (m && bareIds.has(m[1])) bareLookups++
        const k = r.what.replace('/api/v3/brokerage/', '').replace(/[0-9a-f-]{36}$/, '{id}')
        n.set(k, (n.get(k) ?? 0) + 1)
      }
      return `${[...n].map(([k, v]) => `${v} × ${k}`).join(', ') || 'none'}; ${bareLookups} of the {id} reads were the bare arm's orders`
    }
    const accountReads = (from, to) => probe.http.positionReads.filter((t) => t > from && t < to).map((t) => s(t - from)).join(', ') || 'none'
    const lines = [
      `coinbase-live: ccxt's rate limiter ${CCXT_LIMITER} in both arms; simulator at ${SPEED}x (venue clock seen at ${rate.toFixed(0)}x); run ${result.runId}: ${result.summary.orders} orders, ${result.summary.fills} fills, ${result.summary.denials} denied, ${probe.bars} bars journaled; stop ${result.stopReason}`,
      `  1. order round trip, ${rt.length} orders: rick ORDER_INTENT durable → first FILL durable p50 ${ms(rtP50)}, p99 ${ms(percentile(rt, 99))}`,
      `     bare ccxt v3PrivatePostBrokerageOrders, ${bare.length} orders one per bar period as rick's (its websockets read ${bareA.streamMessages + bareB.streamMessages} messages meanwhile): answer p50 ${ms(median(bareAnswers))}; answer + FILLED update p50 ${ms(bareP50)}, p99 ${ms(percentile(bare, 99))}; + fills read p50 ${ms(median(bareFills))}, p99 ${ms(percentile(bareFills, 99))}; back to back (answer + FILLED): p50 ${ms(hotP50)}; durable journal append p50 ${ms(appendP50)}, p99 ${ms(percentile(appends, 99))}`,
      `     where rick's went (medians): intent durable → on the wire ${ms(parts.toWire)}, → venue answered ${ms(parts.venue)} (bare: ${ms(median(bareVenue))}), → the FILL's commit begins ${ms(parts.toCommit)} (FILLED update, fills read, connector, engine), → durable ${ms(parts.commit)} (${parts.batches.join(', ')} in one transaction)`,
      `     goal rick ≤ 1.3 × bare + 1 append = ${ms(1.3 * bareP50 + appendP50)}: ${rtP50 <= 1.3 * bareP50 + appendP50 ? 'met' : 'MISSED'} (rick - bare = ${ms(rtP50 - bareP50)} = ${((rtP50 - bareP50) / appendP50).toFixed(1)} appends); against bare + fills read: ${ms(1.3 * median(bareFills) + appendP50)}: ${rtP50 <= 1.3 * median(bareFills) + appendP50 ? 'met' : 'missed'}`,
      `  2. tick → order on the wire, ${t2o.length} periods: p50 ${ms(median(t2o))}, p99 ${ms(percentile(t2o, 99))} (closed → intent durable p50 ${ms(median(probe.closeToIntent))}, intent durable → wire p50 ${ms(median(probe.intentToWire))}); ${probe.closedByTimer} closed by the timer, not counted; ticks and heartbeats handled between the close and the intent p50 ${median(probe.burst)}, max ${Math.max(...probe.burst)}; bare ccxt, the message that closed the period → its order on the wire p50 ${ms(median(bareCloseToWire))}`,
      `  3. quiet websocket (wsQuiet): last message → DATA_STALE ${s(noticedLocal)} (prices disconnected at ${downA ? s(downA.t - quietFrom) : 'never'}; goal ${s(STALE_GOAL_MS)} = watchdog ${s(WATCHDOG_MS)} + 2 × ${s(HEARTBEAT_MS)} heartbeats)`,
      `     venue back (wsQuiet off) → DATA_RESUMED ${s(quiet.resumed.t - quiet.tUp)}, → next order accepted ${s(quiet.accepted.accepted - quiet.tUp)} (accounts read at ${accountReads(quiet.tUp, quiet.accepted.accepted)}; requests meanwhile: ${requestsBetween(quiet.tUp, quiet.accepted.accepted)})`,
      `     sockets cut alone → DATA_STALE ${s(cut.stale.t - cut.tDown)}, → DATA_RESUMED ${s(cut.resumed.t - cut.tDown)}, → next order accepted ${s(cut.accepted.accepted - cut.tDown)} (accounts read at ${accountReads(cut.tDown, cut.accepted.accepted)}; requests meanwhile: ${requestsBetween(cut.tDown, cut.accepted.accepted)})`,
      `     risk states: ${probe.riskStates.map((r) => `${r.code}@${s(r.t - quiet.tDown)}`).join(', ')}; connections: ${probe.connections.filter((c) => c.t > quiet.tDown).map((c) => `${c.stream} ${c.state}@${s(c.t - quiet.tDown)}`).join(', ')}`,
    ]
    process.stderr.write(`${lines.join('\n')}\n`)
    return [
      row(`coinbase order RT p50: rick intent→FILL vs bare ccxt answer+FILLED (goal 1.3x + 1 append ${ms(appendP50)})`, rtP50, 'bare ccxt p50', bareP50, Number(allowance.toFixed(2))),
      row('coinbase order RT p50: rick vs bare ccxt answer+FILLED+fills read (info)', rtP50, 'bare+fills p50', median(bareFills)),
      row('coinbase bare ccxt back to back vs one per period (info)', hotP50, 'bare ccxt p50', bareP50),
      row('coinbase order RT p99: rick vs bare ccxt (info)', percentile(rt, 99), 'bare ccxt p99', percentile(bare, 99)),
      row('coinbase tick → order on the wire p50: rick vs bare ccxt (info)', median(t2o), 'bare ccxt p50', median(bareCloseToWire)),
      row('coinbase tick → order on the wire p50 (goal 2 ms)', median(t2o), 'goal ms', 2, 1),
      row('coinbase tick → order on the wire p99 (goal 10 ms)', percentile(t2o, 99), 'goal ms', 10, 1),
      row('coinbase quiet websocket → DATA_STALE ms (goal 5 s watchdog + 2 heartbeats)', noticedLocal, 'goal ms', STALE_GOAL_MS, 1),
      row('coinbase wsQuiet off → order accepted ms (goal 3 s)', quiet.accepted.accepted - quiet.tUp, 'goal ms', 3000, 1),
      row('coinbase sockets cut → order accepted ms (goal 3 s)', cut.accepted.accepted - cut.tDown, 'goal ms', 3000, 1),
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

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await coinbaseLive())
