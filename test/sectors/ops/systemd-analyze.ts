// `systemd-analyze verify` for rendered units. systemd 252 verifies a template through an instance:
// the text is written as rick@<instance>.service, as `systemctl enable rick@oanda` would load it.
// verify exits 0 on unknown keys and unparsable values (it only logs them), so a unit verifies
// only when the exit code is 0 AND nothing was printed.
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe} from 'vitest'

function find(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v systemd-analyze'], {encoding: 'utf8'}).trim() || undefined
  } catch {
    return undefined
  }
}

export const SYSTEMD_ANALYZE = find()

/**
 * `describe` when systemd-analyze is installed or CI is set (in CI a missing tool must fail, not
 * skip: .ci/run installs it), else `describe.skip`.
 */
export const describeWithSystemdAnalyze = SYSTEMD_ANALYZE !== undefined || process.env.CI ? describe : describe.skip

export interface VerifyResult {
  ok: boolean
  exitCode: number | null
  output: string
}

export function verifyUnit(text: string, options: {scope?: 'system' | 'user'; instance?: string} = {}): VerifyResult {
  if (SYSTEMD_ANALYZE === undefined) throw new Error('systemd-analyze is not installed (Debian package `systemd`; .ci/run installs it)')
  const dir = mkdtempSync(join(tmpdir(), 'rick-unit-verify-'))
  try {
    const file = join(dir, `rick@${options.instance ?? 'oanda'}.service`)
    writeFileSync(file, text)
    const env: NodeJS.ProcessEnv = {...process.env, SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: ''}
    const args = ['verify', '--man=no']
    if (options.scope === 'user') {
      // A user manager needs a runtime directory; a private one works without a logged-in session.
      const runtime = join(dir, 'runtime')
      mkdirSync(runtime, {mode: 0o700})
      env.XDG_RUNTIME_DIR = runtime
      args.push('--user')
    }
    const r = spawnSync(SYSTEMD_ANALYZE, [...args, file], {encoding: 'utf8', env, timeout: 60_000})
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim()
    return {ok: r.status === 0 && output === '', exitCode: r.status, output}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
