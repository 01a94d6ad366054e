// The simulated TWS / IB Gateway API socket on 127.0.0.1: sessions by client id, broker events
// routed to the session of their client (-1: every session; an absent client's are dropped, as
// TWS drops them), the fault hooks the broker drives (broadcast, cutAll, setRefusing,
// setMaxMessagesPerSecond, setHolding).
//
// Versions 100..193 are spoken (193 = @stoqey/ib 1.6's maximum; IBKR's ibapi asks up to 2xx and
// gets 193, below its protobuf versions). Checked against @stoqey/ib's decoder (tests) and against
// IBKR's Python ibapi decoder/encoder at 120, 150, 166, 176, 188, 192 and 193 (by hand).
// reqCompletedOrders from version 150 (completedOrder as EDecoder.processCompletedOrderMsg reads it;
// below 150 it is an unknown request, as TWS has it).
// Not simulated, and answered honestly rather than faked: updatePortfolio lines of reqAccountUpdates (the seam has no market value), the
// keepUpToDate updates of reqHistoricalData, the 3-minute refresh of account summaries, the
// open orders TWS may push on connect ("download open orders on connection": clients ask).
import {createServer, type Server, type Socket} from 'node:net'

import type {SimEvent, TwsServerHandle, TwsServerOptions} from '../seam.js'
import {DEFAULT_MAX_MESSAGES_PER_SECOND} from './pacing.js'
import {Session, type SessionHost} from './session.js'

/** The seam's handle, plus the hook the broker's pacing fault uses to make the limit bite. */
export interface TwsServer extends TwsServerHandle {
  /** The message limit of every session from now on (TWS: 50). */
  setMaxMessagesPerSecond(max: number): void
  setHolding(hold: boolean): void
}

export async function startTwsServer(o: TwsServerOptions): Promise<TwsServer> {
  const log = o.log ?? (() => undefined)
  const sessions = new Set<Session>()
  const sockets = new Set<Socket>()
  const byClient = new Map<number, Session>()
  let refusing = false

  const host: SessionHost = {
    broker: o.broker,
    wall: o.wall,
    maxMessagesPerSecond: o.maxMessagesPerSecond ?? DEFAULT_MAX_MESSAGES_PER_SECOND,
    log,
    claim(clientId, session) {
      const holder = byClient.get(clientId)
      if (holder !== undefined && holder !== session && holder.isOpen) return false
      byClient.set(clientId, session)
      return true
    },
    release(clientId, session) {
      if (byClient.get(clientId) !== session) return
      byClient.delete(clientId)
      o.broker.sessionClosed(clientId)
    },
  }

  const route = (ev: SimEvent): void => {
    if (ev.clientId === -1) for (const s of byClient.values()) s.deliver(ev)
    else byClient.get(ev.clientId)?.deliver(ev)
    if (ev.kind === 'execution') for (const s of byClient.values()) s.executionHappened(ev)
  }
  const unsubscribe = o.broker.onEvent(route)

  const server: Server = createServer((socket) => {
    if (refusing) {
      // A Gateway that is restarting: the port answers, then hangs up.
      socket.destroy()
      return
    }
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    const session = new Session(socket, host)
    sessions.add(session)
    socket.on('close', () => sessions.delete(session))
  })
  server.on('error', (err) => log(`server error: ${err.message}`))

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('TWS simulator: no TCP address')

  const cutAll = (): number => {
    const n = sockets.size
    for (const s of [...sessions]) s.cut()
    for (const socket of [...sockets]) socket.destroy()
    sessions.clear()
    sockets.clear()
    return n
  }

  return {
    port: address.port,
    clients: () => [...byClient.keys()].sort((a, b) => a - b),
    broadcast(code, message) {
      for (const s of byClient.values()) s.sendError(-1, code, message)
    },
    cutAll,
    setRefusing(r) {
      refusing = r
    },
    setHolding(hold) {
      host.holding = hold
      if (!hold) for (const s of [...sessions]) s.flushHeld()
    },
    setMaxMessagesPerSecond(max) {
      if (!Number.isInteger(max) || max < 1) throw new Error(`max messages per second must be a positive integer, found ${max}`)
      host.maxMessagesPerSecond = max
    },
    async close() {
      unsubscribe()
      refusing = true
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      cutAll()
      await closed
    },
  }
}
