// `rick run` on Interactive Brokers when TWS loses its link to IB: 1100 while the run holds a
// bracket, the venue filling a child meanwhile, then 1102; 1100 then 1101 (market data lost). The
// built CLI, the connector on the real @stoqey/ib client, rick's TWS simulator in this process;
// the venue's own records against the journal (ibkr-live-faults-fixture.ts).
import {afterEach, describe, expect, it} from 'vitest'

import {cleanupLive, events, live, MES} from './ibkr-run-fixture.js'
import {expectBooksEqualVenue, intents, payloads, riskCodes, ricksExecutions, ricksOrdersAtVenue, startRun, stopQuiet, TUESDAY_11_NY, waitFor} from './ibkr-live-faults-fixture.js'

afterEach(cleanupLive)


type L = Awaited<ReturnType<typeof live>>

const connection = (l: L) => payloads(events(l, ['CONNECTION']), 'CONNECTION')
const fillIds = (l: L): string[] => payloads(events(l, ['FILL']), 'FILL').map((p) => p.fill.fillId)

/**
 * `rick run` holding one MES contract with a native bracket; 1100 while the bracket works; the venue
 * fills one of its children meanwhile (and cancels the other: OCA), then 1102. Checked on the way:
 * disconnected on both streams, DATA_STALE → REDUCING, nothing of rick's reached the venue during the
 * outage (not even refused there), and the fill was withheld from rick while the link was down.
 */
async function bracketThroughAnOutage(l: L): Promise<{run: ReturnType<typeof startRun>; away: ReturnType<typeof ricksExecutions>; sibling: string; refsAtLoss: Set<string>; codesBefore: number; seen: number}> {
  const run = startRun(l)
  const working = () => l.sim.venueRecords.openOrders().filter((o) => /^mes-.*-(sl|tp)$/.test(o.order.orderRef))
  await waitFor(l, 'a bracket working at the venue', () => events(l, ['FILL']).length >= 1 && working().length === 2)
  const seen = connection(l).length
  const codesBefore = riskCodes(l).length
  const refsAtLoss = new Set(ricksOrdersAtVenue(l).map(([ref]) => ref))
  const intentsAtLoss = intents(l).length
  const execsAtLoss = ricksExecutions(l).length
  await l.sim.faults.act('connectivityLost')
  await waitFor(l, 'disconnected on events and prices', () => ['events', 'prices'].every((s) => connection(l).slice(seen).some((c) => c.state === 'disconnected' && c.stream === s)))
  await waitFor(l, 'DATA_STALE and REDUCING', () => riskCodes(l).slice(codesBefore).includes('DATA_STALE') && payloads(events(l, ['RISK_STATE']), 'RISK_STATE').at(-1)?.to === 'REDUCING')
  // The venue keeps matching: a child of the bracket fills while rick hears nothing of it.
  await waitFor(l, 'a child filled at the venue during the outage', () => ricksExecutions(l).length > execsAtLoss)
  const away = ricksExecutions(l).slice(execsAtLoss)
  expect(away.map((x) => x.orderRef).every((ref) => /-(sl|tp)$/.test(ref))).toBe(true)
  expect(ricksOrdersAtVenue(l).filter(([ref]) => !refsAtLoss.has(ref))).toEqual([])
  expect(intents(l).length).toBe(intentsAtLoss)
  for (const x of away) expect(fillIds(l), 'withheld while the link is down').not.toContain(x.execId)
  const child = away[0]!.orderRef
  const sibling = child.endsWith('-sl') ? child.replace(/-sl$/, '-tp') : child.replace(/-tp$/, '-sl')
  expect(l.sim.venueRecords.byOrderRef(sibling)).toMatchObject({filled: 0, cancelled: 1})

  await l.sim.faults.act('connectivityRestored', {dataLost: false})
  await waitFor(l, 'connected again', () => ['events', 'prices'].every((s) => connection(l).slice(seen).some((c) => c.state === 'connected' && c.stream === s)))
  return {run, away, sibling, refsAtLoss, codesBefore, seen}
}

const BRACKETS = {startTs: TUESDAY_11_NY, instruments: [MES], strategy: '{name: mes-bracket, params: {points: 1}}'}

describe('rick run ibkr: TWS loses IB (1100) and gets it back (1101, 1102)', () => {
  it('1100 while a bracket works: disconnected, DATA_STALE → REDUCING, nothing sent; a child fills at the venue meanwhile; after 1102 the fill is read back by reqExecutions once and the books equal the venue', async () => {
    const l = await live(BRACKETS)
    const {run, away} = await bracketThroughAnOutage(l)
    await waitFor(l, 'the fill made while away journaled', () => away.every((x) => fillIds(l).includes(x.execId)))
    await waitFor(l, 'DATA_RESUMED', () => riskCodes(l).includes('DATA_RESUMED'))
    await stopQuiet(run)
    for (const x of away) expect(fillIds(l).filter((id) => id === x.execId), x.execId).toHaveLength(1)
    await expectBooksEqualVenue(l)
  })

  it('1100 while a bracket works, then 1102: the sibling the venue cancelled meanwhile (OCA) is journaled cancelled once, and the sector enters again', async () => {
    const l = await live(BRACKETS)
    const {run, sibling, refsAtLoss} = await bracketThroughAnOutage(l)
    await waitFor(l, 'the sibling journaled cancelled', () => payloads(events(l, ['ORDER_CANCELLED']), 'ORDER_CANCELLED').some((c) => c.clientOrderId === sibling))
    await waitFor(l, 'a new entry at the venue', () => ricksOrdersAtVenue(l).some(([ref, r]) => !refsAtLoss.has(ref) && r.accepted === 1))
    await stopQuiet(run)
    expect(payloads(events(l, ['ORDER_CANCELLED']), 'ORDER_CANCELLED').filter((c) => c.clientOrderId === sibling)).toHaveLength(1)
    await expectBooksEqualVenue(l)
  })

  it('1100 then 1101 (market data lost): DATA_STALE, the bars asked again, DATA_RESUMED, and later orders reach the venue', async () => {
    const l = await live({startTs: TUESDAY_11_NY})
    const run = startRun(l)
    await waitFor(l, 'the run trading', () => events(l, ['FILL']).length >= 1)
    const codesBefore = riskCodes(l).length
    await l.sim.faults.act('connectivityLost')
    await waitFor(l, 'DATA_STALE', () => riskCodes(l).slice(codesBefore).includes('DATA_STALE'))
    const bars = events(l, ['BAR']).length
    const accepted = () => ricksOrdersAtVenue(l).filter(([, r]) => r.accepted === 1).length
    const sent = accepted()
    await l.sim.faults.act('connectivityRestored', {dataLost: true})
    await waitFor(l, 'DATA_RESUMED', () => riskCodes(l).slice(codesBefore).includes('DATA_RESUMED'))
    // 1101 ends every market-data subscription at TWS: bars come again only because they were asked again.
    await waitFor(l, 'bars and orders again', () => events(l, ['BAR']).length > bars + 4 && accepted() >= sent + 2)
    await stopQuiet(run)
    await expectBooksEqualVenue(l)
  })
})
