// Shared behaviour of every rick command: `--debug`, the exit-code contract (0 ok, 1 failure,
// 2 bad config or usage, 3 denied by the charter), and errors printed without stack traces. Every
// error leaves the same way (error-output.ts): with --json only `{"error":{"code","message",…}}` on
// stdout, otherwise one message on stderr, never a flag value repeated (argv-values.ts).
import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import {RickError, UsageError} from '../foundation/errors.js'
import {cleanParseMessage, flagValues, redactValues, type FlagShape} from './argv-values.js'
import {argvWants, describeError, writeError} from './error-output.js'

/** oclif's parsed flags and args: values by name (its own FlagOutput and ArgOutput). */
type Outputs = {[name: string]: unknown}

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({
      description: 'Print stack traces and internal detail on errors.',
      helpGroup: 'GLOBAL',
    }),
  }

  /** Whether `--json` was passed: errors then come as JSON, even from a command without that flag. */
  protected get jsonMode(): boolean {
    return argvWants(this.argv, '--json')
  }

  protected get debugMode(): boolean {
    return this.argv.includes('--debug') || process.env.RICK_DEBUG === '1'
  }

  /** Writes a line to stderr: notices must never pollute `--json` output on stdout. */
  protected note(message: string): void {
    process.stderr.write(`${message}\n`)
  }

  /**
   * oclif's parse, with every failure a usage error (exit 2) that names the flag and not the value,
   * and an empty argument refused: `rick report ""` means no sector, not every sector.
   */
  protected override async parse<F extends Outputs, B extends Outputs, A extends Outputs>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    let out: Interfaces.ParserOutput<F, B, A>
    try {
      out = await super.parse(options, argv)
    } catch (error) {
      if (error instanceof RickError) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new UsageError(cleanParseMessage(this.redact(message)))
    }
    for (const [name, value] of Object.entries(out.args as Record<string, unknown>)) {
      if (typeof value === 'string' && value.trim() === '') {
        throw new UsageError(`argument ${name.toUpperCase()} is empty: give a name, or leave the argument out (see --help)`)
      }
    }
    return out
  }

  protected override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    // this.exit() inside a command: its code stands, nothing to print.
    if (err instanceof Errors.ExitError) throw err
    const d = describeError(err)
    writeError(d, {json: this.jsonMode, debug: this.debugMode, redact: (t) => this.redact(t)})
    // The exit itself waits for stdout and stderr to drain (main.ts).
    return this.exit(d.exitCode)
  }

  /** `text` without the values given to this command's flags. */
  private redact(text: string): string {
    const flags = {...this.ctor.baseFlags, ...this.ctor.flags, json: {type: 'boolean'}} as Record<string, FlagShape>
    return redactValues(text, flagValues(this.argv, flags))
  }
}
