// Canonical JSON written straight into UTF-8 bytes, for the journal's batches. A backtest journals
// tens of thousands of events; building each payload's JSON as a string (a rope), then flattening,
// cloning it to the writer thread and encoding it there cost the engine's thread ~1 µs an event and
// left strings for both threads' collectors. Bytes written here are posted as one typed array.
// Every write is byte for byte what canonicalJson() would give, encoded as UTF-8.
import {Buffer} from 'node:buffer'

/** The bytes of an ASCII text (keys and punctuation, made once). */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'))
}

/**
 * ASCII text copied often (a payload's keys with their punctuation), held as little-endian 32-bit
 * words and a tail of bytes: JsonBytes.key() writes a word with one DataView store, where
 * Uint8Array.set() of a dozen bytes cost about twice as much (a backtest writes ~20 keys an order).
 */
export class AsciiKey {
  readonly length: number
  readonly words: Uint32Array
  readonly tail: Uint8Array

  constructor(text: string) {
    const bytes = Buffer.from(text, 'latin1')
    if (/[^\x20-\x7e]/.test(text)) throw new Error(`not printable ASCII: ${JSON.stringify(text)}`)
    const whole = bytes.length - (bytes.length % 4)
    this.length = bytes.length
    this.words = new Uint32Array(whole / 4)
    for (let i = 0; i < whole; i += 4) this.words[i / 4] = bytes.readUInt32LE(i)
    this.tail = Uint8Array.from(bytes.subarray(whole))
  }
}

/** The longest String(n) of a finite number ("-1.7976931348623157e+308" is 24). */
const MAX_NUMBER_CHARS = 25

export class JsonBytes {
  /** Grows by doubling; its first `pos` bytes are what was written since the last reset. */
  buf: Buffer
  pos = 0
  /** Over `buf`, for key(). */
  private view: DataView

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafeSlow(size)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length)
  }

  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n)
  }

  /** A key with its punctuation (see AsciiKey). */
  key(k: AsciiKey): void {
    this.room(k.length)
    const view = this.view
    const words = k.words
    let p = this.pos
    for (let i = 0; i < words.length; i++) {
      view.setUint32(p, words[i]!, true)
      p += 4
    }
    const tail = k.tail
    const buf = this.buf
    for (let i = 0; i < tail.length; i++) buf[p++] = tail[i]!
    this.pos = p
  }

  /** A string as canonical JSON quotes it (JSON.stringify's quoting). */
  str(s: string): void {
    const n = s.length
    this.room(n + 2)
    const buf = this.buf
    let p = this.pos
    buf[p++] = 0x22
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      // Printable ASCII other than `"` and `\` is written as is; anything else (escapes, non-ASCII,
      // surrogates) takes JSON.stringify and the UTF-8 encoder, from the start of the string.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.text(JSON.stringify(s))
        return
      }
      buf[p++] = c
    }
    buf[p++] = 0x22
    this.pos = p
  }

  /** A finite number as canonical JSON writes it (String(n): -0 is "0"). The caller checks finiteness. */
  num(n: number): void {
    this.room(MAX_NUMBER_CHARS)
    if (isWhole(n)) {
      this.pos = writeWhole(this.buf, this.pos, n)
      return
    }
    const s = String(n)
    const buf = this.buf
    let p = this.pos
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i)
    this.pos = p
  }

  bool(b: boolean): void {
    this.key(b ? TRUE : FALSE)
  }

  /** Any text (already JSON, e.g. from canonicalJson), as UTF-8. It must be well-formed Unicode. */
  text(s: string): void {
    this.room(3 * s.length)
    this.pos += this.buf.write(s, this.pos, 'utf8')
  }

  /** A copy of the bytes written since `from`. */
  copy(from = 0): Uint8Array {
    return new Uint8Array(this.buf.subarray(from, this.pos))
  }

  private grow(n: number): void {
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.pos + n, 2 * this.buf.length))
    this.buf.copy(bigger, 0, 0, this.pos)
    this.buf = bigger
    this.view = new DataView(bigger.buffer, bigger.byteOffset, bigger.length)
  }
}

/**
 * Whole numbers below 1e15 (epoch ms, prices in ticks, quantities): written digit by digit, the
 * same digits as String(n), which would allocate a string each time.
 */
export function isWhole(n: number): boolean {
  return n >= 0 && n < 1e15 && Math.floor(n) === n
}

/** Writes a number that isWhole() at `at` in `buf`; returns where it ends. */
export function writeWhole(buf: Uint8Array, at: number, n: number): number {
  if (n < 1e8) return digits(buf, at, n | 0, 0)
  // Eight low digits, zero-padded, after the rest: each part fits an int32 for the arithmetic.
  const high = Math.floor(n / 1e8)
  const end = digits(buf, at, high, 0)
  return digits(buf, end, n - high * 1e8, 8)
}

/** 0 <= v < 1e8, an integer: its decimal digits, zero-padded to `width`. */
function digits(buf: Uint8Array, at: number, v: number, width: number): number {
  let len = 1
  for (let t = 10; t <= v; t *= 10) len++
  if (len < width) len = width
  const end = at + len
  for (let p = end; p > at; ) {
    const q = (v / 10) | 0
    buf[--p] = 0x30 + v - q * 10
    v = q
  }
  return end
}

const TRUE = new AsciiKey('true')
const FALSE = new AsciiKey('false')
