import {closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readFileSync} from 'node:fs'

// Minimal dotenv reader: KEY=VALUE lines, `export ` prefix, # comments, single/double quotes.
// Used to learn which credential variables a secrets file sets; values stay in memory only and
// must never be printed (see redact.ts).
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (!m) continue
    let value = m[2] ?? ''
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1)
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }
    out[m[1] as string] = value
  }
  return out
}

/** Secrets files are small; anything larger is not one (and is not read into memory). */
export const MAX_SECRETS_FILE_BYTES = 1024 * 1024

// O_NOFOLLOW: a symlinked secrets file is refused by the kernel itself (ELOOP), so no check-then-
// open race can swap a link in. O_NONBLOCK: opening a FIFO must not wait for a writer.
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0)

/** The text of a regular file that is not a symlink, or undefined for anything else. */
function readSecretsFile(path: string): string | undefined {
  // Where O_NOFOLLOW does not exist (Windows), lstat stands in.
  if (fsConstants.O_NOFOLLOW === undefined && lstatSync(path, {throwIfNoEntry: false})?.isSymbolicLink() !== false) return undefined
  const fd = openSync(path, OPEN_FLAGS)
  try {
    const st = fstatSync(fd)
    if (!st.isFile() || st.size > MAX_SECRETS_FILE_BYTES) return undefined
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}

/**
 * Variables from the given files merged in order (later files win). Files that cannot be read are
 * skipped, and so are symlinks, FIFOs, devices and oversized files: the charter's secrets check
 * (secrets-files.ts) is where the user is told why.
 */
export function readDotenvFiles(paths: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of paths) {
    let text: string | undefined
    try {
      text = readSecretsFile(p)
    } catch {
      continue
    }
    if (text !== undefined) Object.assign(out, parseDotenv(text))
  }
  return out
}
