// Requests to TWS whose answers come as several messages and an end marker: contract details,
// historical bars, the account summary, executions (by request id); open orders, positions and the
// current time (TWS gives those no id: one of each is asked at a time, later callers share it).
// Every request has a deadline (real time: a test's manual clock must not hold an answer back) and
// fails with NetworkError Disconnected when the connection goes; an `error` for its id fails it with
// what errors.ts makes of the code.
//
// Request ids start at REQUEST_ID_BASE, far above any order id rick uses, because TWS reports errors
// of orders and of requests through the same id field.
import type {NetworkError} from '../../../src/foundation/domain/broker-errors.js'
import type {ErrorClasses} from './errors.js'

export const REQUEST_ID_BASE = 1_900_000_000

/** Requests without an id: one of each kind in flight. */
export type SingleKind = 'openOrders' | 'allOpenOrders' | 'completedOrders' | 'positions' | 'time'

interface Pending {
  what: string
  items: unknown[][]
  resolve(items: unknown[][]): void
  reject(error: Error): void
  timer: ReturnType<typeof setTimeout>
  promise: Promise<unknown[][]>
  /** What the sender noted when it sent the request (singleTagged). */
  tag?: number
}

export class Requests {
  private nextId = REQUEST_ID_BASE
  private readonly byId = new Map<number, Pending>()
  private readonly singles = new Map<SingleKind, Pending>()

  constructor(
    private readonly core: ErrorClasses,
    private readonly timeoutMs: number,
  ) {}

  /** A fresh request id (also for subscriptions, which are not tracked here). */
  id(): number {
    if (this.nextId >= 2_147_483_000) this.nextId = REQUEST_ID_BASE
    return this.nextId++
  }

  /** Whether an id is one of rick's request ids (an error about it is not about an order). */
  isRequestId(id: number): boolean {
    return id >= REQUEST_ID_BASE
  }

  /** Sends a request with an id and collects what comes for it until its end marker. */
  byRequestId(what: string, send: (reqId: number) => void, timeoutMs = this.timeoutMs): {reqId: number; done: Promise<unknown[][]>} {
    const reqId = this.id()
    const p = this.pending(what, timeoutMs, () => this.byId.delete(reqId))
    this.byId.set(reqId, p)
    try {
      send(reqId)
    } catch (error) {
      this.byId.delete(reqId)
      clearTimeout(p.timer)
      p.reject(error as Error)
    }
    return {reqId, done: p.promise}
  }

  /**
   * Sends a request without an id, or joins the one in flight. `after`: a kind that ends with the
   * same marker (reqOpenOrders and reqAllOpenOrders both end with openOrderEnd): one in flight is
   * waited for first, so one end marker never ends both.
   */
  async single(kind: SingleKind, send: () => void, after?: SingleKind, timeoutMs = this.timeoutMs): Promise<unknown[][]> {
    return (await this.enter(kind, send, after, timeoutMs)).promise
  }

  /**
   * single(), and the number `send` returned when the request was sent — by this caller or by the
   * one whose request it joined (what was true when the request left, not when its answer came).
   */
  async singleTagged(kind: SingleKind, send: () => number, after?: SingleKind, timeoutMs = this.timeoutMs): Promise<{items: unknown[][]; tag: number | undefined}> {
    const p = await this.enter(kind, send, after, timeoutMs)
    return {items: await p.promise, tag: p.tag}
  }

  private async enter(kind: SingleKind, send: () => unknown, after: SingleKind | undefined, timeoutMs: number): Promise<Pending> {
    for (let other = after === undefined ? undefined : this.singles.get(after); other !== undefined; other = after === undefined ? undefined : this.singles.get(after)) {
      await other.promise.catch(() => undefined)
    }
    const inFlight = this.singles.get(kind)
    if (inFlight !== undefined) return inFlight
    const p = this.pending(kind, timeoutMs, () => this.singles.delete(kind))
    this.singles.set(kind, p)
    try {
      const tag = send()
      if (typeof tag === 'number') p.tag = tag
    } catch (error) {
      this.singles.delete(kind)
      clearTimeout(p.timer)
      p.reject(error as Error)
    }
    return p
  }

  /** Whether a request of that kind is waiting (its messages are collected). */
  waiting(kind: SingleKind): boolean {
    return this.singles.has(kind)
  }

  item(reqId: number, args: unknown[]): boolean {
    const p = this.byId.get(reqId)
    if (p === undefined) return false
    p.items.push(args)
    return true
  }

  itemOf(kind: SingleKind, args: unknown[]): void {
    this.singles.get(kind)?.items.push(args)
  }

  end(reqId: number): void {
    const p = this.byId.get(reqId)
    if (p === undefined) return
    this.byId.delete(reqId)
    clearTimeout(p.timer)
    p.resolve(p.items)
  }

  endOf(kind: SingleKind): void {
    const p = this.singles.get(kind)
    if (p === undefined) return
    this.singles.delete(kind)
    clearTimeout(p.timer)
    p.resolve(p.items)
  }

  /** An error for a request id; false when no request has that id. */
  fail(reqId: number, error: Error): boolean {
    const p = this.byId.get(reqId)
    if (p === undefined) return false
    this.byId.delete(reqId)
    clearTimeout(p.timer)
    p.reject(error)
    return true
  }

  /** Fails everything in flight (the connection went, or the connector closed). */
  failAll(error: NetworkError): void {
    const all = [...this.byId.values(), ...this.singles.values()]
    this.byId.clear()
    this.singles.clear()
    for (const p of all) {
      clearTimeout(p.timer)
      p.reject(error)
    }
  }

  private pending(what: string, timeoutMs: number, forget: () => void): Pending {
    let resolve!: (items: unknown[][]) => void
    let reject!: (e: Error) => void
    const promise = new Promise<unknown[][]>((res, rej) => {
      resolve = res
      reject = rej
    })
    // Nobody may await a request that fails before its caller looks (e.g. failAll at close).
    promise.catch(() => undefined)
    const timer = setTimeout(() => {
      forget()
      reject(new this.core.NetworkError('Timeout', `IBKR ${what}: no answer from TWS within ${timeoutMs} ms`))
    }, timeoutMs)
    return {what, items: [], resolve, reject, timer, promise}
  }
}
