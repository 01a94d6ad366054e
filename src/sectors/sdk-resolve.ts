// Whether a broker SDK can be loaded, answered by resolving it (cheap) instead of importing it
// (ccxt alone costs ~0.4 s). Handed to plugins through the `rick:sectors` hook options, so that
// every plugin answers the same way without importing core at run time.
import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'

import type {SdkStatus} from './definition.js'

/** Resolves `entry` and reads the version of package `name` as Node would from `fromUrl`, without loading it. */
export function resolveSdk(name: string, entry: string, fromUrl: string): SdkStatus {
  const require = createRequire(fromUrl)
  let packageJson: string | undefined
  try {
    packageJson = require.resolve(`${name}/package.json`)
  } catch (error) {
    // A package whose `exports` hides package.json is still there: look where Node would.
    if (codeOf(error) === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      packageJson = (require.resolve.paths(name) ?? []).map((dir) => join(dir, name, 'package.json')).find((p) => existsSync(p))
    }
  }
  if (!packageJson) return {package: name, loadable: false, detail: `${name} is not installed (cannot be resolved from the plugin)`}
  let version: string | undefined
  try {
    version = (JSON.parse(readFileSync(packageJson, 'utf8')) as {version?: string}).version
  } catch {
    version = undefined
  }
  try {
    require.resolve(entry)
  } catch (error) {
    return {package: name, loadable: false, version, detail: `${entry} does not resolve: ${codeOf(error) ?? String(error)}`}
  }
  return {package: name, loadable: true, version}
}

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as {code: unknown}).code) : undefined
}
