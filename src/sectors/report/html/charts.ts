// Inline SVG charts for the HTML report: an equity line and a drawdown area, drawn here as plain
// strings so the file needs no chart library and no network when it is opened.
import {escapeHtml} from './escape.js'

/** A series: x (epoch ms) and y (money, decimal units), same length, x ascending. */
export interface Series {
  x: readonly number[]
  y: readonly number[]
}

/**
 * Drawdown below the running peak at each point (0 or negative), in money: the same definition as
 * the report's max drawdown, so the chart's lowest point is minus that figure.
 */
export function drawdownSeries(equity: Series): Series {
  let peak = -Infinity
  const y = equity.y.map((v) => {
    if (v > peak) peak = v
    return v - peak
  })
  return {x: [...equity.x], y}
}

export interface ChartOptions {
  /** Element id and accessible title. */
  id: string
  title: string
  /** 'line' (equity) or 'area' (drawdown, filled down from 0). */
  kind: 'line' | 'area'
  width?: number
  height?: number
}

const PAD = {left: 70, right: 12, top: 12, bottom: 24}

/** An `<svg>` with the series as a polyline (and axis labels); a note instead when it has no points. */
export function chartSvg(series: Series, options: ChartOptions): string {
  const width = options.width ?? 800
  const height = options.height ?? 220
  const n = Math.min(series.x.length, series.y.length)
  const head = `<svg id="${escapeHtml(options.id)}" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="none" data-points="${n}"><title>${escapeHtml(options.title)}</title>`
  if (n === 0) return `${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="empty">no points</text></svg>`
  let x0 = Infinity
  let x1 = -Infinity
  let y0 = options.kind === 'area' ? 0 : Infinity
  let y1 = options.kind === 'area' ? 0 : -Infinity
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, series.x[i]!)
    x1 = Math.max(x1, series.x[i]!)
    y0 = Math.min(y0, series.y[i]!)
    y1 = Math.max(y1, series.y[i]!)
  }
  // A flat or single-point series still gets a visible band.
  if (!(x1 > x0)) x1 = x0 + 1
  if (!(y1 > y0)) {
    y0 -= 1
    y1 += 1
  }
  const plotW = width - PAD.left - PAD.right
  const plotH = height - PAD.top - PAD.bottom
  const sx = (x: number): string => (PAD.left + ((x - x0) / (x1 - x0)) * plotW).toFixed(1)
  const sy = (y: number): string => (PAD.top + (1 - (y - y0) / (y1 - y0)) * plotH).toFixed(1)
  const pts: string[] = []
  for (let i = 0; i < n; i++) pts.push(`${sx(series.x[i]!)},${sy(series.y[i]!)}`)
  const shape =
    options.kind === 'area'
      ? `<polygon class="area" points="${sx(series.x[0]!)},${sy(0)} ${pts.join(' ')} ${sx(series.x[n - 1]!)},${sy(0)}"/>`
      : `<polyline class="line" fill="none" points="${pts.join(' ')}"/>`
  const axis = [
    `<line class="axis" x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${height - PAD.bottom}"/>`,
    `<line class="axis" x1="${PAD.left}" y1="${height - PAD.bottom}" x2="${width - PAD.right}" y2="${height - PAD.bottom}"/>`,
    `<text class="label" x="${PAD.left - 4}" y="${PAD.top + 10}" text-anchor="end">${label(y1, y1 - y0)}</text>`,
    `<text class="label" x="${PAD.left - 4}" y="${height - PAD.bottom}" text-anchor="end">${label(y0, y1 - y0)}</text>`,
    `<text class="label" x="${PAD.left}" y="${height - 6}">${escapeHtml(utc(x0))}</text>`,
    `<text class="label" x="${width - PAD.right}" y="${height - 6}" text-anchor="end">${escapeHtml(utc(x1))}</text>`,
  ].join('')
  return `${head}${axis}${shape}</svg>`
}

/** Whole units for wide ranges; cents when the range is narrow (10 000.00 → 9 999.60 must not read 10000 → 10000). */
function label(v: number, range: number): string {
  return range >= 100 ? v.toFixed(0) : v.toFixed(2)
}

/** A recorded time in UTC (formatting a journal time, not reading a clock). */
export function utc(ts: number): string {
  return new Date(ts).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')
}
