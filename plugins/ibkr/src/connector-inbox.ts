// Where TWS's messages go: each event of the SDK to the part that folds it (the order tracker, the
// fill joiner, the market feed, the request that waits for it), and each `error` with an id to the
// order or request it is about, as errors.ts classifies its code.
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'
import type {FillJoiner, JoinedExecution} from './connector-fills.js'
import type {MarketFeed} from './connector-market.js'
import type {OrderTracker} from './connector-orders.js'
import type {Requests} from './connector-requests.js'
import {classify, refusalError} from './errors.js'
import {fillOf} from './parsing-orders.js'
import {num, rec, str} from './parsing.js'

export interface InboxDeps {
  requests: Requests
  tracker: OrderTracker
  joiner: FillJoiner
  market: MarketFeed
  core: Pick<CoreRuntime, 'BrokerError' | 'NetworkError'>
  accountId(): string | undefined
  instrumentOf(contract: unknown): string
  execTime(execution: Record<string, unknown>): number
  now(): number
  log(message: string): void
}

export class Inbox {
  constructor(private readonly d: InboxDeps) {}

  route(event: string, args: unknown[]): void {
    const {requests, tracker, joiner, market} = this.d
    switch (event) {
      case 'openOrder': {
        const [orderId, contract, order, state] = args
        for (const kind of ['openOrders', 'allOpenOrders'] as const) requests.itemOf(kind, args)
        return tracker.openOrder(num(orderId), contract, order, state)
      }
      case 'openOrderEnd':
        requests.endOf('openOrders')
        return requests.endOf('allOpenOrders')
      case 'orderStatus':
        return tracker.orderStatus(args)
      case 'completedOrder':
        return requests.itemOf('completedOrders', args)
      case 'completedOrdersEnd':
        return requests.endOf('completedOrders')
      case 'execDetails': {
        const [reqId, contract, execution] = args
        requests.item(num(reqId), args)
        const acct = str(rec(execution).acctNumber)
        const account = this.d.accountId()
        if (account === undefined || acct === '' || acct === account) joiner.execution(contract, execution)
        return
      }
      case 'commissionReport':
        return joiner.commission(args[0])
      case 'position':
        return requests.itemOf('positions', args)
      case 'positionEnd':
        return requests.endOf('positions')
      case 'historicalData':
        if (str(args[1]).startsWith('finished')) return requests.end(num(args[0]))
        requests.item(num(args[0]), args)
        return
      case 'contractDetails':
      case 'accountSummary':
        requests.item(num(args[0]), args)
        return
      case 'execDetailsEnd':
      case 'contractDetailsEnd':
      case 'accountSummaryEnd':
        return requests.end(num(args[0]))
      case 'realtimeBar':
        return market.realtimeBar(args)
      case 'tickPrice':
        return market.tickPrice(args)
      default:
        return
    }
  }

  /** An `error` with an id: a request's (rick's ids from REQUEST_ID_BASE) or an order's. */
  idError(id: number, code: number, message: string): void {
    const {BrokerError, NetworkError} = this.d.core
    const c = classify(code, message)
    if (this.d.requests.isRequestId(id)) {
      if (this.d.market.error(id, code, message)) return
      if (c.kind === 'log') return this.d.log(`TWS ${code} (request ${id}): ${message}`)
      // A request TWS refuses because it is cut off from IB (1100) or not connected: nothing is known.
      if (c.kind === 'link') return void this.d.requests.fail(id, new NetworkError('Disconnected', `IBKR request ${id}: TWS ${code} ${message}`))
      this.d.requests.fail(id, refusalError(this.d.core, `request ${id}`, code, message))
      return
    }
    const t = this.d.tracker.byOrderId(id)
    if (c.kind === 'log' || t === undefined) return this.d.log(`TWS ${code} (order ${id}${t ? ` ${t.clientOrderId}` : ''}): ${message}`)
    if (c.kind === 'not-found' || c.kind === 'not-cancellable') return this.d.tracker.failCancels(t, Object.assign(new BrokerError('OrderNotFound', `IBKR ${code} ${message}`, {venueCode: String(code)}), {twsSaidNotFound: true}))
    if (c.kind === 'link') {
      // TWS answers a request it cannot pass to IB (1100) with this code on its id: it did not place
      // it. A waiting submit fails as a NetworkError (try again once TWS is back), the order is taken
      // as never placed (an execution of it would still be booked: connector-orders.ts).
      const placed = t.submit === undefined
      const e = new NetworkError('Disconnected', `IBKR order ${t.clientOrderId}: TWS ${code} ${message} (${placed ? 'outcome unknown' : 'TWS did not place it'})`)
      this.d.tracker.failCancels(t, e)
      if (placed) return
      const w = t.submit as {reject(e: Error): void}
      this.d.tracker.refuse(t)
      return w.reject(e)
    }
    if (c.kind === 'rate-limited' && t.submit !== undefined) {
      const w = t.submit
      this.d.tracker.unknown(t, this.d.now())
      w.reject(new NetworkError('RateLimited', `IBKR placeOrder ${t.clientOrderId}: TWS ${code} ${message} (outcome unknown)`))
      return
    }
    const refusal = c.kind === 'refused' ? refusalError(this.d.core, `order ${t.clientOrderId}`, code, message) : undefined
    // "Read-Only API" refuses cancels too: a cancel waiting on this order learns why at once.
    if (c.kind === 'refused' && c.error === 'AuthFailed' && refusal !== undefined) this.d.tracker.failCancels(t, refusal)
    this.d.tracker.orderError(id, code, message, refusal, c.kind === 'cancelled')
  }

  /** An execution with its commission: a fill of one of rick's orders goes out (once). */
  joined(x: JoinedExecution): void {
    const e = rec(x.execution)
    const {clientOrderId: _cid, ...fill} = fillOf(x.execution, '', this.d.instrumentOf(x.contract), x.fee, this.d.execTime(e))
    this.d.tracker.fill(fill, str(e.orderRef), num(e.clientId))
  }
}
