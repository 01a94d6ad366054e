// Just enough of the Dockerfile and .dockerignore grammars to test ours: instructions with their
// line continuations and build stages, and ignore patterns with `*`, `**`, `?` and `!` exceptions.

export interface Instruction {
  keyword: string
  /** The arguments, continuation lines joined, whitespace collapsed. */
  args: string
  /** 1-based line of the keyword. */
  line: number
  /** 0-based build stage (the FROM it follows). */
  stage: number
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim()

export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = []
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  let stage = -1
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]!
    if (first.trim() === '' || first.trim().startsWith('#')) continue
    const start = i
    let body = first
    // A trailing backslash continues the instruction; comment lines inside it are skipped.
    while (/\\\s*$/.test(body) && i + 1 < lines.length) {
      body = body.replace(/\\\s*$/, ' ')
      i++
      if (lines[i]!.trim().startsWith('#')) {
        body += '\\'
        continue
      }
      body += lines[i]!
    }
    const m = /^\s*(\S+)\s*(.*)$/s.exec(body)
    if (!m) continue
    const keyword = m[1]!.toUpperCase()
    if (keyword === 'FROM') stage++
    out.push({keyword, args: collapse(m[2]!), line: start + 1, stage: Math.max(stage, 0)})
  }
  return out
}

/** `RUN …`, `ENTRYPOINT …`, `CMD …` lines as the README lists them. */
export function commandLines(instructions: readonly Instruction[]): string[] {
  return instructions.filter((i) => ['RUN', 'ENTRYPOINT', 'CMD'].includes(i.keyword)).map((i) => `${i.keyword} ${i.args}`)
}

export const README_BEGIN = '<!-- dockerfile-commands -->'
export const README_END = '<!-- /dockerfile-commands -->'

/** The lines of README.md's marked block (code fences, blank lines and `#` comments left out); undefined without it. */
export function readmeCommandLines(readme: string): string[] | undefined {
  const start = readme.indexOf(README_BEGIN)
  const end = readme.indexOf(README_END)
  if (start < 0 || end < start) return undefined
  return readme
    .slice(start + README_BEGIN.length, end)
    .split('\n')
    .map(collapse)
    .filter((l) => l !== '' && !l.startsWith('```') && !l.startsWith('#'))
}

/** Whether .dockerignore keeps `path` (POSIX, relative to the context) out of the build context. */
export function dockerIgnored(patterns: readonly string[], path: string): boolean {
  let ignored = false
  for (const raw of patterns) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const negate = line.startsWith('!')
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '')
    if (matches(pattern, path)) ignored = !negate
  }
  return ignored
}

// A pattern matches the path itself or any of its parent folders (ignoring a folder ignores its files).
function matches(pattern: string, path: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\//g, '\u0001')
    .replace(/\*\*/g, '\u0002')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    // `**/` also matches no folder at all: `**/.env` ignores the top-level .env too.
    .replace(/\u0001/g, '(?:.*/)?')
    .replace(/\u0002/g, '.*')
  const re = new RegExp(`^${source}$`)
  const parts = path.split('/')
  for (let n = 1; n <= parts.length; n++) if (re.test(parts.slice(0, n).join('/'))) return true
  return false
}
