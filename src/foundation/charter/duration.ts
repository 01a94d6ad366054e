// Approval lifetimes written as `30m`, `12h`, `7d`, `2w`: short, unambiguous, no months (their
// length varies) and no fractions.

const UNIT_MS = {m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000} as const
export const DURATION_PATTERN = '^[1-9][0-9]{0,5}[mhdw]$'

/** Milliseconds in `text`, or undefined when it is not a duration like `7d`. */
export function parseDuration(text: string): number | undefined {
  if (!new RegExp(DURATION_PATTERN).test(text)) return undefined
  const unit = text.slice(-1) as keyof typeof UNIT_MS
  return Number(text.slice(0, -1)) * UNIT_MS[unit]
}

/** `7d`, `36h`, `90m`: the largest unit that divides the value exactly. */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${Math.round(ms / UNIT_MS.m)}m`
}
