import {request} from 'node:http'
import {describe, expect, it} from 'vitest'

import {ManualWall, SimClock} from '../../../src/sectors/sim/clock.js'
import {readBody, sendJsonText, startHttpServer} from '../../../src/sectors/sim/http.js'
import {NdjsonStream, StreamHub} from '../../../src/sectors/sim/ndjson.js'

/** Opens a GET and collects the body's lines as they come; resolves once the head is in. */
function openStream(url: string): Promise<{lines: string[]; chunks: number; ended: Promise<string>; headers: Record<string, unknown>}> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const state = {lines: [] as string[], chunks: 0, headers: res.headers as Record<string, unknown>, ended: undefined as unknown as Promise<string>}
      let buf = ''
      state.ended = new Promise((done) => {
        res.on('data', (d: Buffer) => {
          state.chunks++
          buf += d.toString()
          const parts = buf.split('\n')
          buf = parts.pop() ?? ''
          state.lines.push(...parts)
        })
        res.on('end', () => done('end'))
        res.on('error', () => done('error'))
        res.on('aborted', () => done('aborted'))
      })
      resolve(state)
    })
    req.on('error', reject)
    req.end()
  })
}

async function until(cond: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('sim HTTP server', () => {
  it('listens on 127.0.0.1 with a free port, answers, and reads bodies', async () => {
    const s = await startHttpServer(async (req, res) => sendJsonText(res, 200, JSON.stringify({echo: await readBody(req)})))
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`)
    const r = await fetch(`${s.url}/x`, {method: 'POST', body: 'hello'})
    expect(r.headers.get('content-type')).toBe('application/json')
    expect(await r.json()).toEqual({echo: 'hello'})
    await s.close()
  })

  it('a throwing handler answers 500, the server lives on', async () => {
    const s = await startHttpServer(() => {
      throw new Error('boom')
    })
    const r = await fetch(`${s.url}/`)
    expect(r.status).toBe(500)
    expect(await r.json()).toEqual({errorMessage: 'boom'})
    await s.close()
  })

  it('close() is prompt with a stream open, and the client sees the cut', async () => {
    const hub = new StreamHub()
    const s = await startHttpServer((_req, res) => {
      const st = hub.add(new NdjsonStream(res, {headers: {'Content-Type': 'application/octet-stream'}}))
      st.write({type: 'HELLO'})
    })
    const client = await openStream(`${s.url}/stream`)
    await until(() => client.lines.length === 1)
    expect(client.headers['transfer-encoding']).toBe('chunked')
    expect(JSON.parse(client.lines[0]!)).toEqual({type: 'HELLO'})
    const t0 = Date.now()
    await s.close()
    expect(Date.now() - t0).toBeLessThan(1_000)
    expect(await client.ended).not.toBe('end')
    expect(hub.size).toBe(0)
  })

  it('NDJSON: one chunk per line, heartbeats on the sim clock, silent when the beat says so, cut by the hub', async () => {
    const wall = new ManualWall()
    const clock = new SimClock({startTs: 0, speed: 5, wall})
    const hub = new StreamHub()
    let beats = true
    const s = await startHttpServer((_req, res) => {
      const st = hub.add(new NdjsonStream(res))
      st.heartbeat(clock, 5_000, () => (beats ? {type: 'HEARTBEAT', t: clock.now()} : undefined))
    })
    const client = await openStream(`${s.url}/`)
    await until(() => hub.size === 1)
    wall.advance(1_000)
    await until(() => client.lines.length === 1)
    expect(JSON.parse(client.lines[0]!)).toEqual({type: 'HEARTBEAT', t: 5_000})
    beats = false
    wall.advance(3_000)
    hub.forEach((st) => st.write({type: 'PING'}))
    await until(() => client.lines.length === 2)
    expect(client.lines.map((l) => JSON.parse(l).type)).toEqual(['HEARTBEAT', 'PING'])
    expect(hub.cutAll()).toBe(1)
    expect(await client.ended).not.toBe('end')
    expect(wall.pending).toBe(0)
    await s.close()
  })

  it('a client that does not read is cut once its send buffer passes maxBufferedBytes', async () => {
    const hub = new StreamHub()
    const s = await startHttpServer((_req, res) => {
      hub.add(new NdjsonStream(res, {maxBufferedBytes: 64 << 10}))
    })
    const req = request(`${s.url}/`)
    const paused = new Promise<void>((resolve) => req.on('response', (res) => {
      res.pause()
      resolve()
    }))
    req.on('error', () => {})
    req.end()
    await paused
    const line = {pad: 'x'.repeat(1_000)}
    let written = 0
    hub.forEach((st) => {
      while (st.write(line)) written++
    })
    expect(hub.size).toBe(0)
    expect(written).toBeGreaterThan(60)
    expect(written).toBeLessThan(20_000)
    await s.close()
  })
})
