// The HTTP side every venue simulator shares: a server on 127.0.0.1 only (port 0 picks a free
// one), that closes PROMPTLY: streaming responses never end on their own, so close() destroys
// every open connection instead of waiting for clients to hang up.
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

export type SimRequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>

export interface SimHttpServerOptions {
  /** 0 (default) picks a free port. */
  port?: number
  /**
   * Answers a request whose handler threw (default: a bare 500 with a JSON `errorMessage`).
   * A venue passes its own error layout here.
   */
  onError?(res: ServerResponse, error: unknown): void
}

export interface SimHttpServer {
  readonly port: number
  /** `http://127.0.0.1:PORT` */
  readonly url: string
  readonly server: Server
  /** Open TCP connections (streams included). */
  readonly connections: number
  /** Stops listening and destroys every open connection; resolves when the server is closed. */
  close(): Promise<void>
}

export const SIM_HOST = '127.0.0.1'

function defaultOnError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = JSON.stringify({errorMessage: error instanceof Error ? error.message : String(error)})
  res.writeHead(500, {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)})
  res.end(body)
}

export async function startHttpServer(handler: SimRequestHandler, options: SimHttpServerOptions = {}): Promise<SimHttpServer> {
  const onError = options.onError ?? defaultOnError
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    let result: void | Promise<void>
    try {
      result = handler(req, res)
    } catch (error) {
      onError(res, error)
      return
    }
    if (result instanceof Promise) result.catch((error: unknown) => onError(res, error))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  // A client that sends garbage gets its socket closed, not the process.
  server.on('clientError', (_error, socket) => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, SIM_HOST, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  let closing: Promise<void> | undefined
  return {
    port,
    url: `http://${SIM_HOST}:${port}`,
    server,
    get connections() {
      return sockets.size
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      })
      return closing
    },
  }
}

export class BodyTooLarge extends Error {}

/** The request body as text (at most `limit` bytes, default 1 MiB; larger throws BodyTooLarge). */
export function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new BodyTooLarge(`request body over ${limit} bytes`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Writes a whole JSON answer with its length (the body is already serialized by the venue). */
export function sendJsonText(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return
  res.writeHead(status, {'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers})
  res.end(body)
}
