import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {homedir} from 'node:os'
import {fileURLToPath} from 'node:url'

// Where rick finds the project and keeps its data. Overridable through the environment so that
// tests, systemd units and containers can point rick elsewhere without flags on every call.

export const DEFAULT_CONFIG_RELATIVE = join('config', 'trading_sectors.yaml')

/** The nearest ancestor of `cwd` holding config/trading_sectors.yaml; `RICK_PROJECT` wins; else cwd. */
export function projectRoot(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.RICK_PROJECT) return resolve(env.RICK_PROJECT)
  let dir = resolve(cwd)
  for (;;) {
    if (existsSync(join(dir, DEFAULT_CONFIG_RELATIVE))) return dir
    const parent = dirname(dir)
    if (parent === dir) return resolve(cwd)
    dir = parent
  }
}

/** The config file to read: an explicit path, else `RICK_CONFIG`, else the project's default. */
export function configPath(explicit?: string, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(cwd, explicit)
  if (env.RICK_CONFIG) return resolve(cwd, env.RICK_CONFIG)
  return join(projectRoot(cwd, env), DEFAULT_CONFIG_RELATIVE)
}

/** rick's data folder (PIN hash, approvals, journal, locks): `RICK_HOME` or `<project>/.rick`. */
export function rickHome(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.RICK_HOME) return resolve(cwd, env.RICK_HOME)
  return join(projectRoot(cwd, env), '.rick')
}

let cachedPackageRoot: string | undefined
/**
 * The folder of rick's own package.json (where config/charter.yaml ships). Found by walking up from
 * this module, so it holds from the sources, the tsc output and the bundled build alike.
 */
export function packageRoot(): string {
  if (cachedPackageRoot !== undefined) return cachedPackageRoot
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pj = join(dir, 'package.json')
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as {name?: string}).name === 'rick') return (cachedPackageRoot = dir)
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('rick: cannot find its own package.json above ' + fileURLToPath(import.meta.url))
    dir = parent
  }
}

/**
 * rick's cache folder (compiled schema validators, validated configs): `RICK_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/rick`, else `~/.cache/rick`. `RICK_CACHE_DIR=off` (or `0`) turns caching off.
 * Caches only save time: everything in them is rebuilt when missing or stale.
 */
export function rickCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.RICK_CACHE_DIR === 'off' || env.RICK_CACHE_DIR === '0') return undefined
  try {
    if (env.RICK_CACHE_DIR) return resolve(env.RICK_CACHE_DIR)
    return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'rick')
  } catch {
    return undefined
  }
}
