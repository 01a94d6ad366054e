// Repositories with submodules, and a way to make a path unwritable even for root, for the
// snapshot safety tests.
import {execFileSync} from 'node:child_process'
import {chmodSync} from 'node:fs'
import {join} from 'node:path'

import {commitAll, git, makeRepo, tempDir, write} from './fixture.js'

/** A superproject with one committed submodule at `lib` (its own repository, checked out). */
export function makeRepoWithSubmodule(): {dir: string; sub: string; upstream: string} {
  const upstream = makeRepo()
  write(upstream, 'strategy.ts', 'export const fast = 5\n')
  write(upstream, 'util/math.ts', 'export const two = 2\n')
  commitAll(upstream, 'lib v1')
  const dir = makeRepo()
  write(dir, 'app.ts', 'import "./lib/strategy"\n')
  // git 2.38+ refuses file:// submodules unless told; the test owns both ends.
  git(dir, '-c', 'protocol.file.allow=always', 'submodule', '--quiet', 'add', upstream, 'lib')
  commitAll(dir, 'with lib')
  const sub = join(dir, 'lib')
  git(sub, 'config', 'user.name', 'Test User')
  git(sub, 'config', 'user.email', 'test@example.com')
  git(sub, 'config', 'commit.gpgSign', 'false')
  return {dir, sub, upstream}
}

export interface Unwritable {
  /** How the path was locked: chattr +i (works for root), or chmod (only stops other users). */
  how: 'chattr' | 'chmod'
  undo(): void
}

const isRoot = process.getuid?.() === 0

/**
 * Makes `path` (a folder) refuse new entries and deletions, as a real write would meet it: the
 * immutable attribute where it can be set (root ignores permission bits), else chmod 0555 for a
 * user that is not root. Null when neither stops this process.
 */
export function makeUnwritable(path: string): Unwritable | null {
  try {
    execFileSync('chattr', ['+i', path], {stdio: 'ignore'})
    return {how: 'chattr', undo: () => execFileSync('chattr', ['-i', path], {stdio: 'ignore'})}
  } catch {
    if (isRoot) return null
    chmodSync(path, 0o555)
    return {how: 'chmod', undo: () => chmodSync(path, 0o755)}
  }
}

/** Whether makeUnwritable() works here (probed once on a scratch folder). */
export const canMakeUnwritable: boolean = (() => {
  const probe = tempDir('rick-probe-')
  const lock = makeUnwritable(probe)
  lock?.undo()
  return lock !== null
})()
