// Risk gate throughput: check() of the BUILT gate (dist/foundation/risk) on realistic accept-path
// inputs — three instruments (crypto, FX, a future with multiplier 5), flat/long/short positions,
// opening, adding and reducing orders, market and limit, a few recent orders in the rate window,
// Balanced limits with the no-leverage sum over every held position, a minimum notional. Every
// order is accepted (asserted), so this measures the path a running engine takes. 1,000,000
// checks per round, 7 timed rounds after 2 warm-up rounds, the median reported.
//
// Three rows, measured interleaved in the same run:
// - the engine-like mix (about a fifth exits) in ms per 1,000,000 checks against a 1,000 ms
//   budget: ratio ≤ 1x is the goal of ≥ 1,000,000 checks/s;
// - the same for orders that only add risk (every rule runs: the slowest accept path);
// - the mix against a loop calling an empty check() over the same inputs: no goal, shows what the
//   rules cost above a bare call.
import {existsSync} from 'node:fs'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {median, printTable, row} from './lib.mjs'

const riskModule = fileURLToPath(new URL('../dist/foundation/risk/index.js', import.meta.url))

const CHECKS = 1_000_000
const ROUNDS = 7
const WARMUP = 2

const M = 1_000_000
const LIMITS = {
  maxOrderNotional: 2_000 * M,
  maxPositionNotional: 5_000 * M,
  maxOpenOrders: 4,
  dailyLossCap: 200 * M,
  maxDrawdownPct: 10,
  consecutiveLossHalt: 5,
  maxTradesPerDay: 30,
  maxOrdersPerMinute: 12,
  allowLeverage: false,
}

/** A small deterministic generator (the mix must be the same every run). */
function lcg(seed) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0
    return s / 4_294_967_296
  }
}

const INSTRUMENTS = [
  {id: 'BTC-USD', price: 50_000, mult: 1, lot: 0.0001, maxQty: 0.03},
  {id: 'EUR_USD', price: 1.1, mult: 1, lot: 1, maxQty: 1500},
  {id: 'MES', price: 300, mult: 5, lot: 1, maxQty: 1},
]

/** 256 snapshots × 16 orders, every pair accepted by the gate. */
function buildMix(check, {reduceShare, reducingState}) {
  const rand = lcg(42)
  const now0 = Date.UTC(2025, 2, 3, 15, 0)
  const snapshots = []
  const orders = []
  const multipliers = new Map(INSTRUMENTS.map((i) => [i.id, i.mult]))
  const minNotionals = new Map([['BTC-USD', 10 * M]])
  let id = 0
  while (snapshots.length < 256) {
    const now = now0 + snapshots.length * 60_000
    const positions = new Map()
    const prices = new Map()
    for (const inst of INSTRUMENTS) {
      prices.set(inst.id, inst.price * (0.98 + rand() * 0.04))
      const r = rand()
      positions.set(inst.id, r < 0.4 ? 0 : r < 0.7 ? inst.maxQty * 1.5 : -inst.maxQty * 1.5)
    }
    const snapshot = {
      state: rand() < reducingState ? 'REDUCING' : 'ACTIVE',
      now,
      positions,
      prices,
      multipliers,
      openOrders: Math.floor(rand() * 3),
      dailyPnl: Math.round((rand() - 0.6) * 150 * M),
      equity: 20_000 * M,
      dayPeakEquity: 20_400 * M,
      cash: 15_000 * M,
      consecutiveLosses: Math.floor(rand() * 3),
      tradesToday: Math.floor(rand() * 20),
      recentOrderTimes: Array.from({length: Math.floor(rand() * 5)}, (_, k) => now - k * 7_000),
      inSession: true,
      pastFlatten: false,
      minNotionals,
    }
    const mine = []
    let attempts = 0
    while (mine.length < 16 && attempts++ < 500) {
      const inst = INSTRUMENTS[Math.floor(rand() * INSTRUMENTS.length)]
      const pos = positions.get(inst.id)
      const reduce = pos !== 0 && rand() < reduceShare
      const toward = pos > 0 ? 'sell' : 'buy'
      const away = pos > 0 ? 'buy' : pos < 0 ? 'sell' : rand() < 0.5 ? 'buy' : 'sell'
      const side = reduce ? toward : away
      const qty = Math.max(inst.lot, Math.round((rand() * (reduce ? Math.abs(pos) : inst.maxQty)) / inst.lot) * inst.lot)
      const limit = rand() < 0.3
      const order = {
        clientOrderId: `b${id++}`,
        instrument: inst.id,
        side,
        type: limit ? 'limit' : 'market',
        qty,
        tif: 'gtc',
        ...(limit ? {limitPrice: prices.get(inst.id) * (side === 'buy' ? 0.999 : 1.001)} : {}),
        ...(reduce && rand() < 0.5 ? {reduceOnly: true} : {}),
      }
      if (check(order, snapshot).ok) mine.push(order)
    }
    if (mine.length < 16) continue
    snapshots.push(snapshot)
    orders.push(mine)
  }
  return {snapshots, orders}
}

function timeLoop(gate, snapshots, orders) {
  const nSnap = snapshots.length
  let accepted = 0
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < CHECKS; i++) {
    const s = i & (nSnap - 1)
    if (gate.check(orders[s][(i >>> 8) & 15], snapshots[s]).ok) accepted++
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  return {ms, accepted}
}

export default async function riskGate() {
  if (!existsSync(riskModule)) throw new Error(`${riskModule} is missing: run npm run build first`)
  const {createRiskGate, isReducing} = await import(pathToFileURL(riskModule).href)
  const gate = createRiskGate(LIMITS)
  // Same inputs, same call shape, no rules: the floor of calling anything per order.
  const ACCEPT = Object.freeze({ok: true})
  const empty = {check: (o, s) => (o.qty > 0 && s.now > 0 ? ACCEPT : ACCEPT)}
  const check = (o, s) => gate.check(o, s)
  // The mix an engine sends (about a quarter exits), and the slowest accept path alone: orders
  // that add risk, which run every rule including the exposure sum over all held positions.
  const mixes = {
    mixed: buildMix(check, {reduceShare: 0.3, reducingState: 0.05}),
    adding: buildMix(check, {reduceShare: 0, reducingState: 0}),
  }
  for (const [name, {snapshots, orders}] of Object.entries(mixes)) {
    const all = orders.flatMap((list, i) => list.map((o) => ({o, s: snapshots[i]})))
    const reducing = all.filter(({o, s}) => isReducing(s.positions.get(o.instrument), o)).length
    const limits = all.filter(({o}) => o.type === 'limit').length
    process.stderr.write(`risk gate ${name} mix: ${all.length} orders, ${Math.round((100 * reducing) / all.length)}% reducing, ${Math.round((100 * limits) / all.length)}% limit\n`)
  }

  const ms = {mixed: [], adding: [], empty: []}
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const m = timeLoop(gate, mixes.mixed.snapshots, mixes.mixed.orders)
    const a = timeLoop(gate, mixes.adding.snapshots, mixes.adding.orders)
    const e = timeLoop(empty, mixes.mixed.snapshots, mixes.mixed.orders)
    if (m.accepted !== CHECKS || a.accepted !== CHECKS) throw new Error('the accept-path mix had denials')
    if (r >= WARMUP) {
      ms.mixed.push(m.ms)
      ms.adding.push(a.ms)
      ms.empty.push(e.ms)
    }
  }
  const perSecond = (v) => Math.round((CHECKS / v) * 1000).toLocaleString('en-US')
  const mixed = median(ms.mixed)
  const adding = median(ms.adding)
  process.stderr.write(`risk gate: ${perSecond(mixed)} checks/s mixed, ${perSecond(adding)} adding-only (goal ≥ 1,000,000)\n`)
  return [
    row(`risk gate: ms/1M checks, mix (${perSecond(mixed)}/s)`, mixed, '1M checks/s budget', 1000, 1),
    row(`risk gate: ms/1M checks, adding only (${perSecond(adding)}/s)`, adding, '1M checks/s budget', 1000, 1),
    row('risk gate: 1M checks (mix) vs empty check()', mixed, 'empty check() loop', median(ms.empty)),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await riskGate())
