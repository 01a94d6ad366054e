// One configured endpoint made ready to send: its URL resolved from the config or a variable,
// Telegram's token from its variable, and a label that is safe to print. The URL itself may
// hold a secret (a Slack webhook is one), so it is never shown: `label` is the style, the name
// and the host only.
import type {NotifyEndpointConfig, NotifyKind} from '../../foundation/config/types.js'
import {durationMs} from '../../foundation/config/types.js'

export const TELEGRAM_API = 'https://api.telegram.org'

export interface Target {
  name: string
  style: NotifyEndpointConfig['style']
  kinds: ReadonlySet<NotifyKind>
  /** Where to POST. Secret: never printed, never journaled. */
  url: string
  chatId?: string
  timeoutMs: number
  capacity: number
  /** `slack "ops" (hooks.slack.com)`: what messages and logs say. */
  label: string
  /** Values to mask wherever text about this endpoint goes (the URL, the token). */
  secrets: string[]
}

/** A target, or why it cannot send (a variable that is not set); never throws, never shows a value. */
export function resolveTarget(e: NotifyEndpointConfig, env: NodeJS.ProcessEnv): Target | {name: string; label: string; problem: string} {
  const bare = `${e.style} "${e.name}"`
  const fromEnv = e.urlEnv === undefined ? undefined : env[e.urlEnv]
  if (e.urlEnv !== undefined && !fromEnv) return {name: e.name, label: bare, problem: `${e.urlEnv} is not set (it should hold the endpoint's URL)`}
  let base = fromEnv ?? e.url ?? (e.style === 'telegram' ? TELEGRAM_API : undefined)
  if (base === undefined) return {name: e.name, label: bare, problem: 'no url and no urlEnv'}
  let host: string
  try {
    host = new URL(base).host
  } catch {
    return {name: e.name, label: bare, problem: e.urlEnv ? `${e.urlEnv} does not hold a valid URL` : 'url is not a valid URL'}
  }
  const secrets = fromEnv ? [fromEnv] : []
  if (e.style === 'telegram') {
    const token = e.tokenEnv === undefined ? undefined : env[e.tokenEnv]
    if (!token) return {name: e.name, label: `${bare} (${host})`, problem: `${e.tokenEnv ?? 'tokenEnv'} is not set (it should hold the bot token)`}
    secrets.push(token, encodeURIComponent(token))
    base = `${base.replace(/\/+$/, '')}/bot${token}/sendMessage`
  }
  secrets.push(base)
  return {
    name: e.name,
    style: e.style,
    kinds: new Set(e.events),
    url: base,
    ...(e.chatId === undefined ? {} : {chatId: e.chatId}),
    timeoutMs: durationMs(e.timeout),
    capacity: e.queue,
    label: `${bare} (${host})`,
    secrets,
  }
}
