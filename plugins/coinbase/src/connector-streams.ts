// The connector's two websocket connections (ws-stream.ts keeps each alive):
// - `events`: the user channel (order changes of the account) with heartbeats, on the user-channel
//   host; started at connect, it lives as long as the connector;
// - `prices`: the ticker channel of the products someone subscribed ticks for, with heartbeats,
//   on the market-data host; opened, changed and closed as tick subscriptions come and go.
// Each subscribe carries a fresh JWT (a user-channel subscription needs one; a market-data one
// gets higher limits with one). A connection counts as `connected` once Coinbase acknowledged the
// channel, not at open.
import type {ConnectorStatus, StreamName, Tick} from '../../../src/sectors/connector.js'
import {parseWsMessage, type WsMessage} from './parsing-ws.js'
import {WsStream, type Backoff, type SocketFactory, type Timers, type WsStreamOptions} from './ws-stream.js'

export interface CoinbaseStreamsDeps {
  userWsUrl: string
  wsUrl: string
  socket: SocketFactory
  timers: Timers
  random: {next(): number}
  clock: {now(): number}
  heartbeatTimeoutMs: number
  backoff: Backoff
  /** A websocket JWT (ccxt signs it). */
  jwt(): string
  /** Products of the user channel subscription. */
  userProducts(): string[]
  /** A user-channel message with orders. */
  onUser(m: Extract<WsMessage, {kind: 'user'}>): void
  onTick(tick: Tick): void
  /** The user channel is (again) acknowledged. */
  onUserUp(): void
  /** Connection changes and heartbeats of both streams. */
  onStatus(s: ConnectorStatus): void
  log(message: string): void
}

export class CoinbaseStreams {
  private user: WsStream | undefined
  private prices: WsStream | undefined
  private priced = ''

  constructor(private readonly d: CoinbaseStreamsDeps) {}

  startUser(): void {
    if (this.user !== undefined) return
    this.user = new WsStream({
      ...this.base('events', this.d.userWsUrl, 'user', () => this.d.userProducts()),
      onMessage: (v) => {
        const m = parseWsMessage(v)
        if (m.kind === 'heartbeat') this.d.onStatus({kind: 'heartbeat', stream: 'events', ts: m.ts})
        else if (m.kind === 'user') this.d.onUser(m)
      },
      onOpen: () => this.d.onUserUp(),
    })
    this.user.start()
  }

  /** The products ticks are wanted for (none: the prices connection closes). */
  setPriced(products: readonly string[]): void {
    const wanted = [...new Set(products)].sort().join(',')
    if (wanted === this.priced) return
    this.priced = wanted
    this.prices?.stop()
    this.prices = undefined
    if (wanted === '') return
    this.prices = new WsStream({
      ...this.base('prices', this.d.wsUrl, 'ticker', () => wanted.split(',')),
      onMessage: (v) => {
        const m = parseWsMessage(v)
        if (m.kind === 'heartbeat') this.d.onStatus({kind: 'heartbeat', stream: 'prices', ts: m.ts})
        else if (m.kind === 'ticks') for (const tick of m.ticks) this.d.onTick(tick)
      },
    })
    this.prices.start()
  }

  stop(): void {
    this.user?.stop()
    this.prices?.stop()
    this.user = undefined
    this.prices = undefined
    this.priced = ''
  }

  private base(name: StreamName, url: string, channel: 'user' | 'ticker', products: () => string[]): Omit<WsStreamOptions, 'onMessage'> {
    return {
      name,
      url,
      socket: this.d.socket,
      subscribes: () => {
        const jwt = this.d.jwt()
        return [
          {type: 'subscribe', channel: 'heartbeats', jwt},
          {type: 'subscribe', channel, product_ids: products(), jwt},
        ]
      },
      isAck: (v) => acknowledges(v, channel),
      timers: this.d.timers,
      random: this.d.random,
      clock: this.d.clock,
      heartbeatTimeoutMs: this.d.heartbeatTimeoutMs,
      backoff: this.d.backoff,
      onStatus: (s) => this.d.onStatus(s),
      onProblem: (m) => this.d.log(`coinbase: ${m}`),
    }
  }
}

/** Whether a message is the `subscriptions` acknowledgement listing `channel`. */
export function acknowledges(value: unknown, channel: string): boolean {
  const v = value as {channel?: unknown; events?: unknown}
  if (v === null || typeof v !== 'object' || v.channel !== 'subscriptions' || !Array.isArray(v.events)) return false
  return v.events.some((e) => {
    const subs = (e as {subscriptions?: unknown})?.subscriptions
    return typeof subs === 'object' && subs !== null && channel in subs
  })
}
