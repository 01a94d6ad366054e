#!/usr/bin/env node
// `rick --version` answers without loading oclif (about 60 ms of module loading saved); the text
// is the same one oclif prints. Everything else goes through oclif, from the bundled build.
const argv = process.argv.slice(2)
if (argv.length === 1 && argv[0] === '--version') {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`rick/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {execute} = await import('../dist/bundle/cli/main.js')
  await execute({dir: import.meta.url})
}
