// A minimal engine stand-in for strategy tests: positions follow the signals at once (as if every
// order filled immediately), unless the test says otherwise.
import type {Bar} from '../../src/foundation/domain/bars.js'
import type {Signal, Strategy, StrategyContext} from '../../src/sectors/strategy/contract.js'

export interface TestContext extends StrategyContext {
  positions: Map<string, number>
  logs: string[]
}

export function testContext(instruments: string[], params: Record<string, unknown> = {}): TestContext {
  const positions = new Map<string, number>()
  const logs: string[] = []
  return {
    positions,
    logs,
    now: () => 0,
    position: (id) => positions.get(id) ?? 0,
    params,
    instruments,
    log: (m) => logs.push(m),
    random: () => 0.5,
  }
}

export function bar(instrument: string, i: number, close: number, high = close, low = close): Bar {
  return {instrument, ts: i * 60_000, open: close, high, low, close, volume: 0}
}

/** Feeds bars; returns [bar index, signal] pairs. `fill` (default true) applies each target at once. */
export function drive(strategy: Strategy, ctx: TestContext, bars: Bar[], fill = true, offset = 0): Array<[number, Signal]> {
  const out: Array<[number, Signal]> = []
  bars.forEach((b, i) => {
    for (const s of strategy.onBar(b, ctx)) {
      out.push([i + offset, s])
      if (fill) ctx.positions.set(s.instrument, s.target)
    }
  })
  return out
}

/** A seeded random walk (xorshift), so restore tests see many crossings. */
export function walk(instrument: string, n: number, seed: number, start = 100): Bar[] {
  let x = seed >>> 0 || 1
  let price = start
  const bars: Bar[] = []
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    const step = (x / 0xffffffff - 0.5) * 2
    const open = price
    price = Math.max(1, price + step)
    const high = Math.max(open, price) + Math.abs(step) / 3
    const low = Math.min(open, price) - Math.abs(step) / 3
    bars.push({instrument, ts: i * 60_000, open, high, low, close: price, volume: 1})
  }
  return bars
}
