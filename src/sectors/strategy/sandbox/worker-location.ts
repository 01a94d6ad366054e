// Where a worker_threads entry of rick is at run time (as the journal's writer-location.ts does
// for its thread), given its path under src/ without extension (`sectors/strategy/sandbox/
// worker-thread`): under dist/ in tsc's output (this module is dist/sectors/strategy/sandbox/…);
// under dist/bundle/ in the CLI's esbuild bundle, where this module is inlined into an entry or a
// shared chunk one to three folders down and each worker is an entry of its own; from the
// TypeScript sources (tests), the .ts file through tsx's loader.
import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

export interface ThreadModule {
  url: URL
  /** A module whose register() installs a loader in the thread first (tsx, for the sources). */
  loader?: string
}

const found = new Map<string, ThreadModule>()

export function threadModule(path: string): ThreadModule {
  const known = found.get(path)
  if (known !== undefined) return known
  for (const up of ['../../../', '../', '../../', '../../../../']) {
    const url = new URL(`${up}${path}.js`, import.meta.url)
    if (existsSync(fileURLToPath(url))) return remember(path, {url})
  }
  const source = new URL(`../../../${path}.ts`, import.meta.url)
  if (existsSync(fileURLToPath(source))) return remember(path, {url: source, loader: tsxLoader()})
  throw new Error(`the thread module ${path} is missing (looked near ${fileURLToPath(import.meta.url)}: a broken build?)`)
}

/** The strategy sandbox's worker. */
export function strategyWorkerModule(): ThreadModule {
  return threadModule('sectors/strategy/sandbox/worker-thread')
}

/** Source for `new Worker(…, {eval: true})` that installs the module's loader, then loads it. */
export function loaderSource(module: ThreadModule): string {
  return `import(${JSON.stringify(module.loader)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(module.url.href)}) })`
}

function remember(path: string, m: ThreadModule): ThreadModule {
  found.set(path, m)
  return m
}

function tsxLoader(): string {
  // tsx's ESM entry (its CommonJS one does not load in a thread's bootstrap).
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json')
  const exported = (JSON.parse(readFileSync(pkg, 'utf8')) as {exports: Record<string, {import: string | {default: string}}>}).exports['./esm/api']!.import
  return pathToFileURL(join(dirname(pkg), typeof exported === 'string' ? exported : exported.default)).href
}
