// The IBKR simulator's fault switches and actions. Switched while it runs, through
// RunningSimulator.faults or the control endpoint (an HTTP port of its own: TWS's port speaks only
// the socket protocol):
//
//   GET  /__sim/faults                  → {"switches": {...}, "actions": [...]}
//   POST /__sim/faults       {"freezePrices": true}   → {"switches": {...}} (400 on an unknown
//                                        switch or a value of the wrong kind; nothing applied)
//   POST /__sim/actions/<name>  {args}   → {"result": ...} (404 for an unknown action, 400 when it fails)
//
// switches
//   freezePrices         true: prices stop where they are (no fills, no triggers, flat bars with no
//                        volume); time goes on
//   reject               the next N placeOrders are refused (error 201 "Order rejected - reason:…",
//                        or the code the reject action set)
//   silentOrders         the next N placeOrders are executed (the order exists, works and fills) but
//                        nothing about those orders reaches the client as it happens — no openOrder,
//                        orderStatus, execDetails, commissionReport or error for them: what a client
//                        sees when its socket stalls right after writing the order and what TWS sent
//                        meanwhile is lost. The orders show in reqOpenOrders, reqExecutions (with
//                        their commissions) and reqPositions as any other.
//   unreachableOrders    the next N order requests (placeOrder, cancelOrder) meet a TWS that has just
//                        lost IB's servers and not yet said so: refused with 1100 "Connectivity between
//                        IB and Trader Workstation has been lost." on that order id, not executed and
//                        not recorded at the venue (IB never saw them) — as every request is refused
//                        while connectivityLost lasts, for one request only and with no broadcast
//   readOnlyApi          true: TWS's Configure → API → Settings → "Read-Only API" is checked: placeOrder
//                        and cancelOrder are refused with error 321 "Error validating request.-'bY' :
//                        cause - The API interface is currently in Read-Only mode." on the order id
//                        (TWS's text, as IBKR's API users quote it), nothing placed or recorded; reads
//                        (market data, positions, account, open orders, executions) go on
//   stallAnswers         true: TWS reads and executes every request but nothing it sends reaches the
//                        clients (a TWS whose writer to the API sockets is stuck, a client's receive
//                        window full); false: what was held goes out, in order, to the sessions still
//                        there
// actions
//   dropSockets          cuts every API socket without a goodbye → {cut: n}
//   connectivityLost     TWS loses IB: 1100 to every session; requests are refused with 1100, market
//                        data stops, order events are withheld (the venue keeps matching: a fill
//                        then is seen only through reqExecutions / reqPositions / reqOpenOrders)
//   connectivityRestored {dataLost?: boolean}: 1101 "data lost" (market data subscriptions are gone:
//                        clients must renew them) or 1102 "data maintained"
//   gatewayRestart       {rollbackIds?: number = 5, downMs?: number = 1000}: every socket cut,
//                        connections refused for downMs (wall), subscriptions gone, the id memory
//                        lost and nextValidId rolled back by rollbackIds → {nextValidId}
//   pacing               {max?: number = 1}: the next client to send more than `max` messages in a
//                        second gets error 100 and is disconnected, as TWS does above 50/s (needs
//                        the wire's setMaxMessagesPerSecond) → {max}; {max: 50} restores
//   reject               {count?: number = 1, code?: number = 201, reason?: string}: sets the reject
//                        switch and the refusal → {count, code, reason}
//   fillWhileAway        {orderId?, clientId?, holdMs?: number = 300}: cuts every socket, refuses
//                        connections for holdMs (wall), and fills a working order (the one named,
//                        else the oldest that can fill) at the touch with no client there
//                        → the execution
//   placeExternalOrder   {instrument?: 'MES-202612' | 'SPY' | …, conId?, action?: 'BUY', quantity?: 1,
//                        orderType?: 'MKT' | 'LMT', lmtPrice?, tif?, orderRef?}: an order by hand in
//                        TWS (clientId 0, a negative order id) → {orderId, status}
import type {SwitchSpec} from '../../../../src/sectors/sim/index.js'

export const IBKR_SWITCHES = {
  freezePrices: {kind: 'boolean', default: false, description: 'prices stop moving'},
  reject: {kind: 'count', description: 'next N placeOrders are refused (201)'},
  silentOrders: {kind: 'count', description: 'next N placeOrders are executed but nothing about them reaches the client'},
  unreachableOrders: {kind: 'count', description: 'next N placeOrder/cancelOrder are refused with 1100, not executed'},
  readOnlyApi: {kind: 'boolean', default: false, description: 'TWS "Read-Only API": orders refused with 321'},
  stallAnswers: {kind: 'boolean', default: false, description: 'answers to the clients are held (requests still executed)'},
} as const satisfies Record<string, SwitchSpec>

export type IbkrSwitches = typeof IBKR_SWITCHES

/** TWS's refusal of an order request while "Read-Only API" is checked (error 321). */
export const READ_ONLY_REFUSAL = {code: 321, message: "Error validating request.-'bY' : cause - The API interface is currently in Read-Only mode."} as const

export const DEFAULT_REJECT_REASON = 'YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE [0.00 USD] MUST EXCEED THE INITIAL MARGIN [0.00 USD]'

/** Reads an optional argument of a fault action, refusing the wrong kind. */
export function arg<T extends 'number' | 'string' | 'boolean'>(args: Record<string, unknown>, name: string, kind: T): (T extends 'number' ? number : T extends 'string' ? string : boolean) | undefined {
  const v = args[name]
  if (v === undefined) return undefined
  if (typeof v !== kind || (kind === 'number' && !Number.isFinite(v))) throw new TypeError(`${name} must be a ${kind}, found ${JSON.stringify(v)}`)
  return v as T extends 'number' ? number : T extends 'string' ? string : boolean
}
