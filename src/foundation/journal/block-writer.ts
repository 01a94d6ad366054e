// Writes chunks as blocks through one SQLite connection: the calling thread's (durable appends,
// small batches, RICK_JOURNAL_WRITER=inline) or the writer thread's. The caller owns the
// transaction; inside it this reads the head of the chain, so seqs stay contiguous and the chain
// linked whoever else writes the file.
import type {Chunk} from './chunk.js'
import {BlockBytes, encodeChunk, encodeChunkBytes, type EncodedBlock, type EncodedBlockBytes, type Head} from './blocks.js'
import {BLOCK_COLUMNS, GENESIS_HASH, INSERT_BLOCK, SELECT_HEAD} from './schema.js'
import type {Database, Statement} from './sqlite.js'

/**
 * INSERT_BLOCK with hashes and events bound as their UTF-8 bytes: a blob CAST to TEXT is stored
 * as those very bytes (the database is UTF-8), so the row is the one INSERT_BLOCK stores from
 * the strings.
 */
const INSERT_BLOCK_BYTES = `INSERT INTO blocks (${BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT))`

export class BlockWriter {
  private readonly insert: Statement
  /** Inserts a block given as bytes. */
  private readonly put: (b: EncodedBlockBytes) => void
  private readonly headQuery: Statement
  private bytes: BlockBytes | undefined

  constructor(db: Database) {
    this.insert = db.prepare(INSERT_BLOCK)
    const insertBytes = db.prepare(INSERT_BLOCK_BYTES)
    this.headQuery = db.prepare(SELECT_HEAD).raw(true)
    // One function for the writer's life: a new closure per chunk made the encoder's optimized
    // code fail its call-target check (and be rebuilt) at every chunk.
    this.put = (b) => {
      insertBytes.run(b.firstSeq, b.lastSeq, b.runId, b.sector, b.kinds, b.firstTs, b.lastTs, b.prevHash, b.lastHash, b.hashes, b.events)
    }
  }

  head(): Head {
    const row = this.headQuery.get() as [number, string] | undefined
    return row === undefined ? {seq: 0, hash: GENESIS_HASH} : {seq: row[0], hash: row[1]}
  }

  /**
   * Inside a write transaction: encodes the chunks, in order, from the head, and inserts them.
   * Without onBlock (batches, the writer thread), blocks go to SQLite as bytes, never as strings.
   */
  write(chunks: readonly Chunk[], onBlock?: (block: EncodedBlock) => void): Head {
    const head = this.head()
    if (onBlock === undefined) {
      const bytes = (this.bytes ??= new BlockBytes())
      for (const chunk of chunks) encodeChunkBytes(chunk, head, bytes, this.put)
      return head
    }
    const insert = this.insert
    for (const chunk of chunks) {
      encodeChunk(chunk, head, (b) => {
        insert.run(b.firstSeq, b.lastSeq, b.runId, b.sector, b.kinds, b.firstTs, b.lastTs, b.prevHash, b.lastHash, b.hashes, b.events)
        onBlock(b)
      })
    }
    return head
  }
}
