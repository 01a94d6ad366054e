// The field layer of a TWS API message: NUL-separated text fields, read and written with the
// conventions of IBKR's reference client. Unset values are Integer.MAX_VALUE / Double.MAX_VALUE
// (or an empty field, which EClient's sendMax writes for them); decimals (sizes, quantities)
// travel as decimal strings and stay strings here, so no quantity is ever rounded by a float.

/** Java's Integer.MAX_VALUE: "unset" for int fields. */
export const UNSET_INTEGER = 2147483647
/** Java's Double.MAX_VALUE as Java prints it: "unset" for double fields (TWS writes this text). */
export const UNSET_DOUBLE_TEXT = '1.7976931348623157E308'

/** A request that does not parse: answered with an error message, never a crash. */
export class MalformedMessage extends Error {
  override readonly name = 'MalformedMessage'
}

const INT = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** Reads one request's fields in order; running past the end or a field of the wrong kind throws MalformedMessage. */
export class FieldReader {
  private pos = 0

  constructor(private readonly fields: readonly string[]) {}

  get remaining(): number {
    return this.fields.length - this.pos
  }

  str(): string {
    if (this.pos >= this.fields.length) throw new MalformedMessage(`message ends before field ${this.pos + 1}`)
    return this.fields[this.pos++] as string
  }

  /** EDecoder.readInt: '' is 0. */
  int(): number {
    const s = this.str().trim()
    if (s === '') return 0
    if (!INT.test(s)) throw new MalformedMessage(`field ${this.pos} is not an integer: ${JSON.stringify(s.slice(0, 40))}`)
    const n = Number(s)
    if (!Number.isSafeInteger(n)) throw new MalformedMessage(`field ${this.pos} is out of range`)
    return n
  }

  /** readIntMax: '' and Integer.MAX_VALUE are unset (null). */
  intMax(): number | null {
    const s = this.str().trim()
    if (s === '') return null
    this.pos--
    const n = this.int()
    return n === UNSET_INTEGER ? null : n
  }

  /** EDecoder.readDouble: '' is 0. */
  double(): number {
    return this.doubleMax() ?? 0
  }

  /** readDoubleMax: '' and Double.MAX_VALUE are unset (null). */
  doubleMax(): number | null {
    const s = this.str().trim()
    if (s === '') return null
    if (!DECIMAL.test(s) && s !== 'Infinity') throw new MalformedMessage(`field ${this.pos} is not a number: ${JSON.stringify(s.slice(0, 40))}`)
    const n = Number(s)
    return n >= Number.MAX_VALUE ? null : n
  }

  /** A decimal (Decimal in the reference client), kept as its text; '' is unset (null). */
  decimal(): string | null {
    const s = this.str().trim()
    if (s === '') return null
    if (!DECIMAL.test(s)) throw new MalformedMessage(`field ${this.pos} is not a decimal: ${JSON.stringify(s.slice(0, 40))}`)
    return Number(s) >= Number.MAX_VALUE ? null : s
  }

  /** EDecoder.readBoolFromInt: '' is false, any non-zero integer true. */
  bool(): boolean {
    return this.int() !== 0
  }
}

/** Doubles as Java's Double.toString reads back: finite numbers in JS's shortest round-trip form. */
function formatDouble(n: number): string {
  if (!Number.isFinite(n)) return UNSET_DOUBLE_TEXT
  if (Object.is(n, -0)) return '0'
  return String(n)
}

/** Builds one answer's fields. */
export class FieldWriter {
  readonly fields: string[] = []

  str(s: string): this {
    this.fields.push(s)
    return this
  }

  int(n: number): this {
    this.fields.push(String(Math.trunc(n)))
    return this
  }

  /** An int that may be unset: Integer.MAX_VALUE, as TWS writes it. */
  intMax(n: number | null | undefined): this {
    return this.int(n ?? UNSET_INTEGER)
  }

  double(n: number): this {
    this.fields.push(formatDouble(n))
    return this
  }

  /** A double that may be unset: Double.MAX_VALUE, as TWS writes it. */
  doubleMax(n: number | null | undefined): this {
    this.fields.push(n === null || n === undefined ? UNSET_DOUBLE_TEXT : formatDouble(n))
    return this
  }

  /** A decimal string as is; unset is an empty field. */
  decimal(s: string | null | undefined): this {
    this.fields.push(s ?? '')
    return this
  }

  bool(b: boolean): this {
    this.fields.push(b ? '1' : '0')
    return this
  }

  /** Several empty text fields (attributes the simulator never sets). */
  blanks(count: number): this {
    for (let i = 0; i < count; i++) this.fields.push('')
    return this
  }
}
