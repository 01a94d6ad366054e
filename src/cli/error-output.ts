// How rick reports a failure, for every command and for errors before a command runs: with --json,
// stdout holds `{"error":{"code","message",…}}` and nothing else; otherwise one clear message on
// stderr; a stack only with --debug (on stderr). No flag value is repeated (argv-values.ts), and the
// process leaves only once stdout and stderr are drained: a pipe read slowly gets every byte.
import {ConfigError, ExitCode, RickError, formatDiagnostic} from '../foundation/errors.js'

export interface ErrorPayload {
  code: string
  message: string
  [detail: string]: unknown
}

export interface DescribedError {
  payload: ErrorPayload
  /** The human form (stderr). */
  text: string
  exitCode: number
  stack?: string
}

interface OclifLike {
  oclif?: {exit?: number}
}

/** Code, message, exit code and human text of any error. */
export function describeError(err: unknown): DescribedError {
  if (err instanceof RickError) {
    const payload: ErrorPayload = {code: err.code, message: err.message}
    let text = `Error: ${err.message}`
    if (err instanceof ConfigError) {
      payload.diagnostics = err.diagnostics
      text = [err.message, ...err.diagnostics.map((d) => formatDiagnostic(d))].join('\n')
    }
    return {payload, text, exitCode: err.exitCode, ...stackOf(err)}
  }
  const e = err instanceof Error ? err : new Error(String(err))
  // oclif's own errors (a command that does not exist, a bad flag found before a command ran)
  // carry the exit code oclif means; 2 is a usage error, as ours.
  const exit = (e as OclifLike).oclif?.exit
  const exitCode = typeof exit === 'number' ? exit : ExitCode.Failure
  const code = exitCode === ExitCode.BadInput ? 'USAGE' : 'INTERNAL'
  return {payload: {code, message: e.message}, text: `Error: ${e.message}`, exitCode, ...stackOf(e)}
}

const stackOf = (e: Error): {stack?: string} => (e.stack ? {stack: e.stack} : {})

export interface ErrorOutputOptions {
  json: boolean
  debug: boolean
  /** Applied to every string that goes out (the flag values of the command line). */
  redact(text: string): string
}

/** Writes the error: JSON on stdout or text on stderr, and the stack on stderr with --debug. */
export function writeError(d: DescribedError, o: ErrorOutputOptions): void {
  if (o.json) process.stdout.write(`${JSON.stringify({error: redactDeep(d.payload, o.redact)}, null, 2)}\n`)
  else process.stderr.write(`${o.redact(d.text)}\n`)
  if (o.debug && d.stack) process.stderr.write(`${o.redact(d.stack)}\n`)
}

function redactDeep(value: unknown, redact: (t: string) => string): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]))
  }
  return value
}

/** Whether `--json` / `--debug` is on this command line (before `--`), as oclif decides it. */
export function argvWants(argv: readonly string[], flag: '--json' | '--debug'): boolean {
  const end = argv.indexOf('--')
  const i = argv.indexOf(flag)
  return i !== -1 && (end === -1 || i < end)
}

/**
 * Resolves once everything written to stdout and stderr has reached the OS. A pipe takes 64 KiB
 * at a time: what is beyond that waits in the process until the reader reads, and process.exit()
 * would drop it. A stream that is closed (the reader went away) has nothing left to wait for.
 */
export async function drainOutput(): Promise<void> {
  await Promise.all([drained(process.stdout), drained(process.stderr)])
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve()
  // Writes complete in order: the callback of an empty one comes after all that went before.
  // A reader that goes away meanwhile (EPIPE) ends the wait, and is no crash.
  return new Promise((resolve) => {
    stream.once('error', () => resolve())
    stream.write('', () => resolve())
  })
}
