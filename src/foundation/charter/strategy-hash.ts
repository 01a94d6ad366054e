// The hash of a strategy's code, which approvals are bound to: every file that can make up the
// strategy `<name>` under <project>/strategies — `<name>.ts|.js|.mjs` and the folder `<name>/`
// (all files, recursively). Paths and contents are both hashed, so a rename counts as a change.
import {readFileSync, readdirSync, realpathSync, statSync} from 'node:fs'
import {join, posix, sep} from 'node:path'

import {hashCanonical, sha256Hex} from '../canonical.js'

export const STRATEGIES_DIR = 'strategies'
export const STRATEGY_EXTENSIONS = ['.ts', '.js', '.mjs'] as const

export interface StrategyCode {
  name: string
  /** Project-relative POSIX paths with the sha256 of each file's bytes, sorted by path. */
  files: Array<{path: string; sha256: string}>
  hash: string
}

const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

/** The places where strategy `name` may live, relative to the project root (for messages). */
export function strategyCandidates(name: string): string[] {
  return [...STRATEGY_EXTENSIONS.map((ext) => `${STRATEGIES_DIR}/${name}${ext}`), `${STRATEGIES_DIR}/${name}/`]
}

/**
 * Hashes strategy `name` in `root`, or returns null when none of its files exist. A name that
 * could leave the strategies folder (`..`, slashes) is an error.
 */
export function hashStrategy(root: string, name: string): StrategyCode | null {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new Error(`strategy name '${name}' is not a plain name (letters, digits, _ . -)`)
  }
  const files: Array<{path: string; sha256: string}> = []
  const dir = join(root, STRATEGIES_DIR)
  for (const ext of STRATEGY_EXTENSIONS) {
    const rel = `${STRATEGIES_DIR}/${name}${ext}`
    const stat = statOrUndefined(join(dir, `${name}${ext}`))
    if (stat?.isFile()) files.push({path: rel, sha256: sha256Hex(readFileSync(join(dir, `${name}${ext}`)))})
  }
  const folder = join(dir, name)
  if (statOrUndefined(folder)?.isDirectory()) collect(folder, `${STRATEGIES_DIR}/${name}`, files, new Set())
  if (files.length === 0) return null
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return {name, files, hash: hashCanonical(files.map((f) => [f.path, f.sha256]))}
}

function collect(abs: string, rel: string, out: Array<{path: string; sha256: string}>, seen: Set<string>): void {
  // Symlinked folders are followed once; the set of real paths stops cycles.
  const real = realpathSync(abs)
  if (seen.has(real)) return
  seen.add(real)
  for (const entry of readdirSync(abs)) {
    const childAbs = join(abs, entry)
    const childRel = posix.join(rel, entry.split(sep).join('/'))
    const stat = statOrUndefined(childAbs)
    if (stat?.isDirectory()) collect(childAbs, childRel, out, seen)
    else if (stat?.isFile()) out.push({path: childRel, sha256: sha256Hex(readFileSync(childAbs))})
    else out.push({path: childRel, sha256: 'unreadable'})
  }
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
