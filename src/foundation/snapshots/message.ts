// The snapshot commit message: the user's words, then git-style trailers holding everything
// `list` shows, so the catalogue is rebuilt from the refs alone (no side file to lose).
import {SNAPSHOT_TRIGGERS, type SnapshotTrigger} from './types.js'

export interface SnapshotFacts {
  message: string
  trigger: SnapshotTrigger
  time: string
  head: string | null
  branch: string | null
  filesChanged: number
}

const TRAILER = {
  marker: 'Rick-Snapshot',
  trigger: 'Rick-Trigger',
  time: 'Rick-Time',
  head: 'Rick-Head',
  branch: 'Rick-Branch',
  filesChanged: 'Rick-Files-Changed',
} as const

/** The message a user sees first: trimmed, never empty. */
export function snapshotMessage(message: string | undefined, trigger: SnapshotTrigger): string {
  const text = (message ?? '').replaceAll('\r\n', '\n').trim()
  return text === '' ? `${trigger} snapshot` : text
}

export function formatSnapshotMessage(facts: SnapshotFacts): string {
  const trailers = [`${TRAILER.marker}: 1`, `${TRAILER.trigger}: ${facts.trigger}`, `${TRAILER.time}: ${facts.time}`]
  // Absent trailers mean null: no placeholder word can clash with a real branch name.
  if (facts.head !== null) trailers.push(`${TRAILER.head}: ${facts.head}`)
  if (facts.branch !== null) trailers.push(`${TRAILER.branch}: ${facts.branch}`)
  trailers.push(`${TRAILER.filesChanged}: ${facts.filesChanged}`)
  return `${facts.message}\n\n${trailers.join('\n')}\n`
}

function isTrigger(value: string): value is SnapshotTrigger {
  return (SNAPSHOT_TRIGGERS as readonly string[]).includes(value)
}

/**
 * Reads the facts back. Only the last paragraph is taken as trailers, so a message that itself
 * contains `Rick-…:` lines cannot spoof them. `fallbackTime` is used when the trailer is missing
 * (a ref someone wrote by hand).
 */
export function parseSnapshotMessage(raw: string, fallbackTime: string): SnapshotFacts {
  const text = raw.replace(/\n+$/, '')
  const cut = text.lastIndexOf('\n\n')
  const lastParagraph = cut === -1 ? text : text.slice(cut + 2)
  const fields = new Map<string, string>()
  for (const line of lastParagraph.split('\n')) {
    const match = /^(Rick-[A-Za-z-]+): (.*)$/.exec(line)
    if (match) fields.set(match[1]!, match[2]!)
  }
  const isTrailerBlock = fields.has(TRAILER.marker) && cut !== -1
  const message = isTrailerBlock ? text.slice(0, cut).trim() : text.trim()
  if (!isTrailerBlock) return {message, trigger: 'manual', time: fallbackTime, head: null, branch: null, filesChanged: 0}
  const trigger = fields.get(TRAILER.trigger) ?? 'manual'
  const files = Number.parseInt(fields.get(TRAILER.filesChanged) ?? '0', 10)
  return {
    message,
    trigger: isTrigger(trigger) ? trigger : 'manual',
    time: fields.get(TRAILER.time) ?? fallbackTime,
    head: fields.get(TRAILER.head) ?? null,
    branch: fields.get(TRAILER.branch) ?? null,
    filesChanged: Number.isFinite(files) ? files : 0,
  }
}
