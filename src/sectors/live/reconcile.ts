// Reconciliation of a live account: the venue is the truth for a real account, and the journal must
// say how it got there. Run at start, after every reconnect and periodically (live-run.ts).
//
// | what the venue says                              | what rick does                                        |
// |--------------------------------------------------|-------------------------------------------------------|
// | a fill of one of our orders we never heard of    | journaled as FILL with `inferred: true` (once: fill id)|
// | one of our orders it no longer lists as open     | asked about by client id: its fills, cancel or expiry |
// | an order without one of our client ids           | EXTERNAL order (reported once; never touched)          |
// | a position the books do not hold, explained by   | EXTERNAL position, applied to the books: it counts     |
// |   fills of orders that are not ours              |   toward risk                                          |
// | a position difference nothing explains           | EXTERNAL position too, and the sector goes REDUCING    |
// |                                                  |   (RECONCILE_MISMATCH) until a person resumes          |
// | spot venue (capabilities.spotHoldings): coins    | noted once, never adopted: the person's own coins      |
// |   beyond the books                               |   (rick never sells what it did not buy)               |
// | spot venue: fewer coins than the books           | as above: EXTERNAL, REDUCING unless fills explain it   |
//
// Positions are compared after the orders are settled, and against the books (which already hold
// earlier EXTERNAL positions), so running this again changes nothing: it is idempotent.
import type {Fill, OrderState} from '../../foundation/domain/orders.js'
import type {Connector} from '../connector.js'
import type {SectorEngine} from '../engine/engine.js'

export interface ReconcileOptions {
  sector: string
  /** Venue fills since this time are examined (epoch ms, venue clock). */
  sinceTs: number
  /** Prices to value an EXTERNAL position when the venue gives no average price. */
  lastPrices: ReadonlyMap<string, number>
}

const reported = new WeakMap<SectorEngine, Set<string>>()

/** Quantities closer than this are equal (float dust of summed fills). */
const EPSILON = 1e-9

export async function reconcileWithVenue(engine: SectorEngine, connector: Connector, o: ReconcileOptions): Promise<{notes: string[]}> {
  const notes: string[] = []
  const [open, positions, fills] = await Promise.all([connector.openOrders(), connector.positions(), connector.recentFills ? connector.recentFills(o.sinceTs) : Promise.resolve([] as Fill[])])
  // rick's client ids start with the sector's name (run ids do); an order the engine tracks is ours too.
  const tracked = new Set(engine.trackedOrderIds())
  const ours = (id: string | undefined): boolean => typeof id === 'string' && (id.startsWith(`${o.sector}-`) || tracked.has(id))

  await engine.reconcileOrders(
    open.filter((x) => ours(x.clientOrderId)),
    fills.filter((f) => ours(f.clientOrderId)),
  )

  let seen = reported.get(engine)
  if (seen === undefined) reported.set(engine, (seen = new Set()))
  for (const x of open) {
    if (ours(x.clientOrderId)) continue
    const key = x.venueOrderId ?? x.clientOrderId
    if (seen.has(key)) continue
    seen.add(key)
    engine.recordExternalOrder(x)
    notes.push(`an order placed outside rick: ${describe(x)}`)
  }

  const explained = new Map<string, number>()
  for (const f of fills) if (!ours(f.clientOrderId)) explained.set(f.instrument, (explained.get(f.instrument) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty))
  const venue = new Map(positions.map((p) => [p.instrument, p]))
  const instruments = new Set([...venue.keys(), ...engine.summary().positions.map((p) => p.instrument)])
  const spot = connector.capabilities.spotHoldings
  for (const instrument of instruments) {
    const at = venue.get(instrument)
    const diff = (at?.qty ?? 0) - engine.position(instrument)
    if (Math.abs(diff) <= EPSILON) continue
    if (spot && diff > 0) {
      // A balance, not a position: what rick's books do not hold is the person's (bought before rick
      // or by hand). Noted when the amount changes, never booked, so no signal ever sells it.
      const key = `holdings:${instrument}:${diff}`
      if (!seen.has(key)) {
        seen.add(key)
        notes.push(`${instrument}: the account holds ${at?.qty ?? 0}, rick's books ${engine.position(instrument)}: ${round(diff)} held outside rick, never traded by it`)
      }
      continue
    }
    const price = at !== undefined && at.avgPrice > 0 ? at.avgPrice : (o.lastPrices.get(instrument) ?? 0)
    const byHand = explained.get(instrument) ?? 0
    const isExplained = Math.abs(byHand - diff) <= EPSILON
    const detail = isExplained
      ? `the venue holds ${at?.qty ?? 0}, the journal ${engine.position(instrument)}: fills of orders placed outside rick`
      : `the venue holds ${at?.qty ?? 0}, the journal ${engine.position(instrument)}: no fill explains the difference`
    engine.applyExternalPosition(instrument, diff, price, detail)
    notes.push(`${instrument}: ${detail}`)
    if (!isExplained) await engine.applyTrigger({kind: 'reconcile-mismatch', reason: `${instrument}: ${detail}`})
  }
  return {notes}
}

/** Float dust of summed quantities off a figure a person reads. */
function round(qty: number): number {
  return Number(qty.toPrecision(12))
}

function describe(o: OrderState): string {
  return `${o.side} ${o.qty} ${o.instrument} ${o.type}${o.limitPrice !== undefined ? ` @ ${o.limitPrice}` : ''}${o.venueOrderId !== undefined ? ` (venue id ${o.venueOrderId})` : ''}`
}
