// Reading the PIN: from a terminal with echo off, or as lines on stdin (`--pin-stdin`) for
// automation. The PIN never appears on screen, in argv or in the environment.
import {UsageError} from '../errors.js'

export interface PinIo {
  input: NodeJS.ReadStream
  /** Prompts go to stderr so `--json` output on stdout stays clean. */
  output: NodeJS.WritableStream
}

const defaultIo = (): PinIo => ({input: process.stdin, output: process.stderr})

/** Asks for a secret on the terminal without echoing it. Ctrl-C aborts. */
export function promptHidden(question: string, io: PinIo = defaultIo()): Promise<string> {
  const {input, output} = io
  if (!input.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(new UsageError('no terminal to ask for the PIN: pass --pin-stdin and write the PIN to stdin', 'CHARTER_PIN_NO_TTY'))
  }
  return new Promise((resolve, reject) => {
    let value = ''
    const wasRaw = input.isRaw
    // Echo goes off before the prompt shows, so nothing typed after seeing it can appear.
    input.setRawMode(true)
    output.write(question)
    input.resume()
    input.setEncoding('utf8')
    const finish = (error?: Error) => {
      input.off('data', onData)
      input.setRawMode(wasRaw)
      input.pause()
      output.write('\n')
      if (error) reject(error)
      else resolve(value)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish()
        if (ch === '\u0003') return finish(new UsageError('cancelled', 'CANCELLED'))
        if (ch === '\u0004') {
          if (value === '') return finish(new UsageError('cancelled', 'CANCELLED'))
          continue
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else if (ch >= ' ') value += ch
      }
    }
    input.on('data', onData)
  })
}

/** All of stdin, split into lines (CR LF or LF); a trailing newline does not add an empty line. */
export async function readStdinLines(input: NodeJS.ReadableStream = process.stdin): Promise<string[]> {
  const chunks: Buffer[] = []
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  const text = Buffer.concat(chunks).toString('utf8')
  const lines = text.split(/\r?\n/)
  if (lines.at(-1) === '') lines.pop()
  return lines
}

/** The `count` lines expected on stdin, or a usage error naming what each line should hold. */
export async function pinsFromStdin(names: string[], input?: NodeJS.ReadableStream): Promise<string[]> {
  const lines = await readStdinLines(input)
  if (lines.length < names.length) {
    throw new UsageError(
      `--pin-stdin expects ${names.length} line(s) on stdin (${names.join(', then ')}); found ${lines.length}`,
      'CHARTER_PIN_STDIN',
    )
  }
  return lines.slice(0, names.length)
}

/** How a command gets PINs: lines on stdin (`--pin-stdin`) or hidden terminal prompts. */
export interface PinSource {
  stdin: boolean
  io?: PinIo
  /** For tests of the stdin path. */
  stdinStream?: NodeJS.ReadableStream
}

/** The PIN for approving. */
export async function readPin(source: PinSource): Promise<string> {
  if (source.stdin) return (await pinsFromStdin(['the PIN'], source.stdinStream))[0] as string
  return promptHidden('Charter PIN: ', source.io)
}

/** A new PIN (asked twice on a terminal), plus the current one when a PIN is already set. */
export async function readNewPin(source: PinSource, needOld: boolean): Promise<{pin: string; oldPin?: string}> {
  if (source.stdin) {
    const names = needOld ? ['the current PIN', 'the new PIN'] : ['the new PIN']
    const lines = await pinsFromStdin(names, source.stdinStream)
    return needOld ? {oldPin: lines[0] as string, pin: lines[1] as string} : {pin: lines[0] as string}
  }
  const oldPin = needOld ? await promptHidden('Current charter PIN: ', source.io) : undefined
  const pin = await promptHidden('New charter PIN (at least 6 characters): ', source.io)
  const again = await promptHidden('Repeat the new PIN: ', source.io)
  if (again !== pin) throw new UsageError('the two new PINs differ: nothing was changed', 'CHARTER_PIN_MISMATCH')
  return oldPin === undefined ? {pin} : {pin, oldPin}
}
