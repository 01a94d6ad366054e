// `rick run` as a background process of a test: its output collected, its exit awaited, and a
// bounded poll for what it does meanwhile (no fixed sleeps).
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process'

import {RICK_BIN} from '../helpers/cli.js'
import type {Fixture} from './engine-fixture.js'

export interface Background {
  child: ChildProcessWithoutNullStreams
  /** Resolves once stdout matched `ready`; rejects when the process ended first. */
  started: Promise<void>
  /** The exit code, or 128 + the signal's number when a signal ended it (as a shell says). */
  exited: Promise<number>
  out(): string
  err(): string
}

const SIGNAL_NUMBERS: Record<string, number> = {SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15}

export function background(f: Fixture, args: string[], ready: RegExp = / stop {6}Ctrl-C/): Background {
  const child = spawn(process.execPath, [RICK_BIN, ...args], {cwd: f.root, env: {...f.env, NO_COLOR: '1'}, stdio: ['pipe', 'pipe', 'pipe']})
  child.stdin.end()
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += String(d)))
  child.stderr.on('data', (d) => (stderr += String(d)))
  // A reader that closed its end on purpose sees no error of its own.
  child.stdout.on('error', () => {})
  child.stderr.on('error', () => {})
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 0))))
  const started = (async () => {
    const ok = await pollUntil(() => ready.test(stdout), 15_000, exited)
    if (!ok) throw new Error(`rick run did not print ${ready}:\n${stdout}\n${stderr}`)
  })()
  started.catch(() => {})
  return {child, started, exited, out: () => stdout, err: () => stderr}
}

/** Polls `cond` every few ms until it holds (true), `ms` pass or `ended` settles (false). */
export async function pollUntil(cond: () => boolean, ms: number, ended?: Promise<unknown>, every = 5): Promise<boolean> {
  let over = false
  void ended?.then(() => (over = true))
  const deadline = performance.now() + ms
  for (;;) {
    if (cond()) return true
    if (over || performance.now() > deadline) return cond()
    await new Promise((r) => setTimeout(r, every))
  }
}
