// Writes chunks as blocks through one SQLite connection: the calling thread's (durable appends,
// small batches, RICK_JOURNAL_WRITER=inline) or the writer thread's. The caller owns the
// transaction; inside it this reads the head of the chain, so seqs stay contiguous and the chain
// linked whoever else writes the file.
import type {Chunk} from './chunk.js'
import {encodeChunk, type EncodedBlock, type Head} from './blocks.js'
import {GENESIS_HASH, INSERT_BLOCK, SELECT_HEAD} from './schema.js'
import type {Database, Statement} from './sqlite.js'

export class BlockWriter {
  private readonly insert: Statement
  private readonly headQuery: Statement

  constructor(db: Database) {
    this.insert = db.prepare(INSERT_BLOCK)
    this.headQuery = db.prepare(SELECT_HEAD).raw(true)
  }

  head(): Head {
    const row = this.headQuery.get() as [number, string] | undefined
    return row === undefined ? {seq: 0, hash: GENESIS_HASH} : {seq: row[0], hash: row[1]}
  }

  /** Inside a write transaction: encodes the chunks, in order, from the head, and inserts them. */
  write(chunks: readonly Chunk[], onBlock?: (block: EncodedBlock) => void): Head {
    const head = this.head()
    const insert = this.insert
    for (const chunk of chunks) {
      encodeChunk(chunk, head, (b) => {
        insert.run(b.firstSeq, b.lastSeq, b.runId, b.sector, b.kinds, b.firstTs, b.lastTs, b.prevHash, b.lastHash, b.hashes, b.events)
        onBlock?.(b)
      })
    }
    return head
  }
}
