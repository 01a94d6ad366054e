// Entry of the bundled CLI (dist/bundle/cli/main.js). bin/run.js imports oclif's `execute` from
// here so that it and every bundled command share one copy of @oclif/core.
export {execute} from '@oclif/core'
