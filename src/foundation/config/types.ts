// The typed shape of config/trading_sectors.yaml after validation. The JSON Schema in
// schema.ts is the source of truth for what is accepted; these types mirror it.

export const MODES = ['observe', 'paper', 'practice', 'canary', 'live'] as const
export type Mode = (typeof MODES)[number]

export const PROFILE_NAMES = ['Conservative', 'Balanced', 'Aggressive'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]

/**
 * Risk limits in the sector's account currency. Amounts are decimal numbers as the user writes
 * them in YAML; the engine converts them to integer minor units before doing arithmetic.
 */
export interface RiskLimits {
  maxOrderNotional: number
  maxPositionNotional: number
  maxOpenOrders: number
  dailyLossCap: number
  /** Percent drop from the session day's highest equity, 0-100. */
  maxDrawdownPct: number
  consecutiveLossHalt: number
  maxTradesPerDay: number
  maxOrdersPerMinute: number
}
export type RiskOverrides = Partial<RiskLimits>

export interface CanaryCaps {
  maxOrderNotional: number
  maxPositions: number
  dailyLossCap: number
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const
export type Weekday = (typeof WEEKDAYS)[number]

export interface SessionWindow {
  days: Weekday[]
  /** "HH:MM", 24h, in the session's timezone. */
  start: string
  /** "HH:MM"; an end before the start means the window runs past midnight. */
  end: string
}

export interface SessionConfig {
  /** IANA zone, e.g. America/New_York. */
  timezone: string
  windows: SessionWindow[]
  /** "HH:MM": positions are flattened at this time each trading day. */
  flattenAt?: string
}

export interface FeeScheduleConfig {
  makerBps: number
  takerBps: number
  perUnit?: number
  minPerFill?: number
  maxBps?: number
}

export interface PaperSettings {
  fees?: Partial<FeeScheduleConfig> & {byKind?: Record<string, FeeScheduleConfig>}
  slippageBps?: number
  /** Account currency units (decimal, as written in YAML). */
  startingCash?: number
}

export interface StrategyRef {
  name: string
  params: Record<string, unknown>
  /** The sandbox's budgets (defaults: 250 ms a call, 256 MB of heap). */
  budget?: {callMs?: number; memoryMb?: number}
}

/** Venue-specific instrument: a string (`EUR_USD`, `BTC-USD`) or an object (IBKR contract). */
export type InstrumentSpec = string | Record<string, unknown>

export interface SectorConfig {
  /** The key under `sectors:`. */
  name: string
  /** Which registered sector definition (plugin) runs this sector. */
  venue: string
  enabled: boolean
  mode: Mode
  profile: ProfileName
  risk: RiskOverrides
  instruments: InstrumentSpec[]
  strategy: StrategyRef
  session?: SessionConfig
  canary?: CanaryCaps
  /** How the paper venue simulates this sector; omitted fields take the venue's defaults. */
  paper?: PaperSettings
  /** Bar length: 5s, 15s, 1m (default), 5m, 15m, 1h, 1d (barPeriodMs() turns it into ms). */
  barPeriod?: string
  /** How a run at the venue watches it; durations as written (`15s`), see durationMs(). */
  live?: {warmupBars?: number; staleAfter?: string; reconcileEvery?: string}
  /** Venue-specific; credential fields hold environment variable NAMES, never values. */
  connection: Record<string, unknown>
  /** Extra dotenv-style files that hold this sector's secrets (checked for permissions). */
  secretsFiles: string[]
}

/** What a notification endpoint can be told about (see src/sectors/notify/notifier.ts). */
export const NOTIFY_KINDS = ['halt', 'reject', 'reconcile', 'stale', 'crash', 'fill', 'summary'] as const
export type NotifyKind = (typeof NOTIFY_KINDS)[number]
/** The kinds an endpoint gets when it does not say: all but fills (one per trade is noise for most). */
export const DEFAULT_NOTIFY_KINDS: readonly NotifyKind[] = NOTIFY_KINDS.filter((k) => k !== 'fill')
export const NOTIFY_STYLES = ['webhook', 'slack', 'discord', 'telegram'] as const
export type NotifyStyle = (typeof NOTIFY_STYLES)[number]

/** One notification endpoint; secrets (tokens, URLs that hold one) by variable NAME only. */
export interface NotifyEndpointConfig {
  name: string
  style: NotifyStyle
  url?: string
  urlEnv?: string
  tokenEnv?: string
  chatId?: string
  events: NotifyKind[]
  /** As written (`5s`), see durationMs(). */
  timeout: string
  queue: number
}

export interface NotifyConfig {
  endpoints: NotifyEndpointConfig[]
}

export interface RickConfig {
  version: 1
  sectors: Record<string, SectorConfig>
  notify?: NotifyConfig
}

/** A validated config plus where it came from. */
export interface LoadedConfig {
  file: string
  /** sha256 of the canonical JSON of `config`. */
  hash: string
  config: RickConfig
}

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** `500ms`, `15s`, `2m`, `1h`, `1d` in milliseconds; NaN for anything else. */
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : Number.NaN
}

/** The sector's bar length in ms (1 minute unless it says otherwise). */
export function barPeriodMs(sector: Pick<SectorConfig, 'barPeriod'>): number {
  return durationMs(sector.barPeriod ?? '1m')
}
