import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'

import {resolveSecretsFiles, secretsBase} from '../../../src/foundation/secrets/secrets-base.js'

describe('secretsBase', () => {
  it('is the project (the folder above config/) for a config inside config/', () => {
    expect(secretsBase('/srv/rick/config/trading_sectors.yaml')).toBe('/srv/rick')
    expect(secretsBase('/srv/rick/config/prod.yaml')).toBe('/srv/rick')
  })

  it("is the config file's own folder anywhere else", () => {
    expect(secretsBase('/srv/rick/ops/prod/trading_sectors.yaml')).toBe('/srv/rick/ops/prod')
    expect(secretsBase('/srv/rick/configs/trading_sectors.yaml')).toBe('/srv/rick/configs')
  })

  it('resolves a relative config path from the working directory', () => {
    expect(secretsBase(join('config', 'trading_sectors.yaml'))).toBe(process.cwd())
    expect(secretsBase('local.yaml')).toBe(process.cwd())
  })
})

describe('resolveSecretsFiles', () => {
  it('keeps the order, resolves relative names from the base and leaves absolute ones alone', () => {
    expect(resolveSecretsFiles('/srv/rick/config/trading_sectors.yaml', ['.env', 'secrets/.env.coinbase', '/etc/rick/oanda.env', '../shared/.env'])).toEqual([
      '/srv/rick/.env',
      '/srv/rick/secrets/.env.coinbase',
      '/etc/rick/oanda.env',
      resolve('/srv/shared/.env'),
    ])
  })

  it('no secretsFiles: none', () => {
    expect(resolveSecretsFiles('/srv/rick/config/trading_sectors.yaml', undefined)).toEqual([])
    expect(resolveSecretsFiles('/srv/rick/config/trading_sectors.yaml', [])).toEqual([])
  })
})
