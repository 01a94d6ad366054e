import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {ExitCode} from '../../foundation/errors.js'
import {loadSectorRegistry} from '../../sectors/registry.js'
import {lockSecrets, type LockedFile, type LockReport, type Owner} from '../../sectors/ops/secrets.js'

export default class OpsLockSecrets extends BaseCommand {
  static override summary = 'Make every secrets file private: mode 0600, owned by you.'

  static override description = `The files are those the charter checks: .env and .env.* in the project root (except the templates .env.example, .env.sample, .env.template — the patterns come from config/charter.yaml) and every file a sector lists in secretsFiles.

Each becomes mode 0600 (read and write for the owner only). A file owned by someone else is reported, not taken: only root can change an owner, so run \`sudo rick ops lock-secrets\` to give the files to the user who ran sudo (SUDO_USER). rick never changes a file through a symlink; it says which target to fix instead.

Prints what changed (old mode -> new mode), what was already private, and what could not be changed and why. --dry-run changes nothing. For a machine without node, ops/lock-secrets.sh follows the same rules.

Exit codes: 0 every existing secrets file is private now (or would be, with --dry-run), 1 a file could not be changed (the reason is printed), 2 bad flags.`

  static override examples = [
    {description: 'Lock the secrets files of the project', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Only say what would change', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Files created by root (e.g. by a deploy script): give them back to you', command: 'sudo <%= config.bin %> <%= command.id %>'},
    {description: 'As JSON, for a provisioning script', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    'dry-run': Flags.boolean({description: 'Report what would change; change nothing.'}),
    file: configFileFlag,
  }

  async run(): Promise<LockReport> {
    const {flags} = await this.parse(OpsLockSecrets)
    const registry = await loadSectorRegistry(this.config)
    const report = await lockSecrets({registry, dryRun: flags['dry-run'], file: flags.file})
    for (const w of report.warnings) this.note(`Warning: ${w}`)
    if (!this.jsonEnabled()) this.log(render(report))
    if (report.failed > 0) process.exitCode = ExitCode.Failure
    return report
  }
}

const LABEL: Record<LockedFile['status'], string> = {
  ok: 'ok',
  changed: 'changed',
  'would-change': 'would change',
  missing: 'missing',
  failed: 'FAILED',
}

const ownerText = (o: Owner | undefined) => (o ? (o.user ?? `uid ${o.uid}`) : '?')

function render(r: LockReport): string {
  const lines = [`Project: ${r.root}`, `Secrets files: mode 0600, owner ${ownerText(r.owner)}${r.owner.viaSudo ? ' (SUDO_USER)' : ''}${r.dryRun ? ' (dry run, nothing is changed)' : ''}`, '']
  if (r.files.length === 0) {
    lines.push('No secrets files found (no .env* in the project root, no secretsFiles in the config).')
    return lines.join('\n')
  }
  const width = Math.max(...r.files.map((f) => f.path.length))
  const labelWidth = Math.max(...r.files.map((f) => LABEL[f.status].length))
  for (const f of r.files) {
    lines.push(`${LABEL[f.status].padEnd(labelWidth)}  ${f.path.padEnd(width)}  ${detail(f)}`.trimEnd())
  }
  const count = (s: LockedFile['status']) => r.files.filter((f) => f.status === s).length
  const parts = [
    r.dryRun ? `${r.changed} would change` : `${r.changed} changed`,
    `${count('ok')} already private`,
    count('missing') > 0 ? `${count('missing')} missing` : '',
    r.failed > 0 ? `${r.failed} FAILED` : '',
  ].filter(Boolean)
  lines.push('', `${parts.join(', ')}.`)
  return lines.join('\n')
}

function detail(f: LockedFile): string {
  const bits: string[] = []
  if (f.status === 'changed' || f.status === 'would-change') {
    if (f.modeBefore !== f.modeAfter) bits.push(`${f.modeBefore} -> ${f.modeAfter}`)
    else bits.push(f.modeAfter ?? '')
    if (f.ownerBefore && f.ownerAfter && f.ownerBefore.uid !== f.ownerAfter.uid) bits.push(`owner ${ownerText(f.ownerBefore)} -> ${ownerText(f.ownerAfter)}`)
  } else if (f.status === 'ok' && f.modeBefore) {
    bits.push(f.modeBefore)
  }
  if (f.error) bits.push(f.error)
  if (f.note) bits.push(f.note)
  return bits.join('; ')
}
