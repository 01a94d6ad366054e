// A raw TCP client for the wire tests: bytes in, frames out, no SDK in between.
import {connect, type Socket} from 'node:net'

export function frameOf(fields: ReadonlyArray<string | number>): Buffer {
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8')
  const len = Buffer.alloc(4)
  len.writeUInt32BE(body.length)
  return Buffer.concat([len, body])
}

/** `API\0` + the length-prefixed version text (no NUL, as EClient sends it). */
export function helloOf(range: string): Buffer {
  const text = Buffer.from(range, 'utf8')
  const len = Buffer.alloc(4)
  len.writeUInt32BE(text.length)
  return Buffer.concat([Buffer.from('API\0', 'latin1'), len, text])
}

export class RawClient {
  readonly frames: string[][] = []
  closed = false
  private buf = Buffer.alloc(0)

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d])
      while (this.buf.length >= 4) {
        const n = this.buf.readUInt32BE(0)
        if (this.buf.length < 4 + n) break
        const fields = this.buf.subarray(4, 4 + n).toString('utf8').split('\0')
        fields.pop()
        this.frames.push(fields)
        this.buf = this.buf.subarray(4 + n)
      }
    })
    socket.on('close', () => {
      this.closed = true
    })
    socket.on('error', () => undefined)
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({host: '127.0.0.1', port})
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    return new RawClient(socket)
  }

  write(b: Buffer): void {
    this.socket.write(b)
  }

  send(...fields: Array<string | number>): void {
    this.write(frameOf(fields))
  }

  /** Frames whose message id is `id`. */
  of(id: number): string[][] {
    return this.frames.filter((f) => f[0] === String(id))
  }

  errors(): Array<{reqId: number; code: number; message: string}> {
    return this.of(4).map((f) => ({reqId: Number(f[2]), code: Number(f[3]), message: f[4] ?? ''}))
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Polls a condition on the event loop (no fixed sleeps), bounded. */
export async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}
