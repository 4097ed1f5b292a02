// Proves a restored table holds exactly the backed-up rows before the restore commits: the
// table is read back with the same COPY and its SHA-256 compared with the manifest. Rows that
// went into free space of a table that could only be emptied with DELETE read back in another
// order; then the rows themselves are compared as a multiset, against the backup object.

import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { BackupStore, SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { copyOutSql } from './copy-format.ts';
import { DigestStream, RowSetDigestStream } from './digest-stream.ts';
import { chunkRows, openBackupObject } from './load-table.ts';
import type { TableBackup } from './manifest.ts';

export type Verification = 'checksum' | 'row-set';

const discard = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

export async function verifyRestoredTable(
  connection: SqlConnection,
  store: BackupStore,
  table: TableBackup,
): Promise<Verification> {
  const readBack = new DigestStream(chunkRows(table));
  await pipeline(connection.copyTo(copyOutSql(table)), readBack, discard());
  if (readBack.digest().sha256 === table.sha256) return 'checksum';
  if (readBack.digest().rows === table.rows && (await sameRowSet(connection, store, table))) return 'row-set';
  throw new BackupError(
    `restored ${table.name} does not read back as the backup (expected ${table.rows} rows, SHA-256 ${table.sha256}; ` +
      `read ${readBack.digest().rows} rows, SHA-256 ${readBack.digest().sha256}) — a column type, trigger or rule changed the data; nothing was restored`,
  );
}

async function sameRowSet(
  connection: SqlConnection,
  store: BackupStore,
  table: TableBackup,
): Promise<boolean> {
  const restored = new RowSetDigestStream();
  await pipeline(connection.copyTo(copyOutSql(table)), restored, discard());
  const backedUp = new RowSetDigestStream();
  await pipeline(await openBackupObject(store, table), createGunzip(), backedUp, discard());
  return restored.digest() === backedUp.digest();
}
