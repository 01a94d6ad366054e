// Coinbase Advanced Trade websocket messages (market data and user channels) as rick's values.
// Every message is an envelope {channel, timestamp, sequence_num, events[]}; an error is
// {type: "error", message}. Pure functions; a malformed message throws CoinbaseParseError.
import type {Tick} from '../../../src/sectors/connector.js'
import {arr, CoinbaseParseError, obj, optDecimal, optStr, parseTime, parseUserOrder, show, str, type CoinbaseOrder} from './parsing.js'

export type WsMessage =
  | {kind: 'heartbeat'; ts: number; counter?: number}
  | {kind: 'ticks'; ts: number; ticks: Tick[]}
  | {kind: 'user'; ts: number; snapshot: boolean; orders: CoinbaseOrder[]}
  | {kind: 'subscriptions'; ts: number}
  | {kind: 'error'; message: string}
  /** A channel rick does not read (market_trades, level2…). */
  | {kind: 'other'; channel: string}

/** One websocket message (already JSON-parsed). */
export function parseWsMessage(raw: unknown): WsMessage {
  const o = obj(raw, 'websocket message')
  if (o.type === 'error') return {kind: 'error', message: optStr(o.message) ?? optStr(o.reason) ?? 'unknown error'}
  const channel = str(o.channel, 'message.channel')
  if (channel !== 'heartbeats' && channel !== 'ticker' && channel !== 'user' && channel !== 'subscriptions') return {kind: 'other', channel}
  const ts = parseTime(o.timestamp, `${channel} message.timestamp`)
  const events = arr(o.events, `${channel} message.events`)
  switch (channel) {
    case 'heartbeats': {
      const first = events[0] === undefined ? {} : obj(events[0], 'heartbeats.events[0]')
      const c = first.heartbeat_counter
      const counter = typeof c === 'number' && Number.isSafeInteger(c) ? c : typeof c === 'string' && /^\d+$/.test(c) ? Number(c) : undefined
      return counter === undefined ? {kind: 'heartbeat', ts} : {kind: 'heartbeat', ts, counter}
    }
    case 'subscriptions':
      return {kind: 'subscriptions', ts}
    case 'ticker': {
      const ticks: Tick[] = []
      for (const [i, e] of events.entries()) {
        for (const [j, t] of arr(obj(e, `ticker.events[${i}]`).tickers, `ticker.events[${i}].tickers`).entries()) {
          const tick = parseTicker(t, ts, `ticker.events[${i}].tickers[${j}]`)
          if (tick !== undefined) ticks.push(tick)
        }
      }
      return {kind: 'ticks', ts, ticks}
    }
    case 'user': {
      let snapshot = false
      const orders: CoinbaseOrder[] = []
      for (const [i, e] of events.entries()) {
        const ev = obj(e, `user.events[${i}]`)
        if (ev.type === 'snapshot') snapshot = true
        if (ev.orders === undefined) continue
        for (const [j, order] of arr(ev.orders, `user.events[${i}].orders`).entries()) {
          try {
            orders.push(parseUserOrder(order, ts))
          } catch (error) {
            throw new CoinbaseParseError(`user.events[${i}].orders[${j}]: ${(error as Error).message}`)
          }
        }
      }
      return {kind: 'user', ts, snapshot, orders}
    }
  }
}

/**
 * A ticker as a Tick: bid and ask are the best bid and offer; `price` is their mid (the last trade
 * may lie outside the quote, and bars of a quoted market are built from the mid, as for OANDA).
 * A ticker without a two-sided quote (Coinbase sometimes sends empty strings) gives no tick.
 */
export function parseTicker(raw: unknown, ts: number, what = 'ticker'): Tick | undefined {
  const t = obj(raw, what)
  const instrument = optStr(t.product_id)
  if (instrument === undefined) return undefined
  const bid = optDecimal(t.best_bid, `${what}.best_bid`)
  const ask = optDecimal(t.best_ask, `${what}.best_ask`)
  if (bid === undefined || ask === undefined || !(bid > 0) || !(ask > 0)) return undefined
  if (bid > ask) throw new CoinbaseParseError(`${what}: best_bid ${show(t.best_bid)} above best_ask ${show(t.best_ask)}`)
  return {instrument, ts, bid, ask, price: (bid + ask) / 2, volume: 0}
}
