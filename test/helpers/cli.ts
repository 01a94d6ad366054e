// Runs the built `rick` binary the way a user would. Tests that use this need `npm run build`
// (done by `npm ci` through the prepare script).
import {execa, type Options} from 'execa'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const RICK_BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
}

export async function rick(args: string[], options: Options = {}): Promise<CliResult> {
  const result = await execa('node', [RICK_BIN, ...args], {reject: false, ...options, env: {NO_COLOR: '1', NODE_ENV: 'production', ...options.env}})
  return {exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr)}
}
