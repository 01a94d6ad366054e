// The one place snapshots talk to git. Every call goes through simple-git's `raw()`: the
// snapshot work is plumbing (temporary index, write-tree, commit-tree, update-ref) that has no
// porcelain wrapper, and `raw()` keeps it to exactly one git process per call — create is
// benchmarked against the bare git CLI.
import {simpleGit, type SimpleGitOptions} from 'simple-git'

import {RickError} from '../errors.js'

/** Variables snapshots set on purpose; simple-git refuses any other `GIT_*` passed explicitly. */
const ALLOWED_ENV = [
  'GIT_INDEX_FILE',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  'GIT_TRACE',
] as const
export type GitEnvName = Exclude<(typeof ALLOWED_ENV)[number], 'GIT_TRACE'>

// simple-git waits an extra 50 ms after any git process that printed nothing at all (add,
// update-ref, a clean status...), which would double the cost of `create`. GIT_TRACE=1 makes
// git always write one line to stderr; those lines are dropped again from error messages.
const TRACE_LINE = /^\d\d:\d\d:\d\d\.\d+ \S+:\d+ +trace: .*(?:\n|$)/gm

// simple-git drops these from the inherited environment, but rejects the whole call when they
// arrive through `.env()`; so the copy of the environment we hand it must not carry them.
const GUARDED_NAMES = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass'])

export interface GitCall {
  /** Extra environment for this one process (the rest of the user's environment is kept). */
  env?: Partial<Record<GitEnvName, string>>
  /** Written to git's stdin (for `--stdin`, `-F -` and the like). */
  input?: string
}

/** git itself said no: carries git's own words, which are usually the best explanation. */
export class GitCommandError extends RickError {
  readonly args: readonly string[]
  readonly gitMessage: string
  constructor(args: readonly string[], gitMessage: string) {
    super(`git ${subcommand(args)} failed: ${gitMessage.trim() || 'no output'}`, {code: 'GIT_FAILED'})
    this.args = args
    this.gitMessage = gitMessage
  }
}

/** The git subcommand in an argument list, skipping global options such as `-c key=value`. */
function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++
    else if (!args[i]!.startsWith('-')) return args[i]!
  }
  return args.join(' ')
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue
    const lower = key.toLowerCase()
    if (lower.startsWith('git_') || GUARDED_NAMES.has(lower)) continue
    env[key] = value
  }
  return env
}

/** Runs `git <args>` in `cwd` and returns its stdout, untrimmed (NUL-separated output stays intact). */
export async function git(cwd: string, args: string[], call: GitCall = {}): Promise<string> {
  // onExit: false — by default simple-git also arms a 50 ms timer on each process's exit, which
  // keeps a short-lived CLI alive 50 ms after its last git call; 'close' alone is enough.
  const options: Partial<SimpleGitOptions> = {baseDir: cwd, allowEnvironment: ALLOWED_ENV, completion: {onClose: true, onExit: false}}
  if (call.input !== undefined) {
    const input = call.input
    options.input = () => input
  }
  let client
  try {
    client = simpleGit(options)
  } catch (error) {
    // simple-git checks the folder before spawning anything; that is its only reason to throw here.
    throw new RickError(`cannot run git in ${cwd}: the folder does not exist`, {code: 'NO_SUCH_FOLDER', cause: error})
  }
  client.env({...inheritedEnv(), GIT_TRACE: '1', ...call.env})
  try {
    return await client.raw(args)
  } catch (error) {
    const message = ((error as Error).message ?? String(error)).replace(TRACE_LINE, '')
    if (/ENOENT/.test(message) && /spawn/.test(message)) {
      throw new RickError('git is not installed or not on PATH: rick snapshots need the git command line', {code: 'GIT_MISSING', cause: error})
    }
    throw new GitCommandError(args, message)
  }
}

/** Splits `-z` output into its fields, dropping the empty tail after the last NUL. */
export function splitNul(output: string): string[] {
  const parts = output.split('\0')
  if (parts.at(-1) === '') parts.pop()
  return parts
}
