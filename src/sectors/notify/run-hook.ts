// The notifier of one `rick run` (paper and venue modes alike): made from the config's notify
// block before the journal opens, closed after the run with a bounded flush. Run-service calls
// these two and wraps its journal (notifyingJournal); nothing else of the run knows about it.
import type {SectorRegistry} from '../definition.js'
import {loadSectorsConfig} from '../load-config.js'
import {Notifier} from './notifier.js'

/** Longest a stopping run waits for its notifications to go out (a dead endpoint cannot hold it). */
export const RUN_NOTIFY_FLUSH_MS = 3000

export function runNotifier(ctx: {registry: SectorRegistry; cwd?: string; file?: string}, env: NodeJS.ProcessEnv, seed: number, warn: (text: string) => void): Notifier {
  try {
    const loaded = loadSectorsConfig({file: ctx.file, cwd: ctx.cwd ?? process.cwd(), registry: ctx.registry, env})
    return new Notifier(loaded.config.notify, {env, seed, warn})
  } catch {
    // The sector's setup loaded this same config a moment ago; if it cannot now, the run goes on unnotified.
    return new Notifier(undefined, {env})
  }
}

/** Flushes (bounded) and says, without any secret, what could not be delivered. */
export async function closeRunNotifier(n: Notifier | undefined, warn: (text: string) => void, ms = RUN_NOTIFY_FLUSH_MS): Promise<void> {
  if (!n?.active) return
  for (const r of await n.close(ms)) {
    const {failed, dropped, lastStatus, lastError} = r.stats
    if (failed + dropped === 0) continue
    const why = lastStatus ? `HTTP ${lastStatus}` : (lastError ?? 'no answer')
    warn(`rick: notify ${r.label}: ${failed} not delivered, ${dropped} dropped (last: ${why})`)
  }
}
