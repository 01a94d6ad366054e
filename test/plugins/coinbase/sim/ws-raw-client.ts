// A bare `ws` client for the protocol tests: every message kept in arrival order, read one at a
// time with a bounded wait, and a ping round trip to prove the server has sent nothing more
// (frames on one TCP stream arrive in order, so what came before the pong has been read).
import {WebSocket} from 'ws'
import {FaultSwitches} from '../../../../src/sectors/sim/faults.js'

export type Msg = Record<string, unknown> & {events?: Array<Record<string, unknown>>}

const WAIT_MS = 2_000

export class RawClient {
  private readonly inbox: Msg[] = []
  private wake: (() => void) | undefined
  readonly closed: Promise<{code: number; reason: string}>

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.inbox.push(JSON.parse(data.toString('utf8')) as Msg)
      this.wake?.()
    })
    this.closed = new Promise((resolve) => ws.on('close', (code: number, reason: Buffer) => resolve({code, reason: reason.toString()})))
  }

  static async open(url: string): Promise<RawClient> {
    const ws = new WebSocket(url)
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    return new RawClient(ws)
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message))
  }

  /** The next message, waiting at most 2 s for it. */
  async next(): Promise<Msg> {
    const deadline = Date.now() + WAIT_MS
    while (this.inbox.length === 0) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('no message from the server within 2 s')
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.wake = () => {
          clearTimeout(t)
          resolve()
        }
      })
      this.wake = undefined
    }
    return this.inbox.shift() as Msg
  }

  async take(n: number): Promise<Msg[]> {
    const out: Msg[] = []
    for (let i = 0; i < n; i++) out.push(await this.next())
    return out
  }

  /** Sends a subscribe (or unsubscribe) and returns what came back, up to its acknowledgement. */
  async request(message: Record<string, unknown>): Promise<Msg[]> {
    this.send(message)
    const out: Msg[] = []
    for (;;) {
      const m = await this.next()
      out.push(m)
      if (m['channel'] === 'subscriptions' || m['type'] === 'error') return out
    }
  }

  /** Resolves once a ping came back: everything the server sent before it has been read. */
  async roundTrip(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no pong within 2 s')), WAIT_MS)
      this.ws.once('pong', () => {
        clearTimeout(t)
        resolve()
      })
      this.ws.ping()
    })
  }

  /** Messages received and not yet read. */
  get unread(): number {
    return this.inbox.length
  }

  close(): void {
    this.ws.terminate()
  }
}

/** The switches the websocket reads, as the simulator declares them (core's FaultSwitches). */
export function wsFaults(): FaultSwitches<{
  wsQuiet: {kind: 'boolean'; default: false; description: string}
  heartbeats: {kind: 'boolean'; default: true; description: string}
  missUserUpdate: {kind: 'count'; description: string}
}> {
  return new FaultSwitches({
    wsQuiet: {kind: 'boolean', default: false, description: 'websocket sends nothing'},
    heartbeats: {kind: 'boolean', default: true, description: 'heartbeats channel on'},
    missUserUpdate: {kind: 'count', description: 'order changes not sent on user'},
  })
}
