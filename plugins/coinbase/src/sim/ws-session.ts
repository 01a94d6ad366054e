// One websocket connection: what it subscribed to, and its own sequence_num (Coinbase numbers the
// messages per connection, across all channels, from 0 — the AsyncAPI's "Per-connection message
// sequence number", and what recorded sessions show). A message the faults keep back (the socket
// gone quiet, a user update withheld) is never numbered: the server did not produce it, so the
// client sees no gap, only silence, as it would when the real feed stalls.
import type {WebSocket} from 'ws'
import {type Channel, envelope, errorMessage, type JsonObject, wireChannel} from './ws-wire.js'

/**
 * Unsent bytes a connection may hold before it is dropped: a client that stops reading must not
 * grow the simulator's memory without bound (it then sees the connection cut and reconnects).
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

export class WsSession {
  private seq = 0
  /** Per channel the keys of the acknowledgement: product ids, or the channel's own key. */
  private readonly subs = new Map<Channel, Set<string>>()
  /** True once a subscription succeeded (the connection is then never closed as idle). */
  subscribed = false
  /** The user channel's "all products" key, once the connection subscribed to user. */
  userKey: string | undefined
  /** ticker_batch: the last ticker sent per product, to send only what changed. */
  readonly batchSent = new Map<string, string>()
  /** candles: the last candle sent per product. */
  readonly candleSent = new Map<string, string>()
  /** Wall time of the last message sent (an idle connection is closed). */
  lastSentWall: number

  constructor(
    readonly id: number,
    readonly socket: WebSocket,
    private readonly quiet: () => boolean,
    private readonly wallNow: () => number,
  ) {
    this.lastSentWall = wallNow()
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN
  }

  send(channel: Channel | 'subscriptions', timestampMs: number, events: JsonObject[]): void {
    if (!this.writable()) return
    const name = channel === 'subscriptions' ? channel : wireChannel(channel)
    this.socket.send(JSON.stringify(envelope(name, timestampMs, this.seq++, events)))
    this.lastSentWall = this.wallNow()
  }

  sendError(message: string): void {
    if (!this.writable()) return
    this.socket.send(JSON.stringify(errorMessage(message)))
    this.lastSentWall = this.wallNow()
  }

  private writable(): boolean {
    if (!this.open || this.quiet()) return false
    if (this.socket.bufferedAmount <= MAX_BUFFERED_BYTES) return true
    this.socket.terminate()
    return false
  }

  add(channel: Channel, keys: readonly string[]): void {
    let set = this.subs.get(channel)
    if (set === undefined) {
      set = new Set()
      this.subs.set(channel, set)
    }
    for (const k of keys) set.add(k)
    this.subscribed = true
  }

  remove(channel: Channel, keys: readonly string[]): void {
    const set = this.subs.get(channel)
    if (set === undefined) return
    for (const k of keys) set.delete(k)
    if (set.size === 0) this.subs.delete(channel)
  }

  has(channel: Channel, key: string): boolean {
    return this.subs.get(channel)?.has(key) ?? false
  }

  keys(channel: Channel): readonly string[] {
    return [...(this.subs.get(channel) ?? [])]
  }

  /** The `subscriptions` event: every channel still subscribed, with its keys ({} when none). */
  acknowledgement(): JsonObject {
    const subscriptions: JsonObject = {}
    for (const [channel, keys] of this.subs) subscriptions[channel] = [...keys]
    return {subscriptions}
  }
}
