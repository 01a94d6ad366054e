// The level2 book the simulator shows: the exchange quotes one best bid and ask per product, so the
// depth behind them is synthesised, deterministically. Levels sit one price unit apart (the
// smallest step the quoted prices are written in) below the best bid and above the best ask; the
// best levels carry the quoted quantities, deeper ones a size that depends only on the product,
// side and price (a hash, no random source), so a level keeps its size while the window moves and
// the updates are only what really changed: new levels, vanished ones ("0"), the new top.
import type {FeedQuote} from './ws-feed.js'
import {type Dec, dec, decimalsOf, formatDec, rescale} from './ws-decimal.js'
import type {L2Level} from './ws-wire.js'

export const BOOK_DEPTH = 50

function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

export class SyntheticBook {
  /** Size unit of the deeper levels: the first quoted best-bid quantity, fixed for the book's life. */
  private sizeUnit: Dec | undefined
  private levels = new Map<string, L2Level>()

  constructor(
    readonly productId: string,
    private readonly depth = BOOK_DEPTH,
  ) {}

  /** The current book, bids best first then offers best first. */
  snapshot(): L2Level[] {
    return [...this.levels.values()]
  }

  get empty(): boolean {
    return this.levels.size === 0
  }

  /** Moves the book to a new quote; returns the levels that changed ("0" for a removed one). */
  apply(q: FeedQuote): L2Level[] {
    const next = this.build(q)
    const changes: L2Level[] = []
    for (const [key, level] of next) {
      if (this.levels.get(key)?.quantity !== level.quantity) changes.push(level)
    }
    for (const [key, level] of this.levels) {
      if (!next.has(key)) changes.push({side: level.side, price: level.price, quantity: '0'})
    }
    this.levels = next
    return changes
  }

  private build(q: FeedQuote): Map<string, L2Level> {
    const priceScale = Math.max(decimalsOf(q.bestBid), decimalsOf(q.bestAsk))
    const qtyScale = Math.max(decimalsOf(q.bestBidQuantity), decimalsOf(q.bestAskQuantity))
    this.sizeUnit ??= rescale(dec(q.bestBidQuantity), qtyScale)
    const unit = rescale(this.sizeUnit, qtyScale)
    const out = new Map<string, L2Level>()
    const sides: Array<[L2Level['side'], string, string, bigint]> = [
      ['bid', q.bestBid, q.bestBidQuantity, -1n],
      ['offer', q.bestAsk, q.bestAskQuantity, 1n],
    ]
    for (const [side, best, bestQty, direction] of sides) {
      const top = rescale(dec(best), priceScale)
      for (let i = 0; i < this.depth; i++) {
        const units = top.units + direction * BigInt(i)
        if (units <= 0n) break
        const price = formatDec({units, scale: priceScale})
        const quantity = i === 0 ? bestQty : this.deepSize(side, price, unit)
        out.set(`${side}|${price}`, {side, price, quantity})
      }
    }
    return out
  }

  /** One to five size units, plus a fraction of one, fixed per level. */
  private deepSize(side: string, price: string, unit: Dec): string {
    const h = fnv1a(`${this.productId}|${side}|${price}`)
    const tenths = 10n + BigInt(h % 41)
    const units = (unit.units * tenths) / 10n
    return formatDec({units: units > 0n ? units : 1n, scale: unit.scale})
  }
}
