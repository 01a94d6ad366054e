// Finds the repository around a folder and what HEAD points at, in one git process.
import {resolve} from 'node:path'

import {ExitCode, RickError} from '../errors.js'
import {snapshotExclusions, type SnapshotExclusions} from './exclusions.js'
import {GitCommandError, git} from './git.js'

export class NotARepositoryError extends RickError {
  constructor(cwd: string, detail: string) {
    super(`${cwd} is not inside a git working tree (${detail}); rick snapshots record a git working tree: cd into your project or run \`git init\` first`, {
      code: 'NOT_A_REPOSITORY',
      exitCode: ExitCode.Failure,
    })
  }
}

/** Turns git's "not a repository" failures into NotARepositoryError; other errors pass unchanged. */
export function outsideRepository(cwd: string, error: unknown): unknown {
  if (error instanceof GitCommandError) {
    const text = error.gitMessage
    if (/not a git repository/i.test(text)) return new NotARepositoryError(cwd, 'no .git found here or in any parent folder')
    if (/must be run in a work tree/i.test(text)) return new NotARepositoryError(cwd, 'it is a bare repository or a git dir, which has no working tree')
  }
  if (error instanceof RickError && error.code === 'NO_SUCH_FOLDER') return new NotARepositoryError(cwd, 'the folder does not exist')
  return error
}

export interface RepositoryState {
  /** The working tree's top folder. */
  top: string
  /** The git dir of this working tree (`.git`, or `.git/worktrees/<name>` in a linked worktree). */
  gitDir: string
  /** The real index file of this working tree. */
  indexPath: string
  /** HEAD's sha, or null when the current branch has no commit yet. */
  head: string | null
  /** Short branch name, or null when HEAD is detached. */
  branch: string | null
  /** What snapshots of this working tree never record (rick's data folder, secrets files). */
  exclusions: SnapshotExclusions
  /** The environment the exclusions were read from: a submodule's state is read with it too. */
  env: NodeJS.ProcessEnv
}

function shortBranch(symbolic: string): string | null {
  if (symbolic === '' || symbolic === 'HEAD') return null
  return symbolic.startsWith('refs/heads/') ? symbolic.slice('refs/heads/'.length) : symbolic
}

/**
 * Reads where the repository is and what HEAD is; throws NotARepositoryError outside one. `env`
 * decides where rick's data folder is (RICK_HOME, RICK_PROJECT), which snapshots leave out.
 */
export async function repositoryState(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<RepositoryState> {
  let out: string
  try {
    // `--revs-only` makes an unborn HEAD print nothing instead of failing, so an empty
    // repository costs no second process in the common case.
    out = await git(cwd, [
      'rev-parse',
      '--show-toplevel',
      '--absolute-git-dir',
      '--git-path',
      'index',
      '--revs-only',
      'HEAD',
      '--symbolic-full-name',
      'HEAD',
    ])
  } catch (error) {
    throw outsideRepository(cwd, error)
  }
  const lines = out.split('\n')
  if (lines.at(-1) === '') lines.pop()
  const [top, gitDir, indexPath, head, symbolic] = lines
  if (top === undefined || gitDir === undefined || indexPath === undefined) {
    throw new RickError(`unexpected answer from git rev-parse in ${cwd}: ${JSON.stringify(out)}`, {code: 'GIT_FAILED'})
  }
  const state: RepositoryState = {
    top,
    gitDir,
    indexPath: resolve(cwd, indexPath),
    head: head ?? null,
    branch: null,
    exclusions: snapshotExclusions(top, cwd, env),
    env,
  }
  if (head === undefined) {
    // No commit yet: HEAD is a symbolic ref to a branch that does not exist yet.
    const name = await git(top, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')
    state.branch = shortBranch(name.trim())
  } else {
    state.branch = shortBranch(symbolic ?? '')
  }
  return state
}

/** The repository's top folder, or NotARepositoryError (exit 1) with what to do about it. */
export async function ensureRepository(cwd: string): Promise<string> {
  return (await repositoryState(cwd)).top
}
