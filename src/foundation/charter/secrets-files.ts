// Gathers the permission bits of every secrets file the charter must check: the root files named
// by the charter's secrets policy (`.env*`) and every file a sector lists in `secretsFiles`.
// Only collects facts; decide.ts judges them.
//
// A symlink is never followed: its target's mode says nothing about the link (`.env ->
// /etc/passwd` is 0644), and advice to chmod the link would change the target. It is reported
// with what it points to, and no secret is read through it (see dotenv.ts).
import {existsSync, lstatSync, readdirSync, readlinkSync} from 'node:fs'
import {isAbsolute, relative, resolve} from 'node:path'

import type {SecretsPolicy} from './limits.js'

export interface SecretFileStatus {
  /** As shown to the user: relative to the project root when inside it. */
  path: string
  /** `root` = matched a root pattern; `configured` = listed in the sector's secretsFiles. */
  source: 'root' | 'configured'
  exists: boolean
  /** Permission bits (mode & 0o777) when the file exists. */
  mode?: number
  /** Why the file could not be checked (other than not existing). */
  error?: string
  /** Set when the file is a symbolic link: its target as the link holds it (never followed). */
  symlink?: string
}

/** Bits that must be clear on a secrets file: any access by group or others. */
export const FORBIDDEN_MODE_BITS = 0o077

function patternToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${body}$`)
}

export function matchesSecretsPolicy(name: string, policy: SecretsPolicy): boolean {
  if (policy.ignore.includes(name)) return false
  return policy.rootPatterns.some((p) => patternToRegExp(p).test(name))
}

function status(root: string, file: string, source: SecretFileStatus['source']): SecretFileStatus {
  const rel = relative(root, file)
  const path = rel.startsWith('..') || isAbsolute(rel) ? file : rel
  try {
    const st = lstatSync(file)
    if (st.isSymbolicLink()) return symlinkStatus(path, source, file)
    if (!st.isFile()) return {path, source, exists: true, error: 'not a regular file'}
    return {path, source, exists: true, mode: st.mode & 0o777}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {path, source, exists: false}
    return {path, source, exists: true, error: code ?? String(error)}
  }
}

function symlinkStatus(path: string, source: SecretFileStatus['source'], file: string): SecretFileStatus {
  let target: string
  try {
    target = readlinkSync(file)
  } catch (error) {
    return {path, source, exists: true, error: `a symbolic link that cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`}
  }
  // existsSync follows the link only to learn whether it dangles; nothing is read through it.
  if (!existsSync(file)) return {path, source, exists: false, symlink: target}
  return {
    path,
    source,
    exists: true,
    symlink: target,
    error: `a symbolic link to ${target}: rick does not follow symlinks for secrets files and reads nothing through one; put the secrets in a regular file at ${path} instead`,
  }
}

/**
 * Statuses of the root secrets files and of `configured` (paths relative to the project root),
 * each file once; a configured file that also matches a root pattern counts as configured.
 */
export function secretsFileStatuses(root: string, policy: SecretsPolicy, configured: readonly string[]): SecretFileStatus[] {
  const seen = new Map<string, SecretFileStatus>()
  for (const entry of configured) {
    const abs = resolve(root, entry)
    if (!seen.has(abs)) seen.set(abs, status(root, abs, 'configured'))
  }
  // An unreadable project root throws: the charter denies on errors rather than skip the check.
  for (const name of readdirSync(root).sort()) {
    if (!matchesSecretsPolicy(name, policy)) continue
    const abs = resolve(root, name)
    if (!seen.has(abs)) seen.set(abs, status(root, abs, 'root'))
  }
  return [...seen.values()]
}
