// `rick backtest` runs the backtest in a worker thread (backtest-thread.ts) and watches it: the
// strategy's realm lives in that thread next to the engine (a call a bar, no round trip), so the
// strategy's budgets are the thread's — its heap limit (the engine's share plus the strategy's
// memory budget) and the per-call time budget, checked here on the call watch every few ms. A
// strategy that overruns gets the thread terminated; this thread, free all along, journals
// STRATEGY_ERROR for the run and reports it (exit 1). The run itself then ends where it was,
// without RUN_STOPPED, as a run whose engine was killed does: its events up to there are journaled.
import {Worker} from 'node:worker_threads'

import {ConfigError, RickError, type Diagnostic, type ExitCode} from '../../foundation/errors.js'
import {openJournal} from '../../foundation/journal/index.js'
import {newCallWatch, readCallWatch} from '../strategy/sandbox/call-watch.js'
import {DEFAULT_BUDGET, type SandboxBudget} from '../strategy/sandbox/sandboxed-strategy.js'
import {loaderSource, threadModule} from '../strategy/sandbox/worker-location.js'
import type {BacktestRequest, BacktestResult} from './backtest.js'
import type {BacktestThreadData, BacktestThreadMessage, SerializedError} from './backtest-thread.js'
import type {SectorRegistry} from '../definition.js'
import {loadSectorsConfig} from '../load-config.js'
import type {SetupContext} from './setup.js'

/** The engine's share of a backtest thread's memory (1M bars of one instrument peak near 200 MB). */
const ENGINE_HEAP_MB = 1024
/** How often the call watch is sampled. */
const SAMPLE_MS = 20

export interface IsolatedBacktestOptions {
  /** The CLI's root (oclif's `config.root`): the thread rebuilds the plugin registry from it. */
  cliRoot: string
  budget?: Partial<SandboxBudget>
}

export async function runBacktestIsolated(req: BacktestRequest, ctx: Omit<SetupContext, 'registry'>, o: IsolatedBacktestOptions): Promise<BacktestResult> {
  const budget = {...DEFAULT_BUDGET, ...o.budget}
  const watch = newCallWatch()
  const {onProgress, onStarted, ...plain} = req
  const data: BacktestThreadData = {
    req: plain,
    cliRoot: o.cliRoot,
    cwd: ctx.cwd,
    env: {...(ctx.env ?? process.env)},
    file: ctx.file,
    watch: watch.buffer as SharedArrayBuffer,
    progress: onProgress !== undefined,
  }
  const module = threadModule('sectors/engine/backtest-thread')
  const options = {workerData: data, resourceLimits: {maxOldGenerationSizeMb: ENGINE_HEAP_MB + budget.memoryMb}, stdout: false, stderr: false}
  const worker = module.loader === undefined ? new Worker(module.url, options) : new Worker(loaderSource(module), {...options, eval: true})

  let runId: string | undefined
  let overrun: string | undefined
  return new Promise<BacktestResult>((resolve, reject) => {
    let settled = false
    const finish = (f: () => void): void => {
      if (settled) return
      settled = true
      clearInterval(sampler)
      f()
    }
    // The same call still in progress over samples spanning the budget is an overrun. Memory: the
    // thread's heap limit does not count ArrayBuffers (a strategy can fill typed arrays past it),
    // so the process's resident memory is watched too, against what it held at the start plus the
    // thread's whole allowance.
    let lastCalls = -1
    let since = 0
    const maxRss = process.memoryUsage.rss() + (ENGINE_HEAP_MB + budget.memoryMb) * 1048576
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss()
      if (rss > maxRss && overrun === undefined) {
        overrun = `stopped: the backtest held ${Math.round(rss / 1048576)} MB, past its memory (${ENGINE_HEAP_MB} MB for the engine + ${budget.memoryMb} MB for the strategy)`
        void worker.terminate()
        return
      }
      const w = readCallWatch(watch)
      const now = performance.now()
      if (!w.inCall || w.calls !== lastCalls) {
        lastCalls = w.calls
        since = now
        return
      }
      if (now - since < budget.callMs) return
      overrun ??= `stopped: a call into the strategy did not return within ${budget.callMs} ms (the strategy's time budget per call)`
      void worker.terminate()
    }, SAMPLE_MS)
    worker.on('message', (m: BacktestThreadMessage) => {
      if (m.kind === 'progress') onProgress?.(m.done, m.total)
      else if (m.kind === 'started') {
        runId = m.runId
        onStarted?.(m.runId)
      } else if (m.kind === 'result') finish(() => resolve(m.result))
      else finish(() => reject(revive(m.error)))
    })
    worker.on('error', (error: Error & {code?: string}) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') overrun = `stopped: the backtest ran out of its memory (${ENGINE_HEAP_MB} MB for the engine + ${budget.memoryMb} MB for the strategy); a strategy allocating without end?`
      else if (overrun === undefined) finish(() => reject(error))
    })
    worker.on('exit', () => {
      if (overrun === undefined) return finish(() => reject(new RickError('the backtest thread ended without a result', {code: 'BACKTEST_THREAD'})))
      const why = overrun
      finish(() => reject(strategyStopped(req, runId, why)))
    })
  })
}

/** Journals the overrun as the run's STRATEGY_ERROR and makes the error the command reports. */
function strategyStopped(req: BacktestRequest, runId: string | undefined, message: string): RickError {
  let where = 'before the run started'
  if (runId !== undefined) {
    const journal = openJournal({path: req.journalPath})
    try {
      const last = [...journal.events({reverse: true, limit: 1})][0]
      journal.append({ts: last?.ts ?? 0, runId, sector: req.sector, type: 'STRATEGY_ERROR', payload: {phase: 'onBar', message}})
      where = `in run ${runId} (journaled as STRATEGY_ERROR; the run ends there, without RUN_STOPPED)`
    } finally {
      journal.close()
    }
  }
  return new RickError(`backtest of ${req.sector}: the strategy was ${message} — ${where}`, {code: 'STRATEGY_BUDGET'})
}

function revive(e: SerializedError): Error {
  const error = e.diagnostics !== undefined ? new ConfigError(e.message, e.diagnostics as Diagnostic[]) : e.code !== undefined ? new RickError(e.message, {code: e.code, exitCode: e.exitCode as ExitCode | undefined}) : new Error(e.message)
  if (e.stack !== undefined) error.stack = e.stack
  return error
}

/**
 * The sector's strategy budget from its config, for sizing the thread before it starts; a config
 * that does not load gives the defaults here (the thread reports its errors).
 */
export function sectorBudget(registry: SectorRegistry, sector: string, file: string | undefined): Partial<SandboxBudget> {
  try {
    return loadSectorsConfig({file, cwd: process.cwd(), registry, env: process.env}).config.sectors[sector]?.strategy.budget ?? {}
  } catch {
    return {}
  }
}
