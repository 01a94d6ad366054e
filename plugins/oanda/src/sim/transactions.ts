// The account's transactions, as OANDA keeps them: ids are consecutive per account ("1", "2", …);
// the transactions one request (or one trigger) makes form a batch whose batchID is the id of its
// first transaction; each carries the account, the user, the sim time and, when a client request
// made it, that request's id. Listeners (the transactions stream) see each one as it is added.
import {SimTime} from './wire.js'

export type WireTransaction = Record<string, unknown> & {id: string; type: string; time: SimTime}

export interface AddedTransaction {
  tx: WireTransaction
  /** The missFill fault: the transaction happened but the stream does not carry it. */
  hiddenFromStream: boolean
}

export class TransactionLog {
  private readonly all: WireTransaction[] = []
  private readonly listeners = new Set<(added: AddedTransaction) => void>()

  constructor(
    readonly accountID: string,
    readonly userID: number,
  ) {}

  get lastID(): string {
    return String(this.all.length)
  }

  /** The id the next transaction will get (a trade's id is the id of the fill that opened it). */
  get nextID(): string {
    return String(this.all.length + 1)
  }

  get size(): number {
    return this.all.length
  }

  /** Starts a batch of transactions made at `now` by one request (or trigger). */
  batch(now: number, requestID?: string): Batch {
    return new Batch(this, now, requestID)
  }

  get(id: string): WireTransaction | undefined {
    if (!/^[1-9]\d*$/.test(id)) return undefined
    return this.all[Number(id) - 1]
  }

  /** Transactions with from <= id <= to (ids as numbers). */
  range(from: number, to: number): WireTransaction[] {
    return this.all.slice(Math.max(0, from - 1), Math.max(0, to))
  }

  /** Transactions made in [fromMs, toMs]. */
  between(fromMs: number, toMs: number): WireTransaction[] {
    return this.all.filter((t) => t.time.ms >= fromMs && t.time.ms <= toMs)
  }

  subscribe(fn: (added: AddedTransaction) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** @internal (Batch) */
  append(fields: Record<string, unknown> & {type: string}, now: number, batchID: string | undefined, requestID: string | undefined, hidden: boolean): WireTransaction {
    const id = String(this.all.length + 1)
    const tx = {
      id,
      time: new SimTime(now),
      userID: this.userID,
      accountID: this.accountID,
      batchID: batchID ?? id,
      ...(requestID === undefined ? {} : {requestID}),
      ...fields,
    } as WireTransaction
    this.all.push(tx)
    for (const fn of [...this.listeners]) fn({tx, hiddenFromStream: hidden})
    return tx
  }
}

export class Batch {
  private first: string | undefined
  readonly ids: string[] = []

  constructor(
    private readonly log: TransactionLog,
    readonly now: number,
    readonly requestID: string | undefined,
  ) {}

  add(fields: Record<string, unknown> & {type: string}, options: {hiddenFromStream?: boolean} = {}): WireTransaction {
    const tx = this.log.append(fields, this.now, this.first, this.requestID, options.hiddenFromStream ?? false)
    this.first ??= tx.id
    this.ids.push(tx.id)
    return tx
  }
}
