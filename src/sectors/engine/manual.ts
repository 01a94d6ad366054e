// Manual trading-state changes: `rick halt`, `rick resume` (and `reduce`) journal a RISK_STATE
// record under the run id `manual`; a running engine picks it up by polling the journal; a stopped
// sector finds it in its fold at the next start.
//
// When a running engine adopts a manual record it journals its own RISK_STATE whose reason says
// after which bar it did so ("… picked up after bar 1234"): `rick replay` puts the same trigger at
// the same place.
import type {EventPayloads, JournalEvent} from '../../foundation/journal/events.js'
import type {Journal} from '../../foundation/journal/types.js'
import {MANUAL_RUN_ID} from './recovery.js'

/** The triggers a person gives (the others come from the engine itself). */
export type ManualTriggerKind = 'halt' | 'resume' | 'reduce'

const KIND: Record<string, ManualTriggerKind | undefined> = {MANUAL_HALT: 'halt', MANUAL_RESUME: 'resume', MANUAL_REDUCE: 'reduce'}

/** The trigger a manual RISK_STATE record stands for, or undefined for other records. */
export function triggerOf(payload: EventPayloads['RISK_STATE']): ManualTriggerKind | undefined {
  return KIND[payload.code]
}

const PICKED_UP = / \(manual, seq \d+; picked up after bar (\d+)\)$/

/** The reason the engine journals when it adopts manual record `seq` after `bars` bars. */
export function adoptedReason(reason: string, seq: number, bars: number): string {
  return `${reason} (manual, seq ${seq}; picked up after bar ${bars})`
}

/** For replay: the bar after which a run adopted a manual trigger (undefined when it is not one). */
export function adoptedAfterBar(payload: EventPayloads['RISK_STATE']): number | undefined {
  if (triggerOf(payload) === undefined) return undefined
  const m = PICKED_UP.exec(payload.reason)
  return m ? Number(m[1]) : undefined
}

/** The manual reason without the engine's suffix. */
export function manualReason(reason: string): string {
  return reason.replace(PICKED_UP, '')
}

/** Polls the journal for manual records of a sector written after `afterSeq`. */
export class ManualPoller {
  private last: number
  constructor(
    private readonly journal: Journal,
    private readonly sector: string,
    afterSeq: number,
  ) {
    this.last = afterSeq
  }

  poll(): Array<JournalEvent<'RISK_STATE'>> {
    const out: Array<JournalEvent<'RISK_STATE'>> = []
    for (const e of this.journal.events({sector: this.sector, runId: MANUAL_RUN_ID, types: ['RISK_STATE'], afterSeq: this.last})) {
      this.last = e.seq
      out.push(e as JournalEvent<'RISK_STATE'>)
    }
    return out
  }
}
