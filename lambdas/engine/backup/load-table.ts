// Streams one backup object into its table: get → gunzip → digest → COPY FROM STDIN, and
// checks that what was loaded is byte for byte what the manifest recorded.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { BackupStore, SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { copyInSql } from './copy-format.ts';
import { type DataDigest, DigestStream } from './digest-stream.ts';
import type { TableBackup } from './manifest.ts';

export async function openBackupObject(store: BackupStore, table: TableBackup): Promise<Readable> {
  if (!table.chunks) return openObject(store, table, table.key);
  // A table backed up in chunks is the concatenation of its chunk objects, in order (gzip
  // members one after the other, which gunzip reads as one stream); each is opened in turn.
  const chunks = table.chunks;
  const first = await openObject(store, table, chunks[0]!.key);
  return Readable.from(
    (async function* () {
      for (const [index, chunk] of chunks.entries()) {
        yield* index === 0 ? first : await openObject(store, table, chunk.key);
      }
    })(),
    { objectMode: false },
  );
}

async function openObject(store: BackupStore, table: TableBackup, key: string): Promise<Readable> {
  try {
    return await store.get(key);
  } catch (error) {
    throw new BackupError(
      `the backup of ${table.name} is missing: ${key} cannot be read (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** The rows of each chunk, so a digest of the concatenation is comparable with the manifest's. */
export function chunkRows(table: TableBackup): number[] {
  return table.chunks?.map((chunk) => chunk.rows) ?? [];
}

export async function loadTable(
  connection: SqlConnection,
  store: BackupStore,
  table: TableBackup,
): Promise<DataDigest> {
  const source = await openBackupObject(store, table);
  const gunzip = createGunzip();
  const digest = new DigestStream(chunkRows(table));
  let gzipError: unknown;
  gunzip.once('error', (error) => {
    gzipError ??= error;
  });
  try {
    await pipeline(source, gunzip, digest, connection.copyFrom(copyInSql(table)));
  } catch (error) {
    if (gzipError) {
      throw new BackupError(
        `the backup object ${table.key} of ${table.name} is corrupt (gzip: ${(gzipError as Error).message}); nothing was restored`,
        { cause: gzipError },
      );
    }
    throw new BackupError(
      `cannot load the backup of ${table.name} from ${table.key}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const loaded = digest.digest();
  if (loaded.sha256 !== table.sha256 || loaded.rows !== table.rows || loaded.bytes !== table.bytes) {
    throw new BackupError(
      `the backup object ${table.key} of ${table.name} does not match its manifest ` +
        `(expected ${table.rows} rows, ${table.bytes} bytes, SHA-256 ${table.sha256}; ` +
        `read ${loaded.rows} rows, ${loaded.bytes} bytes, SHA-256 ${loaded.sha256}) — it was changed or damaged; nothing was restored`,
    );
  }
  return loaded;
}
