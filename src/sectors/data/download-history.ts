// The venue's history into the local bar store, resumably: for each instrument, the part of
// [from, to) that the store does not hold yet (download-coverage.ts), asked for in windows of
// `windowBars` bars, checked bar by bar, merged into the dataset as it comes.
//
// | step                     | what happens                                                                  |
// |--------------------------|-------------------------------------------------------------------------------|
// | what to ask              | [from, min(to, now)) minus the intervals the venue already answered in full   |
// | one window               | connector.history({from: a, to: b}); NetworkError retried (bounded, backoff)  |
// | checks (a bar that fails | instrument, time (integer ms), inside [a, b), later than the previous bar by   |
// |  one is refused, listed, |  at least one period, prices finite and > 0, low ≤ open,close ≤ high,          |
// |  never stored)           |  volume finite and ≥ 0                                                         |
// | covered                  | the whole window when it ended a margin before now and nothing was refused;   |
// |                          |  up to the last bar received when it reaches the present (bars still forming) |
// | written                  | bars and coverage merged into the store every few windows (more bars held →   |
// |                          |  fewer rewrites), and always before returning or throwing: on an error or an  |
// |                          |  abort what was received is kept; only a killed process loses unwritten bars   |
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'

import {seriesOf, type Bar, type BarSeries} from '../../foundation/domain/bars.js'
import {BrokerError, NetworkError} from '../../foundation/domain/broker-errors.js'
import {ExitCode, RickError, UsageError} from '../../foundation/errors.js'
import type {HistoryRequest} from '../connector.js'
import {addInterval, missingIntervals, readCoverage, writeCoverage, type Interval} from './download-coverage.js'
import {formatPeriod, formatTs} from './format.js'
import {mergeSeries} from './import.js'
import {datasetInfo, datasetPath, encodeSeries, loadSeries, writeSeries, type DatasetInfo, type StoreOptions} from './store.js'

/**
 * Bars per history() call: OANDA's most candles per request. A window no longer than one page of the
 * connector matters: a venue that answers a page as the candles of [from, from + count) (rick's
 * simulator does) leaves a page empty across a gap, and a connector that stops at an empty page
 * would otherwise hide the bars after the gap in the same window. Other venues page inside their
 * connector.
 */
export const WINDOW_BARS = 5000
/** Attempts after a NetworkError (timeout, dropped connection, rate limit) before giving up. */
export const NETWORK_RETRIES = 3
/** When no --from is given and the store holds nothing: about 30 days, at least 1,000 and at most 100,000 bars. */
export function defaultSpanMs(periodMs: number): number {
  return Math.max(1000 * periodMs, Math.min(30 * 86_400_000, 100_000 * periodMs))
}

/** What the service needs of a connector: its history, nothing that could trade. */
export interface HistorySource {
  readonly venue: string
  history?(request: HistoryRequest): Promise<Bar[]>
}

export interface RejectedBar {
  instrument: string
  /** The bar's ts as the venue sent it (may be anything for a malformed bar). */
  ts: unknown
  code: 'instrument' | 'time' | 'range' | 'duplicate' | 'order' | 'spacing' | 'price' | 'ohlc' | 'volume'
  reason: string
}

export interface DownloadProgress {
  instrument: string
  /** 0-based position of the instrument, and how many there are. */
  index: number
  of: number
  /** Milliseconds of market time asked for so far, of the total to ask for this instrument. */
  doneMs: number
  totalMs: number
  /** Bars received for this instrument in this run, and the ts of the last one. */
  bars: number
  lastTs?: number
}

export interface InstrumentDownload {
  instrument: string
  from: number
  /** Exclusive. */
  to: number
  /** The ranges the store did not hold, asked of the venue ([from, to), epoch ms). */
  asked: Interval[]
  requests: number
  /** Bars received that passed the checks. */
  received: number
  /** Of those, bars new to the store / already stored (replaced by the venue's). */
  added: number
  replaced: number
  rejected: RejectedBar[]
  /** False when the run stopped (error, abort) before all of `asked` was asked. */
  complete: boolean
  dataset?: DatasetInfo
}

export interface HistoryDownloadOptions extends StoreOptions {
  source: HistorySource
  instruments: readonly string[]
  periodMs: number
  /** Inclusive; default: the start of what the store holds, else `now - defaultSpanMs`. */
  from?: number
  /** Exclusive; default and at most: `now`. */
  to?: number
  /** The present (epoch ms), from the caller's clock. */
  now: number
  /** Drop the stored bars (when the first new ones are written) instead of merging. */
  replace?: boolean
  windowBars?: number
  retries?: number
  /** Waits between retries (tests pass an immediate one). */
  sleep?(ms: number): Promise<void>
  signal?: AbortSignal
  onProgress?(p: DownloadProgress): void
}

export interface HistoryDownloadResult {
  instruments: InstrumentDownload[]
  /** True when `signal` stopped the run; what was received is stored. */
  interrupted: boolean
}

/** Downloads each instrument in turn. Throws a RickError (what was stored said) on the first failure. */
export async function downloadHistory(o: HistoryDownloadOptions): Promise<HistoryDownloadResult> {
  const history = o.source.history?.bind(o.source)
  if (history === undefined) throw new RickError(`the ${o.source.venue} connector cannot read the venue's history`, {code: 'NO_HISTORY', exitCode: ExitCode.BadInput})
  if (!(Number.isSafeInteger(o.periodMs) && o.periodMs > 0)) throw new UsageError(`bar period must be a whole number of ms > 0, found ${o.periodMs}`, 'BAD_BAR_PERIOD')
  if (o.from !== undefined && o.to !== undefined && !(o.from < o.to)) throw new UsageError(`nothing to download: --from ${formatTs(o.from)} is not before --to`, 'BAD_RANGE')
  const out: InstrumentDownload[] = []
  for (const [index, instrument] of o.instruments.entries()) {
    if (o.signal?.aborted) return {instruments: out, interrupted: true}
    const r = await new InstrumentRun(o, history, instrument, index).run()
    out.push(r)
    if (!r.complete) return {instruments: out, interrupted: true}
  }
  return {instruments: out, interrupted: false}
}

/** One instrument's download: its dataset, coverage and pending bars. */
class InstrumentRun {
  private readonly o: HistoryDownloadOptions
  /** The store alone: the download's from/to must never reach loadSeries (it would cut the dataset to them). */
  private readonly store: StoreOptions
  private readonly instrument: string
  private readonly index: number
  private readonly period: number
  /** The bars and coverage as written (or as found). */
  private stored: BarSeries | undefined
  private fileSha: string | undefined
  private fileCovered: Interval[] = []
  private covered: Interval[] = []
  /** Received, not written yet. */
  private pending: Bar[] = []
  private pendingCovered: Interval[] = []
  private readonly result: InstrumentDownload
  private readonly history: (request: HistoryRequest) => Promise<Bar[]>

  constructor(o: HistoryDownloadOptions, history: (request: HistoryRequest) => Promise<Bar[]>, instrument: string, index: number) {
    this.o = o
    this.store = {home: o.home}
    this.history = history
    this.instrument = instrument
    this.index = index
    this.period = o.periodMs
    this.load()
    const now = o.now
    const to = Math.min(o.to ?? now, now)
    const from = o.from ?? (this.covered.length > 0 ? Math.min((this.covered[0] as Interval)[0], to) : to - defaultSpanMs(this.period))
    const asked = from < to ? missingIntervals(from, to, this.covered) : []
    this.result = {instrument, from, to, asked, requests: 0, received: 0, added: 0, replaced: 0, rejected: [], complete: false}
  }

  async run(): Promise<InstrumentDownload> {
    const r = this.result
    const totalMs = r.asked.reduce((s, [a, b]) => s + (b - a), 0)
    let doneMs = 0
    /** The last bar accepted in this run: windows and gaps are asked oldest first. */
    let lastTs: number | undefined
    const progress = () => this.o.onProgress?.({instrument: this.instrument, index: this.index, of: this.o.instruments.length, doneMs, totalMs, bars: r.received, ...(lastTs === undefined ? {} : {lastTs})})
    const step = (this.o.windowBars ?? WINDOW_BARS) * this.period
    progress()
    try {
      for (const [gapFrom, gapTo] of r.asked) {
        for (let a = gapFrom; a < gapTo; a += step) {
          if (this.o.signal?.aborted) return this.finish(false)
          const b = Math.min(a + step, gapTo)
          const bars = await this.fetch({instrument: this.instrument, periodMs: this.period, from: a, to: b})
          if (bars === undefined) return this.finish(false) // aborted while waiting
          const {good, rejected} = checkBars(bars, this.instrument, a, b, this.period, lastTs)
          for (const bar of good) this.pending.push(bar)
          r.received += good.length
          r.rejected.push(...rejected)
          if (good.length > 0) lastTs = (good[good.length - 1] as Bar).ts
          // A refused bar leaves its window unanswered: the next run asks for it again.
          if (rejected.length === 0) this.pendingCovered.push(this.answered(a, b, good))
          doneMs += b - a
          progress()
          if (this.pending.length >= Math.max(this.o.windowBars ?? WINDOW_BARS, (this.stored?.length ?? 0) / 4)) this.flush()
        }
      }
      return this.finish(true)
    } catch (error) {
      this.flush()
      const f = venueFailure(error, this.o.source.venue)
      const saved = r.received > 0 ? `the ${r.received.toLocaleString('en-US')} bar(s) of ${this.instrument} received before it are stored` : `nothing new of ${this.instrument} was stored`
      // Asking again helps only when the failure may pass (exit 1); a refused request (exit 2) needs other flags.
      const hint = f.exitCode === ExitCode.Failure ? `\n${saved}; run the same command again to continue where it stopped` : r.received > 0 ? `\n${saved}` : ''
      throw new RickError(`${this.instrument}: ${f.message}${hint}`, {code: f.code, exitCode: f.exitCode, cause: error})
    }
  }

  /** The part of [a, b) the venue has answered for good: all of it, unless the window reaches bars still forming. */
  private answered(a: number, b: number, good: Bar[]): Interval {
    // A margin for a venue clock behind ours and candles completed late.
    const settled = this.o.now - Math.max(this.period, 5 * 60_000)
    if (b <= settled) return [a, b]
    const last = good.at(-1)
    return [a, last === undefined ? a : Math.min(b, last.ts + this.period)]
  }

  /** One window, NetworkErrors retried with backoff; undefined when aborted. */
  private async fetch(request: HistoryRequest): Promise<Bar[] | undefined> {
    const retries = this.o.retries ?? NETWORK_RETRIES
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
    for (let attempt = 0; ; attempt++) {
      this.result.requests++
      try {
        return await untilAborted(this.o.signal, this.history(request))
      } catch (error) {
        if (!(error instanceof NetworkError) || attempt >= retries) throw error
        const wait = error.retryAfterMs ?? 1000 * 2 ** attempt
        if ((await untilAborted(this.o.signal, sleep(wait).then(() => true))) === undefined) return undefined
      }
    }
  }

  private finish(complete: boolean): InstrumentDownload {
    this.flush()
    this.result.complete = complete
    const path = datasetPath(this.instrument, this.store)
    if (existsSync(path)) this.result.dataset = datasetInfo(this.instrument, this.store)
    return this.result
  }

  /** The dataset and what the store holds of it, as found. */
  private load(): void {
    const path = datasetPath(this.instrument, this.store)
    if (!existsSync(path)) return
    const info = datasetInfo(this.instrument, this.store)
    const series = loadSeries(this.instrument, this.store)
    this.fileSha = info.sha256
    // A record that describes this very file; else the stored span counts as answered (an import).
    const known = readCoverage(this.instrument, info.sha256, this.period, this.store)
    this.fileCovered = known ?? (series.length > 0 ? [[series.ts[0] as number, (series.ts[series.length - 1] as number) + this.period]] : [])
    if (this.o.replace) return
    if (series.length > 0 && series.periodMs !== this.period) {
      throw new UsageError(
        `the stored ${this.instrument} dataset holds ${formatPeriod(series.periodMs)} bars; ${formatPeriod(this.period)} bars would mix bar lengths in one dataset. Download with --bar-period ${formatPeriod(series.periodMs)}, or start it afresh with --replace`,
        'PERIOD_MISMATCH',
      )
    }
    this.stored = series
    this.covered = this.fileCovered
  }

  /** Merges what is pending into the dataset: the coverage record first (naming both files), then the bars. */
  private flush(): void {
    if (this.pending.length === 0 && this.pendingCovered.length === 0) return
    let next = this.stored
    if (this.pending.length > 0) {
      const incoming = seriesOf(this.instrument, this.period, this.pending)
      if (next !== undefined && next.length > 0) {
        const m = mergeSeries(next, incoming)
        next = m.merged
        this.result.replaced += m.replaced
        this.result.added += incoming.length - m.replaced
      } else {
        next = incoming
        this.result.added += incoming.length
      }
      next.periodMs = this.period
    }
    // Coverage with no bar file to describe (nothing received yet): nothing to write.
    if (next === undefined) return
    let covered = this.covered
    for (const c of this.pendingCovered) covered = addInterval(covered, c)
    const sha = createHash('sha256').update(encodeSeries(next)).digest('hex')
    writeCoverage({version: 1, instrument: this.instrument, periodMs: this.period, sha256: sha, covered, ...(this.fileSha === undefined ? {} : {previous: {sha256: this.fileSha, covered: this.fileCovered}})}, this.store)
    if (sha !== this.fileSha) writeSeries(next, this.store)
    this.stored = next
    this.fileSha = sha
    this.fileCovered = covered
    this.covered = covered
    this.pending = []
    this.pendingCovered = []
  }
}

/** The bars of one window that may be stored, and those refused with the reason. */
export function checkBars(bars: readonly Bar[], instrument: string, from: number, to: number, periodMs: number, prevTs?: number): {good: Bar[]; rejected: RejectedBar[]} {
  const good: Bar[] = []
  const rejected: RejectedBar[] = []
  let last = prevTs
  for (const bar of bars) {
    const why = barProblem(bar, instrument, from, to, periodMs, last)
    if (why) rejected.push({instrument, ts: bar?.ts, ...why})
    else {
      good.push({instrument, ts: bar.ts, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume})
      last = bar.ts
    }
  }
  return {good, rejected}
}

function barProblem(bar: Bar, instrument: string, from: number, to: number, periodMs: number, last: number | undefined): Pick<RejectedBar, 'code' | 'reason'> | undefined {
  if (typeof bar !== 'object' || bar === null) return {code: 'time', reason: `not a bar: ${JSON.stringify(bar)}`}
  if (bar.instrument !== instrument) return {code: 'instrument', reason: `a bar of ${JSON.stringify(bar.instrument)} in the answer for ${instrument}`}
  const ts = bar.ts
  if (!Number.isSafeInteger(ts)) return {code: 'time', reason: `time ${JSON.stringify(ts)} is not a whole number of epoch ms`}
  if (ts < from || ts >= to) return {code: 'range', reason: `${formatTs(ts)} is outside the range asked for, ${formatTs(from)} → ${formatTs(to)} (exclusive)`}
  if (last !== undefined && ts === last) return {code: 'duplicate', reason: `a second bar at ${formatTs(ts)}`}
  if (last !== undefined && ts < last) return {code: 'order', reason: `${formatTs(ts)} comes after the bar at ${formatTs(last)} (bars must be oldest first)`}
  if (last !== undefined && ts - last < periodMs) return {code: 'spacing', reason: `${formatTs(ts)} is ${ts - last} ms after the previous bar, less than one ${formatPeriod(periodMs)} period`}
  const prices = [bar.open, bar.high, bar.low, bar.close]
  if (!prices.every((p) => typeof p === 'number' && Number.isFinite(p) && p > 0)) return {code: 'price', reason: `${formatTs(ts)}: prices must be finite and above 0, found o=${bar.open} h=${bar.high} l=${bar.low} c=${bar.close}`}
  if (!(bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close))) return {code: 'ohlc', reason: `${formatTs(ts)}: low ${bar.low} / high ${bar.high} do not hold open ${bar.open} and close ${bar.close}`}
  if (!(typeof bar.volume === 'number' && Number.isFinite(bar.volume) && bar.volume >= 0)) return {code: 'volume', reason: `${formatTs(ts)}: volume must be finite and ≥ 0, found ${bar.volume}`}
  return undefined
}

/** `p`, or undefined as soon as `signal` aborts (the request itself is left to the connector's close()). */
async function untilAborted<T>(signal: AbortSignal | undefined, p: Promise<T>): Promise<T | undefined> {
  if (signal === undefined) return p
  if (signal.aborted) return undefined
  let onAbort: (() => void) | undefined
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, {once: true})
  })
  try {
    return await Promise.race([p, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort as () => void)
  }
}

/**
 * A venue's failure as the person running rick should read it, with its exit code:
 * the venue refused the credentials (1), could not be reached (1), refused the request (2: what was
 * asked cannot work, e.g. a bar period it has no candles for), or answered something unreadable (1).
 */
export function venueFailure(error: unknown, venue: string): {message: string; code: string; exitCode: ExitCode} {
  const text = error instanceof Error ? error.message : String(error)
  if (error instanceof BrokerError && error.kind === 'AuthFailed') return {message: `${venue} refused access: ${text}`, code: 'AUTH_FAILED', exitCode: ExitCode.Failure}
  if (error instanceof BrokerError) return {message: `${venue} refused the request (${error.kind}): ${text}`, code: 'VENUE_REFUSED', exitCode: ExitCode.BadInput}
  if (error instanceof NetworkError) return {message: `cannot reach ${venue} (${error.kind}): ${text}`, code: 'VENUE_UNREACHABLE', exitCode: ExitCode.Failure}
  if (error instanceof RickError) return {message: text, code: error.code, exitCode: error.exitCode}
  return {message: `unreadable answer from ${venue}: ${text}`, code: 'VENUE_DATA_INVALID', exitCode: ExitCode.Failure}
}
