// Turns the whole working tree (tracked, modified, deleted and untracked-but-not-ignored files,
// minus rick's data folder and secrets files) into a git tree object without touching the user's
// index: everything happens in a private index file that lives only for the duration of one call.
// Submodules are captured the same way, each in its own repository (see submodules.ts).
import {randomBytes} from 'node:crypto'
import {copyFile, rm, stat, utimes} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {RickError} from '../errors.js'
import {commitTree} from './commit.js'
import {excludingSuperset, exclusionSuperset, isExcludedPath, type SnapshotExclusions} from './exclusions.js'
import {git, splitNul} from './git.js'
import {formatSnapshotMessage} from './message.js'
import {repositoryState, type RepositoryState} from './repository.js'
import {GITLINK_MODE, isCheckedOut, parseGitlinks, type Gitlink} from './submodules.js'
import type {SnapshotTrigger} from './types.js'

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

/** A commit made in a submodule to record its uncommitted changes; a snapshot keeps it with a ref. */
export interface NestedCommit {
  /** The submodule's working tree. */
  top: string
  commit: string
}

export interface CapturedTree {
  tree: string
  /** Paths that differ from HEAD (all paths when there is no HEAD); only when asked for. */
  filesChanged: number | null
  /** Commits made in (nested) submodules whose working trees differ from their HEAD. */
  nested: NestedCommit[]
}

export interface CaptureOptions {
  countChanges: boolean
  /** The time and trigger of the commits that record dirty submodules (the snapshot's own). */
  now: Date
  trigger: SnapshotTrigger
}

/**
 * Writes the working tree, minus what snapshots exclude (see exclusions.ts), as a tree object;
 * optionally counts the paths that differ from HEAD.
 */
export async function captureWorkingTree(state: RepositoryState, options: CaptureOptions): Promise<CapturedTree> {
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
    // All three only read the private index (write-tree at most rewrites it atomically), so they
    // run side by side; the gitlinks listing costs a repository without submodules nothing more.
    const [treeOut, changedOut, stageOut] = await Promise.all([
      git(state.top, [...SELF_CONTAINED, 'write-tree'], {env}),
      options.countChanges ? listChangedPaths(state, env) : Promise.resolve(null),
      git(state.top, ['ls-files', '--stage', '-z'], {env}),
    ])
    const captured = {tree: treeOut.trim(), filesChanged: countChanged(changedOut, state.exclusions), nested: [] as NestedCommit[]}
    const links = parseGitlinks(stageOut, state.exclusions)
    if (links.length === 0) return captured
    // `add` recorded each submodule's HEAD, whatever its working tree holds: record that too.
    const updates: Gitlink[] = []
    for (const link of links) {
      const sub = await captureSubmodule(state, link.path, options)
      if (sub === null) continue
      captured.nested.push(...sub.nested)
      if (sub.commit !== link.commit) updates.push({path: link.path, commit: sub.commit})
    }
    if (updates.length === 0) return captured
    const info = updates.map((u) => `${GITLINK_MODE} ${u.commit}\t${u.path}`)
    await git(state.top, [...SELF_CONTAINED, 'update-index', '-z', '--index-info'], {env, input: nulList(info)})
    const [treeAgain, changedAgain] = await Promise.all([
      git(state.top, [...SELF_CONTAINED, 'write-tree'], {env}),
      options.countChanges ? listChangedPaths(state, env) : Promise.resolve(null),
    ])
    return {...captured, tree: treeAgain.trim(), filesChanged: countChanged(changedAgain, state.exclusions)}
  })
}

function countChanged(out: string | null, exclusions: SnapshotExclusions): number | null {
  return out === null ? null : splitNul(out).filter((path) => !isExcludedPath(path, exclusions)).length
}

/**
 * The commit that records the submodule at `path`: its HEAD when its working tree matches it,
 * else a new snapshot commit in its repository. Null when it is not checked out (the gitlink
 * already recorded stands: there are no files to record).
 */
async function captureSubmodule(state: RepositoryState, path: string, options: CaptureOptions): Promise<{commit: string; nested: NestedCommit[]} | null> {
  const dir = join(state.top, path)
  if (!isCheckedOut(dir)) return null
  let sub: RepositoryState
  try {
    sub = await repositoryState(dir, state.env)
  } catch (error) {
    throw new RickError(`cannot record submodule ${path}: its repository cannot be read (${(error as Error).message})`, {code: 'SNAPSHOT_SUBMODULE', cause: error})
  }
  // A `.git` that git does not take for a repository would lead back to the top: never recurse there.
  if (sub.top === state.top) return null
  const captured = await captureWorkingTree(sub, {...options, countChanges: true})
  if (sub.head !== null) {
    const headTree = (await git(sub.top, ['rev-parse', `${sub.head}^{tree}`])).trim()
    if (headTree === captured.tree) return {commit: sub.head, nested: captured.nested}
  }
  const message = formatSnapshotMessage({
    message: `${options.trigger} snapshot: uncommitted changes of submodule ${path}`,
    trigger: options.trigger,
    time: options.now.toISOString(),
    head: sub.head,
    branch: sub.branch,
    filesChanged: captured.filesChanged ?? 0,
  })
  const commit = await commitTree(sub.top, captured.tree, sub.head, message, options.now)
  return {commit, nested: [...captured.nested, {top: sub.top, commit}]}
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
