// The account and the contracts a connection starts with: the account id (managedAccounts, or the
// sector's accountEnv when the login manages several), and every configured instrument qualified by
// reqContractDetails (its conId, minTick as the tick, multiplier, size increment, trading hours).
import type {Instrument} from '../../../src/foundation/domain/instrument.js'
import type {CoreRuntime} from '../../../src/sectors/core-runtime.js'
import type {Requests} from './connector-requests.js'
import {contractOfSpec, ParseError, qualify, type IbkrInstrument} from './parsing.js'
import type {TwsClient} from './tws-client.js'

type Core = Pick<CoreRuntime, 'BrokerError'>

/** The account rick trades: the one named by accountEnv, or the login's only one. */
export function pickAccount(core: Core, accounts: readonly string[], wanted: string | undefined, sector: string): string | undefined {
  if (wanted !== undefined) {
    if (accounts.length > 0 && !accounts.includes(wanted)) throw new core.BrokerError('AuthFailed', `IBKR: this login manages ${accounts.join(', ')}, not ${wanted} (the sector's accountEnv)`)
    return wanted
  }
  if (accounts.length > 1) throw new core.BrokerError('AuthFailed', `IBKR: this login manages several accounts (${accounts.join(', ')}); name the one of sector ${sector} in the variable its connection.accountEnv names`)
  return accounts[0]
}

export interface QualifyDeps {
  requests: Requests
  core: Core
  now(): number
  log(message: string): void
}

/** Each configured instrument as TWS describes it; a contract TWS does not know (200) or cannot pin down is an error naming it. */
export async function qualifyAll(d: QualifyDeps, c: TwsClient, instruments: ReadonlyArray<{base: Instrument; spec: Record<string, unknown>}>): Promise<Map<string, IbkrInstrument>> {
  const {BrokerError} = d.core
  const specs = new Map<string, IbkrInstrument>()
  for (const {base, spec} of instruments) {
    const {done} = d.requests.byRequestId(`reqContractDetails ${base.id}`, (id) => c.reqContractDetails(id, contractOfSpec(spec)))
    let answers: unknown[][]
    try {
      answers = await done
    } catch (error) {
      if (error instanceof BrokerError) throw new BrokerError('InvalidOrder', `IBKR: ${base.id}: ${error.message}`, {venueCode: error.venueCode})
      throw error
    }
    try {
      const q = qualify(base, answers.map((a) => a[1]))
      specs.set(base.id, q)
      const next = q.ibkr.sessions.find((s) => s.close > d.now())
      d.log(`${base.id} is conId ${q.ibkr.conId}, tick ${q.tickSize}, multiplier ${q.multiplier}${next ? `; next session ${new Date(next.open).toISOString()} - ${new Date(next.close).toISOString()}` : ''}`)
    } catch (error) {
      if (error instanceof ParseError) throw new BrokerError('InvalidOrder', `IBKR: ${error.message}`)
      throw error
    }
  }
  return specs
}
