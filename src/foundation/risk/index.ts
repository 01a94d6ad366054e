// The risk gate's public surface: limits, the gate, trading states and the session clock.
export type {DenyCode, EffectiveLimits, RiskDecision, RiskGate, RiskSnapshot, TradingState} from './types.js'
export {DENY_CODES} from './types.js'
export {assertValidLimits, effectiveRiskLimits, limitsForJournal, sectorRiskLimits} from './limits.js'
export {createRiskGate, isReducing, ORDER_RATE_WINDOW_MS, signedQty} from './gate.js'
export {
  RISK_STATE_CODES,
  TradingStateMachine,
  type RiskMetrics,
  type RiskStateCode,
  type RiskTransition,
  type RiskTrigger,
  type TradingStateOptions,
} from './state.js'
export {sessionClock, type SessionClock} from './session.js'
