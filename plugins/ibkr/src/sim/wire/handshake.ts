// The opening of a TWS API connection: after `API\0` the client sends one frame `v{min}..{max}`
// (or `v{n}`), optionally followed by connect options such as ` +PACEAPI`. TWS answers with the
// version it will speak — the highest both sides know — and its connection time, in one frame.
// From then on every field of every message depends on that version.
import {MAX_VERSION, MIN_VERSION} from './versions.js'

export interface VersionRequest {
  min: number
  max: number
  /** Connect options after the range (`+PACEAPI`: pace instead of disconnecting on excess). */
  options: string[]
}

/** The client's range, or a reason it cannot be read. */
export function parseVersionRequest(text: string): VersionRequest | {error: string} {
  const m = /^v(\d{1,6})(?:\.\.(\d{1,6}))?(?:\s+(.*))?$/s.exec(text.trim())
  if (m === null) return {error: `not a version range: ${JSON.stringify(text.slice(0, 40))}`}
  const min = Number(m[1])
  const max = m[2] === undefined ? min : Number(m[2])
  if (max < min) return {error: `empty version range ${min}..${max}`}
  const options = (m[3] ?? '').split(/\s+/).filter((o) => o !== '')
  return {min, max, options}
}

/** min(client max, ours) when the ranges overlap; otherwise why not. */
export function negotiateVersion(req: VersionRequest): number | {error: string} {
  if (req.max < MIN_VERSION) return {error: `client versions ${req.min}..${req.max} predate the v100 protocol`}
  if (req.min > MAX_VERSION) return {error: `client requires version ${req.min} or later; this TWS speaks up to ${MAX_VERSION}`}
  return Math.min(req.max, MAX_VERSION)
}
