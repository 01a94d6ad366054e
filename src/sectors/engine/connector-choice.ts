// Which connector a sector runs on, and so which mode really runs. This version of rick has only
// the paper venue: no sector plugin provides a real connector yet. Every sector therefore runs on
// the paper venue with synthetic data, and the mode that runs — the one the charter judges and the
// journal records — is `paper` (or `observe`, which sends nothing anyway). Live refuses to fall
// back (fail closed): a person asked for real money and must not silently get a simulation.
import type {Mode, SectorConfig} from '../../foundation/config/types.js'
import {CharterDenied, UsageError} from '../../foundation/errors.js'
import type {SectorDefinition} from '../definition.js'

export interface ConnectorChoice {
  requestedMode: Mode
  effectiveMode: Mode
  /** `paper venue` for now. */
  venueLabel: string
  /** Said plainly on the first lines and journaled in RUN_STARTED. */
  notice?: string
}

export interface CredentialFacts {
  /** Variable names the venue needs in the requested mode. */
  required: string[]
  /** Those not set in the environment or the sector's secrets files. */
  missing: string[]
}

export function chooseConnector(sector: SectorConfig, definition: Pick<SectorDefinition, 'modes'> | undefined, requested: Mode, credentials: CredentialFacts): ConnectorChoice {
  if (definition && !definition.modes.includes(requested)) {
    throw new UsageError(`venue ${sector.venue} supports ${definition.modes.join(', ')}; not ${requested}`, 'MODE_NOT_SUPPORTED')
  }
  const name = sector.name
  if (requested === 'observe' || requested === 'paper') {
    return {requestedMode: requested, effectiveMode: requested, venueLabel: 'paper venue'}
  }
  const why =
    credentials.missing.length > 0
      ? `no credentials (${credentials.missing.join(', ')})`
      : `this version of rick has no real ${sector.venue} connector yet`
  if (requested === 'live') {
    throw new CharterDenied(
      `${name}: live refuses to start: ${why}, and live never falls back to the paper venue (fail closed). ` +
        `Run \`rick run ${name} --paper\` to trade on the paper venue instead.`,
      'LIVE_NO_FALLBACK',
    )
  }
  return {
    requestedMode: requested,
    effectiveMode: 'paper',
    venueLabel: 'paper venue',
    notice: `${name}: ${why} → running on the paper venue with synthetic data; effective mode: paper`,
  }
}
