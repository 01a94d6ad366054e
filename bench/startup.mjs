// Start-up cost of the CLI against a bare `node -e 0` measured in the same run.
import {fileURLToPath} from 'node:url'

import {compareCommands, printTable, row} from './lib.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const rick = fileURLToPath(new URL('../bin/run.js', import.meta.url))

export default async function startup({runs = 21} = {}) {
  // An isolated oclif data dir, so plugins a developer linked by hand don't change the figure.
  const env = {...process.env, XDG_DATA_HOME: `${root}bench/.work/xdg-data`, XDG_CACHE_HOME: `${root}bench/.work/xdg-cache`}
  const node = {cmd: process.execPath, args: ['-e', '0'], env}
  const version = compareCommands({cmd: process.execPath, args: [rick, '--version'], cwd: root, env}, node, {runs})
  const sectors = compareCommands({cmd: process.execPath, args: [rick, 'sectors', 'list'], cwd: root, env}, node, {runs})
  return [
    row('rick --version', version.subjectMs, 'node -e 0', version.baselineMs, 2.5),
    row('rick sectors list', sectors.subjectMs, 'node -e 0', sectors.baselineMs, 3),
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await startup())
