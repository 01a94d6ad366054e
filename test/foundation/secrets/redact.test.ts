import {describe, expect, it} from 'vitest'

import {isSecretKey, maskSecret, redactConfigForDisplay, redactSecrets} from '../../../src/foundation/secrets/redact.js'

describe('maskSecret', () => {
  it('shows only the ends of long values and nothing of short ones', () => {
    expect(maskSecret('abcd1234efgh5678wxyz')).toBe('abcd…wxyz')
    expect(maskSecret('hunter2')).toBe('••••')
    expect(maskSecret('')).toBe('••••')
  })
})

describe('redactSecrets', () => {
  it('masks every occurrence inside nested strings, leaving the input untouched', () => {
    const secret = 'tok-1234567890abcdef'
    const input = {a: `Bearer ${secret}`, list: [secret, 'plain', 3], nested: {deep: `${secret}/${secret}`}}
    const out = redactSecrets(input, [secret, ''])
    expect(JSON.stringify(out)).not.toContain(secret)
    expect(out).toEqual({a: 'Bearer tok-…cdef', list: ['tok-…cdef', 'plain', 3], nested: {deep: 'tok-…cdef/tok-…cdef'}})
    expect(input.a).toBe(`Bearer ${secret}`)
  })

  it('masks the longer secret first when one contains another', () => {
    expect(redactSecrets('x=abcdefghijklmnopqrstuvwxyz', ['abcdefgh', 'abcdefghijklmnopqrstuvwxyz'])).toBe('x=abcd…wxyz')
  })
})

describe('redactConfigForDisplay', () => {
  it('masks secret-looking keys but keeps variable names in *Env keys', () => {
    const out = redactConfigForDisplay({
      connection: {tokenEnv: 'OANDA_API_TOKEN', apiSecretEnv: 'CB_SECRET', token: 'abcdefghijklmnopqrstuvwxyz', password: 'pw', privateKey: 42, port: 7497},
      strategy: {params: {apiKey: 'short'}},
      credentials: {password: {value: 'abcdefghijklmnopqrstuvwxyz', list: ['x']}},
    })
    expect(out).toEqual({
      credentials: {password: {value: 'abcd…wxyz', list: ['••••']}},
      connection: {tokenEnv: 'OANDA_API_TOKEN', apiSecretEnv: 'CB_SECRET', token: 'abcd…wxyz', password: '••••', privateKey: '••••', port: 7497},
      strategy: {params: {apiKey: '••••'}},
    })
  })

  it('knows which keys are secret', () => {
    expect(['token', 'apiKey', 'api_key', 'passphrase', 'clientSecret', 'private_key'].every(isSecretKey)).toBe(true)
    expect(['tokenEnv', 'apiKeyEnv', 'host', 'accountId'].some(isSecretKey)).toBe(false)
  })
})
