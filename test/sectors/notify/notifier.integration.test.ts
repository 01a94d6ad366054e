// The notifier against real HTTP receivers on 127.0.0.1: one that answers, one that never does,
// one that fails once, and a Telegram-style one whose bot token comes from a variable and must
// show up nowhere but in the request path.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import type {NotifyConfig} from '../../../src/foundation/config/types.js'
import type {NewEvent} from '../../../src/foundation/journal/events.js'
import {openJournal} from '../../../src/foundation/journal/index.js'
import {notifyingJournal, Notifier} from '../../../src/sectors/notify/notifier.js'
import {startReceiver, until, type Receiver} from './receiver.js'

const TOKEN = '123456789:AAE-telegram-secret-token-xyz'
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function receiver(answer: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer)
  cleanups.push(() => r.close())
  return r
}

const ev = (type: NewEvent['type'], payload: unknown, ts = Date.UTC(2026, 11, 8, 10)): NewEvent => ({ts, runId: 'run-1', sector: 'fx', type, payload}) as NewEvent
const halt = ev('RISK_STATE', {from: 'ACTIVE', to: 'HALTED', code: 'MANUAL_HALT', reason: 'test'})

describe('Notifier over HTTP', () => {
  it('a hanging endpoint never delays the journal; the others get their messages, a 500 is retried, the token stays secret', async () => {
    const ok = await receiver('ok')
    const hang = await receiver('hang')
    const flaky = await receiver([500])
    const tg = await receiver('ok')
    const dir = mkdtempSync(join(tmpdir(), 'rick-notify-'))
    cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
    const env = {HANG_URL: `${hang.url}/hook`, TG_TOKEN: TOKEN}
    const config: NotifyConfig = {
      endpoints: [
        {name: 'ok', style: 'webhook', url: `${ok.url}/in`, events: ['halt', 'reject', 'fill'], timeout: '2s', queue: 200},
        {name: 'hang', style: 'slack', urlEnv: 'HANG_URL', events: ['halt', 'reject'], timeout: '30s', queue: 5},
        {name: 'flaky', style: 'discord', url: flaky.url, events: ['halt'], timeout: '2s', queue: 50},
        {name: 'tg', style: 'telegram', url: tg.url, tokenEnv: 'TG_TOKEN', chatId: '-10042', events: ['halt', 'reject'], timeout: '2s', queue: 200},
      ],
    }
    const warnings: string[] = []
    const notifier = new Notifier(config, {env, seed: 3, backoffMs: 20, warn: (t) => warnings.push(t)})
    const journal = notifyingJournal(openJournal({path: join(dir, 'journal.db')}), notifier)
    try {
      journal.append(halt)
      await until(() => hang.open === 1, 'the hanging receiver to hold a request')

      // While that request hangs (for up to 30 s), the engine's appends go on at full speed.
      const t0 = performance.now()
      for (let i = 0; i < 300; i++) {
        journal.append(i % 3 === 0 ? ev('ORDER_REJECTED', {clientOrderId: `c${i}`, code: 'InvalidOrder', reason: 'test'}) : ev('STRATEGY_LOG', {message: `m${i}`}))
      }
      const elapsed = performance.now() - t0
      // Still the first request, unanswered: nothing on the journal's side waited for it.
      expect(hang.open).toBe(1)
      expect(hang.received).toHaveLength(1)
      expect(elapsed).toBeLessThan(4000)
      expect(journal.lastSeq()).toBe(301)

      await until(() => ok.received.length === 101, 'the answering receiver to get the halt and 100 rejects')
      expect(ok.received[0]).toMatchObject({path: '/in', body: {source: 'rick', kind: 'halt', sector: 'fx', runId: 'run-1'}})
      await until(() => flaky.received.length === 2, 'the retry after the 500')
      expect(flaky.received.map((r) => r.body.content)).toEqual([flaky.received[0]?.body.content, flaky.received[0]?.body.content])
      await until(() => tg.received.length === 101, 'the telegram receiver')
      expect(tg.received[0]).toMatchObject({path: `/bot${TOKEN}/sendMessage`, body: {chat_id: '-10042', text: expect.stringContaining('HALT')}})

      const report = await notifier.close(100)
      const hangReport = report.find((r) => r.name === 'hang')
      // 101 messages for a queue of 5: the first hangs in flight, the oldest of the rest were dropped.
      expect(hangReport?.stats.dropped).toBeGreaterThanOrEqual(95)
      expect(report.find((r) => r.name === 'flaky')?.stats).toMatchObject({sent: 1, failed: 0})
      const everything = JSON.stringify({report, warnings, events: [...journal.events()]})
      expect(everything).not.toContain(TOKEN)
      expect(everything).not.toContain(env.HANG_URL)
      expect(hangReport?.label).toBe(`slack "hang" (${new URL(hang.url).host})`)
    } finally {
      journal.close()
    }
  })

  it('an endpoint whose variable is not set is off, with a warning that names the variable and no value', () => {
    const warnings: string[] = []
    const n = new Notifier({endpoints: [{name: 'tg', style: 'telegram', tokenEnv: 'TG_TOKEN', chatId: '1', events: ['halt'], timeout: '1s', queue: 5}]}, {env: {}, warn: (t) => warnings.push(t)})
    expect(n.active).toBe(false)
    expect(warnings).toEqual(['rick: notify endpoint telegram "tg" (api.telegram.org) is off: TG_TOKEN is not set (it should hold the bot token)'])
  })

  it('sends a summary of the day when the events reach the next UTC day', async () => {
    const ok = await receiver('ok')
    const n = new Notifier({endpoints: [{name: 'ok', style: 'webhook', url: ok.url, events: ['summary'], timeout: '1s', queue: 5}]}, {env: {}})
    const day1 = Date.UTC(2026, 11, 8, 23, 59)
    n.offer(ev('FILL', {fill: {side: 'buy', qty: 1, instrument: 'EUR_USD', price: 1}}, day1))
    n.offer(ev('ORDER_DENIED', {}, day1))
    n.offer(halt)
    expect(await n.flush(1000)).toBe(true)
    expect(ok.received).toHaveLength(0)
    n.offer(ev('BAR', {}, Date.UTC(2026, 11, 9, 0, 1)))
    await until(() => ok.received.length === 1, 'the summary')
    expect(ok.received[0]?.body).toMatchObject({kind: 'summary', text: expect.stringContaining('fx summary of 2026-12-08 (UTC): 1 fills, 0 rejects, 1 denials, 1 halts')})
    await n.close(100)
  })
})
