// The journal's writer thread runs at the lowest scheduling priority (nice 19). It does bulk work
// that nothing waits for until a batch is flushed, while the engine's thread, and V8's helper
// threads that collect and compile for it, do the work a run waits for. On a machine with few
// cores, a writer thread at the same priority took a core from those helpers: the 1M-bar
// backtest's median went from ~195 to ~230 ms. At nice 19 it still gets every idle cycle; when it
// falls behind, the engine's thread waits for it at the in-flight limit (thread-writer.ts).
import {readlinkSync} from 'node:fs'
import {setPriority} from 'node:os'

export const WRITER_NICE = 19

/**
 * Lowers the calling thread's priority, where the OS lets a thread do so on its own: Linux, whose
 * setpriority() takes a thread id. Elsewhere (or if it fails) it does nothing: the writer is only
 * slower to yield, never wrong. Returns whether it did.
 */
export function lowerThisThreadPriority(nice = WRITER_NICE): boolean {
  if (process.platform !== 'linux') return false
  try {
    // "<pid>/task/<tid>": the thread's own id (node has no gettid()).
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (!Number.isSafeInteger(tid) || tid <= 0) return false
    setPriority(tid, nice)
    return true
  } catch {
    return false
  }
}
