// Whether @stoqey/ib can be loaded, answered by resolving it (cheap) instead of importing it.
import type {SdkStatus, SectorHookOptions} from '../../../src/sectors/definition.js'

export const SDK_PACKAGE = '@stoqey/ib'
export const SDK_ENTRY = '@stoqey/ib'

/** Resolved (not imported) from this plugin's location by core's resolver, handed over by the hook. */
export function sdkStatus(resolveSdk: SectorHookOptions['resolveSdk']): SdkStatus {
  return resolveSdk(SDK_PACKAGE, SDK_ENTRY, import.meta.url)
}

/** Imports the SDK for real (slow): `rick sectors list --deep` uses it to prove it loads. */
export async function loadSdk(): Promise<void> {
  // A variable specifier keeps TypeScript from type-loading the SDK and bundlers from inlining it.
  const entry: string = SDK_ENTRY
  await import(entry)
}
