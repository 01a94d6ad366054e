// Real, throw-away git repositories for the snapshot tests, and fingerprints of everything a
// snapshot must leave alone (HEAD, branch, index, stash, status, files).
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'

/** Runs git in `cwd` and returns stdout (throws on failure, with git's stderr). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
}

/** git's stdout as bytes (blob contents). */
export function gitBytes(cwd: string, ...args: string[]): Buffer {
  return execFileSync('git', args, {cwd, stdio: ['ignore', 'pipe', 'pipe']})
}

/** Like git() but returns null instead of throwing (e.g. `rev-parse HEAD` in an empty repository). */
export function gitOrNull(cwd: string, ...args: string[]): string | null {
  try {
    return git(cwd, ...args)
  } catch {
    return null
  }
}

const created: string[] = []

export function tempDir(prefix = 'rick-snap-'): string {
  // realpath: macOS-style /tmp symlinks would make path comparisons with git's answers fail.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)))
  created.push(dir)
  return dir
}

/** Removes every folder tempDir() made in this test file (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, {recursive: true, force: true})
}

/** A fresh repository with a local identity (so the test's own commits work anywhere). */
export function makeRepo(): string {
  const dir = tempDir()
  git(dir, 'init', '-q', '-b', 'main')
  git(dir, 'config', 'user.name', 'Test User')
  git(dir, 'config', 'user.email', 'test@example.com')
  git(dir, 'config', 'commit.gpgSign', 'false')
  return dir
}

export function write(dir: string, path: string, content: string | Buffer, mode?: number): void {
  const file = join(dir, path)
  mkdirSync(dirname(file), {recursive: true})
  writeFileSync(file, content)
  if (mode !== undefined) chmodSync(file, mode)
}

export function commitAll(dir: string, message = 'commit'): string {
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', message)
  return git(dir, 'rev-parse', 'HEAD').trim()
}

/** Bytes that are not valid UTF-8 and contain NUL: git must treat the file as binary. */
export const BINARY = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x00, 0x80, 0x7f, 10, 13, 0])

/** A repository with one commit holding the tricky kinds of file the issue names. */
export function makeTrickyRepo(): string {
  const dir = makeRepo()
  write(dir, '.gitignore', '*.log\nbuild/\n')
  write(dir, 'README.md', '# demo\n')
  write(dir, 'keep.txt', 'unchanged\n')
  write(dir, 'modify-me.txt', 'before\n')
  write(dir, 'delete-me.txt', 'doomed\n')
  write(dir, 'rename-me.txt', 'moving content\n')
  write(dir, 'bin/data.bin', BINARY)
  write(dir, 'run.sh', '#!/bin/sh\necho hi\n', 0o755)
  write(dir, 'with space.txt', 'spaced\n')
  write(dir, 'empty.txt', '')
  write(dir, 'données/ü🚀.txt', 'unicode ✓\n')
  write(dir, 'nested/deep/file.txt', 'deep\n')
  commitAll(dir, 'initial')
  return dir
}

/** Changes every kind of thing a snapshot must record, plus ignored files it must not. */
export function dirtyTrickyRepo(dir: string): void {
  write(dir, 'modify-me.txt', 'after\n')
  execFileSync('rm', [join(dir, 'delete-me.txt')])
  execFileSync('mv', [join(dir, 'rename-me.txt'), join(dir, 'renamed.txt')])
  write(dir, 'new file.txt', 'brand new\n')
  write(dir, 'neu/ñandú 🐦.txt', 'unicode untracked\n')
  write(dir, 'new.bin', Buffer.concat([BINARY, BINARY]))
  write(dir, 'new-empty.txt', '')
  chmodSync(join(dir, 'keep.txt'), 0o755)
  write(dir, 'debug.log', 'ignored\n')
  write(dir, 'build/out.js', 'ignored too\n')
}

export interface RepoFingerprint {
  status: string
  head: string | null
  branch: string | null
  indexBytes: string | null
  stage: string
  cached: string
  stash: string
}

/** Everything the user would notice changing, read without taking git's optional locks. */
export function fingerprint(dir: string): RepoFingerprint {
  const gitDir = git(dir, 'rev-parse', '--absolute-git-dir').trim()
  const index = join(gitDir, 'index')
  const q = (...args: string[]): string => git(dir, '--no-optional-locks', ...args)
  return {
    status: q('status', '--porcelain=v1', '-z', '--untracked-files=all'),
    head: gitOrNull(dir, 'rev-parse', '--verify', '-q', 'HEAD'),
    branch: gitOrNull(dir, 'symbolic-ref', '-q', 'HEAD'),
    indexBytes: existsSync(index) ? createHash('sha256').update(readFileSync(index)).digest('hex') : null,
    stage: q('ls-files', '--stage', '-z'),
    cached: q('diff', '--cached', '--no-color'),
    stash: q('stash', 'list'),
  }
}

export interface FileState {
  kind: 'file' | 'symlink'
  sha256: string
  executable: boolean
}

/** Every file under `dir` except `.git/` (and, unless asked, ignored paths are included too). */
export function workingFiles(dir: string, options: {skip?: (path: string) => boolean} = {}): Record<string, FileState> {
  const files: Record<string, FileState> = {}
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel === '' ? name : `${rel}/${name}`
      if (path === '.git' || options.skip?.(path)) continue
      const full = join(dir, path)
      const info = lstatSync(full)
      if (info.isDirectory()) walk(path)
      else if (info.isSymbolicLink()) files[path] = {kind: 'symlink', sha256: sha(Buffer.from(readlinkSync(full))), executable: false}
      else files[path] = {kind: 'file', sha256: sha(readFileSync(full)), executable: (info.mode & 0o100) !== 0}
    }
  }
  walk('')
  return files
}

/** The files recorded in a commit, in the same shape as workingFiles(). */
export function commitFiles(dir: string, commit: string): Record<string, FileState> {
  const files: Record<string, FileState> = {}
  const entries = git(dir, 'ls-tree', '-r', '-z', commit).split('\0').filter(Boolean)
  for (const entry of entries) {
    const [meta = '', path = ''] = entry.split('\t')
    const [mode, , blob = ''] = meta.split(' ')
    const content = execFileSync('git', ['cat-file', 'blob', blob], {cwd: dir})
    files[path] = {kind: mode === '120000' ? 'symlink' : 'file', sha256: sha(content), executable: mode === '100755'}
  }
  return files
}

export function isIgnoredPath(path: string): boolean {
  return path.endsWith('.log') || path === 'build' || path.startsWith('build/')
}

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** A clock that returns the given instants in turn, one per call (then keeps the last). */
export function steppingClock(...isoTimes: string[]): () => Date {
  let i = 0
  return () => new Date(isoTimes[Math.min(i++, isoTimes.length - 1)]!)
}

/** A committed repository tracking files snapshots must leave out (.env.local, .rick/), and a template they keep. */
export function makeRepoWithSecrets(): string {
  const dir = makeRepo()
  write(dir, 'app.ts', 'export const app = 1\n')
  write(dir, '.env.local', 'TRACKED_SECRET=committed-by-mistake\n')
  write(dir, '.env.example', 'API_KEY=\n')
  write(dir, '.rick/approvals.json', '{"approvals":["committed"]}\n')
  commitAll(dir, 'initial')
  return dir
}

/**
 * A snapshot as rick recorded them before it left out secrets and its data folder: the whole
 * working tree, `.env` and `.rick/` included. Returns its id.
 */
export function legacySnapshot(dir: string, message = 'legacy snapshot'): string {
  const index = join(tempDir('rick-legacy-index-'), 'index')
  const env = {...process.env, GIT_INDEX_FILE: index}
  const run = (args: string[], input?: string): string => execFileSync('git', args, {cwd: dir, env, input, encoding: 'utf8'}).trim()
  run(['add', '-A'])
  const tree = run(['write-tree'])
  const head = gitOrNull(dir, 'rev-parse', '--verify', '-q', 'HEAD')?.trim()
  const commit = run(['commit-tree', tree, ...(head ? ['-p', head] : [])], `${message}\n\nRick-Snapshot: 1\nRick-Trigger: manual\nRick-Time: 2024-12-31T00:00:00.000Z\n`)
  const id = commit.slice(0, 10)
  run(['update-ref', `refs/rick/snapshots/${id}`, commit])
  return id
}
