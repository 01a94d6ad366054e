import type {ProfileName, RiskLimits} from './types.js'

// Concrete numbers behind each named profile, in account currency (USD for the built-in
// sectors). Balanced is the default. A sector's `risk:` overrides replace single values; the
// charter's hard limits then cap whatever results (the tighter wins).
export const RISK_PROFILES: Readonly<Record<ProfileName, Readonly<RiskLimits>>> = {
  Conservative: {
    maxOrderNotional: 500,
    maxPositionNotional: 1_000,
    maxOpenOrders: 2,
    dailyLossCap: 50,
    maxDrawdownPct: 5,
    consecutiveLossHalt: 3,
    maxTradesPerDay: 10,
    maxOrdersPerMinute: 6,
  },
  Balanced: {
    maxOrderNotional: 2_000,
    maxPositionNotional: 5_000,
    maxOpenOrders: 4,
    dailyLossCap: 200,
    maxDrawdownPct: 10,
    consecutiveLossHalt: 5,
    maxTradesPerDay: 30,
    maxOrdersPerMinute: 12,
  },
  Aggressive: {
    maxOrderNotional: 10_000,
    maxPositionNotional: 25_000,
    maxOpenOrders: 10,
    dailyLossCap: 1_000,
    maxDrawdownPct: 20,
    consecutiveLossHalt: 8,
    maxTradesPerDay: 100,
    maxOrdersPerMinute: 30,
  },
}

export const DEFAULT_PROFILE: ProfileName = 'Balanced'

/** The profile's limits with the sector's overrides applied (before the charter caps them). */
export function profileLimits(profile: ProfileName, overrides: Partial<RiskLimits> = {}): RiskLimits {
  return {...RISK_PROFILES[profile], ...overrides}
}
