// Where OANDA's transactions become rick's events, each once and in order. A transaction can reach
// the connector three ways: in the answer to the request that caused it (POST …/orders,
// PUT …/cancel), on the transaction stream, and from a catch-up (…/transactions/sinceid). Rules:
// - every transaction id gives its events once (later copies are dropped);
// - while a request about an order is in flight, stream copies of that order's transactions wait,
//   and when the answer comes, the answer's transactions and the waiting ones go out together in id
//   order: the ack of an order is never emitted after its own fill;
// - a transaction the caller reports another way (a 400's reject, which submit() throws as a
//   BrokerError) is marked handled without an event, so the stream cannot emit it a second time;
// - a request without an answer (timeout, reset) releases what waited for it.
import type {VenueEvent} from '../../../src/foundation/domain/orders.js'
import {transactionClientId, transactionEvents, type OandaTransaction} from './parsing.js'

/** Handled ids kept for dedupe: far more than can be in flight; the oldest are dropped in halves. */
const HANDLED_KEPT = 50_000

export class EventRouter {
  private handled = new Set<string>()
  /** Orders (client ids) with a request in flight, and how many. */
  private readonly inflight = new Map<string, number>()
  /** Stream transactions waiting for their order's answer. */
  private readonly waiting = new Map<string, OandaTransaction[]>()

  constructor(
    private readonly emit: (event: VenueEvent) => void,
    private readonly problem: (message: string) => void,
  ) {}

  /** A request about `clientOrderId` is going out. */
  begin(clientOrderId: string): void {
    this.inflight.set(clientOrderId, (this.inflight.get(clientOrderId) ?? 0) + 1)
  }

  /**
   * The answer to a request about `clientOrderId`: its transactions and those that waited, in id
   * order, each once; `silent` ids are marked handled without events.
   */
  settle(clientOrderId: string, txs: readonly OandaTransaction[], silent: ReadonlySet<string> = new Set()): void {
    const waited = this.end(clientOrderId)
    for (const id of silent) this.mark(id)
    this.release([...txs, ...waited])
  }

  /** A request that got no answer: what waited for it goes out now. */
  abandon(clientOrderId: string): void {
    this.release(this.end(clientOrderId))
  }

  /** A transaction from the stream or a catch-up. */
  fromStream(tx: OandaTransaction): void {
    if (this.handled.has(tx.id)) return
    const owner = this.owner(tx)
    if (owner !== undefined) {
      const list = this.waiting.get(owner) ?? []
      if (!list.some((t) => t.id === tx.id)) list.push(tx)
      this.waiting.set(owner, list)
      return
    }
    this.release([tx])
  }

  /** Whether a transaction's events went out (or were reported otherwise). */
  wasHandled(id: string): boolean {
    return this.handled.has(id)
  }

  private end(clientOrderId: string): OandaTransaction[] {
    const n = (this.inflight.get(clientOrderId) ?? 1) - 1
    if (n > 0) {
      this.inflight.set(clientOrderId, n)
      return []
    }
    this.inflight.delete(clientOrderId)
    // Exits of a bracket (`<id>-tp`, `<id>-sl`) waited under their entry.
    const waited = this.waiting.get(clientOrderId) ?? []
    this.waiting.delete(clientOrderId)
    return waited
  }

  /** The in-flight order a transaction belongs to: its own client id, or the entry of a bracket exit. */
  private owner(tx: OandaTransaction): string | undefined {
    const id = transactionClientId(tx)
    if (id === undefined) return undefined
    if (this.inflight.has(id)) return id
    const entry = id.replace(/-(tp|sl)$/, '')
    return entry !== id && this.inflight.has(entry) ? entry : undefined
  }

  private release(txs: readonly OandaTransaction[]): void {
    const sorted = [...txs].sort((a, b) => a.seq - b.seq)
    for (const tx of sorted) {
      if (this.handled.has(tx.id)) continue
      this.mark(tx.id)
      let events: VenueEvent[]
      try {
        events = transactionEvents(tx)
      } catch (error) {
        this.problem(`transaction ${tx.id} (${tx.type}) skipped: ${error instanceof Error ? error.message : String(error)}`)
        continue
      }
      for (const e of events) this.emit(e)
    }
  }

  private mark(id: string): void {
    this.handled.add(id)
    if (this.handled.size > HANDLED_KEPT) this.handled = new Set([...this.handled].slice(HANDLED_KEPT / 2))
  }
}
