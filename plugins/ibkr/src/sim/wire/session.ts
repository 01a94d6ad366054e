// One API client's connection: `API\0` and the version handshake, then startApi, then requests
// in order. Nothing is answered before startApi (as TWS). A message that does not parse gets
// error 320 and the session goes on; a frame longer than any real message drops the connection;
// too many messages a second get error 100 and the connection closed (or, with +PACEAPI, wait).
import type {Socket} from 'node:net'

import type {SimBroker, SimEvent} from '../seam.js'
import type {RequestContext} from './context.js'
import {decodeStartApi} from './decode-account.js'
import {encodeCommissionReport, encodeExecDetails} from './encode-executions.js'
import {encodeOpenOrder, encodeOrderStatus} from './encode-orders.js'
import {encodeError, encodeManagedAccounts, encodeNextValidId, encodeServerVersion} from './encode-session.js'
import {FieldReader, MalformedMessage} from './fields.js'
import {encodeFrame, FrameReader, OversizedFrame, splitFields} from './framing.js'
import {negotiateVersion, parseVersionRequest} from './handshake.js'
import {Pacer, pacingMessage} from './pacing.js'
import {positionChanged} from './requests-account.js'
import {guessReqId, REQUEST_HANDLERS} from './requests.js'
import {twsDateTime} from './time-format.js'
import {OUT} from './versions.js'

export interface SessionWall {
  now(): number
  setTimeout(fn: () => void, ms: number): number
  clearTimeout?(id: number): void
}

/** What a session needs from its server. */
export interface SessionHost {
  broker: SimBroker
  wall: SessionWall
  /** Read at every message (the pacing fault changes it while sessions run). */
  maxMessagesPerSecond: number
  /** The stallAnswers fault: while true, what sessions send is held (flushHeld sends it). */
  holding?: boolean
  log(message: string): void
  /** Claims a client id for this session; false when another session holds it. */
  claim(clientId: number, session: Session): boolean
  /** The session ended (after a successful claim). */
  release(clientId: number, session: Session): void
}

/** The farm messages TWS sends after startApi when its data connections are up. */
const FARMS_OK: ReadonlyArray<[number, string]> = [
  [2104, 'Market data farm connection is OK:usfarm'],
  [2106, 'HMDS data farm connection is OK:ushmds'],
  [2158, 'Sec-def data farm connection is OK:secdefnj'],
]

export const CLIENT_ID_IN_USE = 'Unable to connect as the client id is already in use. Retry with a unique client id.'

type State = 'prefix' | 'version' | 'awaitingStart' | 'ready' | 'closed'

export class Session {
  private state: State = 'prefix'
  private readonly frames = new FrameReader()
  private version = 0
  private clientId: number | null = null
  private paceApi = false
  private readonly pacer: Pacer
  /** +PACEAPI: messages held back until the one-second window has room. */
  private readonly held: Buffer[] = []
  private heldTimer: number | undefined
  private readonly timers = new Set<number>()
  /** Frames held while the host is holding (the stallAnswers fault). */
  private readonly stalled: Buffer[] = []
  private readonly ctx: RequestContext

  constructor(private readonly socket: Socket, private readonly host: SessionHost) {
    this.pacer = new Pacer(() => host.maxMessagesPerSecond, () => host.wall.now())
    this.ctx = this.makeContext()
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (err) => host.log(`socket error: ${err.message}`))
    socket.on('close', () => this.end())
  }

  /** The client id once startApi has been accepted. */
  get client(): number | null {
    return this.state === 'ready' ? this.clientId : null
  }

  get isOpen(): boolean {
    return this.state !== 'closed'
  }

  private makeContext(): RequestContext {
    const s = this
    return {
      get version() {
        return s.version
      },
      get clientId() {
        return s.clientId ?? -1
      },
      broker: s.host.broker,
      send: (fields) => s.send(fields),
      error: (reqId, code, message) => s.sendError(reqId, code, message),
      refused(reqId) {
        const refusal = s.host.broker.refusal()
        if (refusal === undefined) return false
        s.sendError(reqId, refusal.code, refusal.message)
        return true
      },
      subscriptions: new Map(),
      marketDataType: null,
      positionsSubscribed: false,
      accountSummaries: new Map(),
      accountUpdates: false,
      setTimer(fn, ms) {
        const id = s.host.wall.setTimeout(() => {
          s.timers.delete(id)
          if (s.isOpen) fn()
        }, ms)
        s.timers.add(id)
      },
      log: (m) => s.host.log(`client ${s.clientId ?? '?'}: ${m}`),
    }
  }

  send(fields: string[]): void {
    if (this.state === 'closed' || this.socket.destroyed) return
    if (this.host.holding === true) {
      this.stalled.push(encodeFrame(fields))
      return
    }
    this.socket.write(encodeFrame(fields))
  }

  /** The stall ended: what was held goes out, in order. */
  flushHeld(): void {
    const frames = this.stalled.splice(0)
    if (this.state === 'closed' || this.socket.destroyed) return
    for (const f of frames) this.socket.write(f)
  }

  sendError(reqId: number, code: number, message: string): void {
    this.send(encodeError(reqId, code, message, this.version))
  }

  /** A broker event addressed to this session's client. */
  deliver(ev: SimEvent): void {
    if (this.state !== 'ready') return
    const v = this.version
    switch (ev.kind) {
      case 'openOrder':
        return this.send(encodeOpenOrder(ev.open, v))
      case 'orderStatus':
        return this.send(encodeOrderStatus(ev.status, v))
      case 'execution':
        return this.send(encodeExecDetails(-1, ev.execution, v))
      case 'commission':
        return this.send(encodeCommissionReport(ev.report))
      case 'error':
        return this.sendError(ev.reqId, ev.code, ev.message)
    }
  }

  /** Any execution in the account: a positions subscriber hears the new position. */
  executionHappened(ev: Extract<SimEvent, {kind: 'execution'}>): void {
    if (this.state === 'ready') positionChanged(this.ctx, ev.execution.contract)
  }

  /** Cuts the connection without a goodbye. */
  cut(): void {
    this.end()
    this.socket.destroy()
  }

  /** Sends the last words, then closes (TWS's way after 326 and pacing violations). */
  private closeAfter(fields: string[]): void {
    this.send(fields)
    this.end()
    this.socket.end()
  }

  private end(): void {
    if (this.state === 'closed') return
    const wasReady = this.state === 'ready'
    this.state = 'closed'
    for (const unsubscribe of this.ctx.subscriptions.values()) unsubscribe()
    this.ctx.subscriptions.clear()
    const clear = this.host.wall.clearTimeout?.bind(this.host.wall)
    for (const id of this.timers) clear?.(id)
    if (this.heldTimer !== undefined) clear?.(this.heldTimer)
    this.held.length = 0
    this.stalled.length = 0
    if (wasReady && this.clientId !== null) this.host.release(this.clientId, this)
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return
    this.frames.push(chunk)
    try {
      if (this.state === 'prefix') {
        const p = this.frames.takePrefix()
        if (p === 'wait') return
        if (p === 'wrong') return this.refuse('the connection does not start with API\\0')
        this.state = 'version'
      }
      for (let payload = this.frames.next(); payload !== undefined && this.isOpen; payload = this.frames.next()) this.onFrame(payload)
    } catch (err) {
      // A frame too long for any real message; anything else is our own fault, and still must
      // not take the process down with it.
      this.refuse(err instanceof OversizedFrame ? err.message : `internal error: ${String(err)}`)
    }
  }

  private refuse(why: string): void {
    this.host.log(`connection dropped: ${why}`)
    this.cut()
  }

  private onFrame(payload: Buffer): void {
    if (this.state === 'version') return this.onVersion(payload.toString('utf8'))
    if (this.paceApi && (this.held.length > 0 || this.pacer.waitMs() > 0)) {
      this.held.push(payload)
      this.scheduleHeld()
      return
    }
    const received = this.pacer.record()
    if (!this.paceApi && received > this.pacer.max) {
      this.host.log(`client ${this.clientId ?? '?'}: pacing violation (${received} messages in a second)`)
      return this.closeAfter(encodeError(-1, 100, pacingMessage(this.pacer.max, received), this.version))
    }
    this.onMessage(splitFields(payload))
  }

  private scheduleHeld(): void {
    if (this.heldTimer !== undefined) return
    this.heldTimer = this.host.wall.setTimeout(() => {
      this.heldTimer = undefined
      while (this.isOpen && this.held.length > 0 && this.pacer.waitMs() === 0) {
        this.pacer.record()
        this.onMessage(splitFields(this.held.shift() as Buffer))
      }
      if (this.isOpen && this.held.length > 0) this.scheduleHeld()
    }, Math.max(1, this.pacer.waitMs()))
  }

  private onVersion(text: string): void {
    const req = parseVersionRequest(text)
    if ('error' in req) return this.refuse(req.error)
    const version = negotiateVersion(req)
    if (typeof version !== 'number') return this.refuse(version.error)
    this.version = version
    this.paceApi = req.options.includes('+PACEAPI')
    this.state = 'awaitingStart'
    this.send(encodeServerVersion(version, twsDateTime(this.host.broker.now())))
  }

  private onMessage(fields: string[]): void {
    const id = fields[0]
    const msgId = id !== undefined && /^\d{1,4}$/.test(id) ? Number(id) : NaN
    if (this.state === 'awaitingStart') {
      if (msgId === OUT.START_API) this.startApi(fields)
      else this.host.log(`message ${id ?? '(empty)'} before startApi ignored`)
      return
    }
    if (msgId === OUT.START_API) return this.host.log(`client ${this.clientId}: startApi again ignored`)
    const handler = Number.isNaN(msgId) ? undefined : REQUEST_HANDLERS.get(msgId)
    if (handler === undefined) {
      return this.sendError(-1, 321, `Error validating request.-'' : cause - Unsupported message id ${JSON.stringify(id ?? '')}`)
    }
    try {
      handler(this.ctx, new FieldReader(fields.slice(1)))
    } catch (err) {
      const reqId = guessReqId(msgId, fields, this.version)
      if (err instanceof MalformedMessage) return this.sendError(reqId, 320, `Error reading request. Message id ${msgId}: ${err.message}`)
      this.host.log(`client ${this.clientId}: message ${msgId} failed inside the simulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      this.sendError(reqId, 322, `Error processing request.-'' : cause - internal simulator error`)
    }
  }

  private startApi(fields: string[]): void {
    let clientId: number
    try {
      clientId = decodeStartApi(new FieldReader(fields.slice(1)), this.version).clientId
    } catch (err) {
      if (!(err instanceof MalformedMessage)) throw err
      this.host.log(`startApi unreadable: ${err.message}`)
      return this.cut()
    }
    if (!this.host.claim(clientId, this)) {
      this.host.log(`client id ${clientId} already in use: refused`)
      return this.closeAfter(encodeError(-1, 326, CLIENT_ID_IN_USE, this.version))
    }
    this.clientId = clientId
    this.state = 'ready'
    const broker = this.host.broker
    broker.sessionOpened(clientId)
    this.send(encodeNextValidId(broker.nextValidId()))
    this.send(encodeManagedAccounts([broker.account]))
    const refusal = broker.refusal()
    if (refusal !== undefined) this.sendError(-1, refusal.code, refusal.message)
    else for (const [code, message] of FARMS_OK) this.sendError(-1, code, message)
  }
}
