// The lines `rick run` prints as the engine works: one per decision, order, fill, denial, state
// change, strategy error. Time is the engine clock (the bar's time), in UTC.
import type {EngineClock} from '../../foundation/clock.js'
import {formatMicro} from '../../foundation/domain/money.js'
import type {EngineObserver} from './engine.js'
import {describeFill, describeOrder, formatQty, formatTs} from './format.js'

const pad = (label: string) => label.padEnd(9)

export function runLog(clock: EngineClock, line: (text: string) => void, notice: (text: string) => void): EngineObserver {
  const at = () => formatTs(clock.now())
  return {
    signal(signal, position) {
      line(`${at()}  ${pad('decision')}${signal.instrument} target ${Number(signal.target.toPrecision(8))} (now ${formatQty(position)}): ${signal.reason}`)
    },
    intent(order, _reason, sent) {
      line(`${at()}  ${pad('order')}${describeOrder(order)}  ${sent ? '' : '(observe: not sent) '}[${order.clientOrderId}]`)
    },
    denied(order, code, detail) {
      line(`${at()}  ${pad('DENIED')}${describeOrder(order)}: ${code}: ${detail}`)
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
