// Turns the whole working tree (tracked, modified, deleted and untracked-but-not-ignored files,
// minus rick's data folder and secrets files) into a git tree object without touching the user's
// index: everything happens in a private index file that lives only for the duration of one call.
import {randomBytes} from 'node:crypto'
import {copyFile, rm, stat, utimes} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {excludingSuperset, exclusionSuperset, isExcludedPath, type SnapshotExclusions} from './exclusions.js'
import {git, splitNul} from './git.js'
import type {RepositoryState} from './repository.js'

// A split index would make git write shared-index files next to the user's; a private index
// must be self-contained.
const SELF_CONTAINED = ['-c', 'core.splitIndex=false']

/**
 * Runs `fn` with the path of a fresh private index file, seeded with a copy of `seed` when
 * given. The copy keeps the original's mtime, so git's "racily clean" check judges every entry
 * exactly as it would in the real index — and unchanged files are not hashed again.
 */
export async function withPrivateIndex<T>(seed: string | null, fn: (indexFile: string) => Promise<T>): Promise<T> {
  const indexFile = join(tmpdir(), `rick-index-${process.pid}-${randomBytes(6).toString('hex')}`)
  try {
    if (seed !== null) await seedIndex(seed, indexFile)
    return await fn(indexFile)
  } finally {
    await rm(indexFile, {force: true})
    await rm(`${indexFile}.lock`, {force: true})
  }
}

async function seedIndex(seed: string, indexFile: string): Promise<void> {
  try {
    const [info] = await Promise.all([stat(seed), copyFile(seed, indexFile)])
    await utimes(indexFile, info.atime, info.mtime)
  } catch (error) {
    // No index yet (fresh repository): start from an empty one.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    await rm(indexFile, {force: true})
  }
}

export interface CapturedTree {
  tree: string
  /** Paths that differ from HEAD (all paths when there is no HEAD); only when asked for. */
  filesChanged: number | null
}

/**
 * Writes the working tree, minus what snapshots exclude (see exclusions.ts), as a tree object;
 * optionally counts the paths that differ from HEAD.
 */
export async function captureWorkingTree(state: RepositoryState, options: {countChanges: boolean}): Promise<CapturedTree> {
  return withPrivateIndex(state.indexPath, async (indexFile) => {
    const env = {GIT_INDEX_FILE: indexFile}
    // Side by side: `add` records everything outside the superset of excluded paths (so no secret
    // is ever hashed), while `ls-files` names what inside it is tracked or untracked-not-ignored.
    // ls-files reads the private index once, before or after add swaps it in; both versions agree
    // on the paths it lists, which add leaves alone.
    const [, listed] = await Promise.all([
      git(state.top, [...SELF_CONTAINED, 'add', '--all', '--', '.', ...excludingSuperset(state.exclusions)], {env}),
      git(state.top, ['ls-files', '-z', '-t', '--cached', '--others', '--exclude-standard', '--', ...exclusionSuperset(state.exclusions)], {env}),
    ])
    const {drop, refresh} = sortListed(splitNul(listed), state.exclusions)
    // The seeded copy of the real index still carries tracked excluded files: take them out.
    if (drop.length > 0) await git(state.top, [...SELF_CONTAINED, 'update-index', '--force-remove', '-z', '--stdin'], {env, input: nulList(drop)})
    // The rest of the superset (`.env.example` and the like) is recorded as `add --all` would.
    if (refresh.length > 0) await git(state.top, [...SELF_CONTAINED, 'update-index', '--add', '--remove', '-z', '--stdin'], {env, input: nulList(refresh)})
    // Both only read the private index (write-tree at most rewrites it atomically), so they
    // run side by side.
    const [treeOut, changedOut] = await Promise.all([
      git(state.top, [...SELF_CONTAINED, 'write-tree'], {env}),
      options.countChanges ? listChangedPaths(state, env) : Promise.resolve(null),
    ])
    const changed = changedOut === null ? null : splitNul(changedOut).filter((path) => !isExcludedPath(path, state.exclusions))
    return {tree: treeOut.trim(), filesChanged: changed === null ? null : changed.length}
  })
}

/**
 * Sorts `ls-files -t` lines (`<tag> <path>`) of the superset: tracked excluded paths leave the
 * private index; kept paths, tracked or not, are (re)added. Skip-worktree entries (`S`) stay as
 * they are, as `add --all` leaves them.
 */
export function sortListed(lines: readonly string[], exclusions: SnapshotExclusions): {drop: string[]; refresh: string[]} {
  const drop = new Set<string>()
  const refresh = new Set<string>()
  for (const line of lines) {
    const tag = line.charAt(0)
    const path = line.slice(2)
    const tracked = tag !== '?'
    if (isExcludedPath(path, exclusions)) {
      if (tracked) drop.add(path)
    } else if (tag !== 'S') {
      refresh.add(path)
    }
  }
  return {drop: [...drop], refresh: [...refresh]}
}

function nulList(paths: readonly string[]): string {
  return `${paths.join('\0')}\0`
}

function listChangedPaths(state: RepositoryState, env: {GIT_INDEX_FILE: string}): Promise<string> {
  if (state.head === null) return git(state.top, ['ls-files', '-z'], {env})
  return git(state.top, ['diff-index', '--cached', '--no-renames', '--name-only', '-z', state.head, '--'], {env})
}
