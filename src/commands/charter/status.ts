
import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {charterStatus, type CharterStatus} from '../../sectors/charter-service.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class CharterStatusCommand extends BaseCommand {
  static override description = `Show the charter PIN and every sector's approvals, valid or void and why.

Lists each configured sector (and any sector that still has approvals but left the config) with
its approvals: mode, approver, expiry, and either "valid" or the reasons it is void (strategy code,
sector config or charter limits changed, expired, signature does not match…). When wrong PINs
were given since the last correct one, it says how many, and until when PIN entry waits or is
locked.

Exit codes: 0 always when the status could be read.`

  static override examples = [
    {description: 'What is approved right now?', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'As JSON for a dashboard', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    file: configFileFlag,
  }

  async run(): Promise<CharterStatus> {
    const {flags} = await this.parse(CharterStatusCommand)
    const registry = await loadSectorRegistry(this.config)
    const status = await charterStatus({registry, file: flags.file})
    if (!this.jsonEnabled()) this.log(render(status))
    return status
  }
}

function render(s: CharterStatus): string {
  const lines: string[] = []
  if (s.pin.problem) lines.push(`PIN: DAMAGED: ${s.pin.problem}`)
  else if (s.pin.set) lines.push(`PIN: set (signing key ${s.pin.keyId}, since ${s.pin.createdAt})`)
  else lines.push('PIN: not set: run `rick charter init` before approving canary or live')
  const tries = s.pin.attempts
  if (tries?.problem) lines.push(`PIN entry: ${tries.problem}`)
  else if (tries?.lockedUntil) lines.push(`PIN entry: LOCKED until ${tries.lockedUntil} after ${tries.failures} wrong PINs in a row (it ends by itself; the last at ${tries.lastWrongAt ?? 'unknown'})`)
  else if (tries && tries.failures > 0) {
    lines.push(`PIN entry: ${tries.failures} wrong PIN(s) in a row, the last at ${tries.lastWrongAt ?? 'unknown'}${tries.nextTryAt ? `; the next try waits until ${tries.nextTryAt}` : ''}`)
  }
  lines.push(`Approvals: ${s.approvalsFile}${s.approvalsProblem ? ` (DAMAGED: ${s.approvalsProblem})` : ''}`)
  lines.push(`Charter limits: ${s.charterFile}`)
  for (const p of s.configProblems) lines.push(`Config error: ${p}`)
  lines.push('')
  const rows: string[][] = []
  for (const sector of s.sectors) {
    const base = [sector.sector, sector.configured ? (sector.mode ?? '') : '(not in config)']
    if (sector.approvals.length === 0) {
      rows.push([...base, '-', '-', '-', 'no approval'])
      continue
    }
    for (const a of sector.approvals) {
      rows.push([
        ...base,
        a.mode ?? '?',
        a.valid ? 'valid' : 'VOID',
        a.expiresAt ?? '-',
        a.valid ? `by ${a.approver} (id ${a.id})` : a.reasons.join('; '),
      ])
    }
  }
  if (rows.length === 0) lines.push('No sectors configured and no approvals.')
  else lines.push(...table(['SECTOR', 'MODE', 'APPROVAL', 'STATUS', 'EXPIRES', 'DETAIL'], rows))
  return lines.join('\n')
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')
  return [line(header), ...rows.map(line)]
}
