// Entry of the bundled CLI (dist/bundle/cli/main.js). bin/run.js imports `execute` from here so
// that it and every bundled command share one copy of @oclif/core.
import {Errors, run} from '@oclif/core'

import {registerWriterModule} from '../foundation/journal/writer-location.js'
import {flagValues, redactValues} from './argv-values.js'
import {argvWants, describeError, drainOutput, writeError} from './error-output.js'

// The journal's writer thread is an entry of its own in the bundle (scripts/build.mjs). The
// journal's code, bundled into a shared chunk, cannot find it relative to itself: say where it is.
registerWriterModule({url: new URL('../foundation/journal/writer-thread.js', import.meta.url)})

/**
 * oclif's `execute`, but a failure leaves only after stdout and stderr are drained (oclif calls
 * process.exit() at once: a pipe got the first 64 KiB of a long error), and an error raised before
 * a command ran (an unknown command) is said as every command says its errors (error-output.ts).
 * Commands print their own errors (base-command.ts) and end with an ExitError carrying the code.
 */
export async function execute(options: {dir: string; args?: string[]}): Promise<void> {
  const argv = options.args ?? process.argv.slice(2)
  try {
    await run(argv, options.dir)
  } catch (error) {
    let code: number
    if (error instanceof Errors.ExitError) {
      code = error.oclif.exit ?? 1
    } else {
      const d = describeError(error)
      const values = flagValues(argv)
      writeError(d, {json: argvWants(argv, '--json'), debug: argvWants(argv, '--debug') || process.env.RICK_DEBUG === '1', redact: (t) => redactValues(t, values)})
      code = d.exitCode
    }
    process.exitCode = code
    await drainOutput()
    // Leave even if something still holds the event loop (a worker, a timer of a failed start).
    process.exit(code)
  }
}
