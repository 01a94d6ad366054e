// Snapshot creation on a generated repository (5,000 committed files in nested folders, then 200
// modified and 50 untracked) against the same git steps run straight from the git CLI in one bash
// script. Three rows share that one baseline, all measured interleaved in the same loop:
// - the `rick snapshot create` CLI: pays Node's start-up, which alone is above the 1.5x goal
//   (see the third row), so this row is expected to say NO;
// - createSnapshot() called in-process (the built module): what the charter pays before an
//   engine starts, and the fair comparison with git doing the same steps;
// - `node -e 0`: no goal, shows the floor under any Node CLI.
// Before every timed run the snapshot refs are deleted, the same way for every side, so each run
// creates a new ref (rick refuses to overwrite one, and would take a slower path otherwise).
import {existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {median, printTable, row, sh, timeCommand} from './lib.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const rick = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const snapshotsModule = fileURLToPath(new URL('../dist/foundation/snapshots/index.js', import.meta.url))

const FILES = 5000
const MODIFIED = 200
const UNTRACKED = 50

// What rick never records (src/foundation/snapshots/exclusions.ts): git gets these as pathspecs.
const SUPERSET = [':(top,glob)**/.env', ':(top,glob)**/.env.*', ':(top,literal).rick']
const quoted = (specs) => specs.map((s) => `'${s}'`).join(' ')

/**
 * The steps rick takes, minus rick: read where the index is; a private index seeded from the real
 * one (`cp -p`: rick keeps the index's mtime too, so git's racy-clean check stays sound); `add -A`
 * without rick's data and secrets while `ls-files` lists those (side by side, as rick does);
 * write-tree while diff-index counts the changed files (side by side); commit-tree; update-ref
 * refusing to overwrite. (rick's extra steps for tracked secrets or `.env.example` files do not
 * run here: the generated repository has none.)
 */
const BASELINE_SCRIPT = `set -e
index=$(mktemp)
cp -p "$(git rev-parse --git-path index)" "$index"
export GIT_INDEX_FILE="$index"
export GIT_AUTHOR_NAME=rick GIT_AUTHOR_EMAIL=rick@localhost GIT_COMMITTER_NAME=rick GIT_COMMITTER_EMAIL=rick@localhost
git -c core.splitIndex=false add --all -- . ${quoted(SUPERSET.map((s) => s.replace(':(', ':(exclude,')))} &
add=$!
git ls-files -z -t --cached --others --exclude-standard -- ${quoted(SUPERSET)} > /dev/null
wait $add
git diff-index --cached --no-renames --name-only -z HEAD -- > /dev/null &
changed=$!
tree=$(git -c core.splitIndex=false write-tree)
wait $changed
commit=$(git commit-tree --no-gpg-sign "$tree" -p HEAD -m bench)
git update-ref "refs/rick/bench/$commit" "$commit" ""
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

/** Deletes every ref under refs/rick/ (snapshots and the baseline's), so each run starts alike. */
function resetRefs(dir) {
  const refs = sh('git', ['for-each-ref', '--format=%(refname)', 'refs/rick/'], {cwd: dir}).split('\n').filter(Boolean)
  if (refs.length > 0) sh('git', ['update-ref', '--stdin'], {cwd: dir, input: refs.map((r) => `delete ${r}\n`).join(''), stdio: ['pipe', 'pipe', 'pipe']})
}

async function timeAsync(fn) {
  const t0 = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

export default async function snapshotCreate({runs = 15, warmup = 2} = {}) {
  if (!existsSync(snapshotsModule)) throw new Error(`${snapshotsModule} is missing: run \`npm run build\` first`)
  const {createSnapshot} = await import(pathToFileURL(snapshotsModule).href)
  const dir = generateRepository()
  try {
    // An isolated oclif data dir, so plugins a developer linked by hand don't change the figure.
    const env = {...process.env, XDG_DATA_HOME: `${root}bench/.work/xdg-data`, XDG_CACHE_HOME: `${root}bench/.work/xdg-cache`}
    const once = (cmd, args) => timeCommand(cmd, args, {runs: 1, warmup: 0, cwd: dir, env, before: () => resetRefs(dir)})
    const samples = {cli: [], inProcess: [], git: [], node: []}
    for (let i = 0; i < warmup + runs; i++) {
      const cli = once(process.execPath, [rick, 'snapshot', 'create', '-m', 'bench'])
      const git = once('bash', ['-c', BASELINE_SCRIPT])
      resetRefs(dir)
      // A collection left over from the runs above must not land inside this one.
      globalThis.gc?.()
      const inProcess = await timeAsync(() => createSnapshot({cwd: dir, message: 'bench'}))
      const node = once(process.execPath, ['-e', '0'])
      if (i < warmup) continue
      samples.cli.push(cli)
      samples.git.push(git)
      samples.inProcess.push(inProcess)
      samples.node.push(node)
    }
    const git = median(samples.git)
    const shape = `5k files, ${MODIFIED} mod, ${UNTRACKED} new`
    return [
      row(`rick snapshot create CLI (${shape})`, median(samples.cli), 'git CLI same steps', git, 1.5),
      row(`createSnapshot() in-process (${shape})`, median(samples.inProcess), 'git CLI same steps', git, 1.5),
      row('node -e 0 (floor of any Node CLI)', median(samples.node), 'git CLI same steps', git),
    ]
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await snapshotCreate())
