// Reading a file rick was told to trust as its input (the config; the charter and .env readers
// can use it too): only a regular file, only up to a size, only text. A path can name anything:
// `/dev/zero` read whole grew to 16.8 GB in a minute, a FIFO blocked `rick run` forever waiting for
// a writer, a symlink to /etc/shadow came back inside an error message. So the file is opened
// without blocking, its kind is checked on the open descriptor (no race with a rename between a
// stat and the read), and at most `maxBytes` + 1 bytes are ever read.
import {closeSync, constants, fstatSync, openSync, readlinkSync, readSync, realpathSync, statSync, type Stats} from 'node:fs'

/** The config and the charter are a few KB; 10,000 instruments are ~100 KB. */
export const MAX_INPUT_BYTES = 1024 * 1024

/** Why a file could not be read: diagnostics use these codes, so a reader can tell them from errors inside it. */
export const FILE_PROBLEM_CODES = ['file-not-found', 'file-unreadable', 'not-a-regular-file', 'file-too-large', 'not-text'] as const
export type FileProblemCode = (typeof FILE_PROBLEM_CODES)[number]

export interface FileProblem {
  code: FileProblemCode
  /** A sentence naming the file as shown; never any of its content. */
  message: string
  expected: string
  found: string
}

export type TextFileRead = {ok: true; text: string} | {ok: false; problem: FileProblem}

export interface ReadTextOptions {
  /** How the file is named in messages (a path relative to the project, usually). */
  shown?: string
  /** What the file is, for messages: "config file", "charter". */
  what?: string
  maxBytes?: number
}

/** O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0)

/** Reads a regular text file of at most `maxBytes` bytes (UTF-8, no NUL). Never throws. */
export function readTextFile(file: string, options: ReadTextOptions = {}): TextFileRead {
  const shown = options.shown ?? file
  const what = options.what ?? 'file'
  const maxBytes = options.maxBytes ?? MAX_INPUT_BYTES
  const fail = (code: FileProblemCode, message: string, expected: string, found: string): TextFileRead => ({ok: false, problem: {code, message, expected, found}})
  const notRegular = (st: Stats): TextFileRead => {
    const target = resolvedTarget(file)
    const via = target === undefined ? '' : `; it leads to ${target}`
    return fail('not-a-regular-file', `${what} ${shown} is not a regular file: it is ${kindOf(st)}${via}`, `a regular ${what} of at most ${formatBytes(maxBytes)}`, kindOf(st))
  }
  let fd: number
  try {
    // Devices are not even opened (opening one can act: a tape rewinds, a terminal attaches).
    const before = statSync(file)
    if (!before.isFile()) return notRegular(before)
    fd = openSync(file, OPEN_FLAGS)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const dangling = symlinkTarget(file)
      return fail('file-not-found', dangling === undefined ? `${what} not found: ${shown}` : `${what} not found: ${shown} is a symlink to ${dangling}, which does not exist`, `a ${what}`, 'nothing')
    }
    return fail('file-unreadable', `cannot read ${what} ${shown} (${code ?? 'error'})`, 'a readable file', code ?? 'an unreadable file')
  }
  try {
    const st = fstatSync(fd)
    // Checked again on the descriptor: the path may have been swapped since the stat.
    if (!st.isFile()) return notRegular(st)
    const tooLarge = (): TextFileRead => fail('file-too-large', `${what} ${shown} is larger than the limit of ${formatBytes(maxBytes)}`, `at most ${formatBytes(maxBytes)}`, st.size > maxBytes ? formatBytes(st.size) : `more than ${formatBytes(maxBytes)}`)
    if (st.size > maxBytes) return tooLarge()
    // The size a stat gives is a hint (a file being written, /proc's zeros): read at most one
    // byte past the limit, whatever it said.
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(st.size, 64 * 1024)) + 1)
    let length = 0
    let chunk = buffer
    for (;;) {
      if (length === chunk.length) {
        if (length > maxBytes) return tooLarge()
        const bigger = Buffer.allocUnsafe(Math.min(maxBytes + 1, chunk.length * 2))
        chunk.copy(bigger, 0, 0, length)
        chunk = bigger
      }
      const n = readSync(fd, chunk, length, chunk.length - length, null)
      if (n === 0) break
      length += n
    }
    if (length > maxBytes) return tooLarge()
    const bytes = chunk.subarray(0, length)
    const nul = bytes.indexOf(0)
    if (nul >= 0) return fail('not-text', `${what} ${shown} is not a text file (a NUL byte at offset ${nul}); its content is not shown`, 'UTF-8 text', 'binary data')
    let text: string
    try {
      text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
    } catch {
      return fail('not-text', `${what} ${shown} is not UTF-8 text; its content is not shown`, 'UTF-8 text', 'bytes that are not UTF-8')
    }
    return {ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text}
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return fail('file-unreadable', `cannot read ${what} ${shown} (${code ?? (err as Error).message})`, 'a readable file', code ?? 'an unreadable file')
  } finally {
    closeSync(fd)
  }
}

/** "1 MiB", "512 KiB", "3.4 MiB" */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${trim(n / (1024 * 1024))} MiB`
  if (n >= 1024) return `${trim(n / 1024)} KiB`
  return `${n} bytes`
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1)
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO (named pipe)'
  if (st.isCharacterDevice()) return 'a character device'
  if (st.isBlockDevice()) return 'a block device'
  if (st.isSocket()) return 'a socket'
  return 'not a regular file'
}

/** Where a symlink finally leads, when `file` is one (a path, never content). */
function resolvedTarget(file: string): string | undefined {
  try {
    if (symlinkTarget(file) === undefined) return undefined
    return realpathSync(file)
  } catch {
    return undefined
  }
}

function symlinkTarget(file: string): string | undefined {
  try {
    return readlinkSync(file)
  } catch {
    return undefined
  }
}
