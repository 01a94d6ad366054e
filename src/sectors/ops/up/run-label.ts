// The words `rick status` adds to a running sector's first line: how it runs and, when its venue
// reports one, its connection state (`RUNNING (pid 412, up; connected)`).
import type {SectorStatus} from '../../engine/status-service.js'

export function runLabel(s: SectorStatus): string {
  const how = s.runsAs ?? 'running'
  if (s.connection === null) return how
  const c = s.connection
  return `${how}; ${c.state}${c.reason ? ` (${c.reason})` : ''}`
}

/** Adds the label to each running sector's header line of the status text. */
export function withRunLabels(text: string, sectors: SectorStatus[]): string {
  const lines = text.split('\n')
  for (const s of sectors) {
    if (!s.running || s.pid === null) continue
    const header = `${s.sector}  RUNNING (pid ${s.pid})`
    const i = lines.indexOf(header)
    if (i >= 0) lines[i] = `${s.sector}  RUNNING (pid ${s.pid}, ${runLabel(s)})`
  }
  return lines.join('\n')
}
