// The values a person typed after flags, and how to keep them out of every error message. A PIN
// or a token typed into the wrong flag (`--pin=…` where no such flag exists, `--seed <token>`) must
// not come back on the screen, in a CI log or in --json; oclif's own messages repeat them
// ("Nonexistent flag: --pin=1234", "Expected an integer but received: …"), and so may ours.
//
// Left as typed: values that name a file or folder (an error must say which file it could not
// read, at which line) and values picked from a flag's fixed list of options.

/** What this needs to know of a flag definition (oclif's flags have these fields). */
export interface FlagShape {
  type?: string
  char?: string
  options?: readonly string[]
  helpValue?: string | readonly string[]
}

export interface ArgvValue {
  flag: string
  value: string
}

/** Flags whose values are paths: echoed, because the error is about that file. */
const PATH_FLAGS = new Set(['file', 'journal', 'output', 'dir'])
const PATH_HELP_VALUES = new Set(['PATH', 'FILE', 'DIR'])

function isPathFlag(name: string, shape: FlagShape | undefined): boolean {
  if (PATH_FLAGS.has(name)) return true
  const help = shape?.helpValue
  return typeof help === 'string' && PATH_HELP_VALUES.has(help)
}

/**
 * The values given to flags on this command line (before `--`). Without the command's flags (an
 * error before a command was found), or for a flag the command does not have, the word after a
 * bare `--name` counts as its value too: it may be one.
 */
export function flagValues(argv: readonly string[], flags?: Readonly<Record<string, FlagShape>>): ArgvValue[] {
  const byChar = new Map<string, string>()
  for (const [name, f] of Object.entries(flags ?? {})) if (f.char) byChar.set(f.char, name)
  const out: ArgvValue[] = []
  const next = (i: number): string | undefined => {
    const t = argv[i + 1]
    return t === undefined || t === '--' ? undefined : t
  }
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!
    if (t === '--') break
    if (!t.startsWith('-') || t === '-') continue
    let name: string
    let inline: string | undefined
    if (t.startsWith('--')) {
      const eq = t.indexOf('=')
      name = eq < 0 ? t.slice(2) : t.slice(2, eq)
      inline = eq < 0 ? undefined : t.slice(eq + 1)
    } else {
      const c = t[1]!
      name = byChar.get(c) ?? c
      const rest = t.slice(2)
      inline = rest === '' ? undefined : rest.startsWith('=') ? rest.slice(1) : rest
    }
    const shape = flags?.[name] ?? (name.startsWith('no-') && flags?.[name.slice(3)]?.type === 'boolean' ? flags[name.slice(3)] : undefined)
    if (shape?.type === 'boolean') continue
    let value = inline
    if (value === undefined) {
      const n = next(i)
      // A known flag that takes a value takes the next word; after an unknown one it may be a value.
      if (n !== undefined && (shape !== undefined || !n.startsWith('-'))) {
        value = n
        if (shape !== undefined) i++
      }
    }
    if (value === undefined || value === '') continue
    if (isPathFlag(name, shape) || shape?.options?.includes(value)) continue
    out.push({flag: name, value})
  }
  return out
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * A number of fewer than 6 digits (`--bars 20`, `--seed 4`) is no secret (a PIN has at least 6
 * characters, tokens and keys far more), and replacing it garbled messages that hold the same
 * number by chance ("events up to seq <--bars value>").
 */
const SHORT_NUMBER = /^\d{1,5}$/

/**
 * `text` with every flag value replaced by `<--name value>`. The written form `--name=value` becomes
 * `--name`. A value is replaced where it stands as a word of its own (not inside a longer word);
 * values of a single character and short numbers are left alone (no secret is that short, and
 * replacing them would garble the message).
 */
export function redactValues(text: string, values: readonly ArgvValue[]): string {
  let out = text
  const longest = [...values].sort((a, b) => b.value.length - a.value.length)
  for (const {flag, value} of longest) out = out.split(`--${flag}=${value}`).join(`--${flag}`)
  for (const {flag, value} of longest) {
    if (value.length < 2 || SHORT_NUMBER.test(value)) continue
    // A boundary is asked for only where the value itself begins or ends with a word character.
    const before = /^\w/.test(value) ? '(?<!\\w)' : ''
    const after = /\w$/.test(value) ? '(?!\\w)' : ''
    out = out.replace(new RegExp(`${before}${escape(value)}${after}`, 'g'), () => `<--${flag} value>`)
  }
  return out
}

/**
 * oclif's parse messages, without what they quote of the input: `--flag=value` is said as `--flag`,
 * "but received: value" is dropped. (redactValues has already replaced the values it knows.)
 */
export function cleanParseMessage(message: string): string {
  return message
    .replace(/(--[A-Za-z][\w-]*)=(?:<--[\w-]+ value>|\S+)/g, '$1')
    .replace(/\s*but received: [^\n]*/g, '')
    .replace(/Parsing (--[\w-]+) \n\t/g, 'Parsing $1: ')
}
