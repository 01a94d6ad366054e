// rick's live order path on Interactive Brokers against rick's TWS simulator run as a process of its
// own (`rick sim ibkr --json --speed 120x`), the venue outside the process under test as TWS is.
//
// rick runs IN THIS PROCESS through the live service `rick run` uses (dist/sectors/live/
// live-service.js tradeOnVenue: the connector from the IBKR plugin's factory over the real
// @stoqey/ib, reconcile, warm-up from reqHistoricalData, bars from 5-second real-time bars, strategy
// host, risk gate, durable journal), set up as `rick run` does in a temp project, as oanda-live.mjs
// and coinbase-live.mjs do and for the same reason (the journal's times are the venue's clock): the
// timestamps come from probes around the journal and the connector (oanda-probes.mjs), the
// socket's writes and the SDK's events (ibkr-common.mjs); nothing in src/ or plugins/ is touched.
//
// The sector (ibkr-common.mjs): MES (Dec 2026) and SPY, 1-minute bars, mode practice (IBKR's paper
// account), profile Aggressive with futures caps, live.warmupBars 20; staleAfter and reconcileEvery
// at their defaults (9 s, 60 s). Its strategy sends one MES contract at the close of every bar,
// buying when flat and selling when long: one market order per period, no position grows, no loss
// rule in the way (caps raised as the end-to-end tests' charter does). MES, not SPY: the simulator's
// clock starts at this machine's now and its contracts keep their exchange hours — CME Globex trades
// MES Sunday 17:00 to Friday 16:00 Chicago time but for 16:00–17:00, SPY only 04:00–20:00 New York
// on weekdays — so MES trades at almost any hour the bench runs; a futures contract is also the
// unit a futures account trades (one contract, no fractional size), and the alternation keeps it
// flat. The bench says so and stops when MES is closed at the simulator's start.
//
// What "FILL durable" waits for. TWS tells a fill in two messages: execDetails (execution id,
// price, shares) and commissionReport (its fee). rick's connector joins them (connector-fills.ts)
// and emits one fill with its fee; its round trip is ORDER_INTENT durable → that FILL durable. The
// bare arm (new IBApi({host, port, clientId: 99, maxReqPerSec: 40}) on the same simulator, with the
// real-time bars and quotes of both contracts subscribed as rick has them) times placeOrder →
// execDetails and commissionReport both in hand: what a user needs to know the fill and its fee.
//
// Goals (figures go to stderr too), from issue 10 §6:
//  1. rick p50 ≤ 1.3 × bare p50 + one durable journal append p50 (timed after each bare answer),
//     both paced one order per bar period (500 ms at 120x), sent when a real-time bar closes it.
//  2. Tick to order: the 5-second bar that closes a period handed to the market-data side (its
//     ticks, then the bar's end as the prices heartbeat: the period's close) → the placeOrder frame
//     written to the socket. Goal p50 ≤ 2 ms, p99 ≤ 10 ms.
//  3. Dead connection. TWS has no heartbeat: the connector's watchdog (connector-session.ts,
//     DEFAULT_HEARTBEAT: reqCurrentTime every 2 s, the connection given up 3 s after an unanswered
//     one) notices a silent socket within everyMs + timeoutMs = 5 s of it going silent; it then
//     reports `disconnected` and reconnects after DEFAULT_BACKOFF (500 ms × [½, 1] first).
//     - 1100 (TWS lost IB; simulator action connectivityLost): the connector says `disconnected` at
//       once; the run loop journals DATA_STALE at its next turn (it sleeps at most 250 ms): goal
//       ≤ 250 ms. Then 1102 (connectivityRestored, data maintained) → DATA_RESUMED and the next
//       order accepted (ORDER_ACK or FILL journaled), goal ≤ 3 s; the same with 1101 (data lost: the
//       connector asks for market data again).
//     - A silent dead socket: the simulator's process stopped (SIGSTOP: its sockets stay open, the
//       kernel still acknowledges, nothing is answered — a frozen TWS) → DATA_STALE: goal ≤ 5 s (the
//       watchdog's bound; issue 10's "2 heartbeat intervals" would be 4 s, which the watchdog's
//       design does not promise). Then SIGCONT → DATA_RESUMED and the next order accepted, ≤ 3 s.
//     - The sockets cut (dropSockets) → the next order accepted, ≤ 3 s.
// Where the time goes is printed per kind of order (buys from flat; sells, which rick sends
// reduce-only, and which the connector checks against TWS's positions first: TWS has no reduce-only
// flag), with rick's reads of TWS while trading (reqPositions, reqExecutions: calls, ms, items) and
// the journal commits that block the event loop between an order's frame and its execution. The
// bare arm "back to back" (each order sent as the last one's commission is in) is info; how long
// its placeOrder waited in @stoqey/ib's own limiter (maxReqPerSec 40: four messages per 100 ms,
// function-rate-limit) before its frame was written is printed with it.
// Knobs: RICK_BENCH_LIVE_SPEED (120), RICK_BENCH_LIVE_ORDERS (100 timed orders, after 5 untimed).
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {bareIbkr, IbkrLivePathProbe, ibkrProject, MES_ID, SECTOR} from './ibkr-common.mjs'
import {median, printTable, row} from './lib.mjs'
import {outage, percentile, root, startLiveService, startSimProcess, until} from './oanda-common.mjs'

const dist = (p) => pathToFileURL(join(root, 'dist', p)).href
// 120x as coinbase-live.mjs: a period is 500 ms of wall; at 600x each 100-ms pulse of the
// simulator works a venue minute at once and the orders that come with a bar's close wait for it.
const SPEED = Number(process.env.RICK_BENCH_LIVE_SPEED ?? 120)
const ORDERS = Number(process.env.RICK_BENCH_LIVE_ORDERS ?? 100)
const WARM = 5
const PERIOD_MS = 60_000
const STALE_AT_ONCE_MS = 250
const BARE_CLIENT_ID = 99

/**
 * Market orders of one MES contract, buy and sell in turn, through the bare client; `paced`: each
 * sent when a real-time bar closes a bar period, as rick's are. Per order: ms from placeOrder to
 * execDetails + commissionReport in hand; the bar's close → its frame written; a durable append
 * after each (`journal`).
 */
async function bareOrders(sim, probe, count, from, {paced = false, journal} = {}) {
  const bare = await bareIbkr(sim, {clientId: BARE_CLIENT_ID, periodMs: PERIOD_MS, exclude: (api, socket) => (probe.sdk.skip(api), probe.bareSockets.add(socket))})
  const out = {ms: [], execs: [], answers: [], appends: [], closeToWire: [], toWire: []}
  try {
    for (let i = from; i < from + count; i++) {
      const closed = paced ? await bare.periodClosed() : undefined
      const r = await bare.order(i)
      out.ms.push(r.ms)
      out.execs.push(r.exec)
      out.answers.push(r.answer)
      const wire = probe.writes.all.findLast((w) => w.socket === bare.socket)
      if (closed !== undefined && wire !== undefined) out.closeToWire.push(wire.t - closed)
      if (wire !== undefined) out.toWire.push(wire.t - r.t0)
      if (journal) out.appends.push(timedAppend(journal, i))
    }
  } finally {
    bare.close()
  }
  return {...out, bars: bare.bars()}
}

/** One durable Journal.append of a FILL shaped like the run's; ms. */
function timedAppend(journal, i) {
  const id = `${SECTOR}-bench-${i}`
  const ts = Date.UTC(2026, 0, 5, 12) + i * 60_000
  const e = {ts, runId: 'bench', sector: SECTOR, type: 'FILL', payload: {fill: {clientOrderId: id, fillId: `0000e0b1.6781${String(i).padStart(4, '0')}.01.01`, venueOrderId: String(100 + i), instrument: MES_ID, side: i % 2 === 0 ? 'buy' : 'sell', qty: 1, price: 5012.25, fee: 0.62, liquidity: 'taker', ts}}}
  const t0 = performance.now()
  journal.append(e)
  return performance.now() - t0
}

/** Tick to order of the timed orders `which` picks: the bar's close → the placeOrder frame written. */
function ticksToOrder(probe, which) {
  const out = []
  for (const o of probe.orders.values()) {
    const closed = probe.closedAt.get(o.ts)
    if (o.phase === 'trade' && which(o) && o.wire !== undefined && closed !== undefined && closed.t <= o.wire) out.push(o.wire - closed.t)
  }
  return out
}

/** What rick's connector read from TWS between two moments: count, median ms and items per kind. */
function readsLine(probe, from, to) {
  const by = new Map()
  for (const r of probe.sdk.reads) if (r.t > from && r.t < to) by.set(r.what, [...(by.get(r.what) ?? []), r])
  return [...by].map(([what, rs]) => `${rs.length} × ${what} p50 ${median(rs.map((r) => r.ms)).toFixed(2)} ms (${median(rs.map((r) => r.items))} items p50, ${Math.max(...rs.map((r) => r.items))} at most)`).join('; ') || 'none'
}

/** Whether CME Globex trades MES at `ts` (Sun 17:00 – Fri 16:00 Chicago, a break 16:00–17:00). */
function mesTrades(ts) {
  const f = new Intl.DateTimeFormat('en-US', {timeZone: 'America/Chicago', weekday: 'short', hour: 'numeric', hourCycle: 'h23'})
  const p = Object.fromEntries(f.formatToParts(ts).map((x) => [x.type, x.value]))
  const h = Number(p.hour)
  if (p.weekday === 'Sat') return false
  if (p.weekday === 'Sun') return h >= 17
  if (p.weekday === 'Fri') return h < 16
  return h !== 16
}

export default async function ibkrLive() {
  // The run lasts a few wall minutes: at 120x that is a few venue hours from now.
  const horizon = Date.now() + 3 * 60_000 * SPEED
  for (let t = Date.now(); t <= horizon; t += 15 * 60_000) {
    if (!mesTrades(t)) throw new Error(`ibkr-live: CME closes MES within the venue hours this run spans (from ${new Date().toISOString()}, ${SPEED}x): the simulator starts at this machine's time; run it when Globex is open, or at a lower RICK_BENCH_LIVE_SPEED`)
  }
  const sim = await startSimProcess({venue: 'ibkr', speed: SPEED})
  const project = ibkrProject({port: sim.port})
  const probe = new IbkrLivePathProbe(PERIOD_MS)
  let rick
  let frozen = false
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
      bareA = await bareOrders(sim, probe, pairs, 0, {paced: true, journal: appendJournal})
    } finally {
      appendJournal.close()
    }
    const hot = await bareOrders(sim, probe, pairs, 20_000)

    rick = await startLiveService({project, sector: SECTOR, venue: 'ibkr', requestedMode: 'practice', probe, secrets: {}, periodMs: PERIOD_MS, simulator: {rest: `tcp://${sim.host}:${sim.port}`}})
    await until('the first orders', () => fail() || probe.orders.size >= WARM, 90_000)
    probe.phase = 'trade'
    const tradeFrom = performance.now()
    await until(`${ORDERS} timed orders`, () => fail() || probe.roundTrips.length >= ORDERS, 30_000 + (ORDERS * PERIOD_MS * 3) / SPEED)
    probe.phase = 'faults'
    const tradeTo = performance.now()

    const more = async (after) => until('a few more orders', () => fail() || probe.acceptedAfter(after.accepted.accepted + 1) !== undefined, 30_000)
    // 3a. TWS loses IB (1100), then has it back with data maintained (1102).
    const lost = await outage(probe, fail, {down: () => sim.act('connectivityLost'), up: () => sim.act('connectivityRestored', {dataLost: false})})
    await more(lost)
    // 3b. The same, the data lost (1101: market data asked again).
    const lostData = await outage(probe, fail, {down: () => sim.act('connectivityLost'), up: () => sim.act('connectivityRestored', {dataLost: true})})
    await more(lostData)
    // 3c. The sockets cut (a reset connection).
    const cut = await outage(probe, fail, {down: () => sim.act('dropSockets')})
    await more(cut)
    // 3d. TWS frozen: the simulator's process stopped, its sockets open and silent.
    const freeze = await outage(probe, fail, {
      down: () => {
        frozen = sim.signal('SIGSTOP')
      },
      up: () => {
        sim.signal('SIGCONT')
        frozen = false
      },
    })

    rick.stop()
    const result = await rick.done
    rick = undefined
    const bareB = await bareOrders(sim, probe, 2 * Math.ceil(ORDERS / 4), 10_000, {paced: true})

    const bare = [...bareA.ms.slice(WARM), ...bareB.ms]
    const bareExec = [...bareA.execs.slice(WARM), ...bareB.execs]
    const bareAnswer = [...bareA.answers.slice(WARM), ...bareB.answers]
    const bareCloseToWire = [...bareA.closeToWire.slice(WARM), ...bareB.closeToWire]
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
    const stale = (o) => o.stale.t - o.tDown
    const back = (o) => o.accepted.accepted - o.tUp
    const since = (from) => `risk states ${probe.riskStates.filter((r) => r.t > from).map((r) => `${r.code}@${s(r.t - from)}`).join(', ')}; connections ${probe.connections.filter((c) => c.t > from).map((c) => `${c.stream} ${c.state}@${s(c.t - from)}`).join(', ')}`
    const outageLine = (label, o) => `     ${label}: → DATA_STALE ${ms(stale(o))} (from the last delivery ${ms(o.stale.t - o.stale.lastDelivery)}); back → DATA_RESUMED ${s(o.resumed.t - o.tUp)}, → next order accepted ${s(back(o))} (its intent ${s(o.accepted.t - o.tUp)} after)`
    const lines = [
      `ibkr-live: simulator at ${SPEED}x (venue clock seen at ${rate.toFixed(0)}x); run ${result.runId}: ${result.summary.orders} orders, ${result.summary.fills} fills, ${result.summary.denials} denied, ${probe.bars} bars journaled; stop ${result.stopReason}`,
      `  1. order round trip (MES, 1 contract, buy/sell in turn), ${rt.length} orders: rick ORDER_INTENT durable → FILL durable p50 ${ms(rtP50)}, p99 ${ms(percentile(rt, 99))}`,
      `     bare @stoqey/ib, ${bare.length} orders one per bar period (${bareA.bars + bareB.bars} real-time bars read meanwhile): placeOrder → first openOrder/orderStatus p50 ${ms(median(bareAnswer))}, → execDetails p50 ${ms(median(bareExec))}; → execDetails + commissionReport p50 ${ms(bareP50)}, p99 ${ms(percentile(bare, 99))}; back to back p50 ${ms(hotP50)} (placeOrder → frame written p50 ${ms(median(hot.toWire.slice(WARM)))}, paced ${ms(median(bareA.toWire.slice(WARM)))}); durable journal append p50 ${ms(appendP50)}, p99 ${ms(percentile(appends, 99))}`,
      ...[['all', () => true], ['buys from flat', (o) => !o.reduceOnly], ['reduce-only sells', (o) => o.reduceOnly]].map(([label, which]) => {
        const p = probe.parts(median, which)
        return `     rick, ${label} (${p.n}): round trip p50 ${ms(p.roundTrip)}: intent durable → submit() ${ms(p.toSubmit)} → placeOrder called ${ms(p.toPlace)} → frame written ${ms(p.toWire)} → execDetails + commission decoded ${ms(p.venue)} (first chunk read ${ms(p.toChunk)}, first openOrder/orderStatus ${ms(p.toAnswer)}, then ${ms(p.answerToHeard)}; ${p.chunksToHeard} chunks, the last ${ms(p.lastChunkToHeard)} before; journal commits meanwhile ${ms(p.commitsBefore)}: ${p.commitTypes.join(', ') || 'none'}) → FILL commit begins ${ms(p.toCommit)} (the connector hands the fill over ${ms(p.toFillEvent)}, the engine's handler ${ms(p.fillHandler)}, then ${ms(p.handledToCommit)}) → FILL durable ${ms(p.commit)} (commits: ${p.batches.join(', ')})`
      }),
      `     rick's reads of TWS while trading (reqPositions → positionEnd, reqExecutions → execDetailsEnd): ${readsLine(probe, tradeFrom, tradeTo)}`,
      `  2. tick to order, ${t2o.length} periods: p50 ${ms(median(t2o))}, p99 ${ms(percentile(t2o, 99))} (bar closed → intent durable p50 ${ms(median(probe.closeToIntent))}, intent → frame written p50 ${ms(median(probe.intentToWire))}; periods closed by the timer: ${probe.closedByTimer}); buys from flat p50 ${ms(median(ticksToOrder(probe, (o) => !o.reduceOnly)))}, p99 ${ms(percentile(ticksToOrder(probe, (o) => !o.reduceOnly), 99))}; reduce-only sells p50 ${ms(median(ticksToOrder(probe, (o) => o.reduceOnly)))}; bare: bar closed → frame written p50 ${ms(median(bareCloseToWire))}`,
      '  3. dead connection (goals: 1100 → DATA_STALE ≤ 250 ms; frozen socket → DATA_STALE ≤ 5 s; back → order accepted ≤ 3 s)',
      outageLine('1100 then 1102', lost),
      outageLine('1100 then 1101', lostData),
      outageLine('sockets cut', cut),
      outageLine('SIGSTOP then SIGCONT', freeze),
      `     after the freeze: ${since(freeze.tDown)}`,
    ]
    process.stderr.write(`${lines.join('\n')}\n`)
    return [
      row(`ibkr order RT p50: rick intent→FILL vs bare @stoqey/ib exec+commission (goal 1.3x + 1 append ${ms(appendP50)})`, rtP50, 'bare p50', bareP50, Number(allowance.toFixed(2))),
      row('ibkr bare @stoqey/ib back to back vs one per period (info)', hotP50, 'bare p50', bareP50),
      row('ibkr order RT p99: rick vs bare @stoqey/ib (info)', percentile(rt, 99), 'bare p99', percentile(bare, 99)),
      row('ibkr tick → placeOrder written p50: rick vs bare @stoqey/ib (info)', median(t2o), 'bare p50', median(bareCloseToWire)),
      row('ibkr tick → placeOrder written p50 (goal 2 ms)', median(t2o), 'goal ms', 2, 1),
      row('ibkr tick → placeOrder written p99 (goal 10 ms)', percentile(t2o, 99), 'goal ms', 10, 1),
      row('ibkr 1100 → DATA_STALE ms (goal 250 ms: at once, the run loop\'s longest sleep)', stale(lost), 'goal ms', STALE_AT_ONCE_MS, 1),
      row('ibkr 1102 → order accepted ms (goal 3 s)', back(lost), 'goal ms', 3000, 1),
      row('ibkr 1101 → order accepted ms (goal 3 s)', back(lostData), 'goal ms', 3000, 1),
      row('ibkr sockets cut → order accepted ms (goal 3 s)', cut.accepted.accepted - cut.tDown, 'goal ms', 3000, 1),
      row('ibkr frozen TWS → DATA_STALE ms (goal 5 s: watchdog 2 s + 3 s)', stale(freeze), 'goal ms', 5000, 1),
      row('ibkr TWS unfrozen → order accepted ms (goal 3 s)', back(freeze), 'goal ms', 3000, 1),
    ]
  } finally {
    if (frozen) sim.signal('SIGCONT')
    if (rick !== undefined) {
      rick.stop()
      await Promise.race([rick.done.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())])
    }
    probe.close()
    await sim.close()
    project.cleanup()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await ibkrLive())
