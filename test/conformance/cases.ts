// The conformance cases (cases-*.ts): what every Connector must do, whatever the venue. Each case is plain data
// (a name and a function of a fixture) so the suite can run it per venue and the self-test can run
// it against deliberately broken connectors (selftest.test.ts: every case can fail).
//
// Choices the contract leaves open, decided here:
// - A refused order is EITHER a thrown BrokerError OR one `reject` event before submit() resolves,
//   never both (the engine handles both; a venue that works asynchronously may only have the event).
//   A reused client order id is always a thrown BrokerError with no `reject` event: such an event
//   would carry the id of the FIRST order and close it in the engine's books.
// - "No timers left" is checked with process.getActiveResourcesInfo() (ref'd timers and sockets back
//   to what they were before the connector existed): fake timers cannot drive a real socket.
// - connect() after close(): per fixture (`afterClose`): refused, or a clean reconnect.
import type {ConformanceCase} from './checks.js'
import {CONNECTOR_CASES} from './cases-connector.js'
import {FAULT_CASES} from './cases-faults.js'
import {LIVE_CASES} from './cases-live.js'
import {ORDER_CASES} from './cases-orders.js'
import {TRADING_CASES} from './cases-trading.js'

export type {CaseRun, ConformanceCase} from './checks.js'

export const CASES: readonly ConformanceCase[] = [...CONNECTOR_CASES, ...ORDER_CASES, ...TRADING_CASES, ...LIVE_CASES, ...FAULT_CASES]
