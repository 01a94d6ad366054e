// Where the strategy worker's module is at run time (as the journal's writer-location.ts does for
// its thread): next to this module in tsc's output (dist/sectors/strategy/sandbox/); in the CLI's
// esbuild bundle this module is inlined into an entry or a shared chunk, one or two folders below
// dist/bundle/, and the worker is its own entry at dist/bundle/sectors/strategy/sandbox/; from the
// TypeScript sources (tests), the .ts file through tsx's loader.
import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

export interface StrategyWorkerModule {
  url: URL
  /** A module whose register() installs a loader in the thread first (tsx, for the sources). */
  loader?: string
}

let found: StrategyWorkerModule | undefined

export function strategyWorkerModule(): StrategyWorkerModule {
  if (found !== undefined) return found
  const candidates = ['./worker-thread.js', '../sectors/strategy/sandbox/worker-thread.js', '../../sectors/strategy/sandbox/worker-thread.js', '../../../sectors/strategy/sandbox/worker-thread.js']
  for (const c of candidates) {
    const url = new URL(c, import.meta.url)
    if (existsSync(fileURLToPath(url))) return (found = {url})
  }
  const source = new URL('./worker-thread.ts', import.meta.url)
  if (existsSync(fileURLToPath(source))) return (found = {url: source, loader: tsxLoader()})
  throw new Error(`the strategy worker module is missing next to ${fileURLToPath(import.meta.url)} (a broken build?)`)
}

function tsxLoader(): string {
  // tsx's ESM entry (its CommonJS one does not load in a thread's bootstrap).
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json')
  const exported = (JSON.parse(readFileSync(pkg, 'utf8')) as {exports: Record<string, {import: string | {default: string}}>}).exports['./esm/api']!.import
  return pathToFileURL(join(dirname(pkg), typeof exported === 'string' ? exported : exported.default)).href
}
