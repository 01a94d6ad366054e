import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFileFlag} from '../../cli/flags.js'
import {STATUS_MARK} from '../../foundation/charter/format.js'
import {MODES, type Mode} from '../../foundation/config/types.js'
import {ExitCode, formatDiagnostic} from '../../foundation/errors.js'
import {checkEnv, shownConfigFile, type CheckEnvReport, type SectorEnvCheck} from '../../sectors/ops/check-env.js'
import {loadSectorRegistry} from '../../sectors/registry.js'

export default class OpsCheckEnv extends BaseCommand {
  static override summary = "Check each sector's credential variables and secrets files; values are never printed."

  static override description = `For each sector: the credential variables its mode needs (the configured mode, or --mode), whether each is set and where — the environment, or which of the sector's secretsFiles (the environment wins, then the later file, as when the engine reads them) — with the value masked (abcd…wxyz; values shorter than 16 characters are fully masked as ••••).

Then the secrets files that apply to the sector (.env* in the project root and its secretsFiles): their mode, the credential variables they set, and whether they pass the charter's secrets-private rule (no access by group or others; a failure in canary and live, a warning in the other modes). A root .env is checked but not read by rick: export its variables, or list it in secretsFiles.

Disabled sectors are shown but count for the exit code only when named with --sector. Fix permissions with \`rick ops lock-secrets\`.

Exit codes: 0 every counted sector has all its credential variables set and private secrets files, 1 something is missing or not private (each problem is listed), 2 bad config or flags (unknown sector).`

  static override examples = [
    {description: 'Every sector, in its configured mode', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Before switching oanda to live: is its token in place?', command: '<%= config.bin %> <%= command.id %> --sector oanda --mode live'},
    {description: 'As JSON, e.g. for a deploy script (masked values only)', command: '<%= config.bin %> <%= command.id %> --json'},
    {description: 'Against the config of a server', command: '<%= config.bin %> <%= command.id %> --file ops/prod/trading_sectors.yaml'},
  ]

  static override enableJsonFlag = true

  static override flags = {
    sector: Flags.string({char: 's', description: 'Only this sector (a key under `sectors:` in the config).'}),
    mode: Flags.string({char: 'm', options: [...MODES], description: "Check the needs of this mode instead of each sector's configured mode."}),
    file: configFileFlag,
  }

  async run(): Promise<CheckEnvReport> {
    const {flags} = await this.parse(OpsCheckEnv)
    const registry = await loadSectorRegistry(this.config)
    const {report, configWarnings} = checkEnv({registry, sector: flags.sector, mode: flags.mode as Mode | undefined, file: flags.file})
    for (const f of registry.failures) this.note(`Warning: plugin ${f.plugin}: ${f.error}`)
    for (const w of configWarnings) this.note(formatDiagnostic(w))
    for (const w of report.warnings) this.note(`Warning: ${w}`)
    if (!this.jsonEnabled()) this.log(render(report))
    if (!report.ok) process.exitCode = ExitCode.Failure
    return report
  }
}

function render(r: CheckEnvReport): string {
  const lines = [`Config: ${shownConfigFile(r)}`]
  for (const s of r.sectors) lines.push('', ...sectorLines(s))
  const notReady = r.sectors.filter((s) => s.counted && !s.ok).map((s) => s.sector)
  lines.push('')
  if (r.sectors.length === 0) lines.push('No sectors configured.')
  else if (notReady.length === 0) lines.push('Ready: every credential variable is set and every secrets file is private.')
  else lines.push(`Not ready: ${notReady.join(', ')}.${nextSteps(r).map((t) => ` ${t}`).join('')}`)
  return lines.join('\n')
}

/** What to do about what is wrong — only what is wrong: unset variables, open secrets files. */
function nextSteps(r: CheckEnvReport): string[] {
  const counted = r.sectors.filter((s) => s.counted && !s.ok)
  const steps: string[] = []
  if (counted.some((s) => s.variables.some((v) => !v.set))) steps.push("Set the variables marked NOT SET (export them, or put them in a file listed in the sector's secretsFiles).")
  if (counted.some((s) => s.files.some((f) => f.exists && f.status !== 'pass'))) steps.push('Make the files private with `rick ops lock-secrets`.')
  return steps
}

function sectorLines(s: SectorEnvCheck): string[] {
  const verdict = s.ok ? 'ok' : s.counted ? 'NOT READY' : 'not ready (disabled: not counted)'
  const head = `${s.sector} (venue ${s.venue}, mode ${s.mode}${s.modeFrom === 'flag' ? ' from --mode' : ''}${s.enabled ? '' : ', disabled'}): ${verdict}`
  const rows: string[][] = []
  for (const v of s.variables) {
    const where = v.set ? (v.source === 'env' ? 'environment' : `file ${v.source}`) : 'NOT SET'
    const extra = [v.masked ?? '', v.overrides ? `(overrides ${v.overrides.join(', ')})` : '']
    rows.push([v.set ? STATUS_MARK.pass : STATUS_MARK.fail, v.name, where, extra.filter(Boolean).join(' ')])
  }
  for (const f of s.files) {
    const what = f.exists ? (f.mode ?? '?') : 'missing'
    const text = f.status === 'pass' ? (f.holds.length > 0 ? `private; sets ${f.holds.join(', ')}` : 'private') : f.detail
    rows.push([STATUS_MARK[f.status], f.path, what, text])
  }
  const out = [head]
  if (s.variables.length === 0 && s.problems.every((p) => !p.includes('credential variables'))) out.push(`  no credential variables needed in ${s.mode}`)
  if (s.files.length === 0) out.push('  no secrets files')
  const widths = [1, 2].map((i) => Math.max(0, ...rows.map((r) => (r[i] ?? '').length)))
  for (const r of rows) out.push(`  ${r[0]} ${(r[1] ?? '').padEnd(widths[0] ?? 0)}  ${(r[2] ?? '').padEnd(widths[1] ?? 0)}  ${r[3] ?? ''}`.trimEnd())
  // The file rows above already say what is wrong with each file.
  for (const p of s.problems) if (!p.startsWith('secrets files: ')) out.push(`  -> ${p}`)
  return out
}
