// Where the charter keeps its private state (PIN record, approvals, PIN tries) and how it writes it: under
// rickHome()/charter, directory 0700, files 0600, replaced atomically so a crash never leaves a
// half-written approvals file behind.
import {randomBytes} from 'node:crypto'
import {chmodSync, mkdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

export const PIN_FILE = 'pin.json'
export const APPROVALS_FILE = 'approvals.json'
export const PIN_ATTEMPTS_FILE = 'pin-attempts.jsonl'

/** The charter's folder inside rick's data folder. */
export function charterDir(home: string): string {
  return join(home, 'charter')
}

export function pinFilePath(home: string): string {
  return join(charterDir(home), PIN_FILE)
}

export function approvalsFilePath(home: string): string {
  return join(charterDir(home), APPROVALS_FILE)
}

/** The record of PIN tries (see pin-attempts.ts). */
export function pinAttemptsFilePath(home: string): string {
  return join(charterDir(home), PIN_ATTEMPTS_FILE)
}

/** Creates the charter folder (and rick's home) private to the owner. */
export function ensurePrivateDir(home: string): string {
  const dir = charterDir(home)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  // mkdir's mode is filtered by the umask and ignored for folders that already exist.
  if (process.platform !== 'win32') {
    chmodSync(home, 0o700)
    chmodSync(dir, 0o700)
  }
  return dir
}

/** Writes `text` to `file` with mode 0600 through a temporary file and a rename. */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  try {
    writeFileSync(tmp, text, {mode: 0o600, flag: 'wx'})
    if (process.platform !== 'win32') chmodSync(tmp, 0o600)
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, {force: true})
    throw error
  }
}
