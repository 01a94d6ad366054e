// The words `rick status` adds to a running sector's first line: how it runs and, when its venue
// reports one, its connection state (`RUNNING (pid 412, up; connected)`).
import type {SectorStatus} from '../../engine/status-service.js'

export function runLabel(s: SectorStatus): string {
  const how = s.runsAs ?? 'running'
  if (s.connection === null) return how
  const c = s.connection
  return `${how}; ${c.state}${c.reason ? ` (${c.reason})` : ''}`
}
