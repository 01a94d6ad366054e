// What a snapshot is, as every caller sees it. Everything here can be rebuilt from the refs
// under `refs/rick/snapshots/` alone: the commit message trailers carry it.

/** Why a snapshot was taken. */
export type SnapshotTrigger = 'manual' | 'engine-start' | 'pre-restore' | 'approval'

export const SNAPSHOT_TRIGGERS: readonly SnapshotTrigger[] = ['manual', 'engine-start', 'pre-restore', 'approval']

export const SNAPSHOT_REF_PREFIX = 'refs/rick/snapshots/'

export interface SnapshotInfo {
  /** Short, unique and stable: the first characters of the commit, also the ref's last segment. */
  id: string
  /** Full sha of the snapshot commit. */
  commit: string
  /** `refs/rick/snapshots/<id>`. */
  ref: string
  /** When it was taken (ISO 8601, UTC). */
  time: string
  message: string
  trigger: SnapshotTrigger
  /** HEAD's sha when it was taken, or null in a repository without commits. */
  head: string | null
  /** The checked-out branch (short name), or null when HEAD was detached. */
  branch: string | null
  /** Paths that differ from HEAD's tree (all files when there was no HEAD). */
  filesChanged: number
}

export interface SnapshotFile {
  /** git's status letter against HEAD at the time: A added, M modified, D deleted, T type changed. */
  status: string
  path: string
}

export interface SnapshotDetails extends SnapshotInfo {
  files: SnapshotFile[]
}

export interface RestoreResult {
  restored: SnapshotInfo
  /** The snapshot of the state just before the restore: restore it to undo. */
  undo: SnapshotInfo
  /** Files written (added, changed or re-typed) to match the snapshot. */
  written: number
  /** Files removed because the snapshot does not have them. */
  deleted: number
  /** Submodules whose files were restored (their files are counted in written and deleted too). */
  submodules: RestoredSubmodule[]
  /** An earlier restore that was killed before it finished: this one replaced what it left. */
  interrupted?: {target: string; undo: string | null; pid: number}
}

export interface RestoredSubmodule {
  /** Where it is, from the top of the working tree. */
  path: string
  /** Its HEAD now: a restore never moves it, as it never moves the top's. */
  head: string | null
  /** Its HEAD when the snapshot was taken. */
  snapshotHead: string | null
}

export interface PruneResult {
  kept: number
  removed: SnapshotInfo[]
}
