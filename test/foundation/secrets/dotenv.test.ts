// Secrets files are read only when they are regular files of their own: a symlink is never
// followed (`.env -> /etc/shadow` must not be parsed, as root or not), a FIFO never blocks.
import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {readDotenvFiles} from '../../../src/foundation/secrets/dotenv.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rick-dotenv-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe.skipIf(process.platform === 'win32')('readDotenvFiles', () => {
  it('reads a regular file and ignores a symlinked one, whatever it points to', () => {
    writeFileSync(join(dir, 'real.env'), 'API_KEY=from-real\n')
    writeFileSync(join(dir, 'elsewhere'), 'API_SECRET=through-link\nAPI_KEY=through-link\n')
    symlinkSync(join(dir, 'elsewhere'), join(dir, '.env'))
    expect(readDotenvFiles([join(dir, 'real.env'), join(dir, '.env')])).toEqual({API_KEY: 'from-real'})
  })

  it('reads nothing from a FIFO named like a secrets file (and does not wait for a writer)', () => {
    const fifo = join(dir, '.env.fifo')
    execFileSync('mkfifo', [fifo])
    // A writer stands ready, so a reader that wrongly opens the FIFO gets a value instead of hanging the test.
    const writer = spawn('sh', ['-c', `printf 'API_KEY=from-fifo\\n' > "$0"`, fifo], {stdio: 'ignore'})
    try {
      expect(readDotenvFiles([fifo])).toEqual({})
    } finally {
      writer.kill()
    }
  })
})
