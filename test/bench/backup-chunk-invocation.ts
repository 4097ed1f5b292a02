// One chunk of a table backed up the way a separate Lambda invocation would have to: its own
// connection and transaction (no snapshot shared with the other chunks: an exported snapshot
// lives only while its exporting transaction is open), its own catalog read, one key range,
// one object. The backup bench runs it in-process (separate connections) and as its own
// process (`tsx test/bench/backup-chunk-invocation.ts <json>`, separate processes) to measure
// what chunks across invocations cost.

import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { pgCopyStreams } from '../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import type { ChunkRange } from '../../lambdas/engine/backup/chunk-ranges.ts';
import { setCopySessionSql } from '../../lambdas/engine/backup/copy-format.ts';
import { copyTableToStore } from '../../lambdas/engine/backup/copy-to-store.ts';
import { chunkKey } from '../../lambdas/engine/backup/manifest.ts';
import { describeTables, findTables } from '../../lambdas/engine/backup/table-catalog.ts';
import { withTransaction } from '../../lambdas/engine/transaction.ts';
import type { Database } from '../../lambdas/ports.ts';

export interface ChunkInvocation {
  table: string;
  range: ChunkRange;
  index: number;
  executionId: string;
  storeRoot: string;
}

export interface ChunkResult {
  rows: number;
  bytes: number;
  sha256: string;
  /** Wall time of the whole invocation, and of its COPY alone. */
  totalMs: number;
  copyMs: number;
}

export async function backupChunk(db: Database, chunk: ChunkInvocation): Promise<ChunkResult> {
  const started = performance.now();
  const store = new LocalBackupStore(chunk.storeRoot);
  const result = await db.withConnection((connection) =>
    withTransaction(connection, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async () => {
      await connection.query(setCopySessionSql());
      const { found } = await findTables(connection, [chunk.table]);
      await connection.query(`LOCK TABLE ${chunk.table} IN ACCESS SHARE MODE`);
      const [table] = await describeTables(connection, found);
      const copyStarted = performance.now();
      const copied = await copyTableToStore(
        db,
        connection,
        store,
        { ...table!, name: chunk.table, range: chunk.range },
        chunkKey('bench', chunk.executionId, chunk.table, chunk.index),
        1,
      );
      return { copied, copyMs: performance.now() - copyStarted };
    }),
  );
  await store.sync();
  return {
    ...result.copied.digest,
    totalMs: performance.now() - started,
    copyMs: result.copyMs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url, ...chunk } = JSON.parse(process.argv[2]!) as ChunkInvocation & { url: string };
  const db = new PgDatabase(url, {}, { copy: pgCopyStreams });
  try {
    process.stdout.write(JSON.stringify(await backupChunk(db, chunk)));
  } finally {
    await db.close();
  }
}
