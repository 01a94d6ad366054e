// Whether ccxt can be loaded, answered by resolving it (cheap) instead of importing it.
import type {SdkStatus, SectorHookOptions} from '../../../src/sectors/definition.js'

export const SDK_PACKAGE = 'ccxt'
/** ccxt hides package.json behind `exports`; resolveSdk finds it anyway. Its whole bundle costs ~0.4 s; the connector imports only coinbase (~0.14 s). */
export const SDK_ENTRY = 'ccxt'

/** Resolved (not imported) from this plugin's location by core's resolver, handed over by the hook. */
export function sdkStatus(resolveSdk: SectorHookOptions['resolveSdk']): SdkStatus {
  return resolveSdk(SDK_PACKAGE, SDK_ENTRY, import.meta.url)
}

/**
 * Imports what the connector imports (ccxt's coinbase exchange alone, not the bundle of every
 * exchange): `rick sectors list --deep` uses it to prove it loads.
 */
export async function loadSdk(): Promise<void> {
  await (await import('./rest.js')).importCcxtCoinbase()
}
