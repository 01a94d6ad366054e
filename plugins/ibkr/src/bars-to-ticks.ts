// TWS's 5-second real-time bars as rick's ticks. The engine builds the sector's bars from ticks
// (src/sectors/live/bar-builder.ts: first price = open, max = high, min = low, last = close, volumes
// summed), so each 5-second bar becomes the ticks that rebuild it exactly: its open at the bar's
// start, its low and high in between — low first when the bar closed up, high first when it closed
// down (the path a price most plausibly took) — and its close last, all stamped inside the bar with
// the venue's time; the bar's volume rides on the close. Aggregated over a minute, the ticks give
// the minute's exact OHLC and volume.
//
// Why bars and not reqMktData's ticks alone: real-time bars are TWS's record of every trade (the
// high and low of a quote stream sampled every 250 ms miss spikes), they come for futures and ETFs
// alike, and a bar missed on a reconnect is one gap of 5 s, not a wrong high. Quotes from reqMktData
// give the bid and ask of the ticks when they bracket the price; otherwise bid = ask = price.
import type {Bar} from '../../../src/foundation/domain/bars.js'
import type {Tick} from '../../../src/sectors/connector.js'

export const REALTIME_BAR_MS = 5_000

/** One 5-second bar; ts is its start in epoch ms (TWS sends epoch seconds). */
export type RealtimeBar = Omit<Bar, 'instrument'>

export interface Quote {
  bid: number
  ask: number
}

/** The offsets (ms into the bar) of the four ticks: open, first extreme, second extreme, close. */
const OFFSETS = [0, 1_250, 2_500, 3_750] as const

/**
 * The ticks of one bar, in time order. Empty for a bar that cannot be a market's (non-finite or
 * non-positive prices, high below low, open or close outside them). Repeated prices are kept only
 * once in a row (a flat bar is its open and close), but the close always comes, with the volume.
 */
export function barToTicks(instrument: string, bar: RealtimeBar, quote?: Quote): Tick[] {
  const {open, high, low, close} = bar
  const prices = [open, high, low, close]
  if (!prices.every((p) => Number.isFinite(p) && p > 0) || !Number.isFinite(bar.ts)) return []
  if (high < low || open > high || open < low || close > high || close < low) return []
  const path = close >= open ? [open, low, high, close] : [open, high, low, close]
  const volume = Number.isFinite(bar.volume) && bar.volume > 0 ? bar.volume : 0
  const out: Tick[] = []
  for (let i = 0; i < 4; i++) {
    const price = path[i] as number
    const last = i === 3
    if (!last && i > 0 && price === path[i - 1]) continue
    if (!last && i === 2 && price === close) continue
    const {bid, ask} = quoteAround(price, quote)
    out.push({instrument, ts: bar.ts + (OFFSETS[i] as number), bid, ask, price, volume: last ? volume : 0})
  }
  return out
}

/** The quote when it brackets the price, else the price on both sides. */
function quoteAround(price: number, quote: Quote | undefined): Quote {
  if (quote === undefined || !(quote.bid > 0) || !(quote.ask >= quote.bid) || price < quote.bid || price > quote.ask) return {bid: price, ask: price}
  return {bid: quote.bid, ask: quote.ask}
}
