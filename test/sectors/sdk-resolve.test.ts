import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {resolveSdk} from '../../src/sectors/sdk-resolve.js'
import {REPO_ROOT} from '../helpers/cli.js'

describe('resolveSdk', () => {
  it('finds an installed SDK and its version without importing it', () => {
    const status = resolveSdk('@stoqey/ib', '@stoqey/ib', import.meta.url)
    expect(status).toMatchObject({package: '@stoqey/ib', loadable: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/)})
  })
  it('reports a package that is not installed as not loadable', () => {
    expect(existsSync(join(REPO_ROOT, 'node_modules/rick-no-such-sdk'))).toBe(false)
    expect(resolveSdk('rick-no-such-sdk', 'rick-no-such-sdk', import.meta.url)).toEqual({
      package: 'rick-no-such-sdk',
      loadable: false,
      detail: 'rick-no-such-sdk is not installed (cannot be resolved from the plugin)',
    })
  })
  it('reports an installed package whose entry does not resolve', () => {
    // @oanda/v20 has no main entry: the bare specifier does not resolve.
    expect(resolveSdk('@oanda/v20', '@oanda/v20', import.meta.url)).toMatchObject({package: '@oanda/v20', loadable: false, version: expect.any(String), detail: expect.stringContaining('does not resolve')})
  })
})
