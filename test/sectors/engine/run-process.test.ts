import {PassThrough} from 'node:stream'
import {afterEach, describe, expect, it} from 'vitest'

import {processStopLatch, STOP_SIGNALS, writeQuietly} from '../../../src/sectors/engine/run-process.js'

const EARLY = Symbol.for('rick.early-stop-signals')

afterEach(() => processStopLatch().close())

describe('the stop latch', () => {
  it('takes over the signals bin/run.js recorded while loading, and removes its handlers', () => {
    const record = () => {}
    process.on('SIGHUP', record)
    ;(globalThis as Record<symbol, unknown>)[EARLY] = {signals: ['SIGTERM'], release: () => process.off('SIGHUP', record)}
    const latch = processStopLatch()
    expect(latch.signal).toBe('SIGTERM')
    expect(process.listeners('SIGHUP')).not.toContain(record)
    expect((globalThis as Record<symbol, unknown>)[EARLY]).toBeUndefined()
    // A listener that comes later hears of it at once.
    const heard: string[] = []
    latch.listen((s) => heard.push(s))
    expect(heard).toEqual(['SIGTERM'])
  })

  it('catches SIGINT, SIGTERM and SIGHUP until closed, then leaves them to Node', () => {
    const before = STOP_SIGNALS.map((s) => process.listenerCount(s))
    const latch = processStopLatch()
    const heard: string[] = []
    const remove = latch.listen((s) => heard.push(s))
    process.emit('SIGHUP', 'SIGHUP')
    process.emit('SIGINT', 'SIGINT')
    expect(heard).toEqual(['SIGHUP', 'SIGINT'])
    expect(latch.signal).toBe('SIGHUP')
    remove()
    process.emit('SIGTERM', 'SIGTERM')
    expect(heard).toHaveLength(2)
    latch.close()
    expect(STOP_SIGNALS.map((s) => process.listenerCount(s))).toEqual(before)
    expect(processStopLatch()).not.toBe(latch)
  })
})

describe('writeQuietly', () => {
  it('drops text for a broken or closed stream and never throws', () => {
    const s = new PassThrough() as unknown as NodeJS.WriteStream
    s.on('error', () => {
      throw new Error('a listener that rethrows, as oclif has on stdout')
    })
    writeQuietly(s, 'one\n')
    expect(() => s.emit('error', Object.assign(new Error('write EIO'), {code: 'EIO'}))).not.toThrow()
    s.destroy()
    expect(() => writeQuietly(s, 'two\n')).not.toThrow()
  })
})
