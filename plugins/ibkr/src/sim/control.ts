// The fault control endpoint of `rick sim ibkr` (faults.ts's header has the paths). TWS's own port
// speaks only the API socket protocol, so the endpoint has an HTTP port of its own.
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {CoreRuntime} from '../../../../src/sectors/core-runtime.js'
import type {SimFaultControl} from '../../../../src/sectors/definition.js'

interface Control extends SimFaultControl {
  actionNames: string[]
}

export function controlHandler(core: CoreRuntime, faults: Control): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const reply = (status: number, body: unknown): void => core.sim.sendJsonText(res, status, JSON.stringify(body))
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const actionName = /^\/__sim\/actions\/([A-Za-z]+)$/.exec(path)?.[1]
    if (path !== '/__sim/faults' && actionName === undefined) return reply(404, {error: `no such path: ${path}`})
    if (req.method === 'GET' && actionName === undefined) return reply(200, {switches: faults.get(), actions: faults.actionNames})
    if (req.method !== 'POST') return reply(405, {error: 'method not allowed'})
    let body: Record<string, unknown>
    try {
      const text = await core.sim.readBody(req)
      const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text)
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not an object')
      body = parsed as Record<string, unknown>
    } catch {
      return reply(400, {error: 'the body must be a JSON object'})
    }
    if (actionName === undefined) {
      try {
        faults.set(body)
      } catch (error) {
        return reply(400, {error: (error as Error).message})
      }
      return reply(200, {switches: faults.get()})
    }
    if (!faults.actionNames.includes(actionName)) return reply(404, {error: `unknown fault action '${actionName}' (known: ${faults.actionNames.join(', ')})`})
    try {
      return reply(200, {result: (await faults.act(actionName, body)) ?? null})
    } catch (error) {
      return reply(400, {error: (error as Error).message})
    }
  }
}
