// What the IBKR benchmarks (ibkr-live.mjs, ibkr-memory.mjs, ibkr-startup.mjs) share:
// - a project whose sector `mes` trades MES (CME micro E-mini, Dec 2026) and SPY at IBKR in mode
//   practice (IBKR's paper account is `practice` in rick), with the caps a futures account needs (one
//   MES contract is ~25,000 USD of notional: above the shipped charter's order cap);
// - probes of the TWS socket in this process: @stoqey/ib writes each message with one
//   socket.write of a V100 frame (core/io/socket.js send(): 4-byte length, then the fields, each
//   ended by NUL); placeOrder is message 3, so a frame whose payload starts "3\0" is a placeOrder on
//   its way to the kernel. And the SDK's events as they are emitted (IBApi.prototype.emit): when
//   execDetails and commissionReport of an order were decoded, for rick's connector and the bare
//   client alike (one module: the plugin imports the root's @stoqey/ib);
// - a bare @stoqey/ib client (new IBApi({host, port, clientId, maxReqPerSec})) with the market data
//   rick's connector asks (5-second real-time bars and quotes of both contracts), for the baseline.
import {EventEmitter} from 'node:events'
import {readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import net from 'node:net'
import {join} from 'node:path'

import {periodCloses, root, tempProject} from './oanda-common.mjs'
import {LivePathProbe} from './oanda-probes.mjs'

export const SECTOR = 'mes'
export const MES = {symbol: 'MES', secType: 'FUT', exchange: 'CME', currency: 'USD', lastTradeDateOrContractMonth: '202612'}
export const SPY = {symbol: 'SPY', secType: 'STK', exchange: 'SMART', currency: 'USD', primaryExchange: 'ARCA'}
export const MES_ID = 'MES-202612'
const yamlContract = (c) => `{${Object.entries(c).map(([k, v]) => `${k}: "${v}"`).join(', ')}}`

/**
 * The bench's strategy as source: at the close of every bar of `instrument`, one order of `qty`:
 * a buy when flat, a sell when long — one order per bar period, and no position grows.
 */
export const ALTERNATE_STRATEGY = `// bench: buys qty of instrument when flat, sells it when long, at every bar's close.
const NONE = []
class Alternate {
  constructor(p) { this.instrument = p.instrument; this.qty = p.qty }
  init() {}
  onBar(bar, ctx) {
    if (bar.instrument !== this.instrument) return NONE
    return [{instrument: bar.instrument, target: ctx.position(bar.instrument) === 0 ? this.qty : 0, reason: 'alternate'}]
  }
  onFill() {}
  state() { return {} }
  restore() {}
}
export default {
  name: 'bench-alternate',
  description: 'Benchmark strategy: one order a bar, buy when flat and sell when long.',
  paramsSchema: {type: 'object', additionalProperties: false, required: ['instrument'], properties: {
    instrument: {type: 'string', description: 'The instrument it trades.'},
    qty: {type: 'number', exclusiveMinimum: 0, default: 1, description: 'Contracts or shares per order.'},
  }},
  create: (p) => new Alternate(p),
}
`

/**
 * config/trading_sectors.yaml of the bench: sector `mes` on MES and SPY, mode practice, at `port`
 * of 127.0.0.1 (`rick run --sim` replaces it with its own simulator's). `strategy` as YAML.
 * `live`: the sector's live block (default warm-up of 20 bars, staleAfter and reconcileEvery left
 * at their defaults: what a user gets).
 */
export function sectorConfig({port = 7497, clientId = 7, strategy = `{name: bench-alternate, params: {instrument: ${MES_ID}, qty: 1}}`, live = '{warmupBars: 20}'} = {}) {
  return `version: 1
sectors:
  ${SECTOR}:
    venue: ibkr
    mode: practice
    profile: Aggressive
    instruments: [${yamlContract(MES)}, ${yamlContract(SPY)}]
    strategy: ${strategy}
    live: ${live}
    risk: {maxOrderNotional: 60000, maxPositionNotional: 60000, dailyLossCap: 100000, maxDrawdownPct: 50, consecutiveLossHalt: 1000, maxTradesPerDay: 1000, maxOrdersPerMinute: 1000}
    connection: {host: 127.0.0.1, port: ${port}, clientId: ${clientId}}
`
}

/** The shipped charter with caps a futures account needs (as test/integration/ibkr-run-fixture.ts). */
function futuresCharter() {
  const caps = {maxOrderNotional: 100_000, maxPositionNotional: 200_000, dailyLossCap: 100_000, maxDrawdownPct: 50, consecutiveLossHalt: 1000, maxTradesPerDay: 1000, maxOrdersPerMinute: 1000}
  let text = readFileSync(join(root, 'config', 'charter.yaml'), 'utf8')
  for (const [key, value] of Object.entries(caps)) text = text.replace(new RegExp(`^(  ${key}:) .*$`, 'm'), `$1 ${value}`)
  return text
}

/** A temp project (oanda-common.mjs tempProject) with the bench's sector, strategy and futures charter. */
export function ibkrProject(options = {}) {
  const project = tempProject(sectorConfig(options), {'bench-alternate.mjs': ALTERNATE_STRATEGY})
  writeFileSync(join(project.dir, 'config', 'charter.yaml'), futuresCharter())
  return project
}

/** @stoqey/ib as this process loads it (CommonJS; the plugin's dynamic import resolves the same file). */
export function stoqey() {
  return createRequire(join(root, 'package.json'))('@stoqey/ib')
}

/** Whether a chunk written to a socket is a V100 frame of message 3 (placeOrder). */
function isPlaceOrder(chunk) {
  return Buffer.isBuffer(chunk) && chunk.length > 6 && chunk[4] === 0x33 && chunk[5] === 0
}

/**
 * Every placeOrder written to a socket by this process: {t, socket}. The write is the SDK's last
 * step (its rate limiter may hold a message back before it): the bytes go to the kernel.
 */
export class PlaceOrderWrites {
  constructor(onWrite) {
    this.all = []
    const original = net.Socket.prototype.write
    this.original = original
    const self = this
    net.Socket.prototype.write = function write(chunk, ...rest) {
      if (isPlaceOrder(chunk)) {
        const entry = {t: performance.now(), socket: this}
        self.all.push(entry)
        onWrite?.(entry)
      }
      return original.call(this, chunk, ...rest)
    }
  }

  close() {
    net.Socket.prototype.write = this.original
  }
}

/**
 * The SDK's events of every IBApi in this process as they are emitted (after decoding, before any
 * listener runs): per order id, when IBKR's execution and its commission were in hand. `skip(api)`:
 * an IBApi whose events are not noted (the bare client's, timed by itself).
 */
export class SdkEventTimes {
  constructor() {
    const {IBApi} = stoqey()
    this.proto = IBApi.prototype
    this.originalEmit = Object.prototype.hasOwnProperty.call(this.proto, 'emit') ? this.proto.emit : undefined
    this.skipped = new WeakSet()
    /** orderId → {placed, exec, commission} (local ms) */
    this.byOrder = new Map()
    /** orderRef (rick's client order id) → orderId */
    this.idOfRef = new Map()
    this.orderOfExec = new Map()
    const base = this.originalEmit ?? EventEmitter.prototype.emit
    const superEmit = Object.getPrototypeOf(this.proto).emit ?? base
    const self = this
    this.proto.emit = function emit(name, ...args) {
      if (!self.skipped.has(this)) self.note(name, args)
      return (self.originalEmit ?? superEmit).call(this, name, ...args)
    }
    this.restore = []
    this.originalPlace = this.proto.placeOrder
    this.proto.placeOrder = function placeOrder(id, contract, order) {
      if (!self.skipped.has(this)) {
        self.idOfRef.set(order?.orderRef, id)
        self.byOrder.set(id, {placed: performance.now()})
      }
      return self.originalPlace.call(this, id, contract, order)
    }
  }

  /**
   * Wraps reqPositions and reqExecutions of rick's client: each call → its end message (positionEnd,
   * execDetailsEnd of its request id) as {what, t, ms, items}, in `reads` (what a reduce-only
   * order's check and a reconcile ask TWS).
   */
  timeReads() {
    this.reads = []
    this.openReads = new Map()
    const self = this
    for (const [method, end] of [['reqPositions', 'positions'], ['reqExecutions', 'executions']]) {
      const original = this.proto[method]
      this.restore.push(() => (this.proto[method] = original))
      this.proto[method] = function read(...args) {
        if (!self.skipped.has(this)) self.openReads.set(end === 'positions' ? 'positions' : `executions ${args[0]}`, {what: method, t: performance.now(), items: 0})
        return original.apply(this, args)
      }
    }
  }

  skip(api) {
    this.skipped.add(api)
  }

  note(name, args) {
    if (this.openReads !== undefined) {
      const key = name === 'position' || name === 'positionEnd' ? 'positions' : name === 'execDetails' || name === 'execDetailsEnd' ? `executions ${args[0]}` : undefined
      const r = key === undefined ? undefined : this.openReads.get(key)
      if (r !== undefined) {
        if (name === 'position' || name === 'execDetails') r.items++
        else {
          this.openReads.delete(key)
          this.reads.push({...r, ms: performance.now() - r.t})
        }
      }
    }
    if (name === 'openOrder' || name === 'orderStatus') {
      const o = this.byOrder.get(args[0])
      if (o !== undefined) o.answer ??= performance.now()
      return
    }
    if (name === 'execDetails') {
      const exec = args[2]
      const o = this.byOrder.get(exec?.orderId)
      if (o === undefined) return
      this.orderOfExec.set(exec.execId, exec.orderId)
      o.exec ??= performance.now()
    } else if (name === 'commissionReport') {
      const o = this.byOrder.get(this.orderOfExec.get(args[0]?.execId))
      if (o !== undefined) o.commission ??= performance.now()
    }
  }

  /** The SDK's times of rick's order `clientOrderId`. */
  of(clientOrderId) {
    return this.byOrder.get(this.idOfRef.get(clientOrderId))
  }

  close() {
    if (this.originalEmit === undefined) delete this.proto.emit
    else this.proto.emit = this.originalEmit
    this.proto.placeOrder = this.originalPlace
    for (const r of this.restore) r()
  }
}

/**
 * LivePathProbe (oanda-probes.mjs) for IBKR: the order on the wire is its placeOrder frame written
 * to the connector's socket (rick sends one order at a time, so the next placeOrder after submit()
 * is its own); the bare client's socket is left out. The FILL commit's start is noted for single
 * appends too. `sdk`: the SDK's event times per order (execDetails + commissionReport in hand).
 */
export class IbkrLivePathProbe extends LivePathProbe {
  constructor(periodMs) {
    super(periodMs)
    this.http.close()
    this.bareSockets = new WeakSet()
    this.sdk = new SdkEventTimes()
    this.sdk.timeReads()
    /** Local times at which chunks arrived on rick's sockets (before the SDK reads them). */
    this.chunks = []
    const watched = new WeakSet()
    this.writes = new PlaceOrderWrites((entry) => {
      if (this.bareSockets.has(entry.socket)) return
      if (!watched.has(entry.socket)) {
        watched.add(entry.socket)
        entry.socket.prependListener('data', () => this.chunks.push(performance.now()))
      }
      const o = this.pendingWire === undefined ? undefined : this.orders.get(this.pendingWire)
      this.pendingWire = undefined
      if (o) {
        o.http = {wire: entry.t, answered: Number.NaN}
        this.wired(o, entry.t)
      }
    })
  }

  close() {
    this.writes.close()
    this.sdk.close()
  }

  /** As LivePathProbe's, noting when submit() was called and whether the order was reduce-only. */
  wrapConnector(connector) {
    const inner = super.wrapConnector(connector)
    return new Proxy(inner, {
      get: (target, prop) => {
        if (prop === 'submit') {
          return (order) => {
            const o = this.orders.get(order.clientOrderId)
            if (o) Object.assign(o, {submitCalled: performance.now(), reduceOnly: order.reduceOnly === true})
            return target.submit(order)
          }
        }
        // When the connector hands each order's first fill to the engine, and when the engine's handler returns.
        if (prop === 'onEvent') {
          return (listener) =>
            target.onEvent((event) => {
              const o = event.kind === 'fill' ? this.orders.get(event.fill?.clientOrderId) : undefined
              const t0 = performance.now()
              listener(event)
              if (o && o.fillEvent === undefined) Object.assign(o, {fillEvent: t0, fillHandled: performance.now()})
            })
        }
        return Reflect.get(target, prop, target)
      },
    })
  }

  wrapJournal(journal) {
    const inner = super.wrapJournal(journal)
    /** Every commit: {t0, t1, types} (a commit blocks the event loop: synchronous=FULL). */
    this.commits = []
    return new Proxy(inner, {
      get: (target, prop) => {
        if (prop === 'appendMany') {
          return (events) => {
            const t0 = performance.now()
            try {
              return target.appendMany(events)
            } finally {
              this.commits.push({t0, t1: performance.now(), types: events.map((e) => e.type).join('+')})
            }
          }
        }
        if (prop === 'append') {
          return (event) => {
            const t0 = performance.now()
            try {
              return this.appendOne(target, event)
            } finally {
              this.commits.push({t0, t1: performance.now(), types: event.type})
            }
          }
        }
        return Reflect.get(target, prop, target)
      },
    })
  }

  /** A single append; the FILL's commit start noted (LivePathProbe notes it for appendMany only). */
  appendOne(target, event) {
    if (event.type === 'FILL') {
      const o = this.orders.get(event.payload.fill.clientOrderId)
      if (o && o.commitStart === undefined) {
        o.commitStart = performance.now()
        o.batch = 'FILL'
      }
    }
    return target.append(event)
  }

  commitsIn(from, to) {
    return (this.commits ?? []).filter((c) => c.t1 > from && c.t0 < to)
  }

  /**
   * Medians of where a timed order's round trip went (orders `which` picks): intent durable →
   * connector.submit() called (the engine) → IBApi.placeOrder called (the connector's submit: ids
   * reserved, checks) → its frame written → execDetails and
   * commissionReport both decoded by the SDK (the simulator, the socket, the SDK) → the FILL's
   * commit begins (the connector's fill join, the engine) → the FILL durable.
   */
  parts(median, which = () => true) {
    const timed = []
    for (const [id, o] of this.orders) {
      const s = this.sdk.of(id)
      if (!which(o) || o.phase !== 'trade' || !o.http || o.commitStart === undefined || o.filledAt === undefined || s?.exec === undefined || s.commission === undefined) continue
      timed.push({o, s, heard: Math.max(s.exec, s.commission)})
    }
    const m = (f) => median(timed.map(f))
    return {
      n: timed.length,
      toSubmit: m((x) => x.o.submitCalled - x.o.t),
      toPlace: m((x) => x.s.placed - x.o.submitCalled),
      roundTrip: m((x) => x.o.filledAt - x.o.t),
      toWire: m((x) => x.o.http.wire - x.s.placed),
      venue: m((x) => x.heard - x.o.http.wire),
      toAnswer: m((x) => x.s.answer - x.o.http.wire),
      toChunk: m((x) => (this.chunks.find((t) => t > x.o.http.wire) ?? Number.NaN) - x.o.http.wire),
      chunksToHeard: m((x) => this.chunks.filter((t) => t > x.o.http.wire && t <= x.heard).length),
      lastChunkToHeard: m((x) => x.heard - (this.chunks.findLast((t) => t <= x.heard) ?? Number.NaN)),
      // Commits (each blocks the event loop) between the placeOrder frame and the execution decoded.
      commitsBefore: m((x) => this.commitsIn(x.o.http.wire, x.heard).reduce((a, c) => a + (c.t1 - c.t0), 0)),
      commitTypes: [...new Set(timed.flatMap((x) => this.commitsIn(x.o.http.wire, x.heard).map((c) => c.types)))],
      answerToHeard: m((x) => x.heard - x.s.answer),
      toCommit: m((x) => x.o.commitStart - x.heard),
      toFillEvent: m((x) => x.o.fillEvent - x.heard),
      fillHandler: m((x) => x.o.fillHandled - x.o.fillEvent),
      handledToCommit: m((x) => x.o.commitStart - x.o.fillHandled),
      commit: m((x) => x.o.filledAt - x.o.commitStart),
      batches: [...new Set(timed.map((x) => x.o.batch))],
    }
  }
}

/**
 * A bare @stoqey/ib client of `sim` with its own clientId: connected (nextValidId, managedAccounts),
 * MES qualified (reqContractDetails: its conId, as rick's connector sends it), and the market data
 * rick's connector asks: 5-second real-time bars (TRADES) and quotes of MES and SPY. Returns:
 * - periodClosed(): resolves with the local time of the next real-time bar whose end crosses a
 *   `periodMs` boundary (how rick's connector and bar builder see a bar period close);
 * - order(i): a MARKET order of one MES contract (buy on even i, sell on odd: no position grows),
 *   GTC with orderRef `bare-<i>` as rick's; resolves {ms: placeOrder call → execDetails and
 *   commissionReport both in hand, wire: when its frame was written};
 * - api, socket, close(). `exclude(api, socket)` is called once connected (to leave them out of rick's probes).
 */
export async function bareIbkr(sim, {clientId = 99, periodMs = 60_000, exclude} = {}) {
  const {IBApi} = stoqey()
  const api = new IBApi({host: sim.host, port: sim.port, clientId, maxReqPerSec: 40})
  let nextId = Number.NaN
  let account = ''
  const fail = (what) => (e) => {
    throw new Error(`bare @stoqey/ib: ${what}: ${e?.message ?? e}`)
  }
  const errors = new Map()
  api.on('error', (err, code, reqId) => {
    const w = errors.get(reqId)
    if (w) w(new Error(`TWS ${code}: ${err?.message ?? err}`))
  })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('bare @stoqey/ib: no nextValidId in 10 s')), 10_000)
    api.once('nextValidId', (id) => {
      nextId = Number(id)
      clearTimeout(timer)
      resolve()
    })
    api.once('managedAccounts', (list) => void (account = String(list).split(',')[0]))
    api.connect(clientId)
  }).catch(fail('connect'))
  const socket = api.controller?.socket?.client
  if (socket !== undefined) exclude?.(api, socket)
  let reqId = 1_000_000
  const qualify = (contract) =>
    new Promise((resolve, reject) => {
      const id = ++reqId
      let details
      const timer = setTimeout(() => reject(new Error(`bare @stoqey/ib: no contract details of ${contract.symbol} in 10 s`)), 10_000)
      errors.set(id, (e) => (clearTimeout(timer), reject(e)))
      const onDetails = (r, d) => void (r === id && (details ??= d))
      api.on('contractDetails', onDetails)
      api.on('contractDetailsEnd', function end(r) {
        if (r !== id) return
        clearTimeout(timer)
        api.off('contractDetails', onDetails)
        api.off('contractDetailsEnd', end)
        details ? resolve(details.contract) : reject(new Error(`bare @stoqey/ib: ${contract.symbol} unknown`))
      })
      api.reqContractDetails(id, contract)
    })
  const mes = await qualify(MES)
  const spy = await qualify(SPY)
  const contractOf = (c) => ({conId: c.conId, symbol: c.symbol, secType: c.secType, exchange: c.exchange, currency: c.currency, ...(c.lastTradeDateOrContractMonth ? {lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth} : {}), ...(c.multiplier ? {multiplier: c.multiplier} : {})})
  const mesContract = contractOf({...mes, exchange: MES.exchange})
  const closes = periodCloses(periodMs)
  let bars = 0
  const barsReq = new Set()
  // A 5-second bar stamped with its start ends 5 s later: its end is the time it says.
  api.on('realtimeBar', (r, time) => {
    if (!barsReq.has(r)) return
    bars++
    closes.seen(Number(time) * 1000 + 5000)
  })
  for (const c of [mesContract, contractOf({...spy, exchange: SPY.exchange})]) {
    const b = ++reqId
    barsReq.add(b)
    api.reqRealTimeBars(b, c, 5, 'TRADES', false)
    api.reqMktData(++reqId, c, '', false, false)
  }
  // Per order id: the execution ids heard and their commissions.
  const waiting = new Map()
  const execOrder = new Map()
  api.on('execDetails', (_r, _c, exec) => {
    const w = waiting.get(exec?.orderId)
    if (w === undefined) return
    execOrder.set(exec.execId, exec.orderId)
    w.exec = performance.now()
    w.check()
  })
  const answered = (id) => {
    const w = waiting.get(id)
    if (w !== undefined) w.answer ??= performance.now()
  }
  api.on('openOrder', (id) => answered(id))
  api.on('orderStatus', (id) => answered(id))
  api.on('commissionReport', (report) => {
    const w = waiting.get(execOrder.get(report?.execId))
    if (w === undefined) return
    w.commission = performance.now()
    w.check()
  })
  return {
    api,
    socket,
    bars: () => bars,
    periodClosed: closes.next,
    order(i) {
      const id = nextId++
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bare order ${i} (id ${id}): no execution and commission in 5 s`)), 5_000)
        const w = {
          check() {
            if (w.exec === undefined || w.commission === undefined) return
            clearTimeout(timer)
            waiting.delete(id)
            errors.delete(id)
            resolve({ms: Math.max(w.exec, w.commission) - w.t0, exec: w.exec - w.t0, answer: (w.answer ?? Number.NaN) - w.t0, t0: w.t0})
          },
        }
        waiting.set(id, w)
        errors.set(id, (e) => (clearTimeout(timer), reject(new Error(`bare order ${i}: ${e.message}`))))
        w.t0 = performance.now()
        api.placeOrder(id, mesContract, {action: i % 2 === 0 ? 'BUY' : 'SELL', totalQuantity: 1, orderType: 'MKT', tif: 'GTC', orderRef: `bare-${i}`, transmit: true, ...(account ? {account} : {})})
      })
    },
    close() {
      api.removeAllListeners()
      api.disconnect()
    },
  }
}
