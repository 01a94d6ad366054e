// The checks a restore passes before it writes anything, so that it is all or nothing: every
// object it needs is in the repository, every folder it writes in is writable, and nothing a
// snapshot does not record (an ignored file, a secrets file) stands where a restored file goes.
// git's checkout-index --force would silently delete such a file, or a whole folder of them.
import {accessSync, constants, lstatSync, readdirSync, type Stats} from 'node:fs'
import {dirname, join} from 'node:path'

import {git} from './git.js'
import type {RepoPlan} from './restore-plan.js'

/** Why the plan cannot be carried out, one sentence each; empty when it can. */
export async function checkPlan(plan: RepoPlan): Promise<string[]> {
  const problems = [...(await missingObjects(plan)), ...filesystemProblems(plan)]
  for (const sub of plan.submodules) problems.push(...(await checkPlan(sub.plan)))
  return problems
}

async function missingObjects(plan: RepoPlan): Promise<string[]> {
  if (plan.writes.length === 0) return []
  const out = await git(plan.top, ['cat-file', '--batch-check'], {input: plan.writes.map((w) => `${w.blob}\n`).join('')})
  const missing = new Set(out.split('\n').filter((line) => line.endsWith(' missing')).map((line) => line.split(' ')[0]!))
  if (missing.size === 0) return []
  const lacking = plan.writes.filter((w) => missing.has(w.blob))
  const where = plan.prefix === '' ? 'the repository' : `the repository of submodule ${plan.prefix.slice(0, -1)}`
  const count = lacking.length === 1 ? '1 object' : `${lacking.length} objects`
  return [`${where} lacks ${count} the snapshot needs (${listed(lacking.map((w) => `${plan.prefix}${w.path}: ${w.blob}`))}): it is damaged or was pruned`]
}

function filesystemProblems(plan: RepoPlan): string[] {
  const problems: string[] = []
  const shown = (path: string): string => (path === '' ? `the top folder${plan.prefix === '' ? '' : ` of ${plan.prefix.slice(0, -1)}`}` : `${plan.prefix}${path}`)
  const deleted = new Set(plan.deletes)
  for (const path of plan.deletes) {
    if (lstatOrNull(join(plan.top, path)) === null) continue
    const folder = parentOf(path)
    const denied = notWritable(join(plan.top, folder))
    if (denied) problems.push(`${shown(path)} cannot be deleted: the folder ${shown(folder)} is not writable (${denied})`)
  }
  for (const {path} of plan.writes) {
    const reached = existingFolder(plan.top, path, deleted)
    if ('blocker' in reached) {
      problems.push(`${shown(path)} needs ${shown(reached.blocker)} to be a folder, but ${shown(reached.blocker)} is ${reached.kind} snapshots do not record (ignored or excluded): move it away`)
      continue
    }
    const info = lstatOrNull(join(plan.top, path))
    if (info?.isDirectory()) {
      const kept = filesKept(plan.top, path, deleted)
      const some = kept.length > KEPT_SHOWN ? `${kept.slice(0, KEPT_SHOWN).map(shown).join(', ')}, and more` : kept.map(shown).join(', ')
      if (kept.length > 0) problems.push(`${shown(path)} is a folder holding files snapshots do not record (${some}): move them away`)
      continue
    }
    const denied = notWritable(join(plan.top, reached.folder))
    if (denied) {
      problems.push(`${shown(path)} cannot be ${info === null ? 'written' : 'replaced'}: the folder ${shown(reached.folder)} is not writable (${denied})`)
      continue
    }
    // Replacing a file needs only its folder; an immutable file refuses even that.
    const locked = info === null ? null : immutable(join(plan.top, path))
    if (locked) problems.push(`${shown(path)} cannot be replaced: it is immutable or on a read-only file system (${locked})`)
  }
  return problems
}

/**
 * The deepest folder on the way to `path` that exists (where the first new entry is made), or the
 * file that stands where a folder must be and that the restore does not delete first.
 */
function existingFolder(top: string, path: string, deleted: ReadonlySet<string>): {folder: string} | {blocker: string; kind: string} {
  const parts = path.split('/')
  let folder = ''
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/')
    const info = lstatOrNull(join(top, dir))
    if (info === null || deleted.has(dir)) break
    if (!info.isDirectory()) return {blocker: dir, kind: info.isSymbolicLink() ? 'a symbolic link' : 'a file'}
    folder = dir
  }
  return {folder}
}

const KEPT_SHOWN = 3

/** The files under folder `path` that the restore does not delete first (one more than are shown, at most). */
function filesKept(top: string, path: string, deleted: ReadonlySet<string>, limit = KEPT_SHOWN + 1): string[] {
  const kept: string[] = []
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(top, rel))) {
      if (kept.length >= limit) return
      const child = `${rel}/${name}`
      const info = lstatSync(join(top, child))
      if (info.isDirectory()) walk(child)
      else if (!deleted.has(child)) kept.push(child)
    }
  }
  walk(path)
  return kept
}

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file)
  } catch {
    return null
  }
}

/** Why a folder cannot take new entries or lose old ones (its error code), or null when it can. */
function notWritable(folder: string): string | null {
  try {
    accessSync(folder, constants.W_OK)
    return null
  } catch (error) {
    return errorCode(error)
  }
}

/**
 * Why a file can never be replaced, or null. Permission bits do not count (EACCES: unlinking needs
 * only the folder); the immutable attribute and a read-only mount do, and stop root too.
 */
function immutable(file: string): string | null {
  try {
    accessSync(file, constants.W_OK)
    return null
  } catch (error) {
    const code = errorCode(error)
    return code.startsWith('EPERM') || code.startsWith('EROFS') ? code : null
  }
}

function errorCode(error: unknown): string {
  const e = error as NodeJS.ErrnoException
  const text = e.message?.split(',')[0] ?? ''
  return text.startsWith(`${e.code}:`) ? text : (e.code ?? String(error))
}

function parentOf(path: string): string {
  const parent = dirname(path)
  return parent === '.' ? '' : parent
}

function listed(items: readonly string[], shownAtMost = 3): string {
  const more = items.length > shownAtMost ? `, and ${items.length - shownAtMost} more` : ''
  return `${items.slice(0, shownAtMost).join(', ')}${more}`
}
