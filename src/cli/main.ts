// Entry of the bundled CLI (dist/bundle/cli/main.js). bin/run.js imports oclif's `execute` from
// here so that it and every bundled command share one copy of @oclif/core.
import {registerWriterModule} from '../foundation/journal/writer-location.js'

// The journal's writer thread is an entry of its own in the bundle (scripts/build.mjs). The
// journal's code, bundled into a shared chunk, cannot find it relative to itself: say where it is.
registerWriterModule({url: new URL('../foundation/journal/writer-thread.js', import.meta.url)})

export {execute} from '@oclif/core'
