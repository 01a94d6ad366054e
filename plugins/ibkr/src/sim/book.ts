// The orders the simulated TWS knows, and how each is shown to a client (openOrder, orderStatus).
// An order is found by (clientId, orderId) — ids belong to the client that placed them — or by
// permId. Statuses are TWS's words:
//   held          transmit=false, not yet transmitted: TWS keeps it and tells no one (not a status)
//   PreSubmitted  accepted, not yet working at the exchange: a bracket child whose parent has not
//                 filled, a stock stop IB simulates until it triggers
//   Submitted     working at the exchange
//   Filled / Cancelled  final
import type {Product} from './catalogue.js'
import type {SimOpenOrder, SimOrder, SimOrderStatus} from './seam.js'

export type OrderStatusName = 'PreSubmitted' | 'Submitted' | 'Filled' | 'Cancelled'

export interface WorkingOrder {
  /** Placement order: older orders match first. */
  seq: number
  product: Product
  order: SimOrder
  /** Whole units ordered and filled. */
  qty: number
  filled: number
  avgFillPrice: number
  lastFillPrice: number
  status: OrderStatusName
  held: boolean
  /** A stop (or stop-limit) whose trigger was reached. */
  triggered: boolean
  /** DAY orders: sim time at which the venue cancels it. */
  expiresTs: number | undefined
  /** Commission of its fills (micro-dollars), for openOrder's OrderState. */
  commissionMicro: number
  /** Sim time it became final (Filled / Cancelled): completedOrder's completedTime. */
  completedTs?: number
}

export const isFinal = (w: WorkingOrder): boolean => w.status === 'Filled' || w.status === 'Cancelled'

const key = (clientId: number, orderId: number): string => `${clientId}:${orderId}`

export class OrderBook {
  private readonly byKey = new Map<string, WorkingOrder>()
  private readonly byPerm = new Map<number, WorkingOrder>()
  /** Orders not final yet, oldest first (pruned as they finish: the matching loop reads it every step). */
  private live: WorkingOrder[] = []
  private seq = 0

  nextSeq(): number {
    return ++this.seq
  }

  add(w: WorkingOrder): void {
    this.byKey.set(key(w.order.clientId, w.order.orderId), w)
    this.byPerm.set(w.order.permId, w)
    this.live.push(w)
  }

  get(clientId: number, orderId: number): WorkingOrder | undefined {
    return this.byKey.get(key(clientId, orderId))
  }

  byPermId(permId: number): WorkingOrder | undefined {
    return this.byPerm.get(permId)
  }

  /** Every order, oldest first. */
  all(): WorkingOrder[] {
    return [...this.byPerm.values()].sort((a, b) => a.seq - b.seq)
  }

  /** Orders not final (held ones included), oldest first. */
  open(): WorkingOrder[] {
    if (this.live.some(isFinal)) this.live = this.live.filter((w) => !isFinal(w))
    return [...this.live]
  }

  /** The parent of a bracket child. */
  parentOf(w: WorkingOrder): WorkingOrder | undefined {
    return w.order.parentId > 0 ? this.get(w.order.clientId, w.order.parentId) : undefined
  }

  /** The open children of a bracket parent. */
  childrenOf(w: WorkingOrder): WorkingOrder[] {
    return this.open().filter((c) => c.order.parentId === w.order.orderId && c.order.clientId === w.order.clientId && c !== w)
  }

  /** Other open orders of the same OCA group (account-wide, as IB's servers keep OCA groups). */
  ocaPeers(w: WorkingOrder): WorkingOrder[] {
    if (w.order.ocaGroup === '') return []
    return this.open().filter((o) => o !== w && o.order.ocaGroup === w.order.ocaGroup)
  }

  /**
   * A Gateway restart: the ids of finished orders are forgotten (its order table starts from what
   * IB's servers still work), so only open orders can be found by id afterwards.
   */
  forgetFinished(): void {
    for (const [k, w] of this.byKey) if (isFinal(w)) this.byKey.delete(k)
  }
}

/** openOrder's payload. */
export function openOrderOf(w: WorkingOrder): SimOpenOrder {
  return {
    contract: {...w.product.contract},
    order: {...w.order},
    state: {status: w.status, commission: w.status === 'Filled' ? w.commissionMicro / 1_000_000 : null, commissionCurrency: w.status === 'Filled' ? 'USD' : '', warningText: ''},
  }
}

/** orderStatus's payload. */
export function statusOf(w: WorkingOrder): SimOrderStatus {
  return {
    orderId: w.order.orderId,
    status: w.status,
    filled: String(w.filled),
    remaining: String(w.qty - w.filled),
    avgFillPrice: w.avgFillPrice,
    permId: w.order.permId,
    parentId: w.order.parentId,
    lastFillPrice: w.lastFillPrice,
    clientId: w.order.clientId,
    whyHeld: '',
    mktCapPrice: 0,
  }
}
