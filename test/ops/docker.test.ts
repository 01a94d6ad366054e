// The Dockerfile and .dockerignore, tested without a Docker engine: the commands are the ones the
// README documents, the stages keep compilers and sources out of the final image, and the build
// context carries what the build needs and never secrets or rick's data.
import {execFileSync} from 'node:child_process'
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/cli.js'
import {commandLines, dockerIgnored, parseDockerfile, readmeCommandLines, README_BEGIN, README_END, type Instruction} from './dockerfile.js'

const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))
const finalStage = Math.max(...dockerfile.map((i) => i.stage))
const inStage = (stage: number, keyword: string): Instruction[] => dockerfile.filter((i) => i.stage === stage && i.keyword === keyword)

describe('Dockerfile', () => {
  it("its RUN, ENTRYPOINT and CMD lines are exactly the ones README.md lists between its markers", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    const documented = readmeCommandLines(readme)
    if (documented === undefined) {
      throw new Error(
        `README.md has no ${README_BEGIN} … ${README_END} block: add one to the "Run it on a server" section, listing these lines of the Dockerfile in a code block:\n${commandLines(dockerfile).join('\n')}`,
      )
    }
    expect(documented).toEqual(commandLines(dockerfile))
  })

  it('has a build stage and a final stage; the final one runs node on bin/run.js as an unprivileged user', () => {
    expect(dockerfile.filter((i) => i.keyword === 'FROM').length).toBeGreaterThanOrEqual(2)
    const entry = inStage(finalStage, 'ENTRYPOINT')
    expect(entry.map((i) => JSON.parse(i.args))).toEqual([['node', '/app/bin/run.js']])
    const users = inStage(finalStage, 'USER').map((i) => i.args)
    expect(users.length).toBe(1)
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/)
  })

  it('the data folder is a volume and RICK_HOME; production mode', () => {
    expect(inStage(finalStage, 'VOLUME').map((i) => JSON.parse(i.args))).toEqual([['/data']])
    const env = inStage(finalStage, 'ENV').map((i) => i.args).join(' ')
    expect(env).toMatch(/(^| )RICK_HOME=\/data( |$)/)
    expect(env).toMatch(/(^| )NODE_ENV=production( |$)/)
  })

  it('builds with npm ci, then installs production dependencies only, in the stage with the compilers', () => {
    const runs = dockerfile.filter((i) => i.keyword === 'RUN')
    const full = runs.findIndex((i) => /(^| )npm ci( |&|$)/.test(i.args) && !i.args.includes('--omit=dev'))
    const prod = runs.findIndex((i) => i.args.includes('npm ci --omit=dev'))
    expect(full).toBeGreaterThanOrEqual(0)
    expect(prod).toBeGreaterThan(full)
    const buildStage = runs[prod]!.stage
    expect(buildStage).toBeLessThan(finalStage)
    expect(runs.some((i) => i.stage === buildStage && /\bg\+\+/.test(i.args))).toBe(true)
  })

  it('the final stage has no compilers and copies only built files and production dependencies', () => {
    for (const run of inStage(finalStage, 'RUN')) expect(run.args).not.toMatch(/apt-get|apk |\bg\+\+|\bgcc\b|\bmake\b|python3|build-essential|npm (ci|install)/)
    const copies = inStage(finalStage, 'COPY').map((i) => i.args)
    for (const c of copies) expect(c).toMatch(/^--from=build /)
    const sources = copies.flatMap((c) => c.split(' ').slice(1, -1))
    expect(sources.sort()).toEqual(
      ['/app/bin', '/app/config', '/app/dist/bundle', '/app/node_modules', '/app/oclif.manifest.json', '/app/package.json', '/app/plugins', '/app/strategies'].sort(),
    )
    // Plugins keep their package.json and dist/ only: the build stage removes their sources.
    expect(dockerfile.some((i) => i.stage < finalStage && i.keyword === 'RUN' && i.args.includes('rm -rf plugins/*/src'))).toBe(true)
  })

  it('`npm ci --omit=dev` skips the build: scripts/build.mjs exits 0 without typescript', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rick-prod-build-'))
    try {
      mkdirSync(join(dir, 'scripts'))
      copyFileSync(join(REPO_ROOT, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'))
      const out = execFileSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], {cwd: dir, encoding: 'utf8'})
      expect(out).toMatch(/typescript not installed, skipping/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('the README block reader', () => {
  it('reads the lines between the markers, without fences, blanks and comments; undefined without markers', () => {
    const readme = `# x\n${README_BEGIN}\n\`\`\`dockerfile\n# why\nRUN  npm ci\n\nCMD ["--help"]\n\`\`\`\n${README_END}\nRUN not this\n`
    expect(readmeCommandLines(readme)).toEqual(['RUN npm ci', 'CMD ["--help"]'])
    expect(readmeCommandLines('# no block\nRUN npm ci\n')).toBeUndefined()
    expect(commandLines(parseDockerfile('FROM a AS b\nRUN one \\\n  # note\n  two\nCOPY x y\nCMD ["z"]\n'))).toEqual(['RUN one two', 'CMD ["z"]'])
  })
})

describe('.dockerignore', () => {
  const patterns = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n')

  it('never sends secrets, rick’s data, git history or local installs to the builder', () => {
    for (const path of ['.env', '.env.oanda', 'config/.env.coinbase', 'plugins/oanda/.env', '.rick/journal.db', '.rick/charter/pin.json', '.git/config', 'node_modules/yaml/package.json', 'plugins/oanda/node_modules/x.js', 'dist/bundle/cli/main.js', 'plugins/ibkr/dist/index.js']) {
      expect(dockerIgnored(patterns, path), path).toBe(true)
    }
    expect(dockerIgnored(patterns, '.env.example')).toBe(false)
  })

  it('keeps everything `npm ci` needs to build', () => {
    for (const path of ['package.json', 'package-lock.json', 'scripts/build.mjs', 'tsconfig.json', 'tsconfig.base.json', 'src/tsconfig.json', 'src/cli/main.ts', 'src/commands/run.ts', 'plugins/oanda/package.json', 'plugins/oanda/tsconfig.json', 'plugins/oanda/src/hooks/sectors.ts', 'bin/run.js', 'config/trading_sectors.yaml', 'config/charter.yaml', 'strategies/sma-crossover.ts', 'strategies/tsconfig.json', 'oclif.manifest.json']) {
      expect(dockerIgnored(patterns, path), path).toBe(false)
    }
  })

  it('the matcher itself: folders, ** and exceptions', () => {
    expect(dockerIgnored(['dist'], 'dist/a/b.js')).toBe(true)
    expect(dockerIgnored(['dist'], 'src/dist.ts')).toBe(false)
    expect(dockerIgnored(['**/x'], 'x')).toBe(true)
    expect(dockerIgnored(['**/x'], 'a/b/x/c')).toBe(true)
    expect(dockerIgnored(['*.md', '!KEEP.md'], 'KEEP.md')).toBe(false)
    expect(dockerIgnored(['plugins/*/dist'], 'plugins/a/b/dist')).toBe(false)
  })
})
