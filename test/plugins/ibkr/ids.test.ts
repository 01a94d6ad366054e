import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {fileIdStore, ORDER_IDS_FILE, OrderIdBook, parseMark, type IdStore} from '../../../plugins/ibkr/src/ids.js'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, {recursive: true, force: true})
})
const tempDir = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'rick-ibkr-ids-'))
  dirs.push(d)
  return d
}

/** A store in memory that counts its writes and can be told to fail. */
function memoryStore(start?: number): IdStore & {writes: number[]; failNext: boolean} {
  let mark = start
  const s = {
    where: 'memory',
    writes: [] as number[],
    failNext: false,
    async load() {
      return mark
    },
    async save(v: number) {
      if (s.failNext) {
        s.failNext = false
        throw new Error('disk full')
      }
      s.writes.push(v)
      mark = v
    },
  }
  return s
}

describe('OrderIdBook: ids never reused', () => {
  it('starts at nextValidId and never goes back when TWS rolls it back', async () => {
    const book = await OrderIdBook.open(undefined, 10)
    await expect(book.take(1)).rejects.toThrow(/nextValidId/)
    book.sync(100)
    expect(await book.take(1)).toEqual([100])
    expect(await book.take(3)).toEqual([101, 102, 103])
    book.sync(50) // a Gateway restart rolled it back
    expect(await book.take(1)).toEqual([104])
    book.sync(500) // TWS is ahead (another client, or ids used by hand): follow it
    expect(await book.take(1)).toEqual([500])
  })

  it('persists the reservation before handing ids out, one write per block', async () => {
    const store = memoryStore()
    const book = await OrderIdBook.open(store, 100)
    book.sync(1)
    const ids: number[] = []
    for (let i = 0; i < 150; i++) ids.push(...(await book.take(1)))
    expect(ids[0]).toBe(1)
    expect(new Set(ids).size).toBe(150)
    expect(store.writes).toEqual([101, 202])
    for (const id of ids) expect(id).toBeLessThanOrEqual(store.writes.at(-1) as number)
  })

  it('after a restart (a new book on the same store) the next id is above every id that may have been sent', async () => {
    const store = memoryStore()
    const first = await OrderIdBook.open(store, 20)
    first.sync(7)
    const used = [...(await first.take(1)), ...(await first.take(3))]
    // The process dies here; TWS's nextValidId comes back rolled back to 1.
    const second = await OrderIdBook.open(store, 20)
    second.sync(1)
    const next = await second.take(1)
    expect(next[0]).toBeGreaterThan(Math.max(...used))
  })

  it('a failed write hands nothing out; the next take writes again and never repeats an id', async () => {
    const store = memoryStore()
    const book = await OrderIdBook.open(store, 5)
    book.sync(10)
    store.failNext = true
    await expect(book.take(1)).rejects.toThrow('disk full')
    expect(store.writes).toEqual([])
    const a = await book.take(1)
    const b = await book.take(1)
    expect(a[0]).toBeGreaterThanOrEqual(10)
    expect(b[0]).toBe((a[0] as number) + 1)
    expect(store.writes.length).toBe(1)
  })

  it('concurrent takes get distinct ids', async () => {
    const book = await OrderIdBook.open(memoryStore(), 3)
    book.sync(1)
    const all = (await Promise.all(Array.from({length: 20}, (_, i) => book.take(1 + (i % 3))))).flat()
    expect(new Set(all).size).toBe(all.length)
  })
})

describe('fileIdStore: written atomically, read fail-closed', () => {
  it('a first start has no file; the mark survives a new store; no temporary file is left', async () => {
    const dir = await tempDir()
    const store = fileIdStore(dir)
    expect(await store.load()).toBeUndefined()
    const book = await OrderIdBook.open(store, 10)
    book.sync(42)
    expect(await book.take(2)).toEqual([42, 43])
    expect(await fileIdStore(dir).load()).toBe(53)
    expect(JSON.parse(await readFile(join(dir, ORDER_IDS_FILE), 'utf8'))).toMatchObject({reservedThrough: 53})
    await expect(readFile(join(dir, `${ORDER_IDS_FILE}.tmp`))).rejects.toMatchObject({code: 'ENOENT'})
  })

  it('a crash between the temporary file and the rename leaves the old mark in force', async () => {
    const dir = await tempDir()
    const book = await OrderIdBook.open(fileIdStore(dir), 10)
    book.sync(1)
    await book.take(1)
    await writeFile(join(dir, `${ORDER_IDS_FILE}.tmp`), '{"reservedThr') // torn, never renamed
    expect(await fileIdStore(dir).load()).toBe(11)
  })

  it('a file that cannot be read refuses to start instead of guessing', async () => {
    const dir = await tempDir()
    await writeFile(join(dir, ORDER_IDS_FILE), '{"reservedThrough": 12')
    await expect(OrderIdBook.open(fileIdStore(dir))).rejects.toThrow(/not valid JSON/)
    expect(() => parseMark('{"reservedThrough": -3}', 'x')).toThrow(/whole number/)
    expect(() => parseMark('{"reservedThrough": "12"}', 'x')).toThrow(/whole number/)
    expect(() => parseMark('null', 'x')).toThrow(/whole number/)
    expect(parseMark('{"reservedThrough": 12}', 'x')).toBe(12)
  })
})
