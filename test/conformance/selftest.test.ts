// The suite's self-test: every case fails against a connector broken in the way it guards against
// (mutants.ts), so no case passes whatever the connector does. The same cases pass against the
// working connectors (paper.test.ts, oanda.test.ts).
import {afterEach, describe, expect, it} from 'vitest'

import {CASES} from './cases.js'
import {CASE_MS, type VenueFixture} from './fixture.js'
import {broken, leakedTimers, MUTANTS} from './mutants.js'
import {oandaFixture} from './oanda-fixture.js'
import {paperFixture, STOCK} from './paper-fixture.js'
import {caseNamed, runCase} from './suite.js'

const paper = paperFixture({name: 'paper', instruments: [STOCK], instrument: 'SPY', qty: 10, makerBps: 2, takerBps: 5, slippageBps: 1, nearMove: 0.001, seed: 3})

/** [mutant, venue, the cases (name prefixes) it must fail]. */
const TABLE: Array<[keyof typeof MUTANTS, VenueFixture, string[]]> = [
  ['every event twice', paper, ['a market order', 'a limit order', 'a bracket', 'unsubscribe']],
  ['positions(): nothing', paper, ['a market order']],
  ['account(): cash never moves', paper, ['a market order']],
  ['account(): cash never moves', oandaFixture, ['a market order']],
  ['reject events dropped', paper, ['a refused order (a qty off', 'a refused order (a zero', 'a refused order (an unknown', 'a refused order (a limit order without', 'a refused order (a limit price off']],
  ['a refusal thrown AND sent as a reject event', paper, ['a refused order (a zero qty)', 'a refused order (an unknown instrument)']],
  ['orderByClientId(): always undefined', paper, ['a market order', 'a limit order', 'a client order id reused']],
  ['orderByClientId(): throws for an id it never saw', paper, ['orderByClientId of an id never sent']],
  ['unsubscribe does nothing', paper, ['unsubscribe']],
  ['cancel failures are NetworkErrors', paper, ['a limit order']],
  ['capabilities: streaming flipped', paper, ['identity']],
  ['capabilities: a key missing', paper, ['identity']],
  ['close() leaves a timer running', paper, ['close()']],
  ['BrokerErrors of submit swallowed', paper, ['a client order id reused']],
  ['BrokerErrors of submit swallowed', oandaFixture, ['a refused order (a zero qty)', 'faults: a 401', 'an order type the venue lacks']],
  ['reduceOnly dropped', paper, ['reduceOnly']],
  ['reduceOnly dropped', oandaFixture, ['reduceOnly']],
  ['OCO cancel not reported', paper, ['a bracket']],
  ['OCO cancel not reported', oandaFixture, ['a bracket']],
  ['fill ids reused across orders', paper, ['a market order']],
  ['fill prices off the tick', paper, ['a market order']],
  ['fees other than documented', paper, ['a market order']],
  ['instruments(): the same objects every time', paper, ['instruments()']],
  ['openOrders(): nothing', paper, ['a limit order', 'a bracket']],
  ['info shows the credentials', oandaFixture, ['identity']],
  ['fills reported 100 ticks worse', paper, ['a marketable limit order', 'a market order']],
  ['fills reported 100 ticks worse', oandaFixture, ['a marketable limit order']],
  ['positions(): quantities without sign', paper, ['a short sale']],
  ['positions(): quantities without sign', oandaFixture, ['a short sale']],
  ['openOrders(): nothing', oandaFixture, ['a stop order far from the market']],
  ['reject codes all InvalidOrder', paper, ['an order a hundred times the account']],
  ['every event twice', oandaFixture, ['four market orders sent at once']],
  ['cancel failures are NetworkErrors', oandaFixture, ['two cancels of one order at once']],
  ['listeners called in a chain without isolation', oandaFixture, ['a listener that throws']],
  ['tick subscriptions never close', oandaFixture, ['subscribeTicks']],
  ['history newest first', oandaFixture, ['history']],
  ['recentFills(): nothing', oandaFixture, ['recentFills']],
  ['a submit without an answer is retried', oandaFixture, ['faults: a submit with no answer']],
  ['a 401 reported as a NetworkError', oandaFixture, ['faults: a 401']],
  ['a submit in flight outlives close() until its timeout', oandaFixture, ['faults: close() with a submit in flight']],
  ['NetworkErrors of submit swallowed', oandaFixture, ['faults: a submit with no answer', 'faults: a 5xx']],
]

afterEach(() => {
  for (const t of leakedTimers.splice(0)) clearInterval(t)
})

describe('the conformance suite fails broken connectors', () => {
  it('every case is guarded by at least one mutant', () => {
    const guarded = new Set(TABLE.flatMap(([, , prefixes]) => prefixes.map((p) => caseNamed(p).name)))
    expect(CASES.map((c) => c.name).filter((n) => !guarded.has(n))).toEqual([])
  })

  for (const [mutant, fixture, prefixes] of TABLE) {
    for (const prefix of prefixes) {
      it(`${fixture.name}, ${mutant}: fails "${prefix}…"`, async () => {
        await expect(runCase(broken(fixture, mutant, MUTANTS[mutant] as NonNullable<(typeof MUTANTS)[string]>), prefix)).rejects.toThrow()
      }, CASE_MS)
    }
  }
})
