import {ExitCode} from '../../foundation/errors.js'
import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {loadSectorRegistry} from '../../sectors/registry.js'
import {notifyTest, type NotifyTestReport, type NotifyTestSend} from '../../sectors/notify/test-service.js'

export default class NotifyTest extends BaseCommand {
  static override summary = 'Send one message of each kind to every notify endpoint and show what each answered.'

  static override description = `Reads the notify: block of the config and sends, to every endpoint, one test message of each kind (halt, reject, reconcile, stale, crash, fill, summary) (every kind, also those an endpoint is not set up to receive) and shows per endpoint ok or failed with the HTTP status. One try each, no retry: this shows what the endpoint says. URLs and tokens are never shown (only the style, name and host).

A notify block looks like this (secrets by variable NAME, as everywhere in rick):

  notify:
    endpoints:
      ops-slack: {style: slack, urlEnv: SLACK_WEBHOOK_URL, events: [halt, crash, reconcile, stale]}
      phone:     {style: telegram, tokenEnv: TELEGRAM_BOT_TOKEN, chatId: -1001234567890}
      hook:      {style: webhook, url: https://alerts.example.com/rick, events: [halt, reject, fill, summary]}

Exit codes: 0 every endpoint took every message, 1 some endpoint failed (or its variable is not set), 2 bad config, or no notify: block.`

  static override examples = [
    {description: 'Try every endpoint', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'As JSON (per endpoint: ok, and per kind the HTTP status)', command: '<%= config.bin %> <%= command.id %> --json'},
    {description: 'Against another config', command: '<%= config.bin %> <%= command.id %> --file ops/prod/trading_sectors.yaml'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    file: configFileFlag,
  }

  async run(): Promise<NotifyTestReport> {
    const {flags} = await this.parse(NotifyTest)
    const registry = await loadSectorRegistry(this.config)
    const report = await notifyTest({registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(render(report))
    if (!report.ok) process.exitCode = ExitCode.Failure
    return report
  }
}

function render(r: NotifyTestReport): string {
  const lines = [`Config: ${r.config}`]
  for (const e of r.endpoints) {
    if (e.problem !== undefined) {
      lines.push(`  FAILED  ${e.label}: not sent: ${e.problem}`)
      continue
    }
    const bad = e.sends.filter((s) => !s.ok)
    const answer = (s: NotifyTestSend): string => (s.status === 0 ? (s.error ?? 'no answer') : `HTTP ${s.status}`)
    const answers = [...new Set(e.sends.map(answer))]
    // One answer for all (the usual case) is said once; mixed answers are said per kind.
    const why = new Set(bad.map(answer)).size === 1 ? answer(bad[0] as NotifyTestSend) : bad.map((s) => `${s.kind}: ${answer(s)}`).join('; ')
    lines.push(e.ok ? `  ok      ${e.label}: ${e.sends.length} messages sent (${answers.join(', ')})` : `  FAILED  ${e.label}: ${bad.length} of ${e.sends.length} failed (${why})`)
  }
  lines.push(r.ok ? 'Every endpoint took every message.' : 'Some endpoints failed.')
  return lines.join('\n')
}
