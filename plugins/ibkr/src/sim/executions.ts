// The executions of the account, with their commission reports, as reqExecutions answers them:
// today's (US/Eastern, where IBKR's day turns), narrowed by the ExecutionFilter's fields that are
// set — clientId (0: all), account, time (sinceTs: at or after), symbol, secType, exchange, side
// (BUY/SELL match BOT/SLD).
import {localDay, utcOfLocal} from './hours.js'
import type {SimCommissionReport, SimExecution, SimExecutionFilter} from './seam.js'

export interface ExecutionRecord {
  execution: SimExecution
  report: SimCommissionReport
}

const DAY_ZONE = 'America/New_York'

export function startOfDay(ts: number): number {
  return utcOfLocal(localDay(ts, DAY_ZONE), DAY_ZONE)
}

export class Executions {
  private readonly records: ExecutionRecord[] = []

  add(record: ExecutionRecord): void {
    this.records.push(record)
  }

  all(): ExecutionRecord[] {
    return this.records.map((r) => ({execution: {...r.execution, contract: {...r.execution.contract}}, report: {...r.report}}))
  }

  /** reqExecutions. */
  filter(f: SimExecutionFilter, now: number): ExecutionRecord[] {
    const since = Math.max(startOfDay(now), f.sinceTs > 0 ? f.sinceTs : 0)
    const eq = (want: string, have: string): boolean => want === '' || want.toUpperCase() === have.toUpperCase()
    const side = f.side.toUpperCase() === 'BUY' ? 'BOT' : f.side.toUpperCase() === 'SELL' ? 'SLD' : f.side
    return this.all().filter(({execution: e}) => {
      if (e.ts < since) return false
      if (f.clientId !== 0 && e.clientId !== f.clientId) return false
      return eq(f.acctCode, e.acctNumber) && eq(f.symbol, e.contract.symbol) && eq(f.secType, e.contract.secType) && eq(f.exchange, e.exchange) && eq(side, e.side)
    })
  }
}
