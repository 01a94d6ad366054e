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
  return {factory: (o) => new sdk.IBApi({host: o.host, port: o.port, clientId: o.clientId, maxReqPerSec: o.maxReqPerSec}), version}
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
