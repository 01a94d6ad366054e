// Human text for `rick data download`: the summary, and the progress line redrawn on a TTY.
import type {DownloadProgress, InstrumentDownload} from './download-history.js'
import type {DownloadResult} from './download.js'
import {formatBytes, formatPeriod, formatTs} from './format.js'

const count = (n: number): string => n.toLocaleString('en-US')

export function renderDownload(r: DownloadResult, shownDir: string, maxRejected = 10): string {
  const where = r.connector ? `${r.connector.name}, ${r.connector.endpoints.join(', ')}` : r.venue
  const lines = [`rick data download ${r.sector}: ${formatPeriod(r.periodMs)} bars from ${r.venue} (${r.environment}; ${where}) into ${shownDir}`]
  for (const i of r.instruments) lines.push(...instrumentLines(i, maxRejected))
  if (r.interrupted) lines.push('', 'Interrupted: what was received is stored; run the same command again to continue where it stopped.')
  return lines.join('\n')
}

function instrumentLines(i: InstrumentDownload, maxRejected: number): string[] {
  const asked = i.asked.length === 0 ? 'up to date: the store holds it all, nothing asked' : `asked ${i.asked.map(([a, b]) => `${formatTs(a)} → ${formatTs(b)}`).join(', ')} (${i.requests} request${i.requests === 1 ? '' : 's'})`
  const lines = [`  ${i.instrument}: ${asked}`]
  if (i.asked.length > 0) lines.push(`    ${count(i.received)} bars received: ${count(i.added)} new, ${count(i.replaced)} replaced; ${count(i.rejected.length)} refused${i.complete ? '' : '; stopped before the end'}`)
  for (const x of i.rejected.slice(0, maxRejected)) lines.push(`    refused (${x.code}): ${x.reason}`)
  if (i.rejected.length > maxRejected) lines.push(`    … ${count(i.rejected.length - maxRejected)} more refused (--json lists them all)`)
  const d = i.dataset
  if (d && d.bars > 0) lines.push(`    dataset: ${count(d.bars)} bars, ${formatTs(d.from as number)} → ${formatTs(d.to as number)}, ${formatBytes(d.bytes)}, sha256 ${d.sha256.slice(0, 12)}`)
  else lines.push(`    no dataset: the venue had no ${i.instrument} bars in that range`)
  return lines
}

/** One line redrawn in place on a TTY (stderr); cleared by done(). */
export function downloadProgressBar(stream: {write(text: string): boolean}): {update(p: DownloadProgress): void; done(): void} {
  let drawn = ''
  return {
    update(p) {
      const pct = p.totalMs > 0 ? Math.min(100, Math.floor((p.doneMs / p.totalMs) * 100)) : 100
      const width = 24
      const filled = Math.round((pct / 100) * width)
      const line = `  ${p.instrument} (${p.index + 1}/${p.of}) [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${count(p.bars)} bars${p.lastTs === undefined ? '' : `, at ${formatTs(p.lastTs)}`}`
      if (line === drawn) return
      stream.write(`\r\x1b[2K${line}`)
      drawn = line
    },
    done() {
      if (drawn !== '') stream.write('\r\x1b[2K')
      drawn = ''
    },
  }
}
