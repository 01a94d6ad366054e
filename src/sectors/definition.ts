// The contract between core and a sector plugin. A plugin's oclif hook `rick:sectors` returns one
// or more SectorDefinition objects; core never imports a plugin's code any other way. Plugins
// import this file for types only (`import type`), so nothing here may need runtime values.
import type {InstrumentSpec} from '../foundation/config/types.js'
import type {JsonSchema, VenueIssue, VenueRules} from '../foundation/config/venue-rules.js'
import type {Instrument} from '../foundation/domain/instrument.js'

export type {JsonSchema, VenueIssue, VenueRules}

export interface SdkStatus {
  /** npm package the connector needs, e.g. `ccxt`. */
  package: string
  /** True when the package resolves from the plugin; checked without importing it (cheap). */
  loadable: boolean
  version?: string
  detail?: string
}

export interface SectorDefinition extends VenueRules {
  /** One line for `rick sectors list` and `--help`. */
  description: string
  /** Whether the broker SDK can be loaded; must not import the SDK itself. */
  sdkStatus(): SdkStatus
  /** Really imports the SDK (slow: ccxt takes ~0.4 s); used by `rick sectors list --deep`. */
  loadSdk?(): Promise<void>
  /** Tick, lot, multiplier… of one configured instrument (the engine sizes and rounds orders with it). */
  describeInstrument?(spec: InstrumentSpec): Instrument
}

/** What the hook receives: a versioned handle to core's public API (plugins import core for types only). */
export interface SectorHookOptions {
  apiVersion: 1
  /** Resolves (never imports) an SDK from the plugin's location: `resolveSdk('ccxt', 'ccxt', import.meta.url)`. */
  resolveSdk(name: string, entry: string, fromUrl: string): SdkStatus
}

/** A registered definition with the plugin that provided it. */
export interface RegisteredSector {
  definition: SectorDefinition
  plugin: {name: string; version: string; type: string; root: string}
}

/** The sector definitions provided by the loaded plugins. */
export interface SectorRegistry {
  list(): RegisteredSector[]
  get(venue: string): RegisteredSector | undefined
  /** Plugins whose `rick:sectors` hook threw or returned something invalid. */
  failures: Array<{plugin: string; error: string}>
}
