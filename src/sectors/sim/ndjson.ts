// Streaming answers as brokers send them: an HTTP/1.1 response in chunked transfer encoding whose
// body is one JSON object per line, each line written as its own chunk, kept open until one side
// hangs up. Heartbeats run on the SIM clock (a 5 s heartbeat comes every 5 s of sim time).
import type {ServerResponse} from 'node:http'

import type {SimClock} from './clock.js'

export interface NdjsonStreamOptions {
  /** Response headers (Content-Type included: brokers differ). */
  headers?: Record<string, string>
  /** Serializes one message (default JSON.stringify); a venue passes its own (time formats…). */
  serialize?(message: unknown): string
  /**
   * A client that does not read is cut once this much waits in the send buffer (default 8 MiB), as
   * brokers drop a slow consumer, instead of the simulator holding every line of a 60x run for it.
   */
  maxBufferedBytes?: number
}

export class NdjsonStream {
  private closed = false
  private readonly closeListeners: Array<() => void> = []
  private readonly serialize: (message: unknown) => string
  private readonly maxBuffered: number
  /** Lines written so far. */
  lines = 0

  constructor(
    readonly res: ServerResponse,
    options: NdjsonStreamOptions = {},
  ) {
    this.serialize = options.serialize ?? ((m) => JSON.stringify(m))
    this.maxBuffered = options.maxBufferedBytes ?? 8 << 20
    // No Content-Length: Node sends the body chunked, one chunk per write().
    res.writeHead(200, {'Transfer-Encoding': 'chunked', ...(options.headers ?? {})})
    res.flushHeaders()
    res.on('close', () => this.markClosed())
  }

  get open(): boolean {
    return !this.closed && !this.res.destroyed
  }

  /** Writes one message as one line (one chunk). False when the stream is closed (or just cut). */
  write(message: unknown): boolean {
    if (!this.open) return false
    if (this.res.writableLength > this.maxBuffered) {
      this.destroy()
      return false
    }
    this.res.write(`${this.serialize(message)}\n`)
    this.lines++
    return true
  }

  /** Cuts the connection without ending the chunked body (what a dropped stream looks like). */
  destroy(): void {
    this.res.socket?.destroy()
    this.res.destroy()
    this.markClosed()
  }

  /** Ends the body cleanly (the terminating zero-length chunk). */
  end(): void {
    if (this.open) this.res.end()
    this.markClosed()
  }

  onClose(fn: () => void): void {
    if (this.closed) fn()
    else this.closeListeners.push(fn)
  }

  /**
   * Writes `line()` every `everySimMs` of sim time while the stream is open. `line` returns
   * undefined to skip a beat (heartbeats switched off: the stream stays open, silent).
   */
  heartbeat(clock: SimClock, everySimMs: number, line: () => unknown): void {
    const stop = clock.every(everySimMs, () => {
      const message = line()
      if (message !== undefined) this.write(message)
    })
    this.onClose(stop)
  }

  private markClosed(): void {
    if (this.closed) return
    this.closed = true
    for (const fn of this.closeListeners.splice(0)) fn()
  }
}

/** The open streams of one simulator, so a fault can cut them all and close() can end them. */
export class StreamHub<T extends NdjsonStream = NdjsonStream> {
  private readonly streams = new Set<T>()

  add(stream: T): T {
    this.streams.add(stream)
    stream.onClose(() => this.streams.delete(stream))
    return stream
  }

  get size(): number {
    return this.streams.size
  }

  forEach(fn: (stream: T) => void): void {
    for (const s of [...this.streams]) fn(s)
  }

  /** Destroys every open stream's connection; returns how many were cut. */
  cutAll(): number {
    const n = this.streams.size
    this.forEach((s) => s.destroy())
    return n
  }
}
