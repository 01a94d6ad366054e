// Framing of the TWS API socket (v100+): every message is a 4-byte big-endian length followed by
// that many bytes of NUL-terminated UTF-8 fields. The client's very first bytes are the literal
// `API\0` and then one such frame holding its version range. A length beyond the reference
// client's MAX_MSG_LEN cannot be a real message: the connection is dropped.

/** EClient's MAX_MSG_LEN (16 MB - 1). */
export const MAX_MESSAGE_LENGTH = 0xffffff

export const API_PREFIX = Buffer.from('API\0', 'latin1')

export class OversizedFrame extends Error {
  override readonly name = 'OversizedFrame'
}

/** Accumulates chunks as TCP delivers them (split or coalesced) and hands out whole frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0)

  constructor(private readonly maxLength = MAX_MESSAGE_LENGTH) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
  }

  /** Bytes received but not consumed yet. */
  get buffered(): number {
    return this.buf.length
  }

  /**
   * Consumes the `API\0` prefix. 'wait' until 4 bytes are there; 'wrong' as soon as a byte differs
   * (a client speaking something else is not kept waiting).
   */
  takePrefix(): 'ok' | 'wait' | 'wrong' {
    const n = Math.min(this.buf.length, API_PREFIX.length)
    if (!this.buf.subarray(0, n).equals(API_PREFIX.subarray(0, n))) return 'wrong'
    if (n < API_PREFIX.length) return 'wait'
    this.buf = this.buf.subarray(API_PREFIX.length)
    return 'ok'
  }

  /** The next whole frame's payload, or undefined until it has arrived. Throws OversizedFrame. */
  next(): Buffer | undefined {
    if (this.buf.length < 4) return undefined
    const len = this.buf.readUInt32BE(0)
    if (len > this.maxLength) throw new OversizedFrame(`frame of ${len} bytes exceeds ${this.maxLength}`)
    if (this.buf.length < 4 + len) return undefined
    const payload = this.buf.subarray(4, 4 + len)
    this.buf = this.buf.subarray(4 + len)
    return payload
  }
}

/** A payload's fields: NUL-terminated, so the text after the last NUL is dropped when empty. */
export function splitFields(payload: Buffer): string[] {
  const fields = payload.toString('utf8').split('\0')
  if (fields.length > 0 && fields[fields.length - 1] === '') fields.pop()
  return fields
}

/** One message: length prefix, then every field NUL-terminated. */
export function encodeFrame(fields: readonly string[]): Buffer {
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8')
  const out = Buffer.allocUnsafe(4 + body.length)
  out.writeUInt32BE(body.length, 0)
  body.copy(out, 4)
  return out
}
