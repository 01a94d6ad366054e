// The journal's write paths, each against a baseline measured in the same loop, in the same
// folder (bench/.work/, same filesystem for both sides):
// - durable append: Journal.append() of a realistic event (canonical JSON, sha256 chain, one
//   SQLite transaction in WAL mode, synchronous=FULL: fsync'd before it returns) against the
//   rawest durable log there is: fs.writeSync of the same event's bytes (its JSONL line, hashes
//   included) + fs.fsyncSync, per record. Both are expressed as ms per 1,000 appends, so
//   "ratio <= 2.0x" reads "the journal reaches at least half the raw fsync'd append rate".
// - batched append: JournalBatch.add() with the default batch size (one transaction, one fsync
//   per BATCH_SIZE events), against the durable append above; the row's name gives events/s.
//   Batch sizes 100 and 10,000 are timed too and reported on stderr (why BATCH_SIZE is what it is),
//   and so is write+fdatasync (what SQLite itself calls on Linux), for the record.
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
    const rawFd = openSync(join(dir, 'raw.jsonl'), 'a', 0o600)
    // The raw side writes exactly the bytes of the events the journal wrote (export's JSONL line).
    const warm = journal.appendMany(Array.from({length: 64}, (_, i) => event(i)))
    const lines = warm.map((e) => `${JSON.stringify(e)}\n`)
    for (const line of lines) {
      writeSync(rawFd, line)
      fsyncSync(rawFd)
    }

    const perThousand = (ms, n) => (ms * 1000) / n
    const samples = {durable: [], raw: [], rawData: [], batched: new Map([[100, []], [BATCH_SIZE, []], [10_000, []]])}
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

      for (const [size, list] of samples.batched) {
        const batch = journal.batch({size})
        const events = Array.from({length: batchedPerRound}, () => event(next++))
        globalThis.gc?.()
        t = performance.now()
        for (const e of events) batch.add(e)
        batch.close()
        list.push(perThousand(performance.now() - t, batchedPerRound))
      }
    }
    closeSync(rawFd)
    journal.close()

    const durable = median(samples.durable)
    const raw = median(samples.raw)
    const perSecond = (msPer1000) => Math.round(1_000_000 / msPer1000).toLocaleString('en-US')
    for (const [size, list] of samples.batched) process.stderr.write(`  journal batch size ${size}: ${perSecond(median(list))} events/s\n`)
    process.stderr.write(`  journal durable append: ${perSecond(durable)}/s; raw write+fsync: ${perSecond(raw)}/s; raw write+fdatasync: ${perSecond(median(samples.rawData))}/s\n`)
    const batched = median(samples.batched.get(BATCH_SIZE))
    return [
      row(`journal durable append, ms/1k (${perSecond(durable)}/s)`, durable, `write+fsync/rec (${perSecond(raw)}/s)`, raw, 2.0),
      row(`journal batched append /${BATCH_SIZE}, ms/1k (${perSecond(batched)}/s)`, batched, 'durable append', durable),
    ]
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable(await journalBench())
