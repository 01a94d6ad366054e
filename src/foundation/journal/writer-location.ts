// Where the journal writer thread's module is at run time. It is a file of its own (a
// worker_threads entry), and it sits in a different place in each build:
// - tsc output (dist/foundation/journal/, used by bench/): next to this module;
// - the esbuild bundle (dist/bundle/, what `rick` runs): this module is inlined into a shared
//   chunk, so the CLI entry registers dist/bundle/foundation/journal/writer-thread.js, and a thread
//   the CLI starts (a backtest's) finds it from its chunk;
// - sources under vitest or tsx: there is no .js to run; the calling thread writes, unless a test
//   registers the .ts file together with tsx's loader.
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export interface WriterModule {
  /** The writer-thread module (writer-thread.js, or .ts with a loader). */
  url: URL
  /** A module imported first in the thread whose register() installs loader hooks (tsx's `tsx/esm/api`). */
  loader?: string
}

let registered: WriterModule | undefined

/** Tells the journal where the writer thread's module is (the CLI bundle's entry does; tests may). */
export function registerWriterModule(module: WriterModule | undefined): void {
  registered = module
}

/**
 * Where this module may sit relative to the writer-thread entry: beside it (tsc's output), or in
 * the bundle's shared chunks or an entry one or two folders down (a thread of rick's own, such as
 * a backtest's, where nothing registered the module: registration is per thread).
 */
const NEAR = ['./writer-thread.js', '../foundation/journal/writer-thread.js', '../../foundation/journal/writer-thread.js', '../../../foundation/journal/writer-thread.js']

/** The writer module to start, or undefined when there is none to run (the calling thread writes). */
export function writerModule(): WriterModule | undefined {
  if (registered !== undefined && exists(registered.url)) return registered
  for (const near of NEAR) {
    const url = new URL(near, import.meta.url)
    if (exists(url)) return {url}
  }
  return undefined
}

function exists(url: URL): boolean {
  return url.protocol === 'file:' && existsSync(fileURLToPath(url))
}
