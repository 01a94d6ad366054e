// Shared behaviour of every rick command: `--debug`, the exit-code contract (0 ok, 1 failure,
// 2 bad config or usage, 3 denied by the charter), and errors printed without stack traces.
import {Command, Flags, type Interfaces} from '@oclif/core'

import {ConfigError, ExitCode, RickError, formatDiagnostic} from '../foundation/errors.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Print stack traces and internal detail on errors.',
      helpGroup: 'GLOBAL',
    }),
  }

  /** Whether `--json` was passed (works for commands that enable the json flag). */
  protected get jsonMode(): boolean {
    return this.argv.includes('--json')
  }

  protected get debugMode(): boolean {
    return this.argv.includes('--debug') || process.env.RICK_DEBUG === '1'
  }

  /** Writes a line to stderr: notices must never pollute `--json` output on stdout. */
  protected note(message: string): void {
    process.stderr.write(`${message}\n`)
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    // oclif's own exits (this.exit) and parse errors keep their behaviour and exit codes.
    if (!(err instanceof RickError)) {
      if (err.oclif !== undefined || this.debugMode) return super.catch(err)
      this.printError({code: 'INTERNAL', message: err.message}, err)
      return this.exit(ExitCode.Failure)
    }
    const payload: Record<string, unknown> = {code: err.code, message: err.message}
    if (err instanceof ConfigError) payload.diagnostics = err.diagnostics
    this.printError(payload, err)
    return this.exit(err.exitCode)
  }

  private printError(payload: Record<string, unknown>, err: Error): void {
    if (this.jsonMode) {
      process.stdout.write(`${JSON.stringify({error: payload}, null, 2)}\n`)
    } else if (err instanceof ConfigError) {
      const lines = err.diagnostics.map((d) => formatDiagnostic(d))
      process.stderr.write(`${err.message}\n${lines.join('\n')}\n`)
    } else {
      process.stderr.write(`Error: ${err.message}\n`)
    }
    if (this.debugMode && err.stack) process.stderr.write(`${err.stack}\n`)
  }
}
