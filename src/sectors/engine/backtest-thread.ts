// A backtest in a worker thread of its own (backtest-isolated.ts starts it and watches it): the
// engine and the strategy's realm share this thread, so the strategy costs a function call a bar,
// and the thread's heap limit and the supervisor's call watch give the strategy its budgets — a
// strategy that never returns, or allocates without end, takes this thread down, never the process
// that started it.
import {parentPort, workerData} from 'node:worker_threads'
import {Config} from '@oclif/core'

import {ConfigError, RickError} from '../../foundation/errors.js'
import {loadSectorRegistry} from '../registry.js'
import {setThreadCallWatch} from '../strategy/sandbox/call-watch.js'
import {runBacktest, type BacktestRequest} from './backtest.js'

export interface BacktestThreadData {
  req: Omit<BacktestRequest, 'onProgress' | 'onStarted'>
  /** The CLI's root (its package.json), for oclif's plugin registry. */
  cliRoot: string
  cwd?: string
  env: Record<string, string | undefined>
  file?: string
  watch: SharedArrayBuffer
  progress: boolean
}

/** What the thread posts: progress, the run's id once known, then its result or its error. */
export type BacktestThreadMessage =
  | {kind: 'progress'; done: number; total: number | undefined}
  | {kind: 'started'; runId: string}
  | {kind: 'result'; result: Awaited<ReturnType<typeof runBacktest>>}
  | {kind: 'error'; error: SerializedError}

export interface SerializedError {
  name: string
  message: string
  code?: string
  exitCode?: number
  diagnostics?: ConfigError['diagnostics']
  stack?: string
}

const data = workerData as BacktestThreadData
const post = (m: BacktestThreadMessage): void => parentPort!.postMessage(m)

async function main(): Promise<void> {
  setThreadCallWatch(new Int32Array(data.watch))
  const registry = await loadSectorRegistry(await Config.load(data.cliRoot))
  const result = await runBacktest(
    {
      ...data.req,
      onProgress: data.progress ? (done, total) => post({kind: 'progress', done, total}) : undefined,
      onStarted: (runId) => post({kind: 'started', runId}),
    },
    {registry, cwd: data.cwd, env: data.env, file: data.file},
  )
  post({kind: 'result', result})
}

main().catch((error: unknown) => post({kind: 'error', error: serialize(error)}))

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) return {name: 'Error', message: String(error)}
  const out: SerializedError = {name: error.name, message: error.message}
  if (error.stack !== undefined) out.stack = error.stack
  if (error instanceof RickError) {
    out.code = error.code
    out.exitCode = error.exitCode
  }
  if (error instanceof ConfigError) out.diagnostics = error.diagnostics
  return out
}
