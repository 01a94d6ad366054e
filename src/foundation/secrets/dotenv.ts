import {readFileSync} from 'node:fs'

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

/** Variables from the given files merged in order (later files win); unreadable files are skipped. */
export function readDotenvFiles(paths: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of paths) {
    let text: string
    try {
      text = readFileSync(p, 'utf8')
    } catch {
      continue
    }
    Object.assign(out, parseDotenv(text))
  }
  return out
}
