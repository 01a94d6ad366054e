import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'

import {parseEndpoint} from '../../../plugins/oanda/src/config.js'
import type {OandaTransaction} from '../../../plugins/oanda/src/parsing.js'
import type {Timers} from '../../../plugins/oanda/src/rest.js'
import {
  backoffDelay,
  httpStreamOpener,
  LineReader,
  ReconnectingStream,
  TransactionFeed,
  type ReconnectingStreamOptions,
  type SinceIdPage,
  type StreamHandlers,
  type StreamOpener,
} from '../../../plugins/oanda/src/streams.js'
import type {ConnectorStatus} from '../../../src/sectors/connector.js'
import {seededRandom} from '../../../src/foundation/random.js'

/** Timers driven by the test: advance() runs what is due, in order. */
class FakeTimers implements Timers {
  now = 0
  private seq = 0
  private queue: Array<{id: number; at: number; fn: () => void}> = []
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.queue.push({id, at: this.now + ms, fn})
    return id
  }
  clearTimeout(h: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== h)
  }
  get pending(): number {
    return this.queue.length
  }
  advance(ms: number): void {
    const end = this.now + ms
    for (;;) {
      const due = this.queue.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.queue = this.queue.filter((t) => t !== due)
      this.now = due.at
      due.fn()
    }
    this.now = end
  }
}

/** An opener whose connections the test drives. */
class FakeOpener {
  conns: Array<{path: string; headers: Record<string, string>; h: StreamHandlers; closed: boolean}> = []
  readonly open: StreamOpener = (target, h) => {
    const c = {path: target.path, headers: target.headers, h, closed: false}
    this.conns.push(c)
    return {close: () => void (c.closed = true)}
  }
  get last(): FakeOpener['conns'][number] {
    return this.conns[this.conns.length - 1] as FakeOpener['conns'][number]
  }
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r))
const endpoint = parseEndpoint('http://127.0.0.1:1')

function harness(extra: Partial<ReconnectingStreamOptions> = {}) {
  const timers = new FakeTimers()
  const opener = new FakeOpener()
  const lines: unknown[] = []
  const statuses: ConnectorStatus[] = []
  const problems: string[] = []
  const o: ReconnectingStreamOptions = {
    name: 'prices',
    target: () => ({endpoint, path: '/v3/accounts/1/pricing/stream?instruments=EUR_USD', headers: {Authorization: 'Bearer t'}}),
    opener: opener.open,
    timers,
    random: seededRandom(7),
    clock: {now: () => timers.now},
    heartbeatTimeoutMs: 10_000,
    backoff: {initialMs: 1000, maxMs: 8000},
    onLine: (v) => void lines.push(v),
    onStatus: (s) => void statuses.push(s),
    onProblem: (m) => void problems.push(m),
    ...extra,
  }
  return {timers, opener, lines, statuses, problems, stream: new ReconnectingStream(o)}
}

describe('LineReader', () => {
  it('joins lines split across chunks, splits several lines of one chunk, drops CR and blank lines', () => {
    const lines: string[] = []
    const r = new LineReader((l) => lines.push(l), () => {})
    for (const chunk of ['{"a":', '1}\n{"b":2}\r\n\n{"c"', ':3}\n{"d":4', '}\n']) r.feed(chunk)
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}'])
  })
  it('one character at a time gives the same lines', () => {
    const text = '{"type":"PRICE","bids":[{"price":"1.1"}]}\n{"type":"HEARTBEAT"}\n'
    const lines: string[] = []
    const r = new LineReader((l) => lines.push(l), () => {})
    for (const ch of text) r.feed(ch)
    expect(lines).toEqual(text.trim().split('\n'))
  })
  it('drops an endless line (reported) and reads the next one', () => {
    const lines: string[] = []
    const problems: string[] = []
    const r = new LineReader((l) => lines.push(l), (m) => problems.push(m), 10)
    r.feed('x'.repeat(8))
    r.feed('y'.repeat(8))
    r.feed('zzz\n{"ok":1}\n')
    expect(lines).toEqual(['{"ok":1}'])
    expect(problems).toEqual(['a line longer than 10 characters was dropped'])
  })
  it('reset() forgets a partial line', () => {
    const lines: string[] = []
    const r = new LineReader((l) => lines.push(l), () => {})
    r.feed('{"half":')
    r.reset()
    r.feed('{"whole":1}\n')
    expect(lines).toEqual(['{"whole":1}'])
  })
})

describe('backoffDelay', () => {
  it('grows exponentially to the cap, with jitter in [base/2, base]', () => {
    const b = {initialMs: 500, maxMs: 30_000}
    const lo = {next: () => 0}
    const hi = {next: () => 0.999999}
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, b, lo))).toEqual([250, 500, 1000, 2000, 15_000])
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, b, hi))).toEqual([500, 1000, 2000, 4000, 30_000])
  })
  it('is the same for the same seed, and differs between seeds', () => {
    const seq = (seed: number) => {
      const r = seededRandom(seed)
      return [0, 1, 2, 3, 4].map((a) => backoffDelay(a, {initialMs: 1000, maxMs: 60_000}, r))
    }
    expect(seq(1)).toEqual(seq(1))
    expect(seq(1)).not.toEqual(seq(2))
  })
})

describe('ReconnectingStream', () => {
  it('connects, delivers parsed lines, reports malformed ones without stopping', () => {
    const h = harness({onLine: (v) => {
      if ((v as {bad?: boolean}).bad) throw new Error('not a price')
      h.lines.push(v)
    }})
    h.stream.start()
    expect(h.opener.last.headers).toEqual({Authorization: 'Bearer t'})
    h.opener.last.h.open()
    expect(h.statuses).toEqual([{kind: 'connected', stream: 'prices', ts: 0}])
    h.opener.last.h.data('{"a":1}\n{nope\n{"bad":true}\n{"b"')
    h.opener.last.h.data(':2}\n')
    expect(h.lines).toEqual([{a: 1}, {b: 2}])
    expect(h.problems).toEqual([expect.stringContaining('prices stream: malformed line skipped (not JSON): {nope'), 'prices stream: malformed line skipped (not a price)'])
    expect(h.stream.state).toBe('open')
  })

  it('silence past the heartbeat timeout is a disconnect, then a reconnect after the backoff', () => {
    const h = harness()
    h.stream.start()
    h.opener.last.h.open()
    h.timers.advance(9_000)
    h.opener.last.h.data('{"type":"HEARTBEAT"}\n')
    h.timers.advance(9_000)
    expect(h.statuses.map((s) => s.kind)).toEqual(['connected'])
    h.timers.advance(1_000)
    const lost = h.statuses[1] as Extract<ConnectorStatus, {kind: 'disconnected'}>
    expect(lost).toMatchObject({kind: 'disconnected', stream: 'prices', reason: 'no data or heartbeat for 10000 ms', ts: 19_000})
    expect(h.opener.conns[0]?.closed).toBe(true)
    expect(lost.retryInMs).toBeGreaterThanOrEqual(500)
    expect(lost.retryInMs).toBeLessThanOrEqual(1000)
    h.timers.advance((lost.retryInMs as number) - 1)
    expect(h.opener.conns.length).toBe(1)
    h.timers.advance(1)
    expect(h.opener.conns.length).toBe(2)
    h.opener.last.h.open()
    expect(h.statuses[2]).toMatchObject({kind: 'connected'})
  })

  it('a stream request that is never answered (a hung connect) is given up after the heartbeat timeout', () => {
    const h = harness()
    h.stream.start()
    h.timers.advance(10_000)
    expect(h.statuses[0]).toMatchObject({kind: 'disconnected', reason: 'no answer to the stream request within 10000 ms'})
    expect(h.opener.conns[0]?.closed).toBe(true)
  })

  it('backs off exponentially while failing, and starts over once a line came through', () => {
    const h = harness()
    h.stream.start()
    const waits: number[] = []
    for (let i = 0; i < 5; i++) {
      h.opener.last.h.closed(`refused ${i}`)
      const s = h.statuses[h.statuses.length - 1] as Extract<ConnectorStatus, {kind: 'disconnected'}>
      waits.push(s.retryInMs as number)
      h.timers.advance(s.retryInMs as number)
    }
    expect(h.opener.conns.length).toBe(6)
    const bases = [1000, 2000, 4000, 8000, 8000]
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual((bases[i] as number) / 2)
      expect(w).toBeLessThanOrEqual(bases[i] as number)
    })
    h.opener.last.h.open()
    h.opener.last.h.data('{"x":1}\n')
    h.opener.last.h.closed('reset')
    expect((h.statuses[h.statuses.length - 1] as {retryInMs: number}).retryInMs).toBeLessThanOrEqual(1000)
  })

  it('401 and 403 are fatal: no retry, no timer left', () => {
    for (const status of [401, 403]) {
      const h = harness()
      h.stream.start()
      h.opener.last.h.closed(`HTTP ${status}`, {status, body: '{"errorMessage":"Insufficient authorization to perform request."}'})
      expect(h.statuses).toEqual([{kind: 'fatal', code: 'AuthFailed', message: `prices stream: HTTP ${status} Insufficient authorization to perform request.`, ts: 0}])
      expect(h.timers.pending).toBe(0)
      expect(h.stream.state).toBe('stopped')
      h.timers.advance(100_000)
      expect(h.opener.conns.length).toBe(1)
    }
  })

  it('400/404 (a request that cannot change) are fatal; 5xx and 429 are retried, 429 not before Retry-After', () => {
    const bad = harness()
    bad.stream.start()
    bad.opener.last.h.closed('HTTP 400', {status: 400, body: '{"errorMessage":"Invalid value specified for \'instruments\'"}'})
    expect(bad.statuses[0]).toMatchObject({kind: 'fatal', code: 'HTTP_400', message: expect.stringContaining('instruments')})
    const h = harness()
    h.stream.start()
    h.opener.last.h.closed('HTTP 503', {status: 503, body: 'busy'})
    expect(h.statuses[0]).toMatchObject({kind: 'disconnected', reason: 'HTTP 503 busy'})
    h.timers.advance(1000)
    h.opener.last.h.closed('HTTP 429', {status: 429, body: '{}', retryAfter: '20'})
    expect(h.statuses[1]).toMatchObject({kind: 'disconnected', retryInMs: 20_000})
  })

  it('stop() closes the connection and leaves no timer; late callbacks of old connections are ignored', () => {
    const h = harness()
    h.stream.start()
    const first = h.opener.last
    first.h.open()
    h.stream.stop()
    expect(first.closed).toBe(true)
    expect(h.timers.pending).toBe(0)
    first.h.data('{"late":1}\n')
    first.h.closed('late close')
    expect(h.lines).toEqual([])
    expect(h.statuses.map((s) => s.kind)).toEqual(['connected'])
    h.stream.start()
    expect(h.opener.conns.length).toBe(1)
  })

  it('restart() reconnects at once (a new instrument set) without a disconnect report', () => {
    const h = harness()
    h.stream.start()
    h.opener.last.h.open()
    h.stream.restart()
    expect(h.opener.conns.length).toBe(2)
    expect(h.opener.conns[0]?.closed).toBe(true)
    h.opener.conns[0]?.h.data('{"old":1}\n')
    h.opener.last.h.open()
    h.opener.last.h.data('{"new":1}\n')
    expect(h.lines).toEqual([{new: 1}])
    expect(h.statuses.map((s) => s.kind)).toEqual(['connected', 'connected'])
  })

  it('holds lines while onOpen runs; a failed onOpen is a disconnect, an AuthFailed one fatal', async () => {
    let release!: () => void
    let fail!: (e: unknown) => void
    const h = harness({onOpen: () => new Promise<void>((res, rej) => ((release = res), (fail = rej)))})
    h.stream.start()
    h.opener.last.h.open()
    h.opener.last.h.data('{"n":1}\n{"n":2}\n')
    expect(h.lines).toEqual([])
    expect(h.statuses).toEqual([])
    release()
    await flush()
    expect(h.statuses.map((s) => s.kind)).toEqual(['connected'])
    expect(h.lines).toEqual([{n: 1}, {n: 2}])
    h.opener.last.h.closed('reset')
    h.timers.advance(1000)
    h.opener.last.h.open()
    fail(new Error('sinceid: 503'))
    await flush()
    expect(h.statuses[h.statuses.length - 1]).toMatchObject({kind: 'disconnected', reason: 'catch-up failed: sinceid: 503'})
    h.timers.advance(2000)
    h.opener.last.h.open()
    fail(Object.assign(new Error('HTTP 401'), {kind: 'AuthFailed'}))
    await flush()
    expect(h.statuses[h.statuses.length - 1]).toMatchObject({kind: 'fatal', code: 'AuthFailed'})
    expect(h.timers.pending).toBe(0)
  })
})

// ---- the transaction feed

const T0 = '2024-01-02T03:04:05.000000000Z'
const tx = (id: number, type = 'ORDER_FILL') => ({id: String(id), type, time: T0, accountID: '1'})
const line = (v: unknown) => `${JSON.stringify(v)}\n`
const heartbeat = (last: number) => line({type: 'HEARTBEAT', lastTransactionID: String(last), time: T0})

function feedHarness(venue: Array<ReturnType<typeof tx>>, after = 0, pageSize = 100) {
  const h = harness()
  const got: OandaTransaction[] = []
  const asked: string[] = []
  const beats: number[] = []
  let failNext = 0
  const fetchSince = async (id: string): Promise<SinceIdPage> => {
    asked.push(id)
    if (failNext > 0) {
      failNext--
      throw new Error('sinceid failed')
    }
    const later = venue.filter((t) => Number(t.id) > Number(id))
    return {transactions: later.slice(0, pageSize), lastTransactionID: venue.length ? (venue[venue.length - 1] as {id: string}).id : String(after)}
  }
  const feed = new TransactionFeed({
    target: () => ({endpoint, path: '/v3/accounts/1/transactions/stream', headers: {}}),
    opener: h.opener.open,
    timers: h.timers,
    random: seededRandom(3),
    clock: {now: () => h.timers.now},
    heartbeatTimeoutMs: 10_000,
    backoff: {initialMs: 1000, maxMs: 8000},
    onStatus: (s) => void h.statuses.push(s),
    onProblem: (m) => void h.problems.push(m),
    after: String(after),
    fetchSince,
    onTransaction: (t) => void got.push(t),
    onHeartbeat: (ts) => void beats.push(ts),
  })
  return {...h, feed, got, asked, beats, ids: () => got.map((t) => Number(t.id)), failOnce: () => void (failNext = 1)}
}

describe('TransactionFeed', () => {
  it('at connect: opens the stream, catches up from the summary\'s id, then releases the held lines once each', async () => {
    const venue = [tx(5), tx(6), tx(7)]
    const f = feedHarness(venue, 4)
    f.feed.start()
    f.opener.last.h.open()
    // The stream already carries 7 and 8 while the catch-up (5, 6, 7) is answered.
    venue.push(tx(8))
    f.opener.last.h.data(line(tx(7)) + line(tx(8)))
    await flush()
    expect(f.asked).toEqual(['4'])
    expect(f.ids()).toEqual([5, 6, 7, 8])
    expect(f.statuses.map((s) => s.kind)).toEqual(['connected'])
    expect(f.feed.lastId).toBe('8')
  })

  it('after a drop: reconnects and catches up from the last id delivered; nothing lost, nothing twice', async () => {
    const venue = [tx(1), tx(2)]
    const f = feedHarness(venue, 0)
    f.feed.start()
    f.opener.last.h.open()
    await flush()
    f.opener.last.h.data(line(tx(3)))
    venue.push(tx(3), tx(4), tx(5))
    f.opener.last.h.closed('reset by peer')
    expect(f.statuses[1]).toMatchObject({kind: 'disconnected', stream: 'events', reason: 'reset by peer'})
    f.timers.advance((f.statuses[1] as {retryInMs: number}).retryInMs)
    f.opener.last.h.open()
    venue.push(tx(6))
    f.opener.last.h.data(line(tx(5)) + line(tx(6)))
    await flush()
    expect(f.asked).toEqual(['0', '3'])
    expect(f.ids()).toEqual([1, 2, 3, 4, 5, 6])
    expect(f.statuses.map((s) => s.kind)).toEqual(['connected', 'disconnected', 'connected'])
  })

  it('pages through a long catch-up', async () => {
    const venue = Array.from({length: 25}, (_, i) => tx(i + 1))
    const f = feedHarness(venue, 0, 10)
    f.feed.start()
    f.opener.last.h.open()
    await flush()
    expect(f.asked).toEqual(['0', '10', '20'])
    expect(f.ids()).toEqual(venue.map((t) => Number(t.id)))
  })

  it('a gap in the stream\'s ids (a lost or malformed line) is fetched before the later transaction goes out', async () => {
    const venue = [tx(1), tx(2), tx(3), tx(4)]
    const f = feedHarness(venue, 1)
    f.feed.start()
    f.opener.last.h.open()
    await flush()
    expect(f.ids()).toEqual([2, 3, 4])
    venue.push(tx(5), tx(6), tx(7))
    f.opener.last.h.data(`{"id":"5","type":"ORDER_FILL","tim\n${line(tx(6))}`)
    f.opener.last.h.data(line(tx(7)))
    expect(f.ids()).toEqual([2, 3, 4])
    await flush()
    expect(f.ids()).toEqual([2, 3, 4, 5, 6, 7])
    expect(f.problems).toEqual([expect.stringContaining('malformed line skipped')])
  })

  it('a venue whose ids skip: the repair finds nothing more, the held line goes out, no second repair', async () => {
    const venue = [tx(1), tx(5)]
    const f = feedHarness(venue, 1)
    f.feed.start()
    f.opener.last.h.open()
    await flush()
    expect(f.ids()).toEqual([5])
    venue.push(tx(9))
    f.opener.last.h.data(line(tx(9)))
    await flush()
    expect(f.ids()).toEqual([5, 9])
    venue.splice(0)
    f.opener.last.h.data(line(tx(12)) + heartbeat(20))
    await flush()
    expect(f.ids()).toEqual([5, 9, 12])
    expect(f.asked).toEqual(['1', '5', '9'])
  })

  it('a heartbeat naming a later transaction triggers a catch-up; heartbeats give the venue\'s time', async () => {
    const venue = [tx(1)]
    const f = feedHarness(venue, 1)
    f.feed.start()
    f.opener.last.h.open()
    await flush()
    venue.push(tx(2))
    f.opener.last.h.data(heartbeat(2))
    await flush()
    expect(f.ids()).toEqual([2])
    expect(f.beats).toEqual([Date.parse(T0)])
    f.opener.last.h.data(heartbeat(2))
    await flush()
    expect(f.asked).toEqual(['1', '1'])
  })

  it('a failed repair drops the connection; the reconnect catches up', async () => {
    const venue = [tx(1)]
    const f = feedHarness(venue, 1)
    f.feed.start()
    f.opener.last.h.open()
    await flush()
    venue.push(tx(2), tx(3))
    f.failOnce()
    f.opener.last.h.data(line(tx(3)))
    await flush()
    expect(f.statuses[f.statuses.length - 1]).toMatchObject({kind: 'disconnected', reason: 'catch-up failed: sinceid failed'})
    f.timers.advance(1000)
    f.opener.last.h.open()
    await flush()
    expect(f.ids()).toEqual([2, 3])
  })

  it('stop() leaves no timer and delivers nothing more', async () => {
    const f = feedHarness([tx(1)], 0)
    f.feed.start()
    f.opener.last.h.open()
    await flush()
    f.feed.stop()
    f.opener.last.h.data(line(tx(2)))
    expect(f.ids()).toEqual([1])
    expect(f.timers.pending).toBe(0)
  })
})

describe('httpStreamOpener over a socket', () => {
  const servers: Server[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => {
      s.closeAllConnections()
      s.close(() => r())
    })))
  })
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
    const s = createServer(handler)
    servers.push(s)
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    return (s.address() as AddressInfo).port
  }

  it('passes chunks as they come (a line split across writes, a multi-byte character split), then reports the reset once', async () => {
    const port = await serve((req, res) => {
      res.writeHead(200, {'Content-Type': 'application/octet-stream'})
      const bytes = Buffer.from('{"type":"PRICE","note":"é"}\n{"type":"HEARTBEAT"}\n')
      const cut = bytes.indexOf(0xa9)
      res.write(bytes.subarray(0, cut))
      setTimeout(() => res.write(bytes.subarray(cut)), 20)
      setTimeout(() => req.socket.destroy(), 60)
    })
    const lines: string[] = []
    const reader = new LineReader((l) => lines.push(l), () => {})
    const events: string[] = []
    await new Promise<void>((resolve) => {
      httpStreamOpener({endpoint: parseEndpoint(`http://127.0.0.1:${port}`), path: '/s', headers: {Authorization: 'Bearer t'}}, {
        open: () => events.push('open'),
        data: (c) => reader.feed(c),
        closed: (reason) => {
          events.push(`closed: ${reason}`)
          setTimeout(resolve, 30)
        },
      })
    })
    expect(lines).toEqual(['{"type":"PRICE","note":"é"}', '{"type":"HEARTBEAT"}'])
    expect(events.length).toBe(2)
    expect(events[0]).toBe('open')
  })

  it('a refused stream reports its status and body; a refused port its error', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(401, {'Content-Type': 'application/json'})
      res.end('{"errorMessage":"Insufficient authorization to perform request."}')
    })
    const failure = await new Promise<unknown>((resolve) => {
      httpStreamOpener({endpoint: parseEndpoint(`http://127.0.0.1:${port}`), path: '/s', headers: {}}, {open: () => resolve('opened'), data: () => {}, closed: (_r, f) => resolve(f)})
    })
    expect(failure).toEqual({status: 401, body: '{"errorMessage":"Insufficient authorization to perform request."}', retryAfter: undefined})
    const s = servers.pop() as Server
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
    const reason = await new Promise<string>((resolve) => {
      httpStreamOpener({endpoint: parseEndpoint(`http://127.0.0.1:${port}`), path: '/s', headers: {}}, {open: () => resolve('opened'), data: () => {}, closed: (r) => resolve(r)})
    })
    expect(reason).toMatch(/ECONNREFUSED/)
  })
})
