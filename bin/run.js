#!/usr/bin/env node
const argv = process.argv.slice(2)
// `rick run`: a stop signal from the first moment on is a stop, never Node's default death (exit
// 143 with a stale lock). Loading oclif takes a few hundred ms; a signal meanwhile is recorded
// here and the run takes it over (src/sectors/engine/run-process.ts), ending before its engine starts.
if (argv[0] === 'run') {
  const names = ['SIGINT', 'SIGTERM', 'SIGHUP']
  const signals = []
  const record = (signal) => void signals.push(signal)
  for (const name of names) process.on(name, record)
  globalThis[Symbol.for('rick.early-stop-signals')] = {
    signals,
    release: () => {
      for (const name of names) process.off(name, record)
    },
  }
}
// `rick --version` answers without loading oclif (about 60 ms of module loading saved); the text
// is the same one oclif prints. Everything else goes through oclif, from the bundled build.
if (argv.length === 1 && argv[0] === '--version') {
  const {readFileSync} = await import('node:fs')
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`rick/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {execute} = await import('../dist/bundle/cli/main.js')
  await execute({dir: import.meta.url})
}
