// The lines `rick run` prints as the engine works: one per decision, order, fill, denial, state
// change, strategy error. Time is the engine clock (the bar's time), in UTC.
import type {EngineClock} from '../../foundation/clock.js'
import {formatMicro} from '../../foundation/domain/money.js'
import type {EngineObserver} from './engine.js'
import {describeFill, describeOrder, formatQty, formatTs} from './format.js'

const pad = (label: string) => label.padEnd(9)

/** The run's observer, and flush() for what it holds back (a repeated denial's count) at the end. */
export type RunLog = EngineObserver & {flush(): void}

export function runLog(clock: EngineClock, print: (text: string) => void, notice: (text: string) => void): RunLog {
  const at = () => formatTs(clock.now())
  // A strategy that asks bar after bar for an order the gate denies would print two lines per bar
  // (its decision and the denial): the first pair is printed, its repeats (same order shape, same
  // code) are counted, and the count is said once something else happens or the run ends. So a
  // decision waits until its outcome is known.
  let repeat: {key: string; count: number; last: string} | undefined
  let decision: string | undefined
  const flush = (): void => {
    if (repeat !== undefined && repeat.count > 0) print(`${' '.repeat(18)}${pad('')}(decided and denied again ${repeat.count} time${repeat.count === 1 ? '' : 's'}, the same way, until ${repeat.last})`)
    repeat = undefined
    if (decision !== undefined) print(decision)
    decision = undefined
  }
  const line = (text: string): void => {
    flush()
    print(text)
  }
  return {
    flush,
    signal(signal, position) {
      const text = `${at()}  ${pad('decision')}${signal.instrument} target ${Number(signal.target.toPrecision(8))} (now ${formatQty(position)}): ${signal.reason}`
      if (decision !== undefined) line(decision)
      decision = text
      // Its outcome (an order, a denial) comes in the same call; a decision without one (nothing to
      // do) is printed as soon as that call is over, not with the next line minutes later.
      queueMicrotask(() => {
        if (decision === text) flush()
      })
    },
    intent(order, _reason, sent) {
      line(`${at()}  ${pad('order')}${describeOrder(order)}  ${sent ? '' : '(observe: not sent) '}[${order.clientOrderId}]`)
    },
    denied(order, code, detail) {
      const key = `${order.instrument} ${order.side} ${order.type} ${order.reduceOnly === true} ${code}`
      if (repeat !== undefined && repeat.key === key) {
        repeat.count++
        repeat.last = at()
        decision = undefined
        return
      }
      line(`${at()}  ${pad('DENIED')}${describeOrder(order)}: ${code}: ${detail}`)
      repeat = {key, count: 0, last: at()}
    },
    venue(event) {
      if (event.kind === 'reject') line(`${at()}  ${pad('REJECTED')}[${event.clientOrderId}] ${event.code}: ${event.reason}`)
      else if (event.kind === 'cancel') line(`${at()}  ${pad('cancel')}[${event.clientOrderId}] ${event.reason}`)
      else if (event.kind === 'expire') line(`${at()}  ${pad('expired')}[${event.clientOrderId}]`)
    },
    fill(fill, after, realized) {
      const pnl = realized !== 0 ? `, realized ${formatMicro(realized)}` : ''
      line(`${at()}  ${pad('fill')}${describeFill(fill)} → position ${formatQty(after)}${pnl}`)
    },
    unconfirmed(id, error) {
      line(`${at()}  ${pad('UNKNOWN')}[${id}] submit outcome unknown (${error}); asking the venue, never sending it again`)
    },
    riskState(t) {
      line(`${at()}  ${pad('state')}${t.from} → ${t.to} (${t.code}): ${t.reason}`)
    },
    strategyError(fault) {
      line(`${at()}  ${pad('ERROR')}strategy failed in ${fault.phase}: ${fault.message} — sector HALTED`)
    },
    notice(message) {
      notice(`rick: ${message}`)
    },
  }
}
