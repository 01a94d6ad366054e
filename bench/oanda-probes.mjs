// Timestamps of rick's live order path taken from the OUTSIDE (nothing in src/ or plugins/ changes
// for the benchmark): the bench hands the live service a journal and a connector factory of its own
// that forward every call to the real ones and note performance.now() as they do:
// - the journal: when each append RETURNED (the event is durable then: synchronous=FULL);
// - the connector: when each price tick and each price-stream heartbeat is handed to the
//   market-data side (just before its listener runs), and which order submit() was called for;
// - node:http's diagnostics channels (OrderHttpTimes): `http.client.request.start`, published when
//   the whole request has been written to its socket (ClientRequest._finish: the bytes are the OS's)
//   — "the order on the wire" inside this process; `http.client.response.finish`, published when the
//   answer's headers have been parsed — the venue answered.
import dc from 'node:diagnostics_channel'

/** Wire and answer times of every POST …/orders this process sends (rick's connector or the bare SDK). */
export class OrderHttpTimes {
  constructor(onWire) {
    this.byRequest = new WeakMap()
    this.all = []
    /** When a GET …/openPositions went out (a reconcile, or the start's account read). */
    this.positionReads = []
    this.onStart = ({request}) => {
      if (request.method === 'GET' && /\/openPositions$/.test(request.path)) this.positionReads.push(performance.now())
      if (request.method !== 'POST' || !/\/orders$/.test(request.path)) return
      const entry = {wire: performance.now(), answered: Number.NaN}
      this.byRequest.set(request, entry)
      this.all.push(entry)
      onWire?.(entry)
    }
    this.onAnswer = ({request}) => {
      const entry = this.byRequest.get(request)
      if (entry) entry.answered = performance.now()
    }
    dc.subscribe('http.client.request.start', this.onStart)
    dc.subscribe('http.client.response.finish', this.onAnswer)
  }

  close() {
    dc.unsubscribe('http.client.request.start', this.onStart)
    dc.unsubscribe('http.client.response.finish', this.onAnswer)
  }
}

export class LivePathProbe {
  constructor(periodMs) {
    this.periodMs = periodMs
    /** Tags samples: only 'trade' ones count as round trips and ticks to order. */
    this.phase = 'warmup'
    /** Period start → {t, kind} of the delivery that closed it (the first one past its end). */
    this.closedAt = new Map()
    this.openPeriod = Number.NaN
    /** clientOrderId → {t (intent durable), ts (its bar's period), phase, wire?, accepted?} */
    this.orders = new Map()
    this.roundTrips = []
    this.ticksToOrder = []
    /** The same, cut in two: bar closed → intent durable (BAR and ORDER_INTENT appends), intent durable → on the wire. */
    this.closeToIntent = []
    this.intentToWire = []
    /** First orders of a period sent before any delivery closed it (a bar closed by the timer's estimate). */
    this.closedByTimer = 0
    this.periodsWithOrder = new Set()
    this.riskStates = []
    this.connections = []
    this.lastDelivery = Number.NaN
    this.deliveries = 0
    this.firstVenue = undefined
    this.lastVenue = undefined
    this.pendingWire = undefined
    this.bars = 0
    // rick sends one order at a time (the engine awaits each submit): the next POST is submit()'s.
    this.http = new OrderHttpTimes((entry) => {
      const o = this.pendingWire === undefined ? undefined : this.orders.get(this.pendingWire)
      this.pendingWire = undefined
      if (o) {
        o.http = entry
        this.wired(o, entry.wire)
      }
    })
  }

  close() {
    this.http.close()
  }

  /**
   * Medians of where a timed order's round trip went: intent durable → the POST on the wire → the
   * venue's answer (headers parsed) → the commit that holds ORDER_ACK and FILL begins (the SDK's
   * handler, the connector, the engine) → that commit durable (ORDER_SUBMITTED, ORDER_ACK and FILL
   * in one transaction).
   */
  roundTripParts(median) {
    const timed = [...this.orders.values()].filter((o) => o.phase === 'trade' && o.http && o.commitStart !== undefined && o.filledAt !== undefined)
    return {
      toWire: median(timed.map((o) => o.http.wire - o.t)),
      venue: median(timed.map((o) => o.http.answered - o.http.wire)),
      toCommit: median(timed.map((o) => o.commitStart - o.http.answered)),
      commit: median(timed.map((o) => o.filledAt - o.commitStart)),
      batches: [...new Set(timed.map((o) => o.batch))],
    }
  }

  /** The venue's clock as seen in the deliveries: venue ms per local ms. */
  venueRate() {
    if (!this.firstVenue || !this.lastVenue || this.lastVenue.t === this.firstVenue.t) return Number.NaN
    return (this.lastVenue.ts - this.firstVenue.ts) / (this.lastVenue.t - this.firstVenue.t)
  }

  /** A tick or a price heartbeat reaches the market-data side (as the bar builder sees periods). */
  delivery(kind, venueTs) {
    const t = performance.now()
    this.lastDelivery = t
    this.deliveries++
    if (!Number.isFinite(venueTs)) return
    if (this.firstVenue === undefined) this.firstVenue = {t, ts: venueTs}
    if (this.lastVenue === undefined || venueTs >= this.lastVenue.ts) this.lastVenue = {t, ts: venueTs}
    const period = Math.floor(venueTs / this.periodMs) * this.periodMs
    if (Number.isNaN(this.openPeriod)) {
      this.openPeriod = period
      return
    }
    while (this.openPeriod < period) {
      this.closedAt.set(this.openPeriod, {t, kind})
      this.openPeriod += this.periodMs
    }
  }

  wrapJournal(journal) {
    return new Proxy(journal, {
      get: (target, prop) => {
        if (prop === 'append') {
          return (event) => {
            const out = target.append(event)
            this.appended(event, performance.now())
            return out
          }
        }
        // A venue's answers of one moment (ack and fill) are committed together: durable at once.
        if (prop === 'appendMany') {
          return (events) => {
            const t0 = performance.now()
            for (const e of events) {
              const o = e.type === 'FILL' ? this.orders.get(e.payload.fill.clientOrderId) : undefined
              if (o && o.commitStart === undefined) {
                o.commitStart = t0
                o.batch = events.map((x) => x.type).join('+')
              }
            }
            const out = target.appendMany(events)
            const t = performance.now()
            for (const e of events) this.appended(e, t)
            return out
          }
        }
        const v = Reflect.get(target, prop, target)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
  }

  wrapConnector(connector) {
    return new Proxy(connector, {
      get: (target, prop) => {
        if (prop === 'subscribeTicks') {
          return (instruments, onTick) =>
            target.subscribeTicks(instruments, (tick) => {
              this.delivery('tick', tick.ts)
              onTick(tick)
            })
        }
        if (prop === 'onStatus') {
          return (listener) =>
            target.onStatus((s) => {
              if (s.kind === 'heartbeat' && s.stream === 'prices') this.delivery('heartbeat', s.ts)
              listener(s)
            })
        }
        if (prop === 'submit') {
          return (order) => {
            this.pendingWire = order.clientOrderId
            return target.submit(order)
          }
        }
        const v = Reflect.get(target, prop, target)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
  }

  appended(e, t) {
    switch (e.type) {
      case 'BAR':
        this.bars++
        return
      case 'ORDER_INTENT':
        this.orders.set(e.payload.order.clientOrderId, {t, ts: e.ts, phase: this.phase})
        return
      case 'ORDER_SUBMITTED': {
        const o = this.orders.get(e.payload.clientOrderId)
        if (o && o.submitted === undefined) o.submitted = t
        return
      }
      case 'ORDER_ACK': {
        const o = this.orders.get(e.payload.clientOrderId)
        if (o && o.acked === undefined) o.acked = t
        return this.accepted(e.payload.clientOrderId, t)
      }
      case 'FILL': {
        const id = e.payload.fill.clientOrderId
        this.accepted(id, t)
        const o = this.orders.get(id)
        if (o && o.phase === 'trade' && o.filledAt === undefined) this.roundTrips.push(t - o.t)
        if (o && o.filledAt === undefined) o.filledAt = t
        return
      }
      case 'RISK_STATE':
        this.riskStates.push({t, code: e.payload.code, to: e.payload.to, lastDelivery: this.lastDelivery})
        return
      case 'CONNECTION':
        this.connections.push({t, stream: e.payload.stream, state: e.payload.state})
        return
      default:
    }
  }

  accepted(id, t) {
    const o = this.orders.get(id)
    if (o && o.accepted === undefined) o.accepted = t
  }

  wired(o, t) {
    o.wire = t
    if (o.phase !== 'trade' || this.periodsWithOrder.has(o.ts)) return
    this.periodsWithOrder.add(o.ts)
    const closed = this.closedAt.get(o.ts)
    if (closed === undefined || closed.t > t) {
      this.closedByTimer++
      return
    }
    this.ticksToOrder.push(t - closed.t)
    this.closeToIntent.push(o.t - closed.t)
    this.intentToWire.push(t - o.t)
  }

  /** First RISK_STATE with `code` journaled after local time `after`. */
  riskAfter(code, after) {
    return this.riskStates.find((r) => r.code === code && r.t > after)
  }

  /** First order whose intent was journaled after `after` and that the venue accepted (ack or fill journaled). */
  acceptedAfter(after) {
    let best
    for (const o of this.orders.values()) if (o.t > after && o.accepted !== undefined && (best === undefined || o.accepted < best.accepted)) best = o
    return best
  }
}
