// The README's headline run, end to end: `rick charter init` → `rick charter approve crypto --mode
// canary` → `rick run crypto --canary` on Coinbase with keys set — the built CLI, the sector's
// connector on the real ccxt client, rick's Coinbase simulator over TCP standing in for the real
// venue (coinbase-run-fixture.ts). Every figure is checked against the venue's own records, read
// over its REST API with a JWT signed in the test, and against sums of the journal made here.
import {appendFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import type {EventPayloads, JournalEvent} from '../../src/foundation/journal/events.js'
import {rick} from '../helpers/cli.js'
import {balanceAtVenue, canaryConfig, canaryProject, cleanupCanary, ordersAtVenue, PIN} from './coinbase-run-fixture.js'
import {readJournal} from './engine-fixture.js'

afterEach(cleanupCanary)

const payloads = <T extends keyof EventPayloads>(evs: JournalEvent[], type: T): Array<EventPayloads[T]> => evs.filter((e) => e.type === type).map((e) => e.payload as EventPayloads[T])

describe('rick run coinbase --canary against the Coinbase simulator', () => {
  it('denied without an approval, denied above the canary cap before the venue, voided by an edit, and trades inside the caps once approved', async () => {
    // The strategy sizes 40 USD a position: above the canary cap of 25.
    const l = await canaryProject(1200, {notional: 40})
    const env = {env: l.env, cwd: l.p.root}

    // 1. No PIN, no approval: the charter denies canary (exit 3); nothing reaches the venue.
    const unapproved = await rick(['run', 'crypto', '--canary', '--bars', '5'], env)
    expect(unapproved.exitCode, unapproved.stderr).toBe(3)
    expect(unapproved.stdout + unapproved.stderr).toMatch(/no canary approval/)
    expect(await ordersAtVenue(l.sim)).toEqual([])

    // 2. A person approves with the PIN.
    expect((await rick(['charter', 'init', '--pin-stdin'], {...env, input: `${PIN}\n`})).exitCode).toBe(0)
    const approve = await rick(['charter', 'approve', 'crypto', '--mode', 'canary', '--pin-stdin', '--approver', 'test'], {...env, input: `${PIN}\n`})
    expect(approve.exitCode, approve.stderr).toBe(0)

    // 3. Approved, but every entry is above the canary cap: denied with its code by the risk gate, never sent.
    const capped = await rick(['run', 'crypto', '--canary', '--bars', '40'], env)
    expect(capped.exitCode, capped.stderr).toBe(0)
    let evs = readJournal(l.journal)
    const started = payloads(evs, 'RUN_STARTED').at(-1) as EventPayloads['RUN_STARTED']
    expect(started).toMatchObject({requestedMode: 'canary', effectiveMode: 'canary', connector: {name: expect.stringMatching(/^coinbase/), sdk: {package: 'ccxt'}}})
    const denied = payloads(evs, 'ORDER_DENIED')
    expect(denied.length).toBeGreaterThan(0)
    expect(new Set(denied.map((d) => d.code))).toEqual(new Set(['CANARY_ORDER_NOTIONAL']))
    expect(payloads(evs, 'ORDER_INTENT').filter((i) => !denied.some((d) => d.order.clientOrderId === i.order.clientOrderId))).toEqual([])
    expect(await ordersAtVenue(l.sim)).toEqual([])

    // 4. The sector's config changes (20 USD a position): the approval is void until approved again.
    writeFileSync(join(l.p.root, 'config', 'trading_sectors.yaml'), canaryConfig(l.sim, {notional: 20}))
    const voided = await rick(['run', 'crypto', '--canary', '--bars', '5'], env)
    expect(voided.exitCode).toBe(3)
    expect(voided.stdout + voided.stderr).toMatch(/config .*changed since the approval|no canary approval|approval .*void/i)
    expect((await rick(['charter', 'approve', 'crypto', '--mode', 'canary', '--pin-stdin'], {...env, input: `${PIN}\n`})).exitCode).toBe(0)

    // 5. Real (simulated) money inside the caps.
    const usdBefore = await balanceAtVenue(l.sim, 'USD')
    const btcBefore = await balanceAtVenue(l.sim, 'BTC')
    const traded = await rick(['run', 'crypto', '--canary', '--bars', '80'], env)
    expect(traded.exitCode, traded.stderr).toBe(0)
    evs = readJournal(l.journal)
    const runId = evs.filter((e) => e.type === 'RUN_STARTED').at(-1)!.runId
    const run = evs.filter((e) => e.runId === runId)
    const intents = payloads(run, 'ORDER_INTENT').map((p) => p.order).filter((o) => !payloads(run, 'ORDER_DENIED').some((d) => d.order.clientOrderId === o.clientOrderId))
    expect(intents.length).toBeGreaterThan(1)
    // Every accepted intent reached the venue once, under rick's own client order id: an order there,
    // or a refusal (success:false creates no order) journaled as ORDER_REJECTED.
    const atVenue = await ordersAtVenue(l.sim)
    const refused = payloads(run, 'ORDER_REJECTED').map((p) => p.clientOrderId)
    expect([...atVenue.map((o) => o.client_order_id), ...refused].sort()).toEqual(intents.map((o) => o.clientOrderId).sort())
    expect(refused.filter((id) => atVenue.some((o) => o.client_order_id === id))).toEqual([])
    // The journal's fills, summed here, are what the venue filled and charged, order by order.
    const fills = payloads(run, 'FILL').map((p) => p.fill)
    for (const o of atVenue) {
      const mine = fills.filter((f) => f.clientOrderId === o.client_order_id)
      expect(mine.reduce((s, f) => s + f.qty, 0), o.client_order_id).toBeCloseTo(Number(o.filled_size), 8)
      expect(mine.reduce((s, f) => s + f.fee, 0) / 1e6, o.client_order_id).toBeCloseTo(Number(o.total_fees), 6)
    }
    // And the account moved by exactly that: coins by the net filled size, cash by notional and fees.
    const netBtc = fills.reduce((s, f) => s + (f.side === 'buy' ? f.qty : -f.qty), 0)
    const cash = fills.reduce((s, f) => s + (f.side === 'buy' ? -1 : 1) * f.qty * f.price - f.fee / 1e6, 0)
    expect((await balanceAtVenue(l.sim, 'BTC')) - btcBefore).toBeCloseTo(netBtc, 8)
    expect((await balanceAtVenue(l.sim, 'USD')) - usdBefore).toBeCloseTo(cash, 1)
    // Inside the caps: no order above 25 USD, never more than one position.
    for (const f of fills) expect(f.qty * f.price).toBeLessThanOrEqual(25 * 1.01)
    expect(Math.abs(netBtc) * fills.at(-1)!.price).toBeLessThanOrEqual(25 * 1.01)
    // Nothing of the keys in the journal or the output.
    const secret = String(l.sim.credentials.apiSecret).split('\n')[1]!
    expect(JSON.stringify(evs)).not.toContain(secret)
    expect(readFileSync(l.journal).includes(Buffer.from(secret))).toBe(false)
    expect(traded.stdout + traded.stderr).not.toContain(secret)

    // 6. The strategy's code changes: the approval is void again.
    appendFileSync(join(l.p.root, 'strategies', 'sma-crossover.ts'), '\n// an edit\n')
    const edited = await rick(['run', 'crypto', '--canary', '--bars', '5'], env)
    expect(edited.exitCode).toBe(3)
    expect(edited.stdout + edited.stderr).toMatch(/code of strategy 'sma-crossover' changed since the approval/)
  })

  it('rick run --sim rehearses the canary run offline: no keys, the real connector against a simulator it starts, canary caps', async () => {
    const l = await canaryProject(1200)
    const env: NodeJS.ProcessEnv = {...l.env}
    delete env.COINBASE_API_KEY
    delete env.COINBASE_API_SECRET
    const r = await rick(['run', 'crypto', '--sim', '--speed', '1200x', '--bars', '30'], {env, cwd: l.p.root})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/mode {6}paper \(asked: canary\) — against rick's coinbase simulator at http:\/\/127\.0\.0\.1:\d+/)
    expect(r.stdout).toMatch(/venue {5}coinbase-ccxt \(ccxt 4\.5\.\d+\)/)
    const started = payloads(readJournal(l.journal), 'RUN_STARTED')[0]!
    expect(started).toMatchObject({requestedMode: 'canary', effectiveMode: 'paper', connector: {sdk: {package: 'ccxt'}}})
  })
})
