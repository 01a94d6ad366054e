// Gathers the permission bits of every secrets file the charter must check: the root files named
// by the charter's secrets policy (`.env*`) and every file a sector lists in `secretsFiles`.
// Only collects facts; decide.ts judges them.
import {readdirSync, statSync} from 'node:fs'
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
    const st = statSync(file)
    if (!st.isFile()) return {path, source, exists: true, error: 'not a regular file'}
    return {path, source, exists: true, mode: st.mode & 0o777}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {path, source, exists: false}
    return {path, source, exists: true, error: code ?? String(error)}
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
