// The risk gate: every order the engine wants to send passes check() first. It is a pure function
// of the order, the limits and a snapshot of the sector; it keeps no state between calls (the
// trading state, the day's P&L and the counters arrive in the snapshot), so a backtest, a replay
// and a live run judge the same order the same way.
//
// A cancel never goes through the gate: cancelling only ever removes risk, so the engine sends
// cancels in every state, HALTED included ("HALTED: only cancels pass"). Every order that does come
// here is denied in HALTED.
//
// An order is REDUCING when it moves the current position toward zero without crossing it
// (opposite side, qty ≤ |position|). Everything else ADDS risk — opening, increasing, and flipping
// (long 5, sell 8 → short 3 is adding, judged on the full order and the new short position).
// A `reduceOnly` order that would not reduce is malformed (INVALID_ORDER): the flag is a promise
// the engine made and the gate holds it to it.
//
// The rules, in the order they are checked (the first failure is the denial):
//
// | # | code                   | adding-risk order                                   | reducing order |
// |---|------------------------|-----------------------------------------------------|----------------|
// | 1 | HALTED                 | denied                                              | denied         |
// | 2 | INVALID_ORDER          | qty ≤ 0/NaN, bad side/type, missing/bad prices      | same           |
// | 3 | INVALID_ORDER          | —                                                   | reduceOnly that does not reduce |
// | 4 | ORDER_RATE             | orders in the last 60 s ≥ maxOrdersPerMinute        | same (loop and venue protection) |
// | 5 | REDUCING_ONLY          | state REDUCING                                      | passes         |
// | 6 | OUTSIDE_SESSION        | not inside a session window                         | passes         |
// | 7 | FLATTEN_DEADLINE       | flatten time of the session day has passed          | passes         |
// | 8 | DAILY_LOSS_CAP         | day's P&L ≤ −dailyLossCap (reaching the cap counts) | passes         |
// | 9 | CANARY_DAILY_LOSS      | canary: day's P&L ≤ −canary.dailyLossCap            | passes         |
// |10 | MAX_DRAWDOWN           | (dayPeak − equity) ≥ maxDrawdownPct % of dayPeak    | passes         |
// |11 | CONSECUTIVE_LOSSES     | losing trades in a row ≥ consecutiveLossHalt        | passes         |
// |12 | TRADES_PER_DAY         | orders today ≥ maxTradesPerDay                      | passes         |
// |13 | MAX_OPEN_ORDERS        | working orders ≥ maxOpenOrders (this would be one more) | passes     |
// |14 | NO_PRICE               | no last price for the instrument (or a held one, for 19) | passes    |
// |15 | MIN_NOTIONAL           | order notional < the instrument's minimum           | passes (a remainder must be closable) |
// |16 | MAX_ORDER_NOTIONAL     | order notional > maxOrderNotional (equal passes)    | passes (a flatten may be large) |
// |17 | CANARY_ORDER_NOTIONAL  | canary: order notional > canary.maxOrderNotional    | passes         |
// |18 | MAX_POSITION           | |position after the fill| notional > maxPositionNotional | passes    |
// |19 | CANARY_POSITIONS       | canary: opens a position while maxPositions are held or about to be (working entries on other flat instruments count) | passes |
// |20 | LEVERAGE               | no leverage: gross exposure after the fill > equity | passes         |
// |   | RISK_ERROR             | anything thrown inside check (deny on error)        | same           |
//
// Notional = qty × price × multiplier in Micro, where price is the most conservative one the order
// could trade at: max(last price, limit price, stop price). The gross exposure (20) values every
// other held instrument at its last price. Every comparison is written so that NaN fails closed.
import {formatMicro, notionalMicro, type Micro} from '../domain/money.js'
import type {OrderRequest} from '../domain/orders.js'
import {assertValidLimits} from './limits.js'
import type {DenyCode, EffectiveLimits, RiskDecision, RiskGate, RiskSnapshot} from './types.js'

/** The window the order rate is measured over. */
export const ORDER_RATE_WINDOW_MS = 60_000

/** The one accept decision: the accept path allocates nothing. */
const ACCEPT: RiskDecision = Object.freeze({ok: true})

/** Relative tolerance when comparing an exit's qty with the position (0.1 + 0.2 must still close 0.3). */
const QTY_EPSILON = 1e-9

/** Signed quantity of an order: positive buys, negative sells. */
export function signedQty(order: Pick<OrderRequest, 'side' | 'qty'>): number {
  return order.side === 'buy' ? order.qty : -order.qty
}

/**
 * Whether an order moves `position` toward zero without crossing it. Flat positions cannot be
 * reduced; a flip (qty beyond the position) is adding risk.
 */
export function isReducing(position: number, order: Pick<OrderRequest, 'side' | 'qty'>): boolean {
  if (position > 0) return order.side === 'sell' && order.qty <= position * (1 + QTY_EPSILON)
  if (position < 0) return order.side === 'buy' && order.qty <= -position * (1 + QTY_EPSILON)
  return false
}

function deny(code: DenyCode, detail: string): RiskDecision {
  return {ok: false, code, detail}
}

const validPrice = (p: number | undefined): boolean => p === undefined || (Number.isFinite(p) && p > 0)

/** Why an order is malformed, or undefined when it is well formed. */
function malformed(order: OrderRequest): string | undefined {
  if (typeof order.instrument !== 'string' || order.instrument.length === 0) return 'order has no instrument'
  if (!(Number.isFinite(order.qty) && order.qty > 0)) return `qty must be a positive number, got ${order.qty}`
  if (order.side !== 'buy' && order.side !== 'sell') return `side must be buy or sell, got ${String(order.side)}`
  if (!validPrice(order.limitPrice)) return `limitPrice must be a positive number, got ${order.limitPrice}`
  if (!validPrice(order.stopPrice)) return `stopPrice must be a positive number, got ${order.stopPrice}`
  switch (order.type) {
    case 'market':
      return undefined
    case 'limit':
      return order.limitPrice === undefined ? 'limit order without limitPrice' : undefined
    case 'stop':
      return order.stopPrice === undefined ? 'stop order without stopPrice' : undefined
    case 'stop-limit':
      return order.limitPrice === undefined || order.stopPrice === undefined
        ? 'stop-limit order needs both stopPrice and limitPrice'
        : undefined
    default:
      return `unknown order type ${String(order.type)}`
  }
}

/** Cents, or more decimals when the amount has them (2000.0005 must not print as 2000.00). */
const money = (m: Micro) => formatMicro(m, 6).replace(/0{1,4}$/, '')

class Gate implements RiskGate {
  private readonly limits: EffectiveLimits
  private readonly drawdownPct: number
  private readonly allowLeverage: boolean
  // Scratch state of the exposure sum (forEach with a bound callback: no closure per check).
  private sumSnapshot: RiskSnapshot | undefined
  private sumSkip = ''
  private sumGross = 0
  private sumCount = 0
  private sumMissing: string | undefined
  private readonly addExposure: (qty: number, instrument: string) => void

  constructor(limits: EffectiveLimits) {
    assertValidLimits(limits)
    this.limits = {...limits, canary: limits.canary ? {...limits.canary} : undefined}
    this.drawdownPct = limits.maxDrawdownPct
    this.allowLeverage = limits.allowLeverage
    this.addExposure = (qty, instrument) => {
      if (qty === 0 || instrument === this.sumSkip) return
      this.sumCount++
      const s = this.sumSnapshot as RiskSnapshot
      const price = s.prices.get(instrument)
      const mult = s.multipliers.get(instrument)
      if (price === undefined || !(price > 0) || mult === undefined || !(mult > 0)) {
        this.sumMissing ??= instrument
        return
      }
      this.sumGross += notionalMicro(price, qty < 0 ? -qty : qty, mult)
    }
  }

  check(order: OrderRequest, snapshot: RiskSnapshot): RiskDecision {
    try {
      return this.evaluate(order, snapshot)
    } catch (error) {
      return deny('RISK_ERROR', `risk check failed, order denied: ${error instanceof Error ? error.message : String(error)}`)
    } finally {
      this.sumSnapshot = undefined
    }
  }

  private evaluate(order: OrderRequest, s: RiskSnapshot): RiskDecision {
    const L = this.limits
    const state = s.state
    if (state === 'HALTED') return deny('HALTED', 'sector is HALTED: only cancels pass')
    if (state !== 'ACTIVE' && state !== 'REDUCING') throw new Error(`unknown trading state ${String(state)}`)
    if (!Number.isFinite(s.now)) throw new Error(`snapshot time is not a number (${s.now})`)

    const bad = malformed(order)
    if (bad !== undefined) return deny('INVALID_ORDER', bad)
    const instrument = order.instrument
    const position = s.positions.get(instrument) ?? 0
    if (!Number.isFinite(position)) throw new Error(`position of ${instrument} is not a number (${position})`)
    const reducing = isReducing(position, order)
    if (order.reduceOnly === true && !reducing) {
      return deny('INVALID_ORDER', `reduceOnly ${order.side} ${order.qty} ${instrument} would not reduce the position ${position}`)
    }

    const times = s.recentOrderTimes
    const cutoff = s.now - ORDER_RATE_WINDOW_MS
    let recent = 0
    for (let i = 0; i < times.length; i++) if ((times[i] as number) > cutoff) recent++
    if (!(recent < L.maxOrdersPerMinute)) {
      return deny('ORDER_RATE', `${recent} orders in the last 60 s, limit ${L.maxOrdersPerMinute}`)
    }

    if (reducing) return ACCEPT

    if (state === 'REDUCING') return deny('REDUCING_ONLY', `sector is REDUCING: only orders that reduce a position pass`)
    if (s.inSession !== true) return deny('OUTSIDE_SESSION', 'outside the session windows: only reducing orders pass')
    if (s.pastFlatten !== false) return deny('FLATTEN_DEADLINE', 'past the flatten time of the session day: only reducing orders pass')

    if (!(s.dailyPnl > -L.dailyLossCap)) {
      return deny('DAILY_LOSS_CAP', `day's P&L ${money(s.dailyPnl)} has reached the daily loss cap ${money(L.dailyLossCap)}`)
    }
    const canary = L.canary
    if (canary !== undefined && !(s.dailyPnl > -canary.dailyLossCap)) {
      return deny('CANARY_DAILY_LOSS', `day's P&L ${money(s.dailyPnl)} has reached the canary daily loss cap ${money(canary.dailyLossCap)}`)
    }
    // Integer micro units times 100 stays exact far beyond any realistic equity (2^53 / 100 micro = 90 M).
    const drop = s.dayPeakEquity - s.equity
    if (!(drop * 100 < this.drawdownPct * s.dayPeakEquity)) {
      return deny(
        'MAX_DRAWDOWN',
        `equity ${money(s.equity)} is ${money(drop)} below the day's peak ${money(s.dayPeakEquity)}, limit ${this.drawdownPct}%`,
      )
    }
    if (!(s.consecutiveLosses < L.consecutiveLossHalt)) {
      return deny('CONSECUTIVE_LOSSES', `${s.consecutiveLosses} losing trades in a row, limit ${L.consecutiveLossHalt}`)
    }
    if (!(s.tradesToday < L.maxTradesPerDay)) {
      return deny('TRADES_PER_DAY', `${s.tradesToday} orders today, limit ${L.maxTradesPerDay}`)
    }
    if (!(s.openOrders < L.maxOpenOrders)) {
      return deny('MAX_OPEN_ORDERS', `${s.openOrders} orders working, limit ${L.maxOpenOrders}`)
    }

    const last = s.prices.get(instrument)
    if (last === undefined || !(Number.isFinite(last) && last > 0)) return deny('NO_PRICE', `no price known for ${instrument}`)
    const mult = s.multipliers.get(instrument)
    if (mult === undefined || !(Number.isFinite(mult) && mult > 0)) throw new Error(`no multiplier known for ${instrument}`)
    let price = last
    if (order.limitPrice !== undefined && order.limitPrice > price) price = order.limitPrice
    if (order.stopPrice !== undefined && order.stopPrice > price) price = order.stopPrice
    const orderNotional = notionalMicro(price, order.qty, mult)

    const min = s.minNotionals?.get(instrument)
    if (min !== undefined && min > 0 && !(orderNotional >= min)) {
      return deny('MIN_NOTIONAL', `order notional ${money(orderNotional)} is below ${instrument}'s minimum ${money(min)}`)
    }
    if (!(orderNotional <= L.maxOrderNotional)) {
      return deny('MAX_ORDER_NOTIONAL', `order notional ${money(orderNotional)} exceeds the limit ${money(L.maxOrderNotional)}`)
    }
    if (canary !== undefined && !(orderNotional <= canary.maxOrderNotional)) {
      return deny(
        'CANARY_ORDER_NOTIONAL',
        `order notional ${money(orderNotional)} exceeds the canary limit ${money(canary.maxOrderNotional)}`,
      )
    }
    const after = position + signedQty(order)
    const positionNotional = notionalMicro(price, after < 0 ? -after : after, mult)
    if (!(positionNotional <= L.maxPositionNotional)) {
      return deny(
        'MAX_POSITION',
        `position after the fill ${after} ${instrument} is worth ${money(positionNotional)}, limit ${money(L.maxPositionNotional)}`,
      )
    }

    const needOthers = (canary !== undefined && position === 0) || !this.allowLeverage
    if (needOthers) {
      this.sumSnapshot = s
      this.sumSkip = instrument
      this.sumGross = 0
      this.sumCount = 0
      this.sumMissing = undefined
      s.positions.forEach(this.addExposure)
      // A flip keeps one position; only opening a flat instrument adds one.
      if (canary !== undefined && position === 0) {
        const pending = s.pendingOpens ?? 0
        if (!(this.sumCount + pending < canary.maxPositions)) {
          return deny('CANARY_POSITIONS', `canary holds ${this.sumCount} position(s)${pending > 0 ? ` and has working entries on ${pending} more` : ''}, limit ${canary.maxPositions}`)
        }
      }
      if (!this.allowLeverage) {
        if (this.sumMissing !== undefined) return deny('NO_PRICE', `no price known for held ${this.sumMissing}`)
        const gross = this.sumGross + positionNotional
        if (!(gross <= s.equity)) {
          return deny('LEVERAGE', `gross exposure after the fill ${money(gross)} exceeds equity ${money(s.equity)} (no leverage)`)
        }
      }
    }
    return ACCEPT
  }
}

/** A gate enforcing `limits` (validated here: a gate is never built on a NaN or negative limit). */
export function createRiskGate(limits: EffectiveLimits): RiskGate {
  return new Gate(limits)
}
