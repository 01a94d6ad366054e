// `rick notify test`: one message of each kind to every configured endpoint, sent at once (no
// queue, no retry: the point is to see what the endpoint answers), each endpoint's result with
// the HTTP status. Secrets stay out of the report as out of the messages.
import {systemEngineClock} from '../../foundation/clock.js'
import {NOTIFY_KINDS, type NotifyKind} from '../../foundation/config/types.js'
import {ConfigError} from '../../foundation/errors.js'
import {redactSecrets} from '../../foundation/secrets/redact.js'
import type {SectorRegistry} from '../definition.js'
import {displayPath, loadSectorsConfig} from '../load-config.js'
import {resolveTarget} from './endpoint.js'
import {requestBody, type Notice} from './format.js'
import {postJson, type Post} from './http-post.js'

export interface NotifyTestSend {
  kind: NotifyKind
  ok: boolean
  /** HTTP status; 0 when there was none (refused, timed out). */
  status: number
  error?: string
}

export interface NotifyTestEndpoint {
  name: string
  /** Style, name and host: never the URL (it may hold a secret). */
  label: string
  ok: boolean
  /** Why nothing was sent (a variable not set). */
  problem?: string
  sends: NotifyTestSend[]
}

export interface NotifyTestReport {
  config: string
  ok: boolean
  endpoints: NotifyTestEndpoint[]
}

const SAMPLE: Record<NotifyKind, string> = {
  halt: 'ACTIVE → HALTED: MANUAL_HALT — test message (rick notify test)',
  reject: 'order test-1 rejected by the venue: InvalidOrder — test message (rick notify test)',
  reconcile: 'ACTIVE → REDUCING: RECONCILE_MISMATCH — test message (rick notify test)',
  stale: 'ACTIVE → REDUCING: DATA_STALE — test message (rick notify test)',
  crash: 'stopped on an error — test message (rick notify test)',
  fill: 'filled buy 1 TEST at 1.0 — test message (rick notify test)',
  summary: 'summary — test message (rick notify test): 0 fills, 0 rejects, 0 denials, 0 halts',
}

export async function notifyTest(o: {registry: SectorRegistry; file?: string | undefined; cwd?: string; env?: NodeJS.ProcessEnv; post?: Post; now?: number}): Promise<NotifyTestReport> {
  const cwd = o.cwd ?? process.cwd()
  const env = o.env ?? process.env
  const loaded = loadSectorsConfig({file: o.file, cwd, registry: o.registry, env})
  const config = displayPath(loaded.file, cwd)
  const block = loaded.config.notify
  if (!block) {
    throw new ConfigError(`${config} has no notify: block, so there is nothing to test (see rick notify test --help for an example)`, [])
  }
  const post = o.post ?? postJson
  // The wall clock through the injectable system clock, as the manual records take it (halt-service).
  const ts = o.now ?? systemEngineClock.now()
  const endpoints = await Promise.all(
    block.endpoints.map(async (e): Promise<NotifyTestEndpoint> => {
      const t = resolveTarget(e, env)
      if ('problem' in t) return {name: t.name, label: t.label, ok: false, problem: t.problem, sends: []}
      const sends: NotifyTestSend[] = []
      for (const kind of NOTIFY_KINDS) {
        const n: Notice = {kind, sector: 'test', runId: 'notify-test', ts, text: `test ${SAMPLE[kind]}`}
        const r = await post(t.url, requestBody(t.style, n, t.chatId), t.timeoutMs)
        const ok = r.status >= 200 && r.status < 300
        sends.push({kind, ok, status: r.status, ...(r.error === undefined ? {} : {error: r.error})})
      }
      return redactSecrets({name: t.name, label: t.label, ok: sends.every((s) => s.ok), sends}, t.secrets)
    }),
  )
  return {config, ok: endpoints.every((e) => e.ok), endpoints}
}
