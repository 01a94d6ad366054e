import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {seededRandom} from '../../../src/foundation/random.js'
import type {Post, PostResult} from '../../../src/sectors/notify/http-post.js'
import {EndpointQueue} from '../../../src/sectors/notify/queue.js'

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A post that answers from a script, and records the time of every call. */
function scripted(answers: PostResult[]): {post: Post; calls: Array<{at: number; body: unknown}>} {
  const calls: Array<{at: number; body: unknown}> = []
  const post: Post = async (_url, body) => {
    calls.push({at: Date.now(), body})
    return answers.shift() ?? {status: 200}
  }
  return {post, calls}
}

const make = (post: Post, capacity = 10, seed = 7) => new EndpointQueue({url: 'http://x', timeoutMs: 1000, capacity, post, random: seededRandom(seed), backoffMs: 100, attempts: 4})

describe('EndpointQueue', () => {
  it('sends in order and counts', async () => {
    const {post, calls} = scripted([])
    const q = make(post)
    for (const i of [1, 2, 3]) q.push(i)
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.body)).toEqual([1, 2, 3])
    expect(q.stats).toMatchObject({sent: 3, failed: 0, dropped: 0, pending: 0})
  })

  it('retries 5xx, 429 and no answer with doubling jittered backoff, the same for the same seed; a 4xx is not retried', async () => {
    const waits = async (seed: number): Promise<number[]> => {
      const {post, calls} = scripted([{status: 500}, {status: 0, error: 'ECONNREFUSED'}, {status: 429}, {status: 200}])
      const q = make(post, 10, seed)
      const t0 = Date.now()
      q.push('a')
      await vi.runAllTimersAsync()
      expect(q.stats).toMatchObject({sent: 1, failed: 0})
      return calls.map((c) => c.at - t0)
    }
    const first = await waits(7)
    expect(first).toHaveLength(4)
    const gaps = first.slice(1).map((t, i) => t - (first[i] as number))
    // Each wait is the base (100, 200, 400 ms) times a jitter in [0.5, 1).
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThanOrEqual(50 * 2 ** i)
      expect(g).toBeLessThan(100 * 2 ** i)
    })
    expect(await waits(7)).toEqual(first)
    expect(await waits(8)).not.toEqual(first)

    const {post, calls} = scripted([{status: 404}])
    const q = make(post)
    q.push('b')
    await vi.runAllTimersAsync()
    expect(calls).toHaveLength(1)
    expect(q.stats).toMatchObject({sent: 0, failed: 1, lastStatus: 404})
  })

  it('gives a message up after its attempts and goes on with the next', async () => {
    const {post, calls} = scripted([{status: 503}, {status: 503}, {status: 503}, {status: 503}])
    const q = make(post)
    q.push('x')
    q.push('y')
    await vi.runAllTimersAsync()
    expect(calls.map((c) => c.body)).toEqual(['x', 'x', 'x', 'x', 'y'])
    expect(q.stats).toMatchObject({sent: 1, failed: 1, lastStatus: 503})
  })

  it('is bounded: while the endpoint is down the oldest are dropped and counted', async () => {
    let release: (r: PostResult) => void = () => undefined
    const post: Post = () => new Promise<PostResult>((resolve) => (release = resolve))
    const q = make(post, 3)
    for (let i = 0; i < 10; i++) q.push(i)
    // One in flight (0) plus the newest ones up to the capacity.
    expect(q.stats).toMatchObject({dropped: 7, pending: 3})
    release({status: 200})
    await vi.advanceTimersByTimeAsync(0)
    expect(q.stats.sent).toBe(1)
  })

  it('drain is bounded, close drops what is left', async () => {
    const post: Post = () => new Promise<PostResult>(() => undefined)
    const q = make(post)
    q.push(1)
    q.push(2)
    const drained = q.drain(500)
    await vi.advanceTimersByTimeAsync(500)
    expect(await drained).toBe(false)
    q.close()
    expect(q.stats).toMatchObject({dropped: 2, pending: 0})
    q.push(3)
    expect(q.stats.pending).toBe(0)
  })
})
