// A local HTTP receiver for notification tests, on 127.0.0.1 and a port of the system's choice:
// it records every request and answers as told — 200, never (hang), or from a list of statuses.
import {createServer, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface Received {
  path: string
  body: Record<string, unknown>
}

export interface Receiver {
  url: string
  received: Received[]
  /** Requests that arrived and have had no answer yet (a hanging receiver's). */
  readonly open: number
  close(): Promise<void>
}

/** `statuses`: answers in order, then 200; `'hang'`: never answers. */
export async function startReceiver(answer: 'ok' | 'hang' | number[]): Promise<Receiver> {
  const received: Received[] = []
  const waiting = new Set<ServerResponse>()
  const script = Array.isArray(answer) ? [...answer] : []
  const server = createServer((req, res) => {
    let text = ''
    req.on('data', (d: Buffer) => (text += d.toString('utf8')))
    req.on('end', () => {
      let body: Record<string, unknown> = {}
      try {
        body = JSON.parse(text) as Record<string, unknown>
      } catch {
        body = {unparsed: text}
      }
      received.push({path: req.url ?? '', body})
      if (answer === 'hang') {
        waiting.add(res)
        res.on('close', () => waiting.delete(res))
        return
      }
      res.statusCode = script.shift() ?? 200
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    get open() {
      return waiting.size
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of waiting) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Polls until `cond` holds (bounded); throws with `what` when it never does. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
