// `rick snapshot create` on a generated repository (5,000 committed files in nested folders,
// then 200 modified and 50 untracked) against the same plumbing run straight from the git CLI
// in one bash script. Both sides start from the same real index, so both re-hash the same files.
import {mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {compareCommands, printTable, row, sh} from './lib.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const rick = fileURLToPath(new URL('../bin/run.js', import.meta.url))

const FILES = 5000
const MODIFIED = 200
const UNTRACKED = 50

/**
 * The same steps rick takes, minus rick: a private index seeded from the real one (`cp -p`: rick
 * keeps the index's mtime too, so git's racy-clean check stays sound), add, write-tree,
 * commit-tree, update-ref.
 */
const BASELINE_SCRIPT = `set -e
index=$(mktemp)
cp -p "$(git rev-parse --git-path index)" "$index"
export GIT_INDEX_FILE="$index"
export GIT_AUTHOR_NAME=rick GIT_AUTHOR_EMAIL=rick@localhost GIT_COMMITTER_NAME=rick GIT_COMMITTER_EMAIL=rick@localhost
git add -A
tree=$(git write-tree)
commit=$(git commit-tree "$tree" -p HEAD -m bench)
git update-ref "refs/rick/bench/$commit" "$commit"
rm -f "$index"
`

function filePath(i) {
  // 10 x 10 x 5 folders, 10 files each: a shape like a real source tree.
  return join('src', `mod${i % 10}`, `pkg${Math.floor(i / 10) % 10}`, `part${Math.floor(i / 100) % 5}`, `file${i}.ts`)
}

/** Builds the repository and returns its folder. */
export function generateRepository() {
  const dir = mkdtempSync(join(tmpdir(), 'rick-bench-snapshot-'))
  const git = (...args) => sh('git', args, {cwd: dir})
  git('init', '-q', '-b', 'main')
  git('config', 'user.name', 'Bench')
  git('config', 'user.email', 'bench@localhost')
  git('config', 'commit.gpgSign', 'false')
  // Written "an hour ago", like a checkout that has sat for a while: no index entry is racily
  // clean, so neither side re-hashes unchanged files because the generator was fast.
  const anHourAgo = new Date(Date.now() - 3_600_000)
  for (let i = 0; i < FILES; i++) {
    const file = join(dir, filePath(i))
    mkdirSync(join(file, '..'), {recursive: true})
    writeFileSync(file, `// file ${i}\nexport const value${i} = ${i}\n`.repeat(8))
    utimesSync(file, anHourAgo, anHourAgo)
  }
  git('add', '-A')
  git('commit', '-q', '-m', 'generated')
  for (let i = 0; i < MODIFIED; i++) {
    const n = Math.floor((i * FILES) / MODIFIED)
    writeFileSync(join(dir, filePath(n)), `// modified\nexport const changed${n} = true\n`, {flag: 'a'})
  }
  mkdirSync(join(dir, 'scratch', 'notes'), {recursive: true})
  for (let i = 0; i < UNTRACKED; i++) writeFileSync(join(dir, 'scratch', i % 2 ? 'notes' : '', `new${i}.ts`), `export const fresh${i} = ${i}\n`)
  return dir
}

export default async function snapshotCreate({runs = 15} = {}) {
  const dir = generateRepository()
  try {
    // An isolated oclif data dir, so plugins a developer linked by hand don't change the figure.
    const env = {...process.env, XDG_DATA_HOME: `${root}bench/.work/xdg-data`, XDG_CACHE_HOME: `${root}bench/.work/xdg-cache`}
    const {subjectMs, baselineMs} = compareCommands(
      {cmd: process.execPath, args: [rick, 'snapshot', 'create', '-m', 'bench'], cwd: dir, env},
      {cmd: 'bash', args: ['-c', BASELINE_SCRIPT], cwd: dir, env},
      {runs},
    )
    return [row(`snapshot create (5k files, ${MODIFIED} mod, ${UNTRACKED} new)`, subjectMs, 'git CLI same steps', baselineMs, 1.5)]
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await snapshotCreate())
