// What a new charter PIN must not be. The lockout (pin-attempts.ts) allows only a few tries, so the
// PINs a guesser tries first must not be accepted at all; and pin.json keeps a scrypt hash that
// anyone who can read it may attack offline, where only the PIN's own strength counts.
//
// | rule                           | refused examples            |
// |--------------------------------|-----------------------------|
// | only whitespace                | six spaces, tabs            |
// | one character repeated         | 111111, aaaaaaaa            |
// | fewer than 3 different chars   | 112211, 121212              |
// | a run (alphabet, digits, keys) | 123456, 654321, 789012, qwerty |
// | a shorter block repeated       | 123123, abcdabcd            |
// | a common password              | password, letmein           |
// Length and line breaks are checked before (checkPinFormat in pin.ts).
import {UsageError} from '../errors.js'

export const MIN_PIN_LENGTH = 6
export const MIN_DISTINCT_PIN_CHARACTERS = 3

export const PIN_REQUIREMENTS =
  `a PIN needs at least ${MIN_PIN_LENGTH} characters, at least ${MIN_DISTINCT_PIN_CHARACTERS} different ones, not only whitespace, ` +
  'and must not be a run (123456, abcdef, qwerty), a repeated block (121212, abcabc) or a common password'

// Rows of the common keyboard layouts, so a run of adjacent keys counts like a run of digits.
const KEY_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'qwertzuiop', 'yxcvbnm', 'azertyuiop', 'qsdfghjklm', 'wxcvbn']

// Passwords that top every leaked-password list and pass the rules above.
const COMMON = new Set(['password', 'passw0rd', 'p@ssw0rd', 'letmein', 'iloveyou', 'welcome', 'monkey', 'dragon', 'sunshine', 'princess', 'football', 'baseball', 'trustno1', 'abc123', 'qwe123', '123qwe', 'changeme', 'secret'])

/** Why `pin` is too weak to become the charter PIN, or undefined when it is acceptable. */
export function pinWeakness(pin: string): string | undefined {
  const chars = [...pin]
  if (/^\s+$/u.test(pin)) return 'it is only whitespace'
  const distinct = new Set(chars).size
  if (distinct === 1) return 'it is one character repeated'
  const lower = pin.toLowerCase()
  if (COMMON.has(lower)) return 'it is a common password'
  if (isRun(lower)) return 'it is a run of consecutive characters or keys'
  const block = repeatedBlock(chars)
  if (block !== undefined) return `it is a block repeated (${JSON.stringify(block)})`
  if (distinct < MIN_DISTINCT_PIN_CHARACTERS) return `it has only ${distinct} different characters`
  return undefined
}

/** Refuses a weak new PIN with a usage error that says what a PIN needs. */
export function checkPinStrength(pin: string): void {
  const weakness = pinWeakness(pin)
  if (weakness !== undefined) throw new UsageError(`the PIN is too weak: ${weakness}; ${PIN_REQUIREMENTS}`, 'CHARTER_PIN_WEAK')
}

function isRun(text: string): boolean {
  const points = [...text].map((c) => c.codePointAt(0) ?? 0)
  const steps = points.slice(1).map((p, i) => p - (points[i] ?? 0))
  if (steps.every((s) => s === 1) || steps.every((s) => s === -1)) return true
  // Digits wrap around (789012), and rows of keys count forwards and backwards.
  if (/^\d+$/.test(text)) {
    const wrapped = steps.map((s) => (s + 10) % 10)
    if (wrapped.every((s) => s === 1) || wrapped.every((s) => s === 9)) return true
  }
  return KEY_ROWS.some((row) => row.includes(text) || [...row].reverse().join('').includes(text))
}

function repeatedBlock(chars: string[]): string | undefined {
  for (let size = 1; size <= chars.length / 2; size++) {
    if (chars.length % size !== 0) continue
    if (chars.every((c, i) => c === chars[i % size])) return chars.slice(0, size).join('')
  }
  return undefined
}
