// Human-readable text for snapshots, shared by the `rick snapshot` commands (commands folders
// may hold commands only, so the rendering lives here, next to the data it renders).
import type {RestoreResult, SnapshotDetails, SnapshotInfo} from './types.js'

/** `2025-03-01T09:30:00.123Z` -> `2025-03-01 09:30:00Z`: compact, still UTC and sortable. */
export function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** HEAD at the time: `a1b2c3d (main)`, `a1b2c3d (detached)` or `(no commit yet)`. */
export function headText(s: Pick<SnapshotInfo, 'head' | 'branch'>): string {
  if (s.head === null) return s.branch === null ? '(no commit yet)' : `(no commit yet on ${s.branch})`
  return `${s.head.slice(0, 7)} (${s.branch ?? 'detached'})`
}

export function firstLine(message: string): string {
  return message.split('\n')[0] ?? ''
}

export function snapshotTable(snapshots: SnapshotInfo[]): string {
  const header = ['ID', 'TIME (UTC)', 'TRIGGER', 'HEAD', 'FILES', 'MESSAGE']
  const rows = snapshots.map((s) => [s.id, shortTime(s.time), s.trigger, headText(s), String(s.filesChanged), firstLine(s.message)])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')
  return [line(header), ...rows.map(line)].join('\n')
}

export function snapshotSummary(s: SnapshotInfo): string {
  return [
    `snapshot  ${s.id}`,
    `commit    ${s.commit}`,
    `ref       ${s.ref}`,
    `time      ${s.time}`,
    `trigger   ${s.trigger}`,
    `head      ${headText(s)}`,
    `files     ${s.filesChanged} changed vs HEAD`,
    '',
    ...s.message.split('\n').map((l) => `    ${l}`),
  ].join('\n')
}

export function snapshotDetailsText(s: SnapshotDetails): string {
  const files = s.files.length === 0 ? ['    (no file differs from HEAD)'] : s.files.map((f) => `    ${f.status}  ${f.path}`)
  return `${snapshotSummary(s)}\n\nFiles changed vs HEAD at the time:\n${files.join('\n')}`
}

/** What `rick snapshot restore` prints once the files are the snapshot's. */
export function restoreSummary(r: RestoreResult): string[] {
  const subs = r.submodules.map((s) => s.path)
  const within = subs.length === 0 ? '' : ` (with ${subs.length === 1 ? 'submodule' : 'submodules'} ${subs.join(', ')})`
  const lines = [`Restored snapshot ${r.restored.id}: ${r.written} file(s) written, ${r.deleted} deleted${within}.`]
  for (const s of r.submodules) {
    if (s.head === s.snapshotHead) continue
    lines.push(`Submodule ${s.path}: its files are the snapshot's, but its HEAD stays at ${short(s.head)} (at the snapshot: ${short(s.snapshotHead)}): a restore never moves a HEAD.`)
  }
  if (r.interrupted) {
    const before = r.interrupted.undo === null ? '' : `; the state before that one is snapshot ${r.interrupted.undo}`
    lines.push(`Note: an earlier restore (of snapshot ${r.interrupted.target}, pid ${r.interrupted.pid}) was cut short; this one replaced what it left${before}.`)
  }
  lines.push(`The previous state is snapshot ${r.undo.id}; undo with: rick snapshot restore ${r.undo.id} --yes`)
  return lines
}

function short(commit: string | null): string {
  return commit === null ? '(no commit)' : commit.slice(0, 7)
}
