import {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'

import {promptHidden, readNewPin, readPin} from '../../../src/foundation/charter/pin-input.js'

const stdin = (text: string) => Readable.from([Buffer.from(text)])

describe('PINs from stdin', () => {
  it('reads one line for approve, without its line ending', async () => {
    expect(await readPin({stdin: true, stdinStream: stdin('s3cret-pin\r\n')})).toBe('s3cret-pin')
  })

  it('reads current then new PIN for a change, and only the new one for a first PIN', async () => {
    expect(await readNewPin({stdin: true, stdinStream: stdin('old-pin-1\nnew-pin-2\n')}, true)).toEqual({oldPin: 'old-pin-1', pin: 'new-pin-2'})
    expect(await readNewPin({stdin: true, stdinStream: stdin('first-pin\n')}, false)).toEqual({pin: 'first-pin'})
  })

  it('says how many lines it expected', async () => {
    await expect(readNewPin({stdin: true, stdinStream: stdin('only-one\n')}, true)).rejects.toThrow(
      '--pin-stdin expects 2 line(s) on stdin (the current PIN, then the new PIN); found 1',
    )
    await expect(readPin({stdin: true, stdinStream: stdin('')})).rejects.toMatchObject({exitCode: 2})
  })

  it('refuses to prompt without a terminal', async () => {
    const notTty = Object.assign(stdin(''), {isTTY: false}) as unknown as NodeJS.ReadStream
    await expect(promptHidden('PIN: ', {input: notTty, output: process.stderr})).rejects.toMatchObject({code: 'CHARTER_PIN_NO_TTY'})
  })
})
