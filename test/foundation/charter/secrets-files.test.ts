import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {matchesSecretsPolicy, secretsFileStatuses} from '../../../src/foundation/charter/secrets-files.js'

const POLICY = {rootPatterns: ['.env', '.env.*'], ignore: ['.env.example']}

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rick-secrets-'))
})
afterEach(() => rmSync(root, {recursive: true, force: true}))

describe('matchesSecretsPolicy', () => {
  it('matches .env and .env.* but not templates or look-alikes', () => {
    expect(matchesSecretsPolicy('.env', POLICY)).toBe(true)
    expect(matchesSecretsPolicy('.env.oanda', POLICY)).toBe(true)
    expect(matchesSecretsPolicy('.env.example', POLICY)).toBe(false)
    expect(matchesSecretsPolicy('.envrc', POLICY)).toBe(false)
    expect(matchesSecretsPolicy('x.env', POLICY)).toBe(false)
  })
})

describe.skipIf(process.platform === 'win32')('secretsFileStatuses', () => {
  it('reports the mode of root files and configured files, and configured files that are missing', () => {
    writeFileSync(join(root, '.env'), 'A=1\n')
    chmodSync(join(root, '.env'), 0o640)
    writeFileSync(join(root, '.env.oanda'), 'B=2\n')
    chmodSync(join(root, '.env.oanda'), 0o600)
    writeFileSync(join(root, '.env.example'), 'A=\n')
    writeFileSync(join(root, 'README.md'), 'x')
    const statuses = secretsFileStatuses(root, POLICY, ['.env.oanda', 'secrets/ibkr.env'])
    expect(statuses).toEqual([
      {path: '.env.oanda', source: 'configured', exists: true, mode: 0o600},
      {path: join('secrets', 'ibkr.env'), source: 'configured', exists: false},
      {path: '.env', source: 'root', exists: true, mode: 0o640},
    ])
  })

  it('reports a folder named like a secrets file as uncheckable', () => {
    mkdirSync(join(root, '.env.d'))
    expect(secretsFileStatuses(root, POLICY, [])).toEqual([{path: '.env.d', source: 'root', exists: true, error: 'not a regular file'}])
  })
})
