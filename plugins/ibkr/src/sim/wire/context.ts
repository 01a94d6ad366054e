// What a request handler sees of its session: the negotiated version, the client, the broker,
// a way to answer, and the session's subscriptions (so they end with it).
import type {SimBroker, SimContract} from '../seam.js'

export interface RequestContext {
  readonly version: number
  readonly clientId: number
  readonly broker: SimBroker
  send(fields: string[]): void
  error(reqId: number, code: number, message: string): void
  /**
   * When the broker refuses requests (connectivity lost), answers `reqId` with the refusal and
   * returns true; the handler then does nothing else.
   */
  refused(reqId: number): boolean
  /** Subscriptions by kind and request id; each holds its unsubscribe. */
  readonly subscriptions: Map<string, () => void>
  /** reqMarketDataType's last value; null until the client asks. */
  marketDataType: number | null
  /** Wall timers (snapshot deadlines). */
  setTimer(fn: () => void, ms: number): void
  positionsSubscribed: boolean
  /** reqAccountSummary subscriptions: reqId → tags. */
  readonly accountSummaries: Map<number, string[]>
  accountUpdates: boolean
  log(message: string): void
}

/** IBKR's answer when a contract matches nothing. */
export const NO_SECURITY_DEFINITION = 'No security definition has been found for the request'

/** The broker's conId for a contract a request names (by conId, or by its description). */
export function resolveConId(ctx: RequestContext, contract: SimContract): number | undefined {
  const found = ctx.broker.contractDetails(contract)
  if (found.length !== 1) return undefined
  return found[0]?.contract.conId
}
