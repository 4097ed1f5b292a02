// One consistent view of every table a backup reads: a coordinating READ ONLY transaction
// exports its snapshot, and each parallel connection imports it, so tables copied by
// different connections at different moments still agree with each other (foreign keys
// included), exactly like pg_dump --jobs.
import type { Database, SqlConnection } from '../../ports.ts';
import { withTransaction } from '../transaction.ts';
import { setCopySessionSql } from './copy-format.ts';

const readOnlySnapshot = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** Opens the coordinating transaction, and hands `fn` its connection and snapshot id. */
export async function withExportedSnapshot<T>(
  db: Database,
  fn: (connection: SqlConnection, snapshotId: string) => Promise<T>,
): Promise<T> {
  return db.withConnection((connection) =>
    withTransaction(connection, readOnlySnapshot, async () => {
      // One round trip: the settings, then the export (a multi-statement query answers with its last result).
      const { rows } = await connection.query<{ id: string }>(
        `${setCopySessionSql()}; SELECT pg_export_snapshot() AS id`,
      );
      return fn(connection, rows[0]!.id);
    }),
  );
}

/** A fresh connection reading in the exported snapshot, with the COPY settings pinned. */
export async function withImportedSnapshot<T>(
  db: Database,
  snapshotId: string,
  fn: (connection: SqlConnection) => Promise<T>,
): Promise<T> {
  return db.withConnection((connection) =>
    withTransaction(connection, readOnlySnapshot, async () => {
      // SET TRANSACTION SNAPSHOT must come before any query of the transaction; SET LOCAL is none.
      await connection.query(
        `SET TRANSACTION SNAPSHOT '${snapshotId.replaceAll("'", "''")}'; ${setCopySessionSql()}`,
      );
      return fn(connection);
    }),
  );
}
