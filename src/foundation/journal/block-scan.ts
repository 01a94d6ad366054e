// Where each event's payload lies in a block's events text, found without parsing it. A block's
// events are `[[ts,"TYPE",payload],…]` with every payload the canonical JSON its hash covers
// (blocks.ts writes them so); readers that need that exact text (the run hash) take it from here
// instead of decoding every payload and writing its canonical JSON again (~3 µs an event).
import {CLOSE_BRACKET, COMMA, OPEN_BRACKET} from './blocks.js'
import {TYPE_INDEX} from './chunk.js'

const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const MINUS = 0x2d
const ZERO = 0x30
const NINE = 0x39

/**
 * Calls `onEvent(typeIndex, start, end)` for each event of a block's events text (UTF-8 bytes), in
 * order: its type's index in EVENT_TYPES and where its payload's text starts and ends. Returns the
 * number of events, or -1 as soon as the text is not shaped as rick writes it (the caller then
 * decodes it the slow way; events seen before that were already reported).
 */
export function scanPayloads(text: Uint8Array, onEvent: (type: number, start: number, end: number) => void): number {
  const n = text.length
  if (n < 2 || text[0] !== OPEN_BRACKET) return -1
  let p = 1
  let count = 0
  if (text[p] === CLOSE_BRACKET) return p + 1 === n ? 0 : -1
  for (;;) {
    if (text[p++] !== OPEN_BRACKET) return -1
    // ts: an integer.
    if (text[p] === MINUS) p++
    const digits = p
    while (p < n && text[p]! >= ZERO && text[p]! <= NINE) p++
    if (p === digits || text[p++] !== COMMA || text[p++] !== QUOTE) return -1
    const typeStart = p
    while (p < n && text[p] !== QUOTE) p++
    const type = TYPE_INDEX.get(latin1(text, typeStart, p))
    if (type === undefined || text[++p] !== COMMA) return -1
    const start = ++p
    const end = skipObject(text, start)
    if (end < 0 || text[end] !== CLOSE_BRACKET) return -1
    onEvent(type, start, end)
    count++
    p = end + 1
    if (text[p] === COMMA) {
      p++
      continue
    }
    return text[p] === CLOSE_BRACKET && p + 1 === n ? count : -1
  }
}

/** The end (exclusive) of the JSON object that starts at `at`, strings and nesting skipped; -1 if none. */
function skipObject(text: Uint8Array, at: number): number {
  if (text[at] !== OPEN_BRACE) return -1
  const n = text.length
  let depth = 0
  for (let p = at; p < n; p++) {
    const c = text[p]!
    if (c === QUOTE) {
      // A string: to its closing quote, past escapes. UTF-8 continuation bytes are all >= 0x80.
      for (p++; p < n && text[p] !== QUOTE; p++) if (text[p] === BACKSLASH) p++
      if (p >= n) return -1
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth === 0) return p + 1
    }
  }
  return -1
}

function latin1(text: Uint8Array, start: number, end: number): string {
  let s = ''
  for (let i = start; i < end; i++) s += String.fromCharCode(text[i]!)
  return s
}
