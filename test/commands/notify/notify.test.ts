// The built CLI: `rick notify test` against local receivers, and `rick run` sending its
// notifications while one endpoint hangs (the run ends on time; nothing secret is printed).
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {rick} from '../../helpers/cli.js'
import {FIXTURE_CONFIG, fixtureProject, type Fixture} from '../../integration/engine-fixture.js'
import {startReceiver, type Receiver} from '../../sectors/notify/receiver.js'

const TOKEN = '987654321:AAH-telegram-secret-in-a-variable'
let f: Fixture
const receivers: Receiver[] = []
beforeAll(() => {
  f = fixtureProject()
})
afterAll(() => f.cleanup())
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close()
})

async function receiver(answer: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(answer)
  receivers.push(r)
  return r
}

const withNotify = (block: string): void => writeFileSync(join(f.root, 'config', 'trading_sectors.yaml'), `${FIXTURE_CONFIG}notify:\n  endpoints:\n${block}`)

describe('rick notify test', () => {
  it('sends one message of each kind to every endpoint and reports each with its status', async () => {
    const ok = await receiver('ok')
    const tg = await receiver('ok')
    withNotify(`    hook: {style: webhook, url: "${ok.url}/rick", events: [halt]}\n    phone: {style: telegram, url: "${tg.url}", tokenEnv: TG_TOKEN, chatId: -1001}\n`)
    const r = await rick(['notify', 'test', '--json'], {cwd: f.root, env: {...f.env, TG_TOKEN: TOKEN}})
    expect(r.exitCode).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.ok).toBe(true)
    expect(report.endpoints.map((e: {label: string; ok: boolean}) => [e.label, e.ok])).toEqual([
      [`webhook "hook" (${new URL(ok.url).host})`, true],
      [`telegram "phone" (${new URL(tg.url).host})`, true],
    ])
    expect(report.endpoints[0].sends.map((s: {kind: string; status: number}) => `${s.kind}:${s.status}`)).toEqual(['halt:200', 'reject:200', 'reconcile:200', 'stale:200', 'crash:200', 'fill:200', 'summary:200'])
    expect(ok.received.map((x) => x.body.kind)).toEqual(['halt', 'reject', 'reconcile', 'stale', 'crash', 'fill', 'summary'])
    expect(tg.received).toHaveLength(7)
    expect(tg.received[0]).toMatchObject({path: `/bot${TOKEN}/sendMessage`, body: {chat_id: '-1001'}})
    expect(r.stdout + r.stderr).not.toContain(TOKEN)
  })

  it('exit 1 with the HTTP status when an endpoint fails, or its variable is not set; text output', async () => {
    const bad = await receiver([500, 500, 500, 500, 500, 500, 503])
    const closed = await startReceiver('ok')
    await closed.close()
    withNotify(`    down: {style: discord, urlEnv: DOWN_URL}\n    phone: {style: telegram, tokenEnv: TG_TOKEN, chatId: "@ops"}\n    gone: {style: webhook, url: "${closed.url}/x"}\n`)
    const r = await rick(['notify', 'test'], {cwd: f.root, env: {...f.env, DOWN_URL: `${bad.url}/api/webhooks/1/secretpart`}})
    expect(r.stdout).toContain(`FAILED  webhook "gone" (${new URL(closed.url).host}): 7 of 7 failed (ECONNREFUSED)`)
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain(`FAILED  discord "down" (${new URL(bad.url).host}): 7 of 7 failed (halt: HTTP 500; reject: HTTP 500; reconcile: HTTP 500; stale: HTTP 500; crash: HTTP 500; fill: HTTP 500; summary: HTTP 503)`)
    expect(r.stdout).toContain('FAILED  telegram "phone" (api.telegram.org): not sent: TG_TOKEN is not set (it should hold the bot token)')
    expect(r.stdout + r.stderr).not.toContain('secretpart')
  })

  it('exit 2 without a notify block or with a bad one; --help has examples', async () => {
    writeFileSync(join(f.root, 'config', 'trading_sectors.yaml'), FIXTURE_CONFIG)
    const none = await rick(['notify', 'test', '--json'], {cwd: f.root, env: f.env})
    expect(none.exitCode).toBe(2)
    expect(JSON.parse(none.stdout).error.message).toMatch(/has no notify: block/)
    withNotify('    x: {style: webhook, url: ftp://nope}\n')
    const bad = await rick(['notify', 'test'], {cwd: f.root, env: f.env})
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/trading_sectors\.yaml:\d+:\d+: error: .*notify\.endpoints\.x\.url/)
    expect(bad.stderr).not.toMatch(/\n\s+at /)
    const help = await rick(['notify', 'test', '--help'], {cwd: f.root, env: f.env})
    expect(help.stdout).toMatch(/EXAMPLES/)
    expect(help.stdout).toMatch(/notify test --json/)
  })
})

describe('rick run with notifications', () => {
  it('sends fills to an endpoint that asked for them while another hangs; the run ends on time', async () => {
    const ok = await receiver('ok')
    const hang = await receiver('hang')
    withNotify(`    fills: {style: webhook, url: "${ok.url}", events: [fill]}\n    stuck: {style: slack, urlEnv: STUCK_URL, events: [fill], timeout: 30s}\n`)
    const t0 = Date.now()
    const r = await rick(['run', 'fx', '--bars', '300', '--speed', 'max'], {cwd: f.root, env: {...f.env, STUCK_URL: `${hang.url}/services/T/B/stucksecret`}})
    const took = Date.now() - t0
    expect(r.exitCode).toBe(0)
    expect(ok.received.length).toBeGreaterThan(0)
    expect(ok.received.every((x) => x.body.kind === 'fill' && x.body.sector === 'fx')).toBe(true)
    expect(hang.received.length).toBeGreaterThan(0)
    // The flush at the end waits 3 s at most for the hanging one, not its 30 s timeout.
    expect(took).toBeLessThan(9000)
    expect(r.stderr).toMatch(new RegExp(`rick: notify slack "stuck" \\(${new URL(hang.url).host}\\): 0 not delivered, \\d+ dropped`))
    expect(r.stdout + r.stderr).not.toContain('stucksecret')
  })
})
