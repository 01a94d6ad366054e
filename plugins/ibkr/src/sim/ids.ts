// Order ids, permIds and execution ids as TWS hands them out.
//   - Order ids belong to an API client: each client's ids only grow (an id at or below the highest
//     that client used is a duplicate, error 103, unless it modifies an order of that client).
//     nextValidId is never below the highest id any client used — except after the
//     gatewayRestart fault, which rolls it back on purpose (a restarted Gateway that lost its
//     memory of ids: the client must not reuse one).
//   - permIds are the account-wide ids of IB's servers: they never roll back.
//   - execIds look like TWS's `0000e0d5.6576fd3a.01.01`: a seeded prefix, the fill's time in hex
//     seconds, and a counter of the fills in that second, so they stay unique across restarts.
import type {Random} from '../../../../src/foundation/random.js'

const hex = (n: number, width: number): string => (n >>> 0).toString(16).padStart(width, '0')

export class OrderIds {
  /** The highest id any client used since the last restart. */
  private highest = 0
  /** The first id after the last restart (1 for a fresh account). */
  private base = 1
  private readonly clientHigh = new Map<number, number>()

  nextValidId(): number {
    return Math.max(this.base, this.highest + 1)
  }

  /** Whether a new order with this id would duplicate one the client used (error 103). */
  isDuplicate(clientId: number, orderId: number): boolean {
    return orderId <= (this.clientHigh.get(clientId) ?? 0)
  }

  use(clientId: number, orderId: number): void {
    if (orderId > this.highest) this.highest = orderId
    if (orderId > (this.clientHigh.get(clientId) ?? 0)) this.clientHigh.set(clientId, orderId)
  }

  /** A Gateway restart: the id memory is lost and nextValidId goes back `rollback` ids. → the new nextValidId. */
  restart(rollback: number): number {
    this.base = Math.max(1, this.nextValidId() - Math.max(0, Math.floor(rollback)))
    this.highest = 0
    this.clientHigh.clear()
    return this.base
  }
}

export class PermIds {
  private next: number

  constructor(random: Random) {
    this.next = 1_000_000_000 + Math.floor(random.next() * 900_000_000)
  }

  take(): number {
    return this.next++
  }
}

export class ExecIds {
  private readonly prefix: string
  private lastSec = -1
  private inSec = 0

  constructor(random: Random) {
    this.prefix = hex(Math.floor(random.next() * 0x10000) + 0xe000, 8)
  }

  take(ts: number): string {
    const sec = Math.floor(ts / 1000)
    if (sec > this.lastSec) {
      this.lastSec = sec
      this.inSec = 0
    }
    this.inSec++
    return `${this.prefix}.${hex(this.lastSec, 8)}.${hex(this.inSec, 2)}.01`
  }
}

/** The paper account's id: `DU` and seven seeded digits. */
export function accountId(random: Random): string {
  return `DU${String(1_000_000 + Math.floor(random.next() * 9_000_000))}`
}
