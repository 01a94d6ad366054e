// A small fixed trade history, used by the trade, metrics and journal report tests. Money in micro
// units (1 currency unit = 1_000_000).
import type {Fill} from '../../../src/foundation/domain/orders.js'
import type {EventPayloads, EventType, JournalEvent, RunStartedPayload} from '../../../src/foundation/journal/events.js'

const M = 1_000_000
let n = 0
export function fill(instrument: string, side: 'buy' | 'sell', qty: number, price: number, fee: number, ts: number): Fill {
  n++
  return {clientOrderId: `c${n}`, fillId: `f-${instrument}-${ts}-${side}`, instrument, side, qty, price, fee: Math.round(fee * M), liquidity: 'taker', ts}
}

export const MIN = 60_000

// SPY (multiplier 1) and MES (multiplier 5):
//   t=0     buy  10 SPY @ 100   fee 1.00   -> long 10
//   t=1m    buy   2 MES @ 5000  fee 2.00   -> long 2 MES (value 2 × 5000 × 5 = 50 000)
//   t=1m    sell  4 SPY @ 110   fee 0.40   -> trade A: long 4, 100 -> 110
//   t=2m    sell 10 SPY @ 105   fee 1.00   -> trade B: long 6, 100 -> 105; then short 4 @ 105 (flip)
//   t=3m    buy   4 SPY @ 108   fee 0.40   -> trade C: short 4, 105 -> 108
//   t=4m    sell  2 MES @ 4990  fee 2.00   -> trade D: long 2 MES, 5000 -> 4990
export const FILLS: Fill[] = [
  fill('SPY', 'buy', 10, 100, 1.0, 0),
  fill('MES', 'buy', 2, 5000, 2.0, MIN),
  fill('SPY', 'sell', 4, 110, 0.4, MIN),
  fill('SPY', 'sell', 10, 105, 1.0, 2 * MIN),
  fill('SPY', 'buy', 4, 108, 0.4, 3 * MIN),
  fill('MES', 'sell', 2, 4990, 2.0, 4 * MIN),
]

export const MULTIPLIERS = {SPY: 1, MES: 5}

/** Builds a run's events; seq runs on across calls of the same builder. */
export function journalBuilder() {
  let seq = 0
  const events: JournalEvent[] = []
  const add = <T extends EventType>(runId: string, sector: string, ts: number, type: T, payload: EventPayloads[T]) => {
    seq++
    events.push({seq, ts, runId, sector, type, payload, prevHash: '', hash: ''} as JournalEvent)
  }
  return {events, add}
}

export function started(extra: Record<string, unknown> = {}, over: Partial<RunStartedPayload> = {}): RunStartedPayload {
  return {
    requestedMode: 'paper',
    effectiveMode: 'paper',
    venue: 'paper',
    environment: 'paper',
    profile: 'Balanced',
    charter: {allowed: true},
    snapshot: null,
    configHash: 'c'.repeat(64),
    strategy: {name: 'sma-crossover', codeHash: 'a1b2c3d4e5f6'.padEnd(64, '0'), params: {fast: 10, slow: 50}},
    inputs: {kind: 'synthetic', seed: 1, instruments: ['SPY', 'MES'], startTs: 0, periodMs: MIN},
    seed: 1,
    limits: {},
    version: '0.1.0',
    notices: [],
    ...over,
    ...extra,
  } as RunStartedPayload
}
