import {chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {decideCharter} from '../../../src/foundation/charter/decide.js'
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

  it('never follows a symlinked .env: names the target, reads no mode through it, and the charter suggests no chmod', () => {
    const outside = mkdtempSync(join(tmpdir(), 'rick-secrets-target-'))
    try {
      const target = join(outside, 'passwd')
      writeFileSync(target, 'root:x:0:0:root:/root:/bin/bash\n')
      chmodSync(target, 0o644)
      symlinkSync(target, join(root, '.env'))
      const [status] = secretsFileStatuses(root, POLICY, [])
      expect(status).toMatchObject({path: '.env', source: 'root', exists: true, symlink: target})
      expect(status!.mode).toBeUndefined()
      expect(status!.error).toBe(`a symbolic link to ${target}: rick does not follow symlinks for secrets files and reads nothing through one; put the secrets in a regular file at .env instead`)
      const decision = decideCharter({
        sector: 's',
        mode: 'live',
        decidedAt: new Date(0),
        config: {valid: true, problems: [], sectorFound: true},
        secrets: [status!],
        approvals: [],
        platform: 'linux',
      })
      const detail = decision.rules.find((r) => r.rule === 'secrets-private')!
      expect(detail.status).toBe('fail')
      expect(detail.detail).toContain(`.env cannot be checked (a symbolic link to ${target}`)
      expect(detail.detail).not.toMatch(/chmod/)
      expect(statSync(target).mode & 0o777).toBe(0o644)
    } finally {
      rmSync(outside, {recursive: true, force: true})
    }
  })

  it('names a relative symlink target as the link holds it; a dangling one is a symlink, not a missing file', () => {
    mkdirSync(join(root, 'shared'))
    writeFileSync(join(root, 'shared', 'coinbase.env'), 'A=1\n')
    symlinkSync(join('shared', 'coinbase.env'), join(root, '.env.coinbase'))
    symlinkSync(join(root, 'nowhere'), join(root, '.env.dangling'))
    const statuses = secretsFileStatuses(root, POLICY, [])
    expect(statuses.find((s) => s.path === '.env.coinbase')?.error).toContain(
      `a symbolic link to ${join('shared', 'coinbase.env')}: rick does not follow`,
    )
    const dangling = statuses.find((s) => s.path === '.env.dangling')!
    expect(dangling).toMatchObject({exists: false, symlink: join(root, 'nowhere')})
    const decision = decideCharter({
      sector: 's',
      mode: 'paper',
      decidedAt: new Date(0),
      config: {valid: true, problems: [], sectorFound: true},
      secrets: [dangling],
      approvals: [],
      platform: 'linux',
    })
    expect(decision.rules.find((r) => r.rule === 'secrets-private')).toEqual({
      rule: 'secrets-private',
      status: 'warn',
      detail: `.env.dangling is a symbolic link to ${join(root, 'nowhere')}, which does not exist; rick does not follow symlinks for secrets files`,
    })
  })
})
