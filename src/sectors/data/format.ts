// Human text for the data commands (kept out of the commands so they stay a page long).
import type {ImportResult} from './import.js'
import type {DatasetInfo} from './store.js'
import {isoUtc} from './time.js'

/** 60000 → `1m`, 3600000 → `1h`, 86400000 → `1d`, else `<n>ms`/`<n>s`. */
export function formatPeriod(ms: number): string {
  if (ms > 0 && ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** `2024-03-01 00:00 UTC`, seconds shown only when not zero. */
export function formatTs(ms: number): string {
  const iso = isoUtc(ms)
  const seconds = iso.slice(16, 23)
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}${seconds === ':00.000' ? '' : iso.slice(16, 19)} UTC`
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}

const count = (n: number): string => n.toLocaleString('en-US')

export function renderImport(r: ImportResult, shownPath: string, maxRejected = 50): string {
  const d = r.dataset
  const lines = [
    `Imported ${count(r.imported)} bars of ${r.instrument} from ${r.file}: ${formatTs(r.from as number)} → ${formatTs(r.to as number)} (${formatPeriod(d.periodMs)} bars)`,
    `  ${count(r.added)} new, ${count(r.replaced)} replaced stored bars; ${count(r.rows)} data rows read, ${count(r.rejected.length)} rejected`,
  ]
  if (r.rejected.length > 0) {
    lines.push('', `Rejected rows:`)
    for (const x of r.rejected.slice(0, maxRejected)) lines.push(`  line ${x.line}: ${x.reason}`)
    if (r.rejected.length > maxRejected) lines.push(`  … ${count(r.rejected.length - maxRejected)} more (--json lists them all)`)
  }
  lines.push('', `Dataset ${shownPath}: ${count(d.bars)} bars, ${formatTs(d.from as number)} → ${formatTs(d.to as number)}, ${formatBytes(d.bytes)}, sha256 ${d.sha256}`)
  return lines.join('\n')
}

export function renderDatasets(datasets: DatasetInfo[], dir: string): string {
  if (datasets.length === 0) return `No datasets in ${dir}. Import one with: rick data import <file.csv> --instrument EUR_USD`
  const rows = datasets.map((d) => [d.instrument, count(d.bars), d.from === undefined ? '-' : formatTs(d.from), d.to === undefined ? '-' : formatTs(d.to), formatPeriod(d.periodMs), formatBytes(d.bytes), d.sha256.slice(0, 12)])
  const header = ['INSTRUMENT', 'BARS', 'FROM', 'TO', 'PERIOD', 'SIZE', 'SHA256']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')
  return [`Datasets in ${dir}:`, '', line(header), ...rows.map(line)].join('\n')
}
