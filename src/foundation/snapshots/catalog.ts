// Reading snapshots back: the list, finding one by id or prefix, and what one changed.
import {UsageError} from '../errors.js'
import {git, splitNul} from './git.js'
import {parseSnapshotMessage} from './message.js'
import {isExcludedPath} from './exclusions.js'
import {outsideRepository, repositoryState} from './repository.js'
import {SNAPSHOT_REF_PREFIX, type SnapshotDetails, type SnapshotFile, type SnapshotInfo} from './types.js'

// One record per ref; the message (which may hold newlines) comes last and the record ends in
// NUL + RS, which no commit message contains.
const LIST_FORMAT = '%(refname)%00%(objecttype)%00%(objectname)%00%(committerdate:iso-strict)%00%(contents)%00%1e'
const RECORD_END = '\0\x1e\n'

/** Every snapshot, newest first. */
export async function listSnapshots(cwd: string): Promise<SnapshotInfo[]> {
  let out: string
  try {
    out = await git(cwd, ['for-each-ref', `--format=${LIST_FORMAT}`, SNAPSHOT_REF_PREFIX])
  } catch (error) {
    throw outsideRepository(cwd, error)
  }
  const snapshots: SnapshotInfo[] = []
  for (const record of out.split(RECORD_END)) {
    if (record === '') continue
    const [ref = '', type, commit = '', committed = '', ...rest] = record.split('\0')
    if (type !== 'commit') continue
    const facts = parseSnapshotMessage(rest.join('\0'), new Date(committed).toISOString())
    snapshots.push({id: ref.slice(SNAPSHOT_REF_PREFIX.length), commit, ref, ...facts})
  }
  return snapshots.sort(newestFirst)
}

function newestFirst(a: SnapshotInfo, b: SnapshotInfo): number {
  const byTime = Date.parse(b.time) - Date.parse(a.time)
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Finds a snapshot by id, unique id prefix, commit sha or ref name. Unknown or ambiguous: UsageError. */
export async function resolveSnapshot(cwd: string, idOrPrefix: string): Promise<SnapshotInfo> {
  const all = await listSnapshots(cwd)
  return pickSnapshot(all, idOrPrefix)
}

export function pickSnapshot(all: SnapshotInfo[], idOrPrefix: string): SnapshotInfo {
  const query = idOrPrefix.trim()
  if (query === '') throw new UsageError('a snapshot id is required; `rick snapshot list` shows them', 'SNAPSHOT_UNKNOWN')
  const exact = all.find((s) => s.id === query || s.ref === query || s.commit === query.toLowerCase())
  if (exact) return exact
  const needle = query.startsWith(SNAPSHOT_REF_PREFIX) ? query.slice(SNAPSHOT_REF_PREFIX.length) : query.toLowerCase()
  const matches = all.filter((s) => s.commit.startsWith(needle) || s.id.startsWith(needle))
  if (matches.length === 1) return matches[0]!
  if (matches.length > 1) {
    const candidates = matches.map((s) => `${s.id} (${s.time}, ${s.message.split('\n')[0]})`).join('; ')
    throw new UsageError(`snapshot id "${query}" is ambiguous: it matches ${matches.length} snapshots: ${candidates}. Give more characters.`, 'SNAPSHOT_AMBIGUOUS')
  }
  if (all.length === 0) {
    throw new UsageError(`no snapshot "${query}": this repository has no snapshots yet (\`rick snapshot create\` makes one)`, 'SNAPSHOT_UNKNOWN')
  }
  const shown = all.slice(0, 5).map((s) => s.id)
  const more = all.length > shown.length ? `, and ${all.length - shown.length} older` : ''
  throw new UsageError(`no snapshot "${query}": expected one of the snapshot ids (newest first: ${shown.join(', ')}${more}); \`rick snapshot list\` shows them all`, 'SNAPSHOT_UNKNOWN')
}

/**
 * A snapshot and the files it changed against HEAD at the time it was taken. Files snapshots
 * never record (secrets, rick's data folder) are not listed, even when HEAD tracks them.
 */
export async function showSnapshot(cwd: string, id: string, env: NodeJS.ProcessEnv = process.env): Promise<SnapshotDetails> {
  const [snapshot, state] = await Promise.all([resolveSnapshot(cwd, id), repositoryState(cwd, env)])
  // One commit argument: diff against its parent (HEAD then); --root: against nothing when
  // the repository had no commit yet.
  const out = await git(cwd, ['diff-tree', '-r', '--root', '--no-renames', '--no-commit-id', '--name-status', '-z', snapshot.commit])
  const fields = splitNul(out)
  const files: SnapshotFile[] = []
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (!isExcludedPath(fields[i + 1]!, state.exclusions)) files.push({status: fields[i]!, path: fields[i + 1]!})
  }
  return {...snapshot, files}
}
