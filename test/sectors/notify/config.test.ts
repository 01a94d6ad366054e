import {describe, expect, it} from 'vitest'

import {validateConfigText} from '../../../src/foundation/config/validate.js'
import {FAKE_VENUES} from '../../helpers/fake-venues.js'

const BASE = `version: 1
sectors:
  fx:
    venue: oanda
    mode: paper
    instruments: [EUR_USD]
    strategy: {name: sma-crossover}
    connection: {accountId: 101-001-1234567-001, tokenEnv: OANDA_API_TOKEN}
`
const check = (notify: string) => validateConfigText(`${BASE}notify:\n${notify}`, 'c.yaml', FAKE_VENUES)

describe('the notify: block of the config', () => {
  it('is optional, and typed with defaults when given', () => {
    expect(validateConfigText(BASE, 'c.yaml', FAKE_VENUES).config?.notify).toBeUndefined()
    const {config, diagnostics} = check(`  endpoints:
    ops: {style: slack, urlEnv: SLACK_URL}
    phone: {style: telegram, tokenEnv: TELEGRAM_BOT_TOKEN, chatId: -100123, events: [halt, fill], timeout: 2s, queue: 10}
`)
    expect(diagnostics).toEqual([])
    expect(config?.notify?.endpoints).toEqual([
      {name: 'ops', style: 'slack', urlEnv: 'SLACK_URL', events: ['halt', 'reject', 'reconcile', 'stale', 'crash', 'summary'], timeout: '5s', queue: 200},
      {name: 'phone', style: 'telegram', tokenEnv: 'TELEGRAM_BOT_TOKEN', chatId: '-100123', events: ['halt', 'fill'], timeout: '2s', queue: 10},
    ])
  })

  it('refuses a webhook URL written in the file (it is the secret), with file:line:col and no echo of it', () => {
    const {diagnostics} = check(`  endpoints:\n    ops: {style: slack, url: "https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx"}\n`)
    expect(diagnostics).toMatchObject([{code: 'secret-in-config', line: 11, column: 30, suggestion: 'urlEnv'}])
    expect(JSON.stringify(diagnostics)).not.toContain('abcdefghijklmnop')
  })

  it('says what each style is missing, and where', () => {
    const {diagnostics} = check(`  endpoints:
    a: {style: webhook}
    b: {style: telegram}
    c: {style: webhook, url: "https://example.com/x", urlEnv: X_URL}
    d: {style: webhook, url: "https://example.com", chatId: 1, timeout: soon}
    e: {style: email, urlEnv: lower}
`)
    const got = diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)
    expect(got).toEqual(
      expect.arrayContaining(['11:5 notify-url-missing', '12:5 notify-token-missing', '12:5 notify-chat-missing', '13:55 notify-url-twice', '14:53 notify-telegram-only']),
    )
    expect(diagnostics.some((d) => d.path === '/notify/endpoints/d/timeout' && d.expected === 'a duration like 5s or 1500ms')).toBe(true)
    expect(diagnostics.some((d) => d.path === '/notify/endpoints/e/style')).toBe(true)
    expect(diagnostics.some((d) => d.path === '/notify/endpoints/e/urlEnv')).toBe(true)
    expect(check('  endpoints: {}\n').diagnostics.length).toBeGreaterThan(0)
  })
})
