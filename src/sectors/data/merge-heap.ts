// The order in which a feed hands out bars of many instruments: the earliest pending ts first,
// ties in the order the instruments were given. A scan of every instrument per bar made a backtest
// of 10,000 instruments quadratic; a binary heap costs log2(n) per bar. Up to SCAN_UP_TO streams
// a scan is faster (no sifting, one pass over a few cache lines), so feeds use both.

/** Up to this many streams, picking the earliest by a scan beats a heap. */
export const SCAN_UP_TO = 8

/** A min-heap of stream indices keyed by each stream's next ts; exhausted streams leave it. */
export class StreamHeap {
  private readonly heap: Int32Array
  /** The next ts of each stream, by stream index (kept here: a callback per comparison cost more than the sift). */
  private readonly keys: Float64Array
  private size = 0

  /** `firstTs[k]` is stream k's first ts, or undefined when stream k has no data. */
  constructor(firstTs: ReadonlyArray<number | undefined>) {
    this.heap = new Int32Array(Math.max(1, firstTs.length))
    this.keys = new Float64Array(firstTs.length)
    firstTs.forEach((ts, k) => {
      if (ts === undefined) return
      this.keys[k] = ts
      this.heap[this.size++] = k
    })
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  /** The stream whose next bar comes first (the lowest index among equal ts), or -1 when all are exhausted. */
  top(): number {
    return this.size === 0 ? -1 : (this.heap[0] as number)
  }

  /** The top stream moved on to a bar at `ts` (never earlier than its last). */
  advanced(ts: number): void {
    this.keys[this.heap[0] as number] = ts
    this.siftDown(0)
  }

  /** The top stream has no more bars. */
  removeTop(): void {
    const last = this.heap[--this.size] as number
    if (this.size > 0) {
      this.heap[0] = last
      this.siftDown(0)
    }
  }

  private siftDown(at: number): void {
    const heap = this.heap
    const keys = this.keys
    const size = this.size
    const item = heap[at] as number
    const itemTs = keys[item] as number
    let i = at
    for (;;) {
      let child = 2 * i + 1
      if (child >= size) break
      let c = heap[child] as number
      let cTs = keys[c] as number
      const right = child + 1
      if (right < size) {
        const r = heap[right] as number
        const rTs = keys[r] as number
        if (rTs < cTs || (rTs === cTs && r < c)) {
          child = right
          c = r
          cTs = rTs
        }
      }
      if (!(cTs < itemTs || (cTs === itemTs && c < item))) break
      heap[i] = c
      i = child
    }
    heap[i] = item
  }
}
