// Streams one table out of PostgreSQL into the backup store: COPY → digest → gzip → put.
// Every stage is a stream with backpressure, so memory stays bounded by a few buffers
// whatever the table size; nothing holds a whole table.
import { pipeline, type Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { BackupStore, Database, SqlConnection, StoredObject } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { type ChunkRange, copyChunkSql } from './chunk-ranges.ts';
import { type CopyTarget, copyOutSql } from './copy-format.ts';
import { type DataDigest, DigestStream } from './digest-stream.ts';

/** A failure of the store, not of the data: worth another attempt. Keeps the BackupError name. */
export class TransientStoreError extends BackupError {}

export interface CopiedTable {
  digest: DataDigest;
  stored: StoredObject;
}

export async function copyTableToStore(
  db: Database,
  connection: SqlConnection,
  store: BackupStore,
  /** `range`: one chunk of the table, read by its own COPY. */
  target: CopyTarget & { name: string; range?: ChunkRange | undefined },
  key: string,
  gzipLevel: number,
): Promise<CopiedTable> {
  const source = connection.copyTo(target.range ? copyChunkSql(target, target.range) : copyOutSql(target));
  const digest = new DigestStream();
  // 64 KiB output chunks: a quarter of the thread-pool round trips of the 16 KiB default.
  const gzip = createGzip({ level: gzipLevel, chunkSize: 64 * 1024 });
  let sourceError: unknown;
  source.once('error', (error) => {
    sourceError ??= error;
    digest.destroy(error);
  });
  // The COPY stream stays out of the pipeline: if the store destroys its body, the pipeline
  // would destroy the COPY stream too, and a COPY stream destroyed mid-copy leaves its
  // connection waiting for data nobody reads, so every later query on it hangs.
  source.pipe(digest);
  const flowed = new Promise<Error | null | undefined>((resolve) => pipeline(digest, gzip, resolve));
  let stored: StoredObject;
  try {
    // Durable only once the backup syncs the store, before it writes the manifest naming it.
    stored = await store.put(key, gzip, { deferSync: true });
  } catch (error) {
    const readFailed = sourceError !== undefined;
    if (!readFailed) await stopCopy(db, connection, source, digest, gzip);
    await flowed;
    if (readFailed) throw readError(target.name, sourceError);
    throw new TransientStoreError(`cannot write the backup of ${target.name} to ${key}: ${message(error)}`, {
      cause: error,
    });
  }
  const failure = await flowed;
  if (failure || sourceError) throw readError(target.name, sourceError ?? failure);
  return { digest: digest.digest(), stored };
}

/** The store gave up mid-stream: cancel the COPY so the connection is usable again. */
async function stopCopy(
  db: Database,
  connection: SqlConnection,
  source: Readable,
  digest: Writable,
  gzip: Writable,
): Promise<void> {
  await db
    .withConnection((other) => other.query('SELECT pg_cancel_backend($1)', [connection.processId]))
    .catch(() => {});
  // Read the rest of the COPY (up to the cancel's error) so the connection is usable again.
  source.unpipe(digest);
  source.resume();
  await finished(source).catch(() => undefined);
  // Nobody reads gzip any more: end the pipeline even when the whole table was already in it.
  digest.destroy();
  gzip.destroy();
}

function readError(table: string, error: unknown): BackupError {
  const text = message(error);
  const fix = /row-level security/.test(text)
    ? ' — a policy would hide rows from the backup: run it as a role with BYPASSRLS (or the owner, without FORCE ROW LEVEL SECURITY)'
    : '';
  return new BackupError(`cannot read ${table} for the backup: ${text}${fix}`, { cause: error });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
