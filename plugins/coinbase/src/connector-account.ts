// A spot account as the reconciler reads it (src/sectors/live/reconcile.ts compares the venue's
// positions and cash with the journal's):
// - cash is the balance (available + hold) of the products' quote currency, in micro units; the
//   buying power is what is available of it; equity adds the coins held at the products' prices;
// - a position is the balance (available + hold) of a configured product's base currency, on its
//   base increment; spot holdings are never negative, so short positions never appear;
// - its average price is the FIFO cost of the coins held: the most recent buys that add up to the
//   balance (coins deposited rather than bought have no cost: 0 when no buy explains any of it,
//   and the reconciler then values them at the last price).
import type {AccountSnapshot, Position} from '../../../src/foundation/domain/orders.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'
import {latestFills} from './connector-history.js'
import {arr, parseAccounts, parseProduct, sumDecimals, type Balance, type CoinbaseInstrument} from './parsing.js'
import type {CoinbaseRest} from './rest.js'

export interface SpotAccountDeps {
  rest: CoinbaseRest
  venue: string
  /** The products as refined at connect. */
  specs(): ReadonlyMap<string, CoinbaseInstrument>
  /** The quote currency cash is counted in. */
  currency(): string
  /** A read through the connector's guard (a 401 is fatal). */
  read(path: string, params: Record<string, unknown>): Promise<Record<string, unknown>>
  guard<T>(p: Promise<T>): Promise<T>
  core: Pick<CoreRuntime, 'roundToLot'>
}

/** Most pages of accounts read (250 a page). */
const MAX_ACCOUNT_PAGES = 100

export class SpotAccount {
  constructor(private readonly d: SpotAccountDeps) {}

  async snapshot(): Promise<AccountSnapshot> {
    const balances = await this.balances()
    const currency = this.d.currency()
    const cash = balances.get(currency)
    const positions = this.positionsOf(balances)
    const prices = positions.length > 0 ? await this.prices(positions.map((p) => p.instrument)) : new Map<string, number>()
    let equity = cash?.total ?? 0
    for (const p of positions) equity += Math.round(p.qty * (prices.get(p.instrument) ?? 0) * 1_000_000)
    return {currency, cash: cash?.total ?? 0, equity, buyingPower: cash?.available ?? 0}
  }

  async positions(): Promise<Position[]> {
    const held = this.positionsOf(await this.balances())
    for (const p of held) p.avgPrice = await this.fifoCost(p.instrument, p.qty)
    return held
  }

  private async balances(): Promise<Map<string, Balance>> {
    const out = new Map<string, Balance>()
    let cursor: string | undefined
    for (let page = 0; page < MAX_ACCOUNT_PAGES; page++) {
      const got = parseAccounts(await this.d.read('brokerage/accounts', {limit: 250, ...(cursor === undefined ? {} : {cursor})}))
      for (const b of got.balances) {
        const had = out.get(b.currency)
        out.set(b.currency, had === undefined ? b : {currency: b.currency, total: had.total + b.total, available: had.available + b.available, qty: sumDecimals([String(had.qty), String(b.qty)])})
      }
      if (got.cursor === undefined || got.cursor === cursor) break
      cursor = got.cursor
    }
    return out
  }

  private positionsOf(balances: Map<string, Balance>): Position[] {
    const out: Position[] = []
    for (const spec of this.d.specs().values()) {
      const held = balances.get(spec.coinbase.baseCurrency)
      const qty = held === undefined ? 0 : this.d.core.roundToLot(held.qty, spec.lotSize)
      if (qty > 0) out.push({instrument: spec.id, qty, avgPrice: 0})
    }
    return out
  }

  /** FIFO cost of `qty` held: the most recent buys that add up to it (0 when no buy explains it). */
  private async fifoCost(product: string, qty: number): Promise<number> {
    let remaining = qty
    let cost = 0
    await this.d.guard(
      latestFills(this.d.rest, product, (f) => {
        if (f.fill.side !== 'buy') return false
        const take = Math.min(remaining, f.fill.qty)
        cost += take * f.fill.price
        remaining -= take
        return remaining <= 1e-12
      }),
    )
    const explained = qty - remaining
    // Fifteen digits: the quotient's float dust (60000.01000000001) is not a price.
    return explained > 0 ? Number((cost / explained).toPrecision(15)) : 0
  }

  private async prices(ids: readonly string[]): Promise<Map<string, number>> {
    const body = await this.d.read('brokerage/products', {product_ids: [...ids], limit: ids.length})
    const out = new Map<string, number>()
    for (const raw of arr(body.products, 'products answer.products')) {
      const p = parseProduct(raw, this.d.venue)
      if (p.coinbase.price !== undefined) out.set(p.id, p.coinbase.price)
    }
    return out
  }
}
