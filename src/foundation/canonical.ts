import {createHash} from 'node:crypto'

// Canonical JSON: object keys sorted, no whitespace, `undefined` members dropped. Hashes of config,
// charter limits and journal events are taken over this form so that key order in a YAML file or
// a JS object never changes a hash.
//
// The definition is JSON.stringify(sortDeep(value)). Every journaled event goes through here, so
// plain data (plain objects and arrays, strings, finite numbers, booleans, null) is written
// directly, without building a sorted copy first (about 2.5x faster); anything else (class instances,
// Dates, functions, keys that look like array indices, which JSON.stringify puts first) takes the
// definition itself. test/foundation/canonical.test.ts pins the two byte for byte.
export function canonicalJson(value: unknown): string {
  try {
    return writePlain(value)
  } catch (error) {
    if (error !== NOT_PLAIN) throw error
  }
  return JSON.stringify(sortDeep(value))
}

/** Thrown by writePlain on anything it does not write itself. */
const NOT_PLAIN = Symbol('not plain data')

/** What JSON.stringify escapes in a string (surrogates: only lone ones, but any sends it there). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/**
 * A string as canonical JSON writes it (the same text as JSON.stringify): quoted as is when there
 * is nothing to escape, which costs half of calling JSON.stringify.
 */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`
}

/** `"key":` per object key seen (payloads reuse a few dozen keys); bounded, keys may come from data. */
const keyTexts = new Map<string, string>()
const KEY_TEXTS_KEPT = 4096

function keyText(key: string): string {
  let text = keyTexts.get(key)
  if (text === undefined) {
    const c = key.charCodeAt(0)
    // An array-index key ("0", "12"): JSON.stringify writes those before all others.
    if (c >= 48 && c <= 57) throw NOT_PLAIN
    // The definition's copy sets `__proto__` through the setter (a prototype, not a member).
    if (key === '__proto__') throw NOT_PLAIN
    text = `${quote(key)}:`
    if (keyTexts.size < KEY_TEXTS_KEPT) keyTexts.set(key, text)
  }
  return text
}

function writePlain(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`)
      // Same text as JSON.stringify for finite numbers (-0 included: "0").
      return String(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      const proto: unknown = Object.getPrototypeOf(value)
      if (proto === Array.prototype) {
        const a = value as unknown[]
        let out = '['
        for (let i = 0; i < a.length; i++) {
          if (i > 0) out += ','
          const v = a[i]
          out += v === undefined ? 'null' : writePlain(v)
        }
        return `${out}]`
      }
      if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN
      const o = value as Record<string, unknown>
      const keys = Object.keys(o)
      // Insertion sort: a handful of keys; the same order as Array#sort() (UTF-16 code units).
      for (let i = 1; i < keys.length; i++) {
        const k = keys[i] as string
        let j = i - 1
        while (j >= 0 && (keys[j] as string) > k) {
          keys[j + 1] = keys[j] as string
          j--
        }
        keys[j + 1] = k
      }
      let out = '{'
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string
        const v = o[key]
        if (v === undefined) continue
        out += out.length === 1 ? keyText(key) + writePlain(v) : `,${keyText(key)}${writePlain(v)}`
      }
      return `${out}}`
    }
    default:
      // undefined at the top, functions, symbols, bigints: what JSON.stringify does with them.
      throw NOT_PLAIN
  }
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortDeep(v)))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortDeep(v)
    }
    return out
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`canonicalJson: non-finite number ${value}`)
  }
  return value
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalJson(value))
}
