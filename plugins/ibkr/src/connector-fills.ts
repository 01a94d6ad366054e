// TWS reports a fill in two messages: execDetails (what traded: execId, order, shares, price, time)
// and, just after, commissionReport (the execId's commission). rick's fill is one event with its fee,
// so the two are joined here by execId, and each execId goes out once — TWS repeats executions on
// every reqExecutions (after each reconnect) and its commission reports with them.
//
// An execution whose commission does not come within `waitMs` (wall time, default 1.5 s) goes out
// with the fee it has: none (0), and a line in the log saying so — a fill is never held back for
// its fee, since positions and risk depend on the fill and not on the fee. A commission that comes
// later for an execution already out is logged, not booked twice.
import type {Micro} from '../../../src/foundation/domain/money.js'
import {num, rec, str} from './parsing.js'

export const DEFAULT_COMMISSION_WAIT_MS = 1_500
/** Execution ids remembered to drop repeats; the oldest half is forgotten past this. */
const KEPT = 50_000

export interface JoinedExecution {
  execId: string
  contract: unknown
  execution: unknown
  fee: Micro
  /** The commission did not come in time: fee 0. */
  feeMissing: boolean
}

export interface FillJoinerOptions {
  waitMs: number
  toMicro(amount: number): Micro
  emit(x: JoinedExecution): void
  log(message: string): void
}

interface Waiting {
  contract: unknown
  execution: unknown
  timer: ReturnType<typeof setTimeout>
}

export class FillJoiner {
  private readonly waiting = new Map<string, Waiting>()
  /** Commissions that came before their execution. */
  private readonly early = new Map<string, Micro>()
  private done = new Set<string>()
  /** Fees of the executions joined (recentFills lists them with TWS's executions). */
  private fees = new Map<string, Micro>()
  private idleWaiters: Array<() => void> = []
  private stopped = false

  constructor(private readonly o: FillJoinerOptions) {}

  /** The fee an execution was booked with (undefined: not joined yet). */
  feeOf(execId: string): Micro | undefined {
    return this.fees.get(execId)
  }

  /** Whether an execution id was emitted already. */
  seen(execId: string): boolean {
    return this.done.has(execId)
  }

  execution(contract: unknown, execution: unknown): void {
    const execId = str(rec(execution).execId)
    if (this.stopped || execId === '' || this.done.has(execId) || this.waiting.has(execId)) return
    const corrected = correctionOf(execId)
    if (corrected !== undefined && (this.done.has(corrected) || this.waiting.has(corrected))) {
      // TWS corrects an execution by sending it again with the last part of its id incremented.
      // rick booked the first one; the reconciler compares positions with the venue's.
      this.o.log(`execution ${execId} corrects ${corrected}, which is booked already; the correction is not booked again`)
      this.done.add(execId)
      return
    }
    const fee = this.early.get(execId)
    if (fee !== undefined) {
      this.early.delete(execId)
      return this.out({execId, contract, execution, fee, feeMissing: false})
    }
    const timer = setTimeout(() => {
      const w = this.waiting.get(execId)
      if (w === undefined) return
      this.waiting.delete(execId)
      this.o.log(`no commission report for execution ${execId} within ${this.o.waitMs} ms; its fill is booked with fee 0`)
      this.out({execId, contract: w.contract, execution: w.execution, fee: 0, feeMissing: true})
    }, this.o.waitMs)
    this.waiting.set(execId, {contract, execution, timer})
  }

  commission(report: unknown): void {
    const r = rec(report)
    const execId = str(r.execId)
    const amount = num(r.commission)
    if (this.stopped || execId === '') return
    // TWS sends Double.MAX_VALUE for "not known".
    const fee = Number.isFinite(amount) && Math.abs(amount) < 1e300 ? this.o.toMicro(amount) : undefined
    const w = this.waiting.get(execId)
    if (w !== undefined) {
      if (fee === undefined) return // wait for a real one, or the deadline
      clearTimeout(w.timer)
      this.waiting.delete(execId)
      return this.out({execId, contract: w.contract, execution: w.execution, fee, feeMissing: false})
    }
    if (this.done.has(execId)) return
    if (fee !== undefined) {
      this.early.set(execId, fee)
      if (this.early.size > 1_000) this.early.delete(this.early.keys().next().value as string)
    }
  }

  /** Resolves once no execution waits for its commission. */
  idle(): Promise<void> {
    if (this.waiting.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Drops what waits (close): nothing is emitted after. */
  stop(): void {
    this.stopped = true
    for (const w of this.waiting.values()) clearTimeout(w.timer)
    this.waiting.clear()
    for (const r of this.idleWaiters.splice(0)) r()
  }

  private out(x: JoinedExecution): void {
    this.done.add(x.execId)
    this.fees.set(x.execId, x.fee)
    if (this.done.size > KEPT) this.done = new Set([...this.done].slice(KEPT / 2))
    if (this.fees.size > KEPT) this.fees = new Map([...this.fees].slice(KEPT / 2))
    try {
      this.o.emit(x)
    } finally {
      if (this.waiting.size === 0) for (const r of this.idleWaiters.splice(0)) r()
    }
  }
}

/** The id of the execution that `execId` corrects (`….01.02` corrects `….01.01`), or undefined. */
export function correctionOf(execId: string): string | undefined {
  const m = /^(.+\.)(\d{2})$/.exec(execId)
  if (m === null) return undefined
  const version = Number(m[2])
  return version > 1 ? `${m[1]}${String(version - 1).padStart(2, '0')}` : undefined
}
