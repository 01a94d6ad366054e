// Performance metrics of a set of trades and an equity curve. Money is Micro throughout (integers,
// summed exactly); ratios are plain numbers.
//
// Sharpe and Sortino: per-bar simple returns of the equity curve, r = E[i] / E[i-1] - 1, with a
// risk-free rate of 0, annualised by sqrt(bars per year), bars per year = 365.25 × 24 × 3600 × 1000
// / periodMs (a 24/7 calendar: for markets closed at night or at weekends this overstates the
// annual figure a little, the same way for every strategy). Where consecutive curve points are k
// bars apart, the k-1 bars between them count as zero returns (equity unchanged), so a curve known
// only at fills weighs the same calendar as one known at every bar.
//   Sharpe  = mean(r) / stdev(r) × sqrt(bars per year)           (sample stdev, n - 1)
//   Sortino = mean(r) / sqrt(sum(min(r, 0)²) / n) × sqrt(bars per year)
import type {Micro} from '../../foundation/domain/money.js'
import type {OpenPosition, Trade} from './trades.js'

/** Equity (micro) over time, columnar: one point per distinct ts, ascending. */
export interface EquityCurve {
  ts: ArrayLike<number>
  equity: ArrayLike<number>
}

export interface MetricsOptions {
  /** Bar length in ms: the unit of the per-bar returns (see the annualisation above). */
  periodMs: number
  /** Positions still open at the end: they count as exposure from `since` to the end of the curve. */
  open?: ReadonlyArray<Pick<OpenPosition, 'since'>>
}

export interface Metrics {
  trades: number
  /** Trades with net P&L > 0, < 0 (a trade at exactly 0 is neither). */
  wins: number
  losses: number
  /** wins / trades; null without trades. */
  winRate: number | null
  grossPnl: Micro
  fees: Micro
  /** Sum of the trades' net P&L (closed trades only; open positions are in the equity curve). */
  netPnl: Micro
  /** Mean net P&L of winning / losing trades (losing is negative); null when there are none. */
  avgWin: Micro | null
  avgLoss: Micro | null
  /** Net P&L per trade; null without trades. */
  expectancy: Micro | null
  /** Sum of wins / |sum of losses|; null without losses (undefined ratio) — see `wins`. */
  profitFactor: number | null
  /** Largest fall of equity from a previous peak, in money and as a fraction of that peak. */
  maxDrawdown: Micro
  maxDrawdownPct: number | null
  sharpe: number | null
  sortino: number | null
  /** Number of per-bar returns behind Sharpe/Sortino, and the annualisation factor's bars per year. */
  returns: number
  barsPerYear: number
  longestLosingStreak: number
  /** Share of the curve's time span with a position open (0..1); null without a span. */
  exposure: number | null
  startEquity: Micro | null
  endEquity: Micro | null
}

export const MS_PER_YEAR = 365.25 * 24 * 60 * 60 * 1000

export const ANNUALISATION_NOTE =
  'Sharpe and Sortino: per-bar returns of the equity curve, risk-free 0, annualised by sqrt(bars per year) with bars per year = 365.25*24*3600*1000 / bar length (24/7 calendar)'

export function computeMetrics(trades: readonly Trade[], curve: EquityCurve, options: MetricsOptions): Metrics {
  let wins = 0
  let losses = 0
  let winSum = 0
  let lossSum = 0
  let gross = 0
  let fees = 0
  let streak = 0
  let longest = 0
  for (const t of trades) {
    gross += t.grossPnl
    fees += t.fees
    if (t.netPnl > 0) {
      wins++
      winSum += t.netPnl
    } else if (t.netPnl < 0) {
      losses++
      lossSum += t.netPnl
    }
    // A losing streak is broken by any trade that did not lose.
    streak = t.netPnl < 0 ? streak + 1 : 0
    if (streak > longest) longest = streak
  }
  const n = trades.length
  const net = gross - fees
  const risk = returnStats(curve, options.periodMs)
  const dd = drawdown(curve)
  const len = curve.ts.length
  return {
    trades: n,
    wins,
    losses,
    winRate: n === 0 ? null : wins / n,
    grossPnl: gross,
    fees,
    netPnl: net,
    avgWin: wins === 0 ? null : Math.round(winSum / wins),
    avgLoss: losses === 0 ? null : Math.round(lossSum / losses),
    expectancy: n === 0 ? null : Math.round(net / n),
    profitFactor: losses === 0 ? null : winSum / -lossSum,
    maxDrawdown: dd.money,
    maxDrawdownPct: dd.pct,
    sharpe: risk.sharpe,
    sortino: risk.sortino,
    returns: risk.n,
    barsPerYear: MS_PER_YEAR / options.periodMs,
    longestLosingStreak: longest,
    exposure: exposure(trades, options.open ?? [], curve),
    startEquity: len === 0 ? null : (curve.equity[0] as number),
    endEquity: len === 0 ? null : (curve.equity[len - 1] as number),
  }
}

function returnStats(curve: EquityCurve, periodMs: number): {sharpe: number | null; sortino: number | null; n: number} {
  let n = 0
  let sum = 0
  let sumSq = 0
  let downSq = 0
  const len = curve.ts.length
  for (let i = 1; i < len; i++) {
    const prev = curve.equity[i - 1] as number
    const cur = curve.equity[i] as number
    if (!(prev > 0)) return {sharpe: null, sortino: null, n: 0} // returns are undefined on a non-positive base
    const gap = Math.max(1, Math.round(((curve.ts[i] as number) - (curve.ts[i - 1] as number)) / periodMs))
    const r = cur / prev - 1
    n += gap
    sum += r
    sumSq += r * r
    if (r < 0) downSq += r * r
  }
  if (n < 2) return {sharpe: null, sortino: null, n}
  const mean = sum / n
  const variance = (sumSq - n * mean * mean) / (n - 1)
  const scale = Math.sqrt(MS_PER_YEAR / periodMs)
  const sd = variance > 0 ? Math.sqrt(variance) : 0
  const downside = Math.sqrt(downSq / n)
  return {
    sharpe: sd > 0 ? (mean / sd) * scale : null,
    sortino: downside > 0 ? (mean / downside) * scale : null,
    n,
  }
}

function drawdown(curve: EquityCurve): {money: Micro; pct: number | null} {
  let peak = -Infinity
  let money = 0
  let pct: number | null = null
  for (let i = 0; i < curve.equity.length; i++) {
    const e = curve.equity[i] as number
    if (e > peak) peak = e
    const d = peak - e
    if (d > money) money = d
    if (peak > 0) {
      const p = d / peak
      if (pct === null || p > pct) pct = p
    }
  }
  return {money, pct}
}

/** Length of the union of the position intervals, clipped to the curve's span, over the span. */
function exposure(trades: readonly Trade[], open: ReadonlyArray<Pick<OpenPosition, 'since'>>, curve: EquityCurve): number | null {
  const len = curve.ts.length
  if (len < 2) return null
  const start = curve.ts[0] as number
  const end = curve.ts[len - 1] as number
  if (!(end > start)) return null
  const spans: Array<[number, number]> = []
  for (const t of trades) spans.push([Math.max(start, t.entryTs), Math.min(end, t.exitTs)])
  for (const o of open) spans.push([Math.max(start, o.since), end])
  spans.sort((a, b) => a[0] - b[0])
  let covered = 0
  let curStart = -Infinity
  let curEnd = -Infinity
  for (const [a, b] of spans) {
    if (b <= a) continue
    if (a > curEnd) {
      if (curEnd > curStart) covered += curEnd - curStart
      curStart = a
      curEnd = b
    } else if (b > curEnd) {
      curEnd = b
    }
  }
  if (curEnd > curStart) covered += curEnd - curStart
  return covered / (end - start)
}
