// The contract between core and a sector plugin. A plugin's oclif hook `rick:sectors` returns one
// or more SectorDefinition objects; core never imports a plugin's code any other way. Plugins
// import this file for types only (`import type`), so nothing here may need runtime values.
import type {Diagnostic} from '../foundation/errors.js'
import type {Mode, SectorConfig} from '../foundation/config/types.js'

/** A JSON Schema fragment (draft-07 subset understood by ajv). */
export type JsonSchema = Record<string, unknown>

/** A problem a venue finds in its own part of a sector, located by a path under the sector. */
export interface VenueIssue {
  /** Path relative to the sector, e.g. `/instruments/2` or `/connection/port`. */
  path: string
  message: string
  code: string
  expected?: string
  found?: string
  severity?: 'error' | 'warning'
}

export interface SdkStatus {
  /** npm package the connector needs, e.g. `ccxt`. */
  package: string
  /** True when the package resolves from the plugin; checked without importing it (cheap). */
  loadable: boolean
  version?: string
  detail?: string
}

export interface SectorDefinition {
  /** Venue id used in config (`venue: oanda`); unique across plugins. */
  venue: string
  /** One line for `rick sectors list` and `--help`. */
  description: string
  /** Modes this venue can run; the charter denies the others. */
  modes: readonly Mode[]
  /** Schema of `sectors.<name>.connection` for this venue (unknown keys should be rejected). */
  connectionSchema: JsonSchema
  /** Schema of one entry of `sectors.<name>.instruments`. */
  instrumentSchema: JsonSchema
  /**
   * Names of the environment variables that hold this sector's secrets in the given mode,
   * read from the connection block (e.g. `tokenEnv: OANDA_API_TOKEN`). Empty when the mode
   * needs none (observe, paper).
   */
  credentialVariables(sector: SectorConfig, mode: Mode): string[]
  /** Venue rules that JSON Schema cannot express (cross-field). */
  check?(sector: SectorConfig): VenueIssue[]
  /** Whether the broker SDK can be loaded; must not import the SDK itself. */
  sdkStatus(): SdkStatus
}

/** What the hook receives: a versioned handle to core's public API. */
export interface SectorHookOptions {
  apiVersion: 1
}

/** A registered definition with the plugin that provided it. */
export interface RegisteredSector {
  definition: SectorDefinition
  plugin: {name: string; version: string; type: string; root: string}
}

export type {Diagnostic}

/** The sector definitions provided by the loaded plugins. */
export interface SectorRegistry {
  list(): RegisteredSector[]
  get(venue: string): RegisteredSector | undefined
  /** Plugins whose `rick:sectors` hook threw or returned something invalid. */
  failures: Array<{plugin: string; error: string}>
}
