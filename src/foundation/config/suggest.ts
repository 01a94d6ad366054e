// "Did you mean …?" for misspelt keys and values: the candidate with the smallest edit distance
// (Damerau: a swap of two neighbouring letters counts as one edit), if it is close enough.

/** Optimal-string-alignment distance, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  const rows = s.length + 1
  const cols = t.length + 1
  const d: number[][] = Array.from({length: rows}, (_, i) => Array.from({length: cols}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[s.length]![t.length]!
}

/**
 * The candidate nearest to `input`, or undefined when none is plausibly meant: the distance
 * must be at most a third of the longer word (at least 1, at most 3 edits). A candidate that
 * differs only by case always counts.
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    if (candidate === input) continue
    const distance = editDistance(input, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best === undefined) return undefined
  if (bestDistance === 0) return best
  const allowed = Math.min(3, Math.max(1, Math.floor(Math.max(input.length, best.length) / 3)))
  return bestDistance <= allowed ? best : undefined
}

/**
 * The message of a sector name that is not in the config, the same for every command: what exists,
 * and the nearest name when one is plausibly meant (`rick run Coinbase` → coinbase).
 */
export function unknownSectorMessage(name: string, known: readonly string[], from?: string): string {
  const near = suggest(name, known)
  return `unknown sector '${name}': expected one of ${known.length > 0 ? known.join(', ') : '(none configured)'}${from ? ` (from ${from})` : ''}${near ? `; did you mean: ${near}` : ''}`
}
