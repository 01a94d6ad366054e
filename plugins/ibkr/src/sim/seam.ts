// The seam between the IBKR simulator's two halves (types only):
//   - the broker (sim/*.ts): contracts, market, orders and matching (brackets, OCA), the DU paper
//     account, executions, order ids, fault switches — the state TWS and IB's servers keep;
//   - the wire (sim/wire/*.ts): the TWS API socket — handshake and version negotiation, framing,
//     decoding requests and encoding answers at the negotiated server version, sessions by client id.
// The wire never decides anything about money or orders; the broker never sees a byte of the
// protocol. Field names follow IBKR's reference client (EClient/EDecoder, Contract, Order,
// OrderState, Execution, CommissionReport) so that each side can be read against it.

/** A contract as the TWS API carries it. Absent text fields are '' on the wire; numbers 0. */
export interface SimContract {
  conId: number
  symbol: string
  /** STK, FUT, OPT, CASH, IND… */
  secType: string
  /** YYYYMM or YYYYMMDD ('' for STK/CASH). */
  lastTradeDateOrContractMonth: string
  strike: number
  /** 'C', 'P' or ''. */
  right: string
  /** '' or digits ('5' for MES). */
  multiplier: string
  exchange: string
  primaryExchange: string
  currency: string
  localSymbol: string
  tradingClass: string
}

/** What contractDetails answers for one contract (EDecoder.processContractDataMsg). */
export interface SimContractDetails {
  contract: SimContract
  marketName: string
  minTick: number
  /** Decimal string ('1'). */
  minSize: string
  sizeIncrement: string
  priceMagnifier: number
  orderTypes: string
  validExchanges: string
  longName: string
  /** YYYYMM for futures, '' otherwise. */
  contractMonth: string
  industry: string
  category: string
  subcategory: string
  timeZoneId: string
  /** TWS's format: `20261207:1700-20261208:1600;20261208:1700-…` or `20261212:CLOSED`. */
  tradingHours: string
  liquidHours: string
  /** For futures: the last trade date YYYYMMDD. */
  realExpirationDate: string
  underConId: number
  underSymbol: string
  underSecType: string
  stockType: string
}

/** An order as placeOrder carries it (the fields the broker acts on; the wire keeps the rest at defaults). */
export interface SimOrder {
  orderId: number
  /** The API client that placed it (0 for an order "from TWS by hand"). */
  clientId: number
  permId: number
  action: 'BUY' | 'SELL'
  /** Decimal string: whole shares or contracts. */
  totalQuantity: string
  /** MKT, LMT, STP, STP LMT (others are rejected by the broker). */
  orderType: string
  /** Limit price (LMT, STP LMT); null when unset (the wire's UNSET_DOUBLE). */
  lmtPrice: number | null
  /** Stop trigger (STP, STP LMT); null when unset. */
  auxPrice: number | null
  /** DAY, GTC, IOC… */
  tif: string
  ocaGroup: string
  /** 1 cancel the others with block, 2 reduce with block, 3 reduce without block. */
  ocaType: number
  /** Free text of the client: rick puts its client order id here. */
  orderRef: string
  /** False: held at TWS until a later order of the group transmits (brackets). */
  transmit: boolean
  /** 0, or the orderId of the parent (bracket children). */
  parentId: number
  outsideRth: boolean
  account: string
}

/** OrderState of an openOrder message (the fields clients read; the wire writes the rest). */
export interface SimOrderState {
  /** PreSubmitted, Submitted, Filled, Cancelled, Inactive… as TWS says them. */
  status: string
  /** null when unknown (UNSET_DOUBLE on the wire). */
  commission: number | null
  commissionCurrency: string
  warningText: string
}

export interface SimOpenOrder {
  contract: SimContract
  order: SimOrder
  state: SimOrderState
}

/** A finished order as completedOrder carries it (EDecoder.processCompletedOrderMsg). */
export interface SimCompletedOrder extends SimOpenOrder {
  /** Decimal string: the quantity it filled. */
  filledQuantity: string
  /** Sim time it finished, epoch ms. */
  completedTs: number
  /** TWS's words for how it finished (completedStatus). */
  completedStatus: string
  /** The permId of its parent (a bracket child), else 0. */
  parentPermId: number
}

/** orderStatus (EDecoder.processOrderStatusMsg). */
export interface SimOrderStatus {
  orderId: number
  status: string
  /** Decimal strings. */
  filled: string
  remaining: string
  avgFillPrice: number
  permId: number
  parentId: number
  lastFillPrice: number
  clientId: number
  whyHeld: string
  mktCapPrice: number
}

/** An execution (EDecoder.processExecutionDataMsg). */
export interface SimExecution {
  orderId: number
  clientId: number
  permId: number
  /** Unique per fill, e.g. `0000e0d5.6576fd3a.01.01`. */
  execId: string
  /** Sim epoch ms; the wire writes TWS's `YYYYMMDD-HH:MM:SS` (UTC) or `YYYYMMDD  HH:MM:SS`. */
  ts: number
  acctNumber: string
  exchange: string
  /** BOT or SLD. */
  side: 'BOT' | 'SLD'
  /** Decimal strings. */
  shares: string
  price: number
  cumQty: string
  avgPrice: number
  orderRef: string
  liquidation: number
  lastLiquidity: number
  contract: SimContract
}

/** commissionReport (follows each execDetails). */
export interface SimCommissionReport {
  execId: string
  commission: number
  currency: string
  /** null: none (the wire writes Double.MAX_VALUE, as TWS does for an opening fill). */
  realizedPNL: number | null
}

/** What the broker tells the clients, each addressed to one API client id (or every session: -1). */
export type SimEvent =
  | {kind: 'openOrder'; clientId: number; open: SimOpenOrder}
  | {kind: 'orderStatus'; clientId: number; status: SimOrderStatus}
  | {kind: 'execution'; clientId: number; execution: SimExecution}
  | {kind: 'commission'; clientId: number; report: SimCommissionReport}
  /** error/info message: reqId -1 for connectivity (1100, 1101, 1102, 2104…), else an order or request id. */
  | {kind: 'error'; clientId: number; reqId: number; code: number; message: string}

export interface SimPosition {
  account: string
  contract: SimContract
  /** Decimal string, signed. */
  pos: string
  /** Average cost per contract including the multiplier, as TWS reports it. */
  avgCost: number
}

export interface SimAccountValue {
  tag: string
  value: string
  currency: string
}

/** A bar: 5-second real-time bars and historical bars alike. `time` is the bar's open, epoch SECONDS. */
export interface SimBar {
  time: number
  open: number
  high: number
  low: number
  close: number
  /** Decimal string. */
  volume: string
  wap: number
  count: number
}

/** Top of book for reqMktData ticks. */
export interface SimQuote {
  bid: number
  ask: number
  last: number
  /** Decimal strings. */
  bidSize: string
  askSize: string
  lastSize: string
}

export interface SimHistoricalRequest {
  conId: number
  /** Epoch ms the bars end before; the wire turns '' (now) into the sim's now. */
  endTs: number
  /** How far back, in seconds (the wire parses `durationStr`: `1800 S`, `2 D`, `1 W`). */
  durationSec: number
  /** Bar length in seconds (the wire parses `barSizeSetting`: `5 secs`, `1 min`, `1 hour`, `1 day`). */
  barSizeSec: number
  whatToShow: string
  useRth: boolean
}

export interface SimExecutionFilter {
  clientId: number
  acctCode: string
  /** `yyyymmdd hh:mm:ss` already parsed to epoch ms; 0 = all. */
  sinceTs: number
  symbol: string
  secType: string
  exchange: string
  side: string
}

/** What goes wrong with a request: the wire answers it as an error message with this code. */
export interface SimRefusal {
  code: number
  message: string
}

/**
 * The broker side, as the wire calls it. Every call is synchronous and made on the wire's turn;
 * what happens later (fills, status changes) arrives through onEvent.
 */
export interface SimBroker {
  /** The paper account, `DU…`. */
  readonly account: string
  /** The simulated time, epoch ms (TWS's clock: currentTime, bar times, execution times). */
  now(): number
  /** The next order id to hand a client on connect (nextValidId). Never below an id already used —
   *  except after the gatewayRestart fault, which rolls it back on purpose. */
  nextValidId(): number
  /** A client asked for ids (reqIds): the id to answer. */
  reserveIds(count: number): number
  /** Whether the session's messages go through: false while connectivity is lost (1100) —
   *  requests are then refused with this refusal (e.g. code 1100 or 504). */
  refusal(): SimRefusal | undefined
  contractDetails(query: SimContract): SimContractDetails[]
  /** Places or modifies (same orderId) an order. Refusals come back as events (error 201, 110, 103…). */
  placeOrder(contract: SimContract, order: SimOrder): void
  cancelOrder(clientId: number, orderId: number): void
  /** Open orders of one client (reqOpenOrders) or of all clients (reqAllOpenOrders: clientId undefined). */
  openOrders(clientId: number | undefined): Array<{open: SimOpenOrder; status: SimOrderStatus}>
  /**
   * Orders finished (Filled, Cancelled) that TWS still keeps (reqCompletedOrders), oldest first;
   * `apiOnly`: only orders placed through the API (not by hand in TWS). Optional: added with the
   * completed-orders request.
   */
  completedOrders?(apiOnly: boolean): SimCompletedOrder[]
  positions(): SimPosition[]
  /** The values reqAccountSummary asks for (tags as IBKR names them; `$LEDGER` groups as TWS). */
  accountSummary(tags: readonly string[]): SimAccountValue[]
  executions(filter: SimExecutionFilter): Array<{execution: SimExecution; report: SimCommissionReport}>
  historicalBars(request: SimHistoricalRequest): SimBar[] | SimRefusal
  /** 5-second bars of a contract as each completes; returns the unsubscribe. */
  subscribeRealTimeBars(conId: number, listener: (bar: SimBar) => void): () => void
  /** Quotes of a contract as they change; returns the unsubscribe. */
  subscribeQuotes(conId: number, listener: (quote: SimQuote) => void): () => void
  /** Events for the clients. Returns the unsubscribe. */
  onEvent(listener: (event: SimEvent) => void): () => void
  /** A client connected or left (for "a fill while the client is away": events to an absent client are dropped, as TWS does). */
  sessionOpened(clientId: number): void
  sessionClosed(clientId: number): void
}

/** What the wire offers back to the broker's fault switches and to index.ts. */
export interface TwsServerHandle {
  port: number
  /** Client ids connected now. */
  clients(): number[]
  /** Sends an info/error message to every session (the connectivity codes 1100/1101/1102, 2104…). */
  broadcast(code: number, message: string): void
  /** Cuts every socket without a goodbye; → how many. */
  cutAll(): number
  /** While true, new connections are refused (accepted then closed at once, as a restarting Gateway). */
  setRefusing(refusing: boolean): void
  /** The pacing fault: the message rate above which a client gets error 100 and is cut, from now on. */
  setMaxMessagesPerSecond?(max: number): void
  /** The stallAnswers fault: true holds everything sent to the clients (requests are still executed);
   *  false sends what was held, in order, to the sessions still open. */
  setHolding?(hold: boolean): void
  close(): Promise<void>
}

export interface TwsServerOptions {
  broker: SimBroker
  /** 0: a free port. 127.0.0.1 only. */
  port?: number
  /** Messages per second a client may send before the pacing violation (TWS: 50). */
  maxMessagesPerSecond?: number
  /** Wall clock for pacing windows and timers (a ManualWall in tests). */
  wall: {now(): number; setTimeout(fn: () => void, ms: number): number; clearTimeout?(id: number): void}
  log?(message: string): void
}
