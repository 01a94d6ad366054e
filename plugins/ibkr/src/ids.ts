// IBKR order ids: never reused, across reconnects, Gateway restarts and rick restarts.
//
// TWS hands out `nextValidId` at every connect, but a Gateway restart (or a TWS whose settings were
// reset) can roll it back below ids already used: an order placed with a reused id would replace or
// be refused as a duplicate of an earlier one. So the highest id rick may have sent is persisted in
// the sector's state directory BEFORE any id is sent, and the next id is always
// max(nextValidId, next in memory), where a restart starts `next` above the stored mark.
//
// Writing the file for every order would put an fsync on every order's path, so ids are reserved in
// blocks: "reserved through N" is written once per BLOCK ids (write a temporary file, fsync it,
// rename it over the old one, fsync the directory). A crash at any point leaves either the old file
// or the new one, never a torn one; ids reserved but never sent are skipped after a restart, which
// costs nothing (any id above the last one used is valid at TWS).
//
// A file that exists but cannot be read is a refusal to start (fail closed): without it rick cannot
// know which ids it used. A missing file is a first start. Without a state directory (tests) the
// reservation is kept in memory only, and the connector says so.
import {mkdir, open, readFile, rename, unlink} from 'node:fs/promises'
import {dirname, join} from 'node:path'

export const ORDER_IDS_FILE = 'ibkr-order-ids.json'
/** Ids reserved by one write of the file. */
export const DEFAULT_BLOCK = 100

/** What the book needs of a file system (a test swaps in failures). */
export interface IdStore {
  /** The reserved high-water mark, or undefined when nothing was stored yet. Throws when unreadable. */
  load(): Promise<number | undefined>
  /** Stores the mark durably; resolves only once it would survive a crash. */
  save(reservedThrough: number): Promise<void>
  /** Where it lives, for messages. */
  readonly where: string
}

export class OrderIdBook {
  /** The next id to hand out (0 until the first nextValidId or the stored mark says otherwise). */
  private next = 0
  /** Ids up to this one may have been sent (persisted before they were handed out). */
  private reserved = 0
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly store: IdStore | undefined,
    private readonly block: number,
  ) {}

  /** Opens the book from the store (undefined: memory only). Throws when the stored mark is unreadable. */
  static async open(store: IdStore | undefined, block = DEFAULT_BLOCK): Promise<OrderIdBook> {
    if (!(Number.isInteger(block) && block >= 1)) throw new Error(`order id block must be a positive integer, found ${block}`)
    const book = new OrderIdBook(store, block)
    const stored = store === undefined ? undefined : await store.load()
    if (stored !== undefined) {
      book.reserved = stored
      book.next = stored + 1
    }
    return book
  }

  /** Whether ids survive a restart. */
  get durable(): boolean {
    return this.store !== undefined
  }

  /** The highest id that may have been sent (the persisted mark). */
  get reservedThrough(): number {
    return this.reserved
  }

  /** The id the next take() starts at. */
  peek(): number {
    return this.next
  }

  /**
   * TWS's nextValidId at a (re)connect. Never moves the next id back: a rolled-back nextValidId is
   * ignored, and what was reserved before stays skipped.
   */
  sync(nextValidId: number): void {
    if (!Number.isInteger(nextValidId) || nextValidId < 0) return
    // In this process `next` is exact; after a restart open() put it above the stored mark.
    this.next = Math.max(this.next, nextValidId)
  }

  /**
   * `count` consecutive ids, persisted as used before they are returned. Calls are served one at a
   * time (concurrent submits never get the same id). When the store fails, nothing is handed out
   * and the ids stay unused in memory too (the next take tries the write again).
   */
  take(count: number): Promise<number[]> {
    if (!(Number.isInteger(count) && count >= 1)) return Promise.reject(new Error(`take() needs a positive whole count, found ${count}`))
    const run = this.queue.then(() => this.takeNow(count))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async takeNow(count: number): Promise<number[]> {
    if (this.next <= 0) throw new Error('no order id yet: TWS has not sent nextValidId')
    // `next` is above the stored mark from open() on (sync never moves it back), so the ids from
    // `first` on were never handed out, by this run or an earlier one.
    const first = this.next
    const last = first + count - 1
    if (last > this.reserved) {
      const mark = last + this.block
      if (this.store !== undefined) await this.store.save(mark)
      this.reserved = mark
    }
    this.next = last + 1
    return Array.from({length: count}, (_, i) => first + i)
  }
}

/** The mark in `<dir>/ibkr-order-ids.json`, written atomically and durably. */
export function fileIdStore(dir: string): IdStore {
  const path = join(dir, ORDER_IDS_FILE)
  return {
    where: path,
    async load() {
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        if ((error as {code?: unknown}).code === 'ENOENT') return undefined
        throw new Error(`cannot read ${path} (IBKR order ids used so far): ${(error as Error).message}`)
      }
      return parseMark(text, path)
    },
    async save(reservedThrough) {
      await mkdir(dirname(path), {recursive: true})
      const tmp = `${path}.tmp`
      const body = `${JSON.stringify({reservedThrough, note: 'IBKR order ids up to this one may have been used; rick never reuses one'})}\n`
      const f = await open(tmp, 'w', 0o600)
      try {
        await f.writeFile(body, 'utf8')
        await f.sync()
      } finally {
        await f.close()
      }
      try {
        await rename(tmp, path)
      } catch (error) {
        await unlink(tmp).catch(() => undefined)
        throw error
      }
      await syncDir(dirname(path))
    },
  }
}

/** The stored mark; a file that is not exactly what save() writes is refused (fail closed). */
export function parseMark(text: string, where: string): number {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error(`${where} is not valid JSON (IBKR order ids used so far); rick will not guess which ids were used: restore it, or remove it only if no order was ever sent through this TWS/Gateway from this sector`)
  }
  const mark = (value as {reservedThrough?: unknown} | null)?.reservedThrough
  if (typeof mark !== 'number' || !Number.isSafeInteger(mark) || mark < 0) throw new Error(`${where}: reservedThrough must be a whole number ≥ 0, found ${JSON.stringify(mark)}`)
  return mark
}

/** fsync of a directory makes a rename in it durable (not possible on every platform: then skipped). */
async function syncDir(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Windows cannot open a directory; the rename is still atomic there.
  } finally {
    await handle?.close()
  }
}
