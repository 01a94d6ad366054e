// The Coinbase simulator's fault switches and actions (one set for REST and websocket). Switched while
// it runs, through RunningSimulator.faults or the control endpoint on the REST port:
//
//   GET  /__sim/faults                  → {"switches": {...}, "actions": [...]}
//   POST /__sim/faults       {"http429": 2, "latencyMs": 300}   → {"switches": {...}} (400 on an
//                                        unknown switch or a value of the wrong kind; nothing applied)
//   POST /__sim/actions/<name>  {args}   → {"result": ...} (404 for an unknown action)
//
// The control endpoint needs no JWT and no fault touches it (a fault must be switchable off).
//
// switches
//   latencyMs            every REST answer comes this many (wall) ms late; the request has been
//                        executed by then
//   submitTimeout        the next N order creates are executed but never answered: the response is
//                        held submitTimeoutHoldMs, then the connection is destroyed
//   submitTimeoutHoldMs  how long such a response is held (default 30 s)
//   http5xx              the next N REST requests answer 503 without being executed
//   http429              the next N REST requests answer Coinbase's 429 without being executed
//   revokeKey            true: every authenticated request (REST, websocket subscribe) answers 401
//                        as for a revoked key; public market data stays open, as it does at Coinbase
//   freezePrices         true: prices stop where they are (no trades, no triggers); time goes on
//   refuse               the next N order creates answer success:false (refuseReason, below)
//   wsQuiet              true: websockets stay open but nothing at all is sent (heartbeats included)
//   heartbeats           false: no heartbeats channel messages (other channels go on)
//   missUserUpdate       the next N order changes are not sent on the user channel (REST shows them)
// actions
//   dropStreams          cuts every websocket without a close frame; → {cut: n}
//   placeExternalOrder   an order placed "by hand" (not by rick, a client id of Coinbase's making):
//                        {product_id?, side?, base_size?, limit_price?, quote_size?} (default: a
//                        market buy of 10 in quote) → the create answer
//   refuse               {count?, reason?}: sets the refuse count (default 1) and the refusal it
//                        answers (a name of refusals.ts, default INSUFFICIENT_FUND) → {refuse, reason}
import type {SwitchSpec} from '../../../../src/sectors/sim/index.js'

export const COINBASE_SWITCHES = {
  latencyMs: {kind: 'number', default: 0, min: 0, max: 120_000, description: 'wall ms added to every REST answer'},
  submitTimeout: {kind: 'count', description: 'next N order creates executed but never answered'},
  submitTimeoutHoldMs: {kind: 'number', default: 30_000, min: 0, max: 600_000, description: 'how long an unanswered order create is held before its connection is destroyed'},
  http5xx: {kind: 'count', description: 'next N REST requests answer 503'},
  http429: {kind: 'count', description: 'next N REST requests answer 429 rate_limit_exceeded'},
  revokeKey: {kind: 'boolean', default: false, description: 'every authenticated request answers 401'},
  freezePrices: {kind: 'boolean', default: false, description: 'prices stop moving'},
  refuse: {kind: 'count', description: 'next N order creates answer success:false'},
  wsQuiet: {kind: 'boolean', default: false, description: 'websockets stay open but send nothing'},
  heartbeats: {kind: 'boolean', default: true, description: 'websockets send heartbeats channel messages'},
  missUserUpdate: {kind: 'count', description: 'next N order changes are not sent on the user channel'},
} as const satisfies Record<string, SwitchSpec>

export type CoinbaseSwitches = typeof COINBASE_SWITCHES

/** Coinbase's 429 (the CDP gateway's error list). */
export const RATE_LIMIT_BODY = {errors: [{id: 'rate_limit_exceeded', message: 'Too many requests'}]}
export const UNAVAILABLE_BODY = {error: 'UNAVAILABLE', error_details: 'service unavailable', message: 'service unavailable'}
/** Coinbase answers a missing, bad or expired JWT with a bare text 401. */
export const UNAUTHORIZED_TEXT = 'Unauthorized\n'
