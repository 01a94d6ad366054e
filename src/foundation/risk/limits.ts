// The limits a sector's risk gate enforces: the profile (with the sector's `risk:` overrides) capped
// key by key by the charter's hard limits — the tighter wins — plus, in canary mode, the sector's
// canary block capped by the charter's canary caps. Amounts leave here as integer Micro so the gate
// never compares floats of money.
import {effectiveCanaryCaps, effectiveLimits, type CharterLimits} from '../charter/limits.js'
import {profileLimits} from '../config/profiles.js'
import type {CanaryCaps, Mode, RiskLimits, SectorConfig} from '../config/types.js'
import {fromMicro, toMicro} from '../domain/money.js'
import type {EffectiveLimits} from './types.js'

/**
 * Effective limits from a profile's limits (overrides already applied, see profileLimits()) and the
 * charter. `canary` is the sector's own canary block; it only counts when `mode` is `canary`, where
 * the charter's canary caps apply even when the sector has no block.
 */
export function effectiveRiskLimits(
  profile: RiskLimits,
  hard: CharterLimits,
  mode: Mode,
  canary?: CanaryCaps,
): EffectiveLimits {
  const capped = effectiveLimits(profile, hard.risk)
  const limits: EffectiveLimits = {
    maxOrderNotional: toMicro(capped.maxOrderNotional),
    maxPositionNotional: toMicro(capped.maxPositionNotional),
    maxOpenOrders: capped.maxOpenOrders,
    dailyLossCap: toMicro(capped.dailyLossCap),
    maxDrawdownPct: capped.maxDrawdownPct,
    consecutiveLossHalt: capped.consecutiveLossHalt,
    maxTradesPerDay: capped.maxTradesPerDay,
    maxOrdersPerMinute: capped.maxOrdersPerMinute,
    // The charter schema accepts only `false`; read it anyway so the rule has one source.
    allowLeverage: hard.allowLeverage,
  }
  if (mode === 'canary') {
    const caps = effectiveCanaryCaps(canary, hard.canary)
    limits.canary = {
      maxOrderNotional: toMicro(caps.maxOrderNotional),
      maxPositions: caps.maxPositions,
      dailyLossCap: toMicro(caps.dailyLossCap),
    }
  }
  assertValidLimits(limits)
  return limits
}

/** effectiveRiskLimits() for a validated sector, in the mode that actually runs (after any fallback). */
export function sectorRiskLimits(sector: SectorConfig, hard: CharterLimits, mode: Mode = sector.mode): EffectiveLimits {
  return effectiveRiskLimits(profileLimits(sector.profile, sector.risk), hard, mode, sector.canary)
}

/**
 * The limits as a flat record for RUN_STARTED: amounts back in account currency (exact, they came
 * from decimals), counts as they are, allowLeverage as 0/1, canary keys prefixed `canary.`.
 */
export function limitsForJournal(limits: EffectiveLimits): Record<string, number> {
  const out: Record<string, number> = {
    maxOrderNotional: fromMicro(limits.maxOrderNotional),
    maxPositionNotional: fromMicro(limits.maxPositionNotional),
    maxOpenOrders: limits.maxOpenOrders,
    dailyLossCap: fromMicro(limits.dailyLossCap),
    maxDrawdownPct: limits.maxDrawdownPct,
    consecutiveLossHalt: limits.consecutiveLossHalt,
    maxTradesPerDay: limits.maxTradesPerDay,
    maxOrdersPerMinute: limits.maxOrdersPerMinute,
    allowLeverage: limits.allowLeverage ? 1 : 0,
  }
  if (limits.canary) {
    out['canary.maxOrderNotional'] = fromMicro(limits.canary.maxOrderNotional)
    out['canary.maxPositions'] = limits.canary.maxPositions
    out['canary.dailyLossCap'] = fromMicro(limits.canary.dailyLossCap)
  }
  return out
}

/**
 * Throws when a limit is not a usable number. A NaN limit would make every comparison false and
 * silently let orders through, so a gate is never built on one (deny on error starts here).
 */
export function assertValidLimits(limits: EffectiveLimits): void {
  const bad: string[] = []
  const amount = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 0) bad.push(`${name}=${v} (expected a non-negative integer of micro units)`)
  }
  const count = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 0) bad.push(`${name}=${v} (expected a non-negative integer)`)
  }
  amount('maxOrderNotional', limits.maxOrderNotional)
  amount('maxPositionNotional', limits.maxPositionNotional)
  count('maxOpenOrders', limits.maxOpenOrders)
  amount('dailyLossCap', limits.dailyLossCap)
  if (!Number.isFinite(limits.maxDrawdownPct) || limits.maxDrawdownPct < 0 || limits.maxDrawdownPct > 100) {
    bad.push(`maxDrawdownPct=${limits.maxDrawdownPct} (expected a percentage 0-100)`)
  }
  count('consecutiveLossHalt', limits.consecutiveLossHalt)
  count('maxTradesPerDay', limits.maxTradesPerDay)
  count('maxOrdersPerMinute', limits.maxOrdersPerMinute)
  if (typeof limits.allowLeverage !== 'boolean') bad.push(`allowLeverage=${String(limits.allowLeverage)} (expected a boolean)`)
  if (limits.canary) {
    amount('canary.maxOrderNotional', limits.canary.maxOrderNotional)
    count('canary.maxPositions', limits.canary.maxPositions)
    amount('canary.dailyLossCap', limits.canary.dailyLossCap)
  }
  if (bad.length > 0) throw new RangeError(`invalid risk limits: ${bad.join('; ')}`)
}
