// The journal's write paths, each against a baseline measured in the same loop, in the same
// folder (bench/.work/, same filesystem for both sides):
// - durable append: Journal.append() of a realistic event (canonical JSON, sha256 chain, one
//   SQLite transaction in WAL mode, synchronous=FULL: fsync'd before it returns) against the
//   rawest durable log there is: fs.writeSync of the same event's bytes (its JSONL line, hashes
//   included) + fs.fsyncSync, per record. Both are expressed as ms per 1,000 appends, so
//   "ratio <= 2.0x" reads "the journal reaches at least half the raw fsync'd append rate".
// - batched append: JournalBatch.add() with the default batch size (BATCH_SIZE events per block
//   and transaction, synchronous=NORMAL), from the first add() until batch.close() returns (every
//   event committed), against the durable append above; the row's name gives events/s. Twice: with
//   the writer thread (add() only validates and takes the canonical JSON; the thread hashes,
//   encodes and commits) and inline (RICK_JOURNAL_WRITER=inline: the calling thread does it all).
//   For the thread, the time spent in add() calls (what the producer pays) goes to stderr, and so
//   do inline batch sizes 100 and 10,000 (why BATCH_SIZE is what it is) and write+fdatasync (what
//   SQLite itself calls on Linux), for the record.
// Rounds alternate the sides so drift on the machine hits both alike; figures are medians.
import {closeSync, existsSync, fdatasyncSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {median, printTable, row} from './lib.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const journalModule = fileURLToPath(new URL('../dist/foundation/journal/index.js', import.meta.url))

const T0 = Date.UTC(2025, 2, 3, 14, 30)

/** What the engine journals most: order intents and fills, of realistic size (~300 bytes). */
function event(i) {
  const ts = T0 + i * 60_000
  return i % 2 === 0
    ? {ts, runId: 'bench-run', sector: 'coinbase', type: 'ORDER_INTENT', payload: {order: {clientOrderId: `cb-bench-${i}`, instrument: 'BTC-USD', side: 'buy', type: 'limit', qty: 0.0125, limitPrice: 61234.5 + i, tif: 'gtc', bracket: {stopLoss: 60000.25, takeProfit: 63000.75}}, reason: 'sma 10 crossed above sma 50'}}
    : {ts, runId: 'bench-run', sector: 'coinbase', type: 'FILL', payload: {fill: {clientOrderId: `cb-bench-${i - 1}`, fillId: `f-${i}`, instrument: 'BTC-USD', side: 'buy', qty: 0.0125, price: 61234.5 + i, fee: 765431, liquidity: 'taker', ts}}}
}

export default async function journalBench({rounds = 7, durablePerRound = 150, batchedPerRound = 20_000} = {}) {
  if (!existsSync(journalModule)) throw new Error(`${journalModule} is missing: run \`npm run build\` first`)
  const {openJournal, BATCH_SIZE} = await import(pathToFileURL(journalModule).href)
  mkdirSync(join(root, 'bench', '.work'), {recursive: true})
  const dir = mkdtempSync(join(root, 'bench', '.work', 'journal-'))
  try {
    const journal = openJournal({path: join(dir, 'journal.db')})
    // One journal per batch writer; each keeps its thread (if any) from one round to the next.
    const writers = {thread: openJournal({path: join(dir, 'thread.db'), writer: 'thread'}), inline: openJournal({path: join(dir, 'inline.db'), writer: 'inline'})}
    const rawFd = openSync(join(dir, 'raw.jsonl'), 'a', 0o600)
    // The raw side writes exactly the bytes of the events the journal wrote (export's JSONL line).
    const warm = journal.appendMany(Array.from({length: 64}, (_, i) => event(i)))
    const lines = warm.map((e) => `${JSON.stringify(e)}\n`)
    for (const line of lines) {
      writeSync(rawFd, line)
      fsyncSync(rawFd)
    }

    const perThousand = (ms, n) => (ms * 1000) / n
    const samples = {durable: [], raw: [], rawData: [], thread: [], threadCaller: [], inline: new Map([[100, []], [BATCH_SIZE, []], [10_000, []]])}
    let next = 64
    for (let r = 0; r < rounds; r++) {
      let t = performance.now()
      for (let i = 0; i < durablePerRound; i++) journal.append(event(next++))
      samples.durable.push(perThousand(performance.now() - t, durablePerRound))

      t = performance.now()
      for (let i = 0; i < durablePerRound; i++) {
        writeSync(rawFd, lines[i % lines.length])
        fsyncSync(rawFd)
      }
      samples.raw.push(perThousand(performance.now() - t, durablePerRound))

      // For the record only: fdatasync skips the inode's times, which is what SQLite calls on Linux.
      t = performance.now()
      for (let i = 0; i < durablePerRound; i++) {
        writeSync(rawFd, lines[i % lines.length])
        fdatasyncSync(rawFd)
      }
      samples.rawData.push(perThousand(performance.now() - t, durablePerRound))

      for (const [size, list] of samples.inline) {
        list.push(batchRound(writers.inline, size, batchedPerRound, () => event(next++)).total)
      }
      const threaded = batchRound(writers.thread, BATCH_SIZE, batchedPerRound, () => event(next++))
      samples.thread.push(threaded.total)
      samples.threadCaller.push(threaded.adds)
    }
    closeSync(rawFd)
    journal.close()
    writers.thread.close()
    writers.inline.close()

    const durable = median(samples.durable)
    const raw = median(samples.raw)
    const perSecond = (msPer1000) => Math.round(1_000_000 / msPer1000).toLocaleString('en-US')
    for (const [size, list] of samples.inline) process.stderr.write(`  journal batch size ${size}, inline: ${perSecond(median(list))} events/s\n`)
    process.stderr.write(`  journal batch size ${BATCH_SIZE}, writer thread: ${perSecond(median(samples.thread))} events/s to batch.close(); add() calls ${(median(samples.threadCaller) * 1000).toFixed(2)} µs per event on the calling thread\n`)
    process.stderr.write(`  journal durable append: ${perSecond(durable)}/s; raw write+fsync: ${perSecond(raw)}/s; raw write+fdatasync: ${perSecond(median(samples.rawData))}/s\n`)
    const thread = median(samples.thread)
    const inline = median(samples.inline.get(BATCH_SIZE))
    return [
      row(`journal durable append, ms/1k (${perSecond(durable)}/s)`, durable, `write+fsync/rec (${perSecond(raw)}/s)`, raw, 2.0),
      row(`journal batched /${BATCH_SIZE} writer thread, ms/1k (${perSecond(thread)}/s)`, thread, 'durable append', durable),
      row(`journal batched /${BATCH_SIZE} inline, ms/1k (${perSecond(inline)}/s)`, inline, 'durable append', durable),
    ]
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** One batch of `n` events: ms per 1,000 until close() returned, and ms per event in add() calls alone. */
function batchRound(journal, size, n, next) {
  const batch = journal.batch({size})
  const events = Array.from({length: n}, next)
  globalThis.gc?.()
  const t0 = performance.now()
  for (const e of events) batch.add(e)
  const t1 = performance.now()
  batch.close()
  const t2 = performance.now()
  return {total: ((t2 - t0) * 1000) / n, adds: (t1 - t0) / n}
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await journalBench())
