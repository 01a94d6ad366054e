// The process around a running engine: the stop signals, from the first moment of start-up, and
// output that a reader going away cannot break.
//
// SIGINT (Ctrl-C), SIGTERM (systemd, docker, kill) and SIGHUP (a dropped SSH session) all mean
// "stop as a normal stop does": cancel working orders, keep positions, journal RUN_STOPPED, release
// the lock, exit 0. Node's default for each is to die at once, so they are caught for the whole
// life of a run: bin/run.js records any that arrive while the CLI is still loading (under
// EARLY_STOPS), and the latch here takes those over and keeps catching until the run is over.
//
// A person who pipes `rick run` into `head` closes its output after a few lines; a dropped SSH
// session turns the terminal into one that fails every write (EIO). The engine keeps trading
// either way — everything it would have printed is in the journal — so a failed write to stdout or
// stderr is dropped, never thrown. And at exit Node restores the terminal's modes and aborts
// (SIGABRT, after a clean stop) when the terminal is gone: a terminal that hung up is let go first.

import {closeSync} from 'node:fs'
import {isatty} from 'node:tty'

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/** What bin/run.js leaves on globalThis before oclif loads: the signals so far, and its handlers' remover. */
interface EarlyStops {
  signals: string[]
  release(): void
}
const EARLY_STOPS = Symbol.for('rick.early-stop-signals')

export interface StopLatch {
  /** The first stop signal this process received (before the latch too), if any. */
  readonly signal: string | undefined
  /** Calls `handler` on every stop signal, at once if one came already; returns a remover. */
  listen(handler: (signal: string) => void): () => void
  /** Gives the signals back to Node's defaults: the run is over. */
  close(): void
}

let current: StopLatch | undefined

/** The process's stop latch, installed on first use (taking over what bin/run.js recorded). */
export function processStopLatch(): StopLatch {
  current ??= installLatch()
  return current
}

function installLatch(): StopLatch {
  letGoOfHungUpTerminals()
  let first: string | undefined
  const listeners = new Set<(signal: string) => void>()
  const on = (signal: NodeJS.Signals): void => {
    first ??= signal
    for (const l of [...listeners]) l(signal)
  }
  // Ours first, then bin/run.js's handlers go: no moment without one.
  for (const s of STOP_SIGNALS) process.on(s, on)
  const g = globalThis as {[EARLY_STOPS]?: EarlyStops}
  const early = g[EARLY_STOPS]
  if (early !== undefined) {
    first ??= early.signals[0]
    early.release()
    delete g[EARLY_STOPS]
  }
  const latch: StopLatch = {
    get signal() {
      return first
    },
    listen(handler) {
      listeners.add(handler)
      if (first !== undefined) handler(first)
      return () => void listeners.delete(handler)
    },
    close() {
      for (const s of STOP_SIGNALS) process.off(s, on)
      listeners.clear()
      if (current === latch) current = undefined
    },
  }
  return latch
}

let terminalsWatched = false

/**
 * Node's last act (ResetStdio) sets each standard descriptor that was a terminal back to its
 * first modes, and asserts that this worked: on a terminal that hung up it fails (EIO) and the
 * process aborts. One that no longer answers as a terminal is closed before that; Node skips it.
 */
function letGoOfHungUpTerminals(): void {
  if (terminalsWatched) return
  terminalsWatched = true
  const terminals = [0, 1, 2].filter((fd) => isatty(fd))
  if (terminals.length === 0) return
  process.once('exit', () => {
    for (const fd of terminals) {
      if (isatty(fd)) continue
      try {
        closeSync(fd)
      } catch {
        // already closed: nothing to let go of
      }
    }
  })
}

const quiet = new WeakSet<NodeJS.WriteStream>()

/**
 * Writes to stdout or stderr; when the stream is closed or broken the text is dropped. The
 * stream's other error listeners go: oclif's rethrows anything but EPIPE (an EIO after a hang-up
 * would end the process), and with none an EPIPE on stderr is an uncaught error.
 */
export function writeQuietly(stream: NodeJS.WriteStream, text: string): void {
  if (!quiet.has(stream)) {
    quiet.add(stream)
    stream.removeAllListeners('error')
    stream.on('error', () => {})
  }
  if (stream.destroyed || !stream.writable) return
  stream.write(text)
}
