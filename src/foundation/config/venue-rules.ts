// What config validation needs to know about a venue. Foundation defines it (it may not import
// src/sectors); a plugin's SectorDefinition extends it.
import type {Mode, SectorConfig} from './types.js'

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

export interface VenueRules {
  /** Venue id used in config (`venue: oanda`); unique across plugins. */
  venue: string
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
}
