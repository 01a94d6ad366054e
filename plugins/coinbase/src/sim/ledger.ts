// The simulated spot account: a balance per currency (units, see money.ts) and what open orders
// hold of it. available = balance − hold; Coinbase's accounts list shows available and hold, never
// the balance, so a client adds them. Money moves only through settle(): a fill, once.
import type {Units} from './money.js'

export class Ledger {
  private readonly balances = new Map<string, Units>()
  private readonly holds = new Map<string, Units>()

  constructor(readonly currencies: readonly string[]) {
    for (const c of currencies) {
      this.balances.set(c, 0n)
      this.holds.set(c, 0n)
    }
  }

  deposit(currency: string, amount: Units): void {
    this.balances.set(currency, this.balance(currency) + amount)
  }

  balance(currency: string): Units {
    return this.balances.get(currency) ?? 0n
  }

  held(currency: string): Units {
    return this.holds.get(currency) ?? 0n
  }

  available(currency: string): Units {
    return this.balance(currency) - this.held(currency)
  }

  hold(currency: string, amount: Units): void {
    if (amount < 0n || amount > this.available(currency)) throw new Error(`hold of ${amount} ${currency} beyond what is available`)
    this.holds.set(currency, this.held(currency) + amount)
  }

  release(currency: string, amount: Units): void {
    const next = this.held(currency) - amount
    if (amount < 0n || next < 0n) throw new Error(`release of ${amount} ${currency} beyond what is held`)
    this.holds.set(currency, next)
  }

  /** A fill: `pay` leaves one currency, `receive` arrives in another. */
  settle(pay: {currency: string; amount: Units}, receive: {currency: string; amount: Units}): void {
    if (pay.amount > this.balance(pay.currency)) throw new Error(`fill pays ${pay.amount} ${pay.currency}, more than the balance`)
    this.balances.set(pay.currency, this.balance(pay.currency) - pay.amount)
    this.balances.set(receive.currency, this.balance(receive.currency) + receive.amount)
  }
}
