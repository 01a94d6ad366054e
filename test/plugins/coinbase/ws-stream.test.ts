// The websocket keeper on a fake socket and manual timers: subscriptions, the acknowledgement,
// the heartbeat watchdog, reconnects with seeded backoff, fatal answers, late events of old sockets.
import {EventEmitter} from 'node:events'

import {describe, expect, it} from 'vitest'

import {backoffDelay, WsStream, type SocketLike, type WsStreamOptions} from '../../../plugins/coinbase/src/ws-stream.js'
import type {ConnectorStatus} from '../../../src/sectors/connector.js'
import {seededRandom} from '../../../src/foundation/random.js'

class FakeSocket extends EventEmitter implements SocketLike {
  readyState = 0
  sent: unknown[] = []
  terminated = false
  constructor(readonly url: string) {
    super()
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }
  terminate(): void {
    this.terminated = true
    this.readyState = 3
  }
  open(): void {
    this.readyState = 1
    this.emit('open')
  }
  msg(v: unknown): void {
    this.emit('message', Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)))
  }
}

class ManualTimers {
  t = 0
  now = (): number => this.t
  private seq = 0
  private readonly due = new Map<number, {at: number; fn: () => void}>()
  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq
    this.due.set(id, {at: this.t + ms, fn})
    return id
  }
  clearTimeout = (h: unknown): void => void this.due.delete(h as number)
  get pending(): number {
    return this.due.size
  }
  advance(ms: number): void {
    const end = this.t + ms
    for (;;) {
      const next = [...this.due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
      if (next === undefined) break
      this.due.delete(next[0])
      this.t = next[1].at
      next[1].fn()
    }
    this.t = end
  }
}

const ACK = {channel: 'subscriptions', timestamp: '2024-01-01T00:00:00Z', sequence_num: 1, events: [{subscriptions: {heartbeats: ['heartbeats'], user: ['BTC-USD']}}]}
const BEAT = {channel: 'heartbeats', timestamp: '2024-01-01T00:00:01Z', sequence_num: 2, events: [{heartbeat_counter: 1}]}

function setup(more: Partial<WsStreamOptions> = {}) {
  const timers = new ManualTimers()
  const sockets: FakeSocket[] = []
  const statuses: ConnectorStatus[] = []
  const messages: unknown[] = []
  const problems: string[] = []
  let opens = 0
  const s = new WsStream({
    name: 'events',
    url: 'ws://127.0.0.1:1',
    socket: (url) => {
      const f = new FakeSocket(url)
      sockets.push(f)
      return f
    },
    subscribes: () => [{type: 'subscribe', channel: 'heartbeats'}, {type: 'subscribe', channel: 'user', product_ids: ['BTC-USD']}],
    isAck: (v) => (v as {channel?: unknown}).channel === 'subscriptions',
    timers,
    random: seededRandom(5),
    clock: {now: () => timers.t},
    heartbeatTimeoutMs: 5_000,
    backoff: {initialMs: 500, maxMs: 4_000},
    onMessage: (v) => {
      if ((v as {bad?: unknown}).bad === true) throw new Error('bad payload')
      messages.push(v)
    },
    onOpen: () => void opens++,
    onStatus: (st) => void statuses.push(st),
    onProblem: (m) => void problems.push(m),
    ...more,
  })
  return {s, timers, sockets, statuses, messages, problems, opens: () => opens, last: () => sockets[sockets.length - 1] as FakeSocket}
}

describe('WsStream', () => {
  it('subscribes on open and is connected only once the server acknowledges; messages flow to the reader', () => {
    const t = setup()
    t.s.start()
    t.last().open()
    expect(t.last().sent).toEqual([{type: 'subscribe', channel: 'heartbeats'}, {type: 'subscribe', channel: 'user', product_ids: ['BTC-USD']}])
    expect(t.statuses).toEqual([])
    t.last().msg(ACK)
    expect(t.statuses).toEqual([{kind: 'connected', stream: 'events', ts: 0}])
    expect(t.opens()).toBe(1)
    t.last().msg(BEAT)
    expect(t.messages).toEqual([ACK, BEAT])
  })

  it('silence for heartbeatTimeoutMs is a dead connection: terminated, reported with the wait, reconnected after it', () => {
    const t = setup()
    t.s.start()
    t.last().open()
    t.last().msg(ACK)
    for (let i = 0; i < 5; i++) {
      t.timers.advance(4_000)
      t.last().msg(BEAT)
    }
    expect(t.statuses.filter((s) => s.kind === 'disconnected')).toEqual([])
    t.timers.advance(5_000)
    const down = t.statuses.filter((s) => s.kind === 'disconnected')
    expect(down).toHaveLength(1)
    expect(down[0]).toMatchObject({stream: 'events', reason: 'no message or heartbeat for 5000 ms'})
    const wait = (down[0] as {retryInMs: number}).retryInMs
    expect(wait).toBeGreaterThanOrEqual(250)
    expect(wait).toBeLessThanOrEqual(500)
    expect(t.sockets[0]?.terminated).toBe(true)
    expect(t.sockets).toHaveLength(1)
    t.timers.advance(wait)
    expect(t.sockets).toHaveLength(2)
    t.last().open()
    t.last().msg(ACK)
    expect(t.statuses.filter((s) => s.kind === 'connected')).toHaveLength(2)
    expect(t.opens()).toBe(2)
  })

  it('backoff doubles per failure up to the max, with seeded jitter, and starts over after a message', () => {
    const t = setup()
    t.s.start()
    const waits: number[] = []
    for (let i = 0; i < 6; i++) {
      t.last().emit('error', new Error('ECONNREFUSED'))
      const d = t.statuses[t.statuses.length - 1] as {retryInMs: number}
      waits.push(d.retryInMs)
      t.timers.advance(d.retryInMs)
    }
    const bases = [500, 1000, 2000, 4000, 4000, 4000]
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual((bases[i] as number) / 2)
      expect(w).toBeLessThanOrEqual(bases[i] as number)
    })
    const again = setup()
    again.s.start()
    for (let i = 0; i < 6; i++) {
      again.last().emit('error', new Error('ECONNREFUSED'))
      again.timers.advance((again.statuses[again.statuses.length - 1] as {retryInMs: number}).retryInMs)
    }
    expect(again.statuses.map((s) => (s as {retryInMs?: number}).retryInMs)).toEqual(waits)
    t.last().open()
    t.last().msg(ACK)
    t.last().emit('close', 1006, '')
    expect((t.statuses[t.statuses.length - 1] as {retryInMs: number}).retryInMs).toBeLessThanOrEqual(500)
  })

  it('no acknowledgement in time is a dead connection too; a handshake that never completes as well', () => {
    const t = setup()
    t.s.start()
    t.timers.advance(5_000)
    expect(t.statuses[0]).toMatchObject({kind: 'disconnected', reason: 'no websocket handshake within 5000 ms'})
    t.timers.advance(1_000)
    t.last().open()
    t.timers.advance(5_000)
    expect(t.statuses[1]).toMatchObject({kind: 'disconnected', reason: 'no subscription acknowledgement within 5000 ms'})
  })

  it('fatal without retry: a 401 on the upgrade, an authentication error message; nothing runs after', () => {
    const a = setup()
    a.s.start()
    a.last().emit('unexpected-response', {}, {statusCode: 401})
    expect(a.statuses).toEqual([{kind: 'fatal', code: 'AuthFailed', message: 'events stream: HTTP 401 on the websocket upgrade', ts: 0}])
    expect(a.timers.pending).toBe(0)
    a.timers.advance(60_000)
    expect(a.sockets).toHaveLength(1)

    const b = setup()
    b.s.start()
    b.last().open()
    b.last().msg({type: 'error', message: 'authentication failure'})
    expect(b.statuses[0]).toMatchObject({kind: 'fatal', code: 'AuthFailed'})
    expect(b.timers.pending).toBe(0)

    const c = setup()
    c.s.start()
    c.last().open()
    c.last().msg({type: 'error', message: 'failure to subscribe'})
    expect(c.statuses[0]).toMatchObject({kind: 'disconnected', reason: 'Coinbase said "failure to subscribe"'})
    c.last().emit('unexpected-response', {}, {statusCode: 503})
    expect(c.statuses).toHaveLength(1)
  })

  it('malformed messages are reported and skipped; the connection lives on', () => {
    const t = setup()
    t.s.start()
    t.last().open()
    t.last().msg(ACK)
    t.last().msg('{not json')
    t.last().msg({bad: true})
    t.last().msg(BEAT)
    expect(t.problems).toEqual([expect.stringMatching(/not JSON/), expect.stringMatching(/bad payload/)])
    expect(t.messages).toEqual([ACK, BEAT])
    expect(t.statuses.filter((s) => s.kind !== 'connected')).toEqual([])
  })

  it('stop() closes the socket and every timer; late events of a dropped socket are ignored', () => {
    const t = setup()
    t.s.start()
    t.last().open()
    t.last().msg(ACK)
    const old = t.last()
    t.s.restart()
    expect(old.terminated).toBe(true)
    old.msg(BEAT)
    old.emit('close', 1006, '')
    expect(t.messages).toEqual([ACK])
    expect(t.statuses.filter((s) => s.kind === 'disconnected')).toEqual([])
    t.s.stop()
    expect(t.last().terminated).toBe(true)
    expect(t.timers.pending).toBe(0)
    t.last().open()
    t.last().msg(ACK)
    t.timers.advance(60_000)
    expect(t.statuses).toEqual([{kind: 'connected', stream: 'events', ts: 0}])
    expect(t.s.send({type: 'x'})).toBe(false)
  })

  it('backoffDelay: within [base/2, base], capped', () => {
    const r = seededRandom(1)
    for (let a = 0; a < 40; a++) {
      const base = Math.min(30_000, 500 * 2 ** a)
      const d = backoffDelay(a, {initialMs: 500, maxMs: 30_000}, r)
      expect(d).toBeGreaterThanOrEqual(base / 2)
      expect(d).toBeLessThanOrEqual(base)
    }
  })
})
