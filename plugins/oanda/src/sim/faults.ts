// The OANDA simulator's fault switches and actions. Switched while it runs, through
// RunningSimulator.faults or the control endpoint on the REST port:
//
//   GET  /__sim/faults                  → {"switches": {...}, "actions": [...]}
//   POST /__sim/faults       {"http5xx": 2, "latencyMs": 300}   → {"switches": {...}} (400 on an unknown
//                                        switch or a value of the wrong kind; nothing is applied then)
//   POST /__sim/actions/<name>  {args}   → {"result": ...} (404 for an unknown action)
//
// The control endpoint needs no token and no fault touches it (a fault must be switchable off).
//
// switches
//   latencyMs            every REST answer comes this many (wall) ms late; the request has already
//                        been executed by then
//   submitTimeout        the next N order POSTs are executed but never answered: the response is held
//                        submitTimeoutHoldMs, then the connection is destroyed
//   submitTimeoutHoldMs  how long such a response is held (default 30 s)
//   http5xx              the next N requests (REST or stream) answer 503 without being executed
//   http429              the next N requests answer 429 (rate limit) without being executed
//   heartbeats           false: the streams stay open but send no HEARTBEAT lines
//   missFill             the next N fills happen but their ORDER_FILL is not sent on the transactions
//                        stream (REST shows it)
//   revokeToken          true: every request answers 401 (open streams stay open)
//   freezePrices         true: prices stop where they are (no PRICE lines, no triggers); time goes on
//   marketHalted         true: prices are not tradeable; market orders are cancelled (MARKET_HALTED)
// actions
//   dropStreams          cuts every open stream's connection (no clean end); → {cut: n}
//   placeExternalOrder   an order placed "by hand" (no client id): {instrument?, units?, type?, price?}
//                        → the order's OANDA answer body
import type {SwitchSpec} from '../../../../src/sectors/sim/index.js'

export const OANDA_SWITCHES = {
  latencyMs: {kind: 'number', default: 0, min: 0, max: 120_000, description: 'wall ms added to every REST answer'},
  submitTimeout: {kind: 'count', description: 'next N order POSTs executed but never answered'},
  submitTimeoutHoldMs: {kind: 'number', default: 30_000, min: 0, max: 600_000, description: 'how long an unanswered order POST is held before its connection is destroyed'},
  http5xx: {kind: 'count', description: 'next N requests answer 503'},
  http429: {kind: 'count', description: 'next N requests answer 429'},
  heartbeats: {kind: 'boolean', default: true, description: 'streams send HEARTBEAT lines'},
  missFill: {kind: 'count', description: 'next N fills are not sent on the transactions stream'},
  revokeToken: {kind: 'boolean', default: false, description: 'every request answers 401'},
  freezePrices: {kind: 'boolean', default: false, description: 'prices stop moving'},
  marketHalted: {kind: 'boolean', default: false, description: 'prices not tradeable, market orders cancelled'},
} as const satisfies Record<string, SwitchSpec>

export type OandaSwitches = typeof OANDA_SWITCHES

export const RATE_LIMIT_BODY = {errorMessage: 'Rate limit violation. Allowed rate: 100 requests per second.'}
export const UNAVAILABLE_BODY = {errorMessage: 'Service Unavailable. Please try again later.'}
export const UNAUTHORIZED_BODY = {errorMessage: 'Insufficient authorization to perform request.'}
