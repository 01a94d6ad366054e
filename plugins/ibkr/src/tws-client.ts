// The part of @stoqey/ib's IBApi the connector uses, typed by rick (event names as strings, payloads
// as unknown: everything the socket says is read by parsing*.ts). One IBApi per connection: its
// command queue (paused until nextValidId) dies with it, so a request made while a connection was
// going down is never sent on the next one.
import type {IbContract} from './parsing.js'
import type {IbOrder} from './parsing-orders.js'

export interface TwsClient {
  on(event: string, listener: (...args: unknown[]) => void): unknown
  removeAllListeners(): unknown
  connect(clientId?: number): unknown
  disconnect(): unknown
  readonly isConnected: boolean
  readonly serverVersion: number
  placeOrder(id: number, contract: IbContract, order: IbOrder): unknown
  cancelOrder(orderId: number): unknown
  reqOpenOrders(): unknown
  reqAllOpenOrders(): unknown
  /** From server version 150 (MIN_SERVER_VER_REQ_COMPLETED_ORDERS); the SDK refuses it below. */
  reqCompletedOrders(apiOnly: boolean): unknown
  reqPositions(): unknown
  cancelPositions(): unknown
  reqAccountSummary(reqId: number, group: string, tags: string): unknown
  cancelAccountSummary(reqId: number): unknown
  reqExecutions(reqId: number, filter: {clientId?: string; acctCode?: string; time?: string}): unknown
  reqContractDetails(reqId: number, contract: IbContract): unknown
  reqCurrentTime(): unknown
  reqManagedAccts(): unknown
  reqRealTimeBars(reqId: number, contract: IbContract, barSize: number, whatToShow: string, useRTH: boolean): unknown
  cancelRealTimeBars(reqId: number): unknown
  reqMktData(reqId: number, contract: IbContract, genericTickList: string, snapshot: boolean, regulatorySnapshot: boolean): unknown
  cancelMktData(reqId: number): unknown
  reqHistoricalData(reqId: number, contract: IbContract, endDateTime: string, durationStr: string, barSizeSetting: string, whatToShow: string, useRTH: number, formatDate: number, keepUpToDate: boolean): unknown
}

export interface TwsClientOptions {
  host: string
  port: number
  clientId: number
  /** Messages a second the SDK lets out (TWS disconnects a client above 50). */
  maxReqPerSec: number
}

/** Makes an unconnected client (the factory's imports @stoqey/ib; a test may give a fake). */
export type TwsClientFactory = (o: TwsClientOptions) => TwsClient

/**
 * @stoqey/ib's IBApi, imported here lazily. host, port, clientId and the rate are always given: the
 * SDK reads a `.env` of the working directory for whatever is missing (an IB_PORT there would move
 * the connection silently).
 */
export async function stoqeyFactory(): Promise<{factory: TwsClientFactory; version: string}> {
  const entry: string = '@stoqey/ib'
  const sdk = (await import(entry)) as {IBApi: new (o: TwsClientOptions) => TwsClient}
  const version = await sdkVersion()
  return {factory: (o) => withNoDelay(new sdk.IBApi({host: o.host, port: o.port, clientId: o.clientId, maxReqPerSec: o.maxReqPerSec})), version}
}

/** Where @stoqey/ib keeps its net.Socket once connect() was called (not part of its typed API). */
interface SdkInternals {
  controller?: {socket?: {client?: {setNoDelay?(noDelay: boolean): unknown}}}
}

/**
 * Turns Nagle's algorithm off on the SDK's socket, which @stoqey/ib leaves on. TWS's requests are
 * small messages written one after another (a reqPositions read, then placeOrder): with Nagle on, the
 * second waits in the kernel until TWS acknowledges the first, and a receiver that delays its ACK
 * (Linux: up to 40 ms) held every exit order back that long — 43 ms p50 in the bench.
 */
function withNoDelay(api: TwsClient): TwsClient {
  const connect = api.connect.bind(api)
  api.connect = (clientId?: number) => {
    const out = connect(clientId)
    ;(api as unknown as SdkInternals).controller?.socket?.client?.setNoDelay?.(true)
    return out
  }
  return api
}

async function sdkVersion(): Promise<string> {
  try {
    const {createRequire} = await import('node:module')
    const require = createRequire(import.meta.url)
    const {readFileSync} = await import('node:fs')
    const {dirname, join} = await import('node:path')
    const main = require.resolve('@stoqey/ib')
    // dist/index.js → the package root two levels up.
    const pkg = JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as {version?: unknown}
    return typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    return 'unknown'
  }
}
