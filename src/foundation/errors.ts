// Error types shared by every layer. Each carries the process exit code the CLI must use, so a
// command never has to guess how bad a failure was.

export const ExitCode = {
  Ok: 0,
  Failure: 1,
  BadInput: 2,
  Denied: 3,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Where in which file something is wrong; line and column are 1-based. */
export interface SourcePosition {
  file: string
  line: number
  column: number
}

/** One problem found in a user's file, precise enough for an editor to jump to it. */
export interface Diagnostic extends Partial<SourcePosition> {
  /** JSON-pointer-ish path inside the document, e.g. `/sectors/oanda/mode`. */
  path: string
  message: string
  /** Stable machine code, e.g. `unknown-key`, `type`, `enum`, `yaml-syntax`. */
  code: string
  expected?: string
  found?: string
  suggestion?: string
  severity: 'error' | 'warning'
}

export class RickError extends Error {
  readonly exitCode: ExitCode
  readonly code: string
  constructor(message: string, options: {code: string; exitCode?: ExitCode; cause?: unknown}) {
    super(message, {cause: options.cause})
    this.name = new.target.name
    this.code = options.code
    this.exitCode = options.exitCode ?? ExitCode.Failure
  }
}

/** Bad config file: carries every diagnostic at once so the user fixes them in one go. */
export class ConfigError extends RickError {
  readonly diagnostics: Diagnostic[]
  constructor(message: string, diagnostics: Diagnostic[]) {
    super(message, {code: 'CONFIG_INVALID', exitCode: ExitCode.BadInput})
    this.diagnostics = diagnostics
  }
}

/** Wrong flags, unknown sector, missing argument: the user asked for something impossible. */
export class UsageError extends RickError {
  constructor(message: string, code = 'USAGE') {
    super(message, {code, exitCode: ExitCode.BadInput})
  }
}

/** The charter said no. */
export class CharterDenied extends RickError {
  constructor(message: string, code = 'CHARTER_DENIED') {
    super(message, {code, exitCode: ExitCode.Denied})
  }
}

/** Formats a diagnostic the way compilers do: `file:line:col: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}:${d.line ?? 1}:${d.column ?? 1}: ` : ''
  let text = `${where}${d.severity}: ${d.message}`
  if (d.expected !== undefined) text += `\n    expected: ${d.expected}`
  if (d.found !== undefined) text += `\n    found:    ${d.found}`
  if (d.suggestion !== undefined) text += `\n    did you mean: ${d.suggestion}`
  return text
}
