// One POST of a JSON body with a hard deadline. node:http rather than fetch: no shared
// keep-alive pool to outlive the run, and a receiver that never answers is cut off by destroying
// the socket at the deadline, whatever state the exchange is in.
import {request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'

/** status: the HTTP status, or 0 when there was none (refused, timed out, reset). */
export interface PostResult {
  status: number
  error?: string
}

/** `signal`: aborts the request at once (a closing notifier does not wait for a hanging endpoint). */
export type Post = (url: string, body: unknown, timeoutMs: number, signal?: AbortSignal) => Promise<PostResult>

export const postJson: Post = (url, body, timeoutMs, signal) =>
  new Promise<PostResult>((resolve) => {
    let settled = false
    const done = (r: PostResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(r)
    }
    const data = Buffer.from(JSON.stringify(body))
    let target: URL
    try {
      target = new URL(url)
    } catch {
      resolve({status: 0, error: 'invalid URL'})
      return
    }
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request(target, {method: 'POST', agent: false, headers: {'content-type': 'application/json', 'content-length': data.length, 'user-agent': 'rick-notify'}}, (res) => {
      // The body is not needed, but it must be read for the socket to close.
      res.resume()
      res.on('end', () => done({status: res.statusCode ?? 0}))
      res.on('error', () => done({status: res.statusCode ?? 0}))
    })
    // Error texts name the host and port at most (never the path, where a token may sit).
    req.on('error', (err: NodeJS.ErrnoException) => done({status: 0, error: err.code ?? 'request failed'}))
    const timer = setTimeout(() => {
      done({status: 0, error: `no answer within ${timeoutMs} ms`})
      req.destroy()
    }, timeoutMs)
    timer.unref()
    const onAbort = (): void => {
      done({status: 0, error: 'cancelled: the notifier closed'})
      req.destroy()
    }
    if (signal?.aborted) onAbort()
    else signal?.addEventListener('abort', onAbort, {once: true})
    req.end(data)
  })
