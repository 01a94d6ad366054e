// Feeding bars to the engine. The paper venue pulls each bar from its feed, matches working
// orders on it and hands it to its subscribers; the driver then hands it to the engine and waits
// for the engine's work on that bar, if any, before the next one. Backtests run this loop flat out; `rick run` paces it
// and, between bar periods, polls the journal for manual halts and checks for a stop request.
//
// A "period" is one bar of every instrument (synthetic feeds produce them together): pacing,
// manual triggers and stops happen only at period boundaries, so a replay can put a manual halt at
// exactly the same point (after bar N) as the run that recorded it.
import type {Bar} from '../../foundation/domain/bars.js'
import type {RunStoppedPayload} from '../../foundation/journal/events.js'
import type {SectorEngine} from './engine.js'

/** The one venue capability the driver needs: pull the next bar and match working orders on it. */
export interface SteppingVenue {
  step(): Bar | undefined
}

export type StopReason = RunStoppedPayload['reason']

export interface DriveOptions {
  venue: SteppingVenue
  engine: SectorEngine
  instruments: readonly string[]
  /** Stop after this many bars (all instruments counted). */
  maxBars?: number
  /** Called after every complete period with the bars done; may await (pacing, journal polling). */
  atBoundary?: (barsDone: number) => Promise<void> | void
  /** Asked at every period boundary; a reason stops the loop. */
  stopRequested?: () => StopReason | undefined
  /** Called every `progressEvery` bars (and at the end). */
  onProgress?: (barsDone: number) => void
  progressEvery?: number
}

export interface DriveResult {
  reason: StopReason
  bars: number
  detail?: string
}

/** Runs bars through the engine until the data ends, a limit is reached, or a stop is asked for. */
export async function drive(o: DriveOptions): Promise<DriveResult> {
  const engine = o.engine
  const venue = o.venue
  // The driver calls the engine itself rather than subscribing a closure of its own to the venue:
  // a new closure per run, inlined into the venue's optimized code, made that code be thrown away
  // and rebuilt at every run in one process (a sweep of backtests).
  const wanted = o.instruments.length === 0 ? undefined : new Set(o.instruments)
  let accepted: string | undefined
  const perPeriod = Math.max(1, o.instruments.length)
  const maxBars = o.maxBars ?? Infinity
  const progressEvery = o.progressEvery ?? 65_536
  let nextProgress = progressEvery
  let untilBoundary = perPeriod
  let bars = 0
  try {
    for (;;) {
      const bar = venue.step()
      if (bar === undefined) return {reason: 'data-exhausted', bars}
      // Bars of one instrument usually come in a row: one lookup for the row.
      const id = bar.instrument
      if (id === accepted || wanted === undefined || wanted.has(id)) {
        accepted = id
        const work = engine.onBar(bar)
        if (work !== undefined) await work
      }
      bars++
      if (engine.strategyFault !== undefined) return {reason: 'halted', bars, detail: `strategy error: ${engine.strategyFault.message}`}
      if (engine.isStopped) return {reason: 'error', bars, detail: 'the engine stopped (journal failure)'}
      if (bars >= nextProgress) {
        nextProgress += progressEvery
        o.onProgress?.(bars)
      }
      if (--untilBoundary === 0) {
        untilBoundary = perPeriod
        if (bars >= maxBars) return {reason: 'bars-limit', bars}
        if (o.atBoundary) await o.atBoundary(bars)
        const stop = o.stopRequested?.()
        if (stop !== undefined) return {reason: stop, bars}
      } else if (bars >= maxBars) {
        return {reason: 'bars-limit', bars}
      }
    }
  } finally {
    o.onProgress?.(bars)
  }
}
