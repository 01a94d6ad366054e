// Writing a snapshot commit and the ref that keeps it alive, for the top repository and for the
// submodules whose working trees a snapshot records.
import {RickError} from '../errors.js'
import {git} from './git.js'
import {SNAPSHOT_REF_PREFIX} from './types.js'

/** Characters of the commit sha used as the snapshot id (and as the ref's last segment). */
export const SNAPSHOT_ID_LENGTH = 10

// Snapshots are authored by rick itself, so they work where user.name is not configured and
// never borrow the user's identity.
const IDENTITY = {
  GIT_AUTHOR_NAME: 'rick',
  GIT_AUTHOR_EMAIL: 'rick@localhost',
  GIT_COMMITTER_NAME: 'rick',
  GIT_COMMITTER_EMAIL: 'rick@localhost',
}

/** Commits `tree` with HEAD (if any) as parent; returns the commit's sha. */
export async function commitTree(top: string, tree: string, head: string | null, message: string, now: Date): Promise<string> {
  const date = `@${Math.floor(now.getTime() / 1000)} +0000`
  const parents = head === null ? [] : ['-p', head]
  // --no-gpg-sign: commit.gpgSign in the user's config must not make a snapshot ask for a passphrase.
  const out = await git(top, ['commit-tree', '--no-gpg-sign', tree, ...parents, '-F', '-'], {
    env: {...IDENTITY, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date},
    input: message,
  })
  return out.trim()
}

/**
 * Points refs/rick/snapshots/<id> at the commit and returns the id. The empty old value makes git
 * refuse to overwrite an existing ref, so two commits sharing an id prefix can never silently
 * replace one another: the newcomer takes a longer id instead. The same commit twice (same tree,
 * message and second) is simply the same snapshot.
 */
export async function claimRef(top: string, commit: string): Promise<string> {
  for (const length of [SNAPSHOT_ID_LENGTH, 16, commit.length]) {
    const id = commit.slice(0, length)
    const ref = `${SNAPSHOT_REF_PREFIX}${id}`
    try {
      await git(top, ['update-ref', ref, commit, ''])
      return id
    } catch (error) {
      const existing = await git(top, ['rev-parse', '-q', '--verify', `${ref}^{commit}`]).catch(() => '')
      if (existing.trim() === commit) return id
      if (existing.trim() === '') throw error
    }
  }
  throw new RickError(`cannot record snapshot ${commit}: every ref name for it is taken`, {code: 'SNAPSHOT_REF_TAKEN'})
}
