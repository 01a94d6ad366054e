// Builds every TypeScript project (core + sector plugins) and regenerates the oclif manifest,
// so that `npm ci` alone leaves a runnable `rick`.
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
if (!existsSync(bin('tsc'))) {
  // A production install (no devDependencies) ships the committed build inputs only.
  console.log('build: typescript not installed, skipping (production install)')
  process.exit(0)
}
const run = (cmd, args) => execFileSync(cmd, args, {cwd: root, stdio: 'inherit'})
run(bin('tsc'), ['-b', 'tsconfig.json'])
run(bin('oclif'), ['manifest'])
