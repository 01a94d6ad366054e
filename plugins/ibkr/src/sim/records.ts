// What happened at the venue, counted where it happened, for tests: orders by orderRef (rick's
// client order id) — placed, refused, modified, filled, cancelled —, placements that reused an id a
// client had used before (possible only after the gatewayRestart fault forgot them), executions
// and positions. Read-only outside the broker.
import type {SimExecution, SimOpenOrder, SimPosition} from './seam.js'

export interface OrderRefRecord {
  /** New orders accepted under this orderRef. */
  accepted: number
  /** Placements refused (any code), and the codes. */
  refused: number
  codes: number[]
  modified: number
  filled: number
  cancelled: number
  /** Order ids placed under it, in order. */
  orderIds: number[]
}

export interface IdReuse {
  clientId: number
  orderId: number
  orderRef: string
}

export interface IbkrVenueRecords {
  byOrderRef(orderRef: string): OrderRefRecord | undefined
  orderRefs(): Record<string, OrderRefRecord>
  idReuses(): IdReuse[]
  executions(): SimExecution[]
  positions(): SimPosition[]
  openOrders(): SimOpenOrder[]
}

export class RecordKeeper {
  private readonly refs = new Map<string, OrderRefRecord>()
  /** Every (clientId, orderId) ever accepted, across restarts. */
  private readonly everUsed = new Set<string>()
  readonly reuses: IdReuse[] = []

  private ref(orderRef: string): OrderRefRecord {
    let r = this.refs.get(orderRef)
    if (r === undefined) {
      r = {accepted: 0, refused: 0, codes: [], modified: 0, filled: 0, cancelled: 0, orderIds: []}
      this.refs.set(orderRef, r)
    }
    return r
  }

  accepted(clientId: number, orderId: number, orderRef: string): void {
    const k = `${clientId}:${orderId}`
    if (this.everUsed.has(k)) this.reuses.push({clientId, orderId, orderRef})
    this.everUsed.add(k)
    const r = this.ref(orderRef)
    r.accepted++
    r.orderIds.push(orderId)
  }

  refused(orderRef: string, code: number): void {
    const r = this.ref(orderRef)
    r.refused++
    r.codes.push(code)
  }

  modified(orderRef: string): void {
    this.ref(orderRef).modified++
  }

  filled(orderRef: string): void {
    this.ref(orderRef).filled++
  }

  cancelled(orderRef: string): void {
    this.ref(orderRef).cancelled++
  }

  get(orderRef: string): OrderRefRecord | undefined {
    const r = this.refs.get(orderRef)
    return r && {...r, codes: [...r.codes], orderIds: [...r.orderIds]}
  }

  all(): Record<string, OrderRefRecord> {
    const out: Record<string, OrderRefRecord> = {}
    for (const k of this.refs.keys()) out[k] = this.get(k) as OrderRefRecord
    return out
  }
}
