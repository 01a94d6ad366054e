// What a snapshot never records, and so what a restore never writes or deletes: rick's own data
// folder (PIN hash, approvals, journal) and secrets files. Restoring an old snapshot must not bring
// back a revoked approval or an old PIN, and a snapshot must not copy secrets into git objects.
//
// The rule is decided here, in one predicate. git is given a cheap superset of it as pathspecs
// (two globs, and two per folder), so that no excluded file is ever hashed; the few files inside
// that superset which the rule keeps (`.env.example` and friends) are then added one by one. The
// exact rule as pathspecs would need ~40 complement globs, which made `git add -A` on 5,000 files
// slower by more than half.
import {realpathSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import {parse as parseYaml} from 'yaml'

import {readTextFile} from '../config/read-file.js'
import {configPath, rickHome} from '../paths.js'
import {resolveSecretsFiles} from '../secrets/secrets-base.js'

/** `.env.*` files that hold no secrets by convention (templates meant to be committed). */
export const SECRETS_TEMPLATE_NAMES: readonly string[] = ['.env.example', '.env.sample', '.env.template']

/** rick's data folder at the top of the repository, excluded whatever RICK_HOME says. */
export const RICK_DATA_FOLDER = '.rick'

export interface SnapshotExclusions {
  /** Folders (relative to the repository top, `/`-separated) whose whole content is never recorded. */
  folders: readonly string[]
  /** Single files never recorded: the sectors' configured `secretsFiles` (whatever their names). */
  files?: readonly string[]
}

/** `.env` and `.env.<anything>`, except the template names. Only the last path segment counts. */
export function isSecretsFileName(name: string): boolean {
  if (name === '.env') return true
  return name.startsWith('.env.') && !SECRETS_TEMPLATE_NAMES.includes(name)
}

/** Whether `path` (relative to the repository top, `/`-separated, as git prints it) is excluded. */
export function isExcludedPath(path: string, exclusions: SnapshotExclusions): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1)
  if (isSecretsFileName(name)) return true
  if (exclusions.files?.includes(path)) return true
  return exclusions.folders.some((folder) => path === folder || path.startsWith(`${folder}/`))
}

/**
 * Pathspecs (from the top) matching every excluded path and, besides, the template names: what
 * git must never hash. Exact for the folders; for secrets the globs also catch `.env.example`
 * and the like, which callers add back through isExcludedPath.
 */
export function exclusionSuperset(exclusions: SnapshotExclusions): string[] {
  return [':(top,glob)**/.env', ':(top,glob)**/.env.*', ...exclusions.folders.flatMap(folderPathspecs), ...(exclusions.files ?? []).map(filePathspec)]
}

/**
 * The folder and everything in it, as glob pathspecs that start with an escaped character. A
 * literal pathspec naming an ignored folder (and `.rick/` usually is ignored) makes `git add`
 * fail with "paths are ignored", even as an exclude (git 2.39 compares the literal prefix of
 * every pathspec item with the ignored paths); with no literal prefix, that check never matches.
 */
function folderPathspecs(folder: string): string[] {
  const escaped = folder.replace(/[*?[\\]/g, '\\$&')
  const glob = escaped.startsWith('\\') ? escaped : `\\${escaped}`
  return [`:(top,glob)${glob}`, `:(top,glob)${glob}/**`]
}

/** One file, as a glob pathspec without a literal prefix (see folderPathspecs for why). */
function filePathspec(file: string): string {
  const escaped = file.replace(/[*?[\\]/g, '\\$&')
  return `:(top,glob)${escaped.startsWith('\\') ? escaped : `\\${escaped}`}`
}

/** The same pathspecs as exclusions (`:(exclude,…)`), to leave those paths out of a git command. */
export function excludingSuperset(exclusions: SnapshotExclusions): string[] {
  return exclusionSuperset(exclusions).map((spec) => spec.replace(':(', ':(exclude,'))
}

/**
 * The folders to exclude in the repository whose top is `top`: `.rick/` at the top, and rick's
 * data folder as rickHome() resolves it from `cwd` (RICK_HOME, or `<project>/.rick`) when that
 * lies inside the repository.
 */
export function snapshotExclusions(top: string, cwd: string, env: NodeJS.ProcessEnv = process.env): SnapshotExclusions {
  const folders = [RICK_DATA_FOLDER]
  const home = insideTop(top, rickHome(cwd, env))
  if (home !== null && home !== RICK_DATA_FOLDER && !home.startsWith(`${RICK_DATA_FOLDER}/`)) folders.push(home)
  const files = configuredSecretsFiles(cwd, env)
    .map((file) => insideTop(top, file))
    .filter((file): file is string => file !== null)
  return {folders, files}
}

/**
 * Every sector's `secretsFiles`, as absolute paths, read from the raw YAML of the project's config
 * (no validation: a config with errors must not make a snapshot record secrets). A file whose
 * name is not `.env*` would otherwise be recorded like any other file.
 */
export function configuredSecretsFiles(cwd: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = configPath(undefined, cwd, env)
  // A regular file of bounded size only: a FIFO or a device in its place must not hang a snapshot.
  const read = readTextFile(file)
  if (!read.ok) return []
  const text = read.text
  if (!text.includes('secretsFiles')) return []
  let doc: unknown
  try {
    doc = parseYaml(text, {uniqueKeys: false})
  } catch {
    // Unparseable YAML: fall back to a line scan so a listed file is still left out.
    return [...text.matchAll(/secretsFiles\s*:\s*\[([^\]]*)\]/g)].flatMap((m) => (m[1] ?? '').split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, ''))).filter(Boolean).map((f) => resolveSecretsFiles(file, [f])[0] as string)
  }
  const sectors = (doc as {sectors?: unknown} | null)?.sectors
  if (sectors === null || typeof sectors !== 'object') return []
  const out: string[] = []
  for (const sector of Object.values(sectors as Record<string, unknown>)) {
    const list = (sector as {secretsFiles?: unknown} | null)?.secretsFiles
    if (!Array.isArray(list)) continue
    out.push(...resolveSecretsFiles(file, list.filter((f): f is string => typeof f === 'string' && f !== '')))
  }
  return out
}

/** `path` relative to `top` with `/` separators, or null when it is outside `top` (or is `top` itself). */
function insideTop(top: string, path: string): string | null {
  // git reports `top` with symlinks resolved; the home folder may not exist yet, so resolve the
  // part of it that does.
  const rel = relative(realpathLoose(top), realpathLoose(path))
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null
  // `.git` holds no working-tree files; excluding a folder in there would only confuse readers.
  const posix = rel.split(sep).join('/')
  return posix === '.git' || posix.startsWith('.git/') ? null : posix
}

function realpathLoose(path: string): string {
  const full = resolve(path)
  try {
    return realpathSync.native(full)
  } catch {
    const parent = dirname(full)
    return parent === full ? full : join(realpathLoose(parent), basename(full))
  }
}
