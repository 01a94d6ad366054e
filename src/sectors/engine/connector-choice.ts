// Which connector a sector runs on, and so which mode really runs.
//
// | mode asked            | the venue's connector is used when…                         | otherwise                 |
// |-----------------------|-------------------------------------------------------------|---------------------------|
// | observe               | never (intents are journaled, nothing is sent)              | paper venue               |
// | paper                 | the venue has a paper account of its own (IBKR 7497) and    | paper venue               |
// |                       | the SDK loads and the credentials are set                   |                           |
// | practice, canary      | the plugin provides a connector, its SDK loads and the      | paper venue, said loudly; |
// |                       | credentials are set                                         | effective mode: paper     |
// | live                  | the same                                                    | refused (exit 3): live    |
// |                       |                                                             | never falls back          |
//
// A fallback rehearses the mode that was asked for (its risk limits, canary caps included); the
// mode that runs — the one the charter judges and the journal records — is paper.
import type {Mode, SectorConfig} from '../../foundation/config/types.js'
import {CharterDenied, UsageError} from '../../foundation/errors.js'
import type {SectorDefinition} from '../definition.js'

export interface ConnectorChoice {
  requestedMode: Mode
  effectiveMode: Mode
  /** `paper venue`, or the venue's connector (`oanda connector`). */
  venueLabel: string
  /** True when the venue's own connector runs (a broker, or its simulator). */
  real: boolean
  /** Said plainly on the first lines and journaled in RUN_STARTED. */
  notice?: string
}

export interface CredentialFacts {
  /** Variable names the venue needs in the requested mode. */
  required: string[]
  /** Those not set in the environment or the sector's secrets files. */
  missing: string[]
}

type Definition = Pick<SectorDefinition, 'modes'> & Partial<Pick<SectorDefinition, 'createConnector' | 'sdkStatus' | 'paperAccount'>>

const VENUE_MODES: readonly Mode[] = ['practice', 'canary', 'live']

export function chooseConnector(sector: SectorConfig, definition: Definition | undefined, requested: Mode, credentials: CredentialFacts): ConnectorChoice {
  if (definition && !definition.modes.includes(requested)) {
    throw new UsageError(`venue ${sector.venue} supports ${definition.modes.join(', ')}; not ${requested}`, 'MODE_NOT_SUPPORTED')
  }
  const name = sector.name
  const needsVenue = VENUE_MODES.includes(requested) || (requested === 'paper' && definition?.paperAccount === true)
  if (!needsVenue) return {requestedMode: requested, effectiveMode: requested, venueLabel: 'paper venue', real: false}
  const sdk = definition?.sdkStatus?.()
  // Missing credentials first: it is what a person can fix.
  const why =
    credentials.missing.length > 0
      ? `no credentials (${credentials.missing.join(', ')})`
      : definition?.createConnector === undefined
        ? `this version of rick has no real ${sector.venue} connector yet`
        : sdk !== undefined && !sdk.loadable
          ? `the ${sdk.package} SDK cannot be loaded${sdk.detail ? ` (${sdk.detail})` : ''}`
          : undefined
  if (why === undefined) return {requestedMode: requested, effectiveMode: requested, venueLabel: `${sector.venue} connector`, real: true}
  if (requested === 'paper') {
    return {requestedMode: requested, effectiveMode: 'paper', venueLabel: 'paper venue', real: false, notice: `${name}: ${why} → rick's paper venue instead of ${sector.venue}'s paper account`}
  }
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
    real: false,
    notice: `${name}: ${why} → running on the paper venue with synthetic data; effective mode: paper (the charter judges this run as paper; \`rick charter check ${name} --mode ${requested}\` shows what ${requested} at the venue needs)`,
  }
}
