import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {excludingSuperset, exclusionSuperset, isExcludedPath, isSecretsFileName, snapshotExclusions} from '../../../src/foundation/snapshots/exclusions.js'
import {sortListed} from '../../../src/foundation/snapshots/working-tree.js'
import {removeTempDirs, tempDir, write} from './fixture.js'

afterAll(removeTempDirs)

describe('isSecretsFileName', () => {
  it.each(['.env', '.env.local', '.env.production', '.env.', '.env.example.local', '.env.examples', '.env.test', '.env.sample.bak'])('%s is a secrets file', (name) => {
    expect(isSecretsFileName(name)).toBe(true)
  })

  it.each(['.env.example', '.env.sample', '.env.template', '.envrc', '.environment', 'env', 'x.env', '.env-local', 'dot.env.local', '.ENV'])('%s is not', (name) => {
    expect(isSecretsFileName(name)).toBe(false)
  })
})

describe('isExcludedPath', () => {
  const exclusions = {folders: ['.rick', 'app/var/rick']}

  it.each([
    '.env',
    'deep/er/.env',
    'config/.env.production',
    '.rick',
    '.rick/approvals.json',
    '.rick/journal/2025.sqlite',
    'app/var/rick/pin.json',
  ])('%s is excluded', (path) => {
    expect(isExcludedPath(path, exclusions)).toBe(true)
  })

  it.each([
    '.env.example',
    'config/.env.template',
    '.envrc',
    '.rickrc',
    '.rick.yaml',
    'notes/.rick/approvals.json',
    'app/var/rick-old/pin.json',
    // A folder named like a secrets file is not one; only files are.
    '.env/lib/site.py',
    'sub/.env.d/readme.txt',
  ])('%s is recorded', (path) => {
    expect(isExcludedPath(path, exclusions)).toBe(false)
  })
})

describe('snapshotExclusions', () => {
  it('always .rick at the top; rick home too when it lies elsewhere inside the repository', () => {
    const top = tempDir()
    expect(snapshotExclusions(top, top, {})).toEqual({folders: ['.rick'], files: []})
    expect(snapshotExclusions(top, top, {RICK_HOME: 'var/rick'})).toEqual({folders: ['.rick', 'var/rick'], files: []})
    // Relative RICK_HOME is relative to the folder rick runs in.
    mkdirSync(join(top, 'sub'))
    expect(snapshotExclusions(top, join(top, 'sub'), {RICK_HOME: 'data'})).toEqual({folders: ['.rick', 'sub/data'], files: []})
    // The project root is where config/trading_sectors.yaml is: a project in a subfolder keeps its data there.
    write(top, 'app/config/trading_sectors.yaml', 'sectors: {}\n')
    expect(snapshotExclusions(top, join(top, 'app'), {})).toEqual({folders: ['.rick', 'app/.rick'], files: []})
    expect(snapshotExclusions(top, top, {RICK_PROJECT: join(top, 'app')})).toEqual({folders: ['.rick', 'app/.rick'], files: []})
  })

  it('ignores a home outside the repository, the repository top itself, and .git', () => {
    const top = tempDir()
    const elsewhere = tempDir()
    expect(snapshotExclusions(top, top, {RICK_HOME: elsewhere})).toEqual({folders: ['.rick'], files: []})
    expect(snapshotExclusions(top, top, {RICK_HOME: top})).toEqual({folders: ['.rick'], files: []})
    expect(snapshotExclusions(top, top, {RICK_HOME: '.git/rick'})).toEqual({folders: ['.rick'], files: []})
    expect(snapshotExclusions(top, top, {RICK_HOME: '.rick/nested'})).toEqual({folders: ['.rick'], files: []})
  })

  it('sees through a symlink to the repository, even for a home that does not exist yet', () => {
    const top = tempDir()
    const link = join(tempDir(), 'link')
    symlinkSync(top, link)
    expect(snapshotExclusions(top, link, {RICK_HOME: join(link, 'not', 'yet')})).toEqual({folders: ['.rick', 'not/yet'], files: []})
  })
})

describe('exclusionSuperset', () => {
  it('globs for secrets; folders as globs with no literal prefix, special characters escaped', () => {
    expect(exclusionSuperset({folders: ['.rick', 'we*ird[1]/da?ta']})).toEqual([
      ':(top,glob)**/.env',
      ':(top,glob)**/.env.*',
      ':(top,glob)\\.rick',
      ':(top,glob)\\.rick/**',
      ':(top,glob)\\we\\*ird\\[1]/da\\?ta',
      ':(top,glob)\\we\\*ird\\[1]/da\\?ta/**',
    ])
    expect(excludingSuperset({folders: ['*x']})).toEqual([':(exclude,top,glob)**/.env', ':(exclude,top,glob)**/.env.*', ':(exclude,top,glob)\\*x', ':(exclude,top,glob)\\*x/**'])
  })
})

describe('sortListed', () => {
  it('drops tracked excluded paths, re-adds kept ones, leaves untracked excluded and skip-worktree entries alone', () => {
    const lines = ['H .env.local', '? .env', 'H .env.example', '? app/.env.sample', 'S docs/.env.template', 'H .rick/approvals.json', '? .rick/pin.json', 'M .env.prod', 'M .env.prod']
    expect(sortListed(lines, {folders: ['.rick']})).toEqual({
      drop: ['.env.local', '.rick/approvals.json', '.env.prod'],
      refresh: ['.env.example', 'app/.env.sample'],
    })
  })
})

describe('configured secrets files', () => {
  it("excludes every sector's secretsFiles, whatever their names, read from the raw config", () => {
    const top = mkdtempSync(join(tmpdir(), 'rick-excl-cfg-'))
    try {
      mkdirSync(join(top, 'config'))
      writeFileSync(join(top, 'config', 'trading_sectors.yaml'), 'version: 1\nsectors:\n  a: {secretsFiles: [secrets/a.env, .env.a]}\n  b: {secretsFiles: ["keys/b.txt"], mode: papper}\n')
      const ex = snapshotExclusions(top, top, {})
      expect(ex.files).toEqual(['secrets/a.env', '.env.a', 'keys/b.txt'])
      expect(isExcludedPath('keys/b.txt', ex)).toBe(true)
      expect(isExcludedPath('keys/c.txt', ex)).toBe(false)
      // Broken YAML: a line scan still finds the flow-style lists.
      writeFileSync(join(top, 'config', 'trading_sectors.yaml'), 'version: 1\nsectors:\n  a: {secretsFiles: [secrets/a.env]\n  b: [unclosed\n')
      expect(snapshotExclusions(top, top, {}).files).toEqual(['secrets/a.env'])
    } finally {
      rmSync(top, {recursive: true, force: true})
    }
  })
})
