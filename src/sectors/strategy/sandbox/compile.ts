// Compiles a strategy into the one script its realm evaluates: esbuild bundles the strategy's own
// files (one file, or its folder) and the pure libraries it may use into an IIFE that hands its
// module to the bridge. Nothing is left to import at run time, so the realm needs no module loader.
//
// Imports are checked here, where the file, line and column are known: type-only imports are
// erased by the compiler (the strategy contract is imported that way); a value import may name a
// library of ALLOWED_PACKAGES or a file of the strategy's own folder; anything else — node:
// built-ins, other packages, files elsewhere in the project — is refused, each with its place.
import {createRequire, isBuiltin} from 'node:module'
import {relative, resolve, sep} from 'node:path'
import type * as Esbuild from 'esbuild'

import {BRIDGE_GLOBAL} from './bootstrap.js'

/** Pure libraries a strategy may import (bundled in; they reach nothing outside the realm). */
export const ALLOWED_PACKAGES: readonly string[] = ['trading-signals']

export interface StrategyEntry {
  /** Absolute path of the entry file. */
  abs: string
  /** Project-relative POSIX path (`strategies/sma-crossover.ts`), for messages. */
  rel: string
  /** A folder strategy's folder: its files are bundled; everything else stays outside. */
  scope?: string
}

/** A refused or broken strategy: every problem with its place. */
export class StrategyCompileError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message)
    this.name = 'StrategyCompileError'
  }
}

const GLOBAL_NAME = '__rickStrategy'
const requireHere = createRequire(import.meta.url)

/** The strategy's realm script (see realm.ts for how it is run). */
export async function compileStrategy(root: string, entry: StrategyEntry, banner: string): Promise<string> {
  // Loaded here only: a cache hit never pays for esbuild. (required, not imported, so the CLI
  // bundler leaves esbuild and its native binary alone.)
  const esbuild = requireHere('esbuild') as typeof Esbuild
  let result: Esbuild.BuildResult & {outputFiles: Esbuild.OutputFile[]}
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry.abs],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: GLOBAL_NAME,
      platform: 'neutral',
      // The realm is an ECMAScript realm, not Node: no `module`/`require`; packages by their ESM entry.
      mainFields: ['module', 'main'],
      conditions: ['import', 'default'],
      target: 'es2022',
      sourcemap: false,
      logLevel: 'silent',
      // A fixed tsconfig: the output must depend on the hashed files only.
      tsconfigRaw: {compilerOptions: {}},
      banner: {js: banner},
      footer: {js: `${BRIDGE_GLOBAL}.adopt(${GLOBAL_NAME});`},
      plugins: [importPolicy(root, entry)],
    })
  } catch (err) {
    const errors = (err as {errors?: Esbuild.Message[]}).errors ?? []
    const problems = errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text))
    throw new StrategyCompileError(`strategy ${entry.rel} does not compile:\n  ${problems.join('\n  ') || (err as Error).message}`, problems)
  }
  return result.outputFiles[0]?.text ?? ''
}

/** Is `spec` an allowed package or a path inside one (`trading-signals/dist/…`)? */
function allowedPackage(spec: string): boolean {
  return ALLOWED_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))
}

/**
 * Decides every import esbuild meets. Returning `errors` from onResolve makes esbuild report them
 * at the import statement: the file, line and column come with each.
 */
function importPolicy(root: string, entry: StrategyEntry): Esbuild.Plugin {
  return {
    name: 'rick-strategy-imports',
    setup(build) {
      build.onResolve({filter: /.*/}, (args) => {
        if (args.kind === 'entry-point') return undefined
        const spec = args.path
        // Inside an allowed library, its own relative imports are its business.
        const fromLibrary = args.importer.includes(`${sep}node_modules${sep}`)
        if (fromLibrary && ALLOWED_PACKAGES.some((p) => args.importer.includes(`${sep}node_modules${sep}${p}${sep}`)) && (spec.startsWith('.') || allowedPackage(spec))) return undefined
        // From rick's own installation, whatever the project has (or lacks) in its node_modules:
        // the library a strategy gets is the one rick ships and tests.
        if (allowedPackage(spec)) return {path: requireHere.resolve(spec)}
        const relativeSpec = spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:')
        if (relativeSpec) {
          const abs = spec.startsWith('file:') ? new URL(spec).pathname : resolve(args.resolveDir, spec)
          if (entry.scope !== undefined && (abs === entry.scope || abs.startsWith(entry.scope + sep))) return undefined
          const where = relative(root, abs) || abs
          return {errors: [{text: `import "${spec}" (${where}) is outside the strategy${entry.scope === undefined ? '' : `'s folder`}: a strategy may import its own ${entry.scope === undefined ? 'file' : 'folder'}'s files, the contract (as \`import type\`), and ${ALLOWED_PACKAGES.join(', ')}`}]}
        }
        const why = spec.startsWith('node:') || isBuiltin(spec) ? `"${spec}" is a Node.js built-in (files, network, processes): strategies run without them` : `"${spec}" is not an allowed library`
        return {errors: [{text: `import ${why}; allowed: ${ALLOWED_PACKAGES.join(', ')} (and \`import type\` of anything)`}]}
      })
    },
  }
}
