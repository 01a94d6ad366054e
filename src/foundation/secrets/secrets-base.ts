// Where a sector's `secretsFiles` live. One rule for everyone who reads them (the charter checks
// their permissions and reads credential names from them; `rick sectors list` reports which
// credentials they set), so both always look at the same files.
import {basename, dirname, isAbsolute, resolve} from 'node:path'

/**
 * The folder relative `secretsFiles` are resolved against: the project, i.e. the folder above
 * `config/` when the config file sits in one (`<project>/config/trading_sectors.yaml`), else the
 * config file's own folder (a config passed with `--file` elsewhere keeps its secrets beside it).
 */
export function secretsBase(configFile: string): string {
  const dir = dirname(resolve(configFile))
  return basename(dir) === 'config' ? dirname(dir) : dir
}

/** A sector's `secretsFiles` as absolute paths, in the order given (later files win when read). */
export function resolveSecretsFiles(configFile: string, secretsFiles: readonly string[] | undefined): string[] {
  const base = secretsBase(configFile)
  return (secretsFiles ?? []).map((file) => (isAbsolute(file) ? file : resolve(base, file)))
}
