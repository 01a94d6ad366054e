import {UsageError} from '../errors.js'
import {EVENT_TYPES, type EventType} from './events.js'

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES)

/** `--type` values (repeatable, comma-separated, any case) as event types; unknown ones are a usage error. */
export function parseEventTypes(values: readonly string[] | undefined): EventType[] | undefined {
  if (values === undefined || values.length === 0) return undefined
  const out: EventType[] = []
  for (const raw of values.flatMap((v) => v.split(','))) {
    const name = raw.trim().toUpperCase().replace(/-/g, '_')
    if (name === '') continue
    if (!KNOWN.has(name)) throw new UsageError(`unknown event type ${JSON.stringify(raw.trim())}; expected one of ${EVENT_TYPES.join(', ')}.`, 'UNKNOWN_EVENT_TYPE')
    if (!out.includes(name as EventType)) out.push(name as EventType)
  }
  return out
}
