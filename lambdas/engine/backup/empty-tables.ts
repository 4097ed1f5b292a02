// Empties the tables a restore is about to load.

import type { SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { qualifiedName } from './copy-format.ts';
import { referencedFromOutside } from './foreign-keys.ts';
import type { TableBackup } from './manifest.ts';

/**
 * TRUNCATE where it can (fast, and rows load into a fresh file in backup order); DELETE for
 * tables other tables still reference, which only replica mode makes safe (otherwise ON DELETE
 * CASCADE would empty tables nobody asked to restore).
 */
export async function emptyTables(
  connection: SqlConnection,
  tables: TableBackup[],
  tree: number[],
  replicaMode: boolean,
): Promise<void> {
  const sqlName = (t: TableBackup) => qualifiedName(t.schema, t.table);
  const referenced = await referencedFromOutside(connection, tables.map(sqlName), tree);
  const truncate: string[] = [];
  for (const table of tables) {
    const from = referenced.get(sqlName(table));
    if (!from) {
      truncate.push(table.partitioned ? sqlName(table) : `ONLY ${sqlName(table)}`);
      continue;
    }
    if (!replicaMode) {
      throw new BackupError(
        `${table.name} is referenced by foreign keys from ${from.join(', ')}, which are not being restored; ` +
          'replacing its rows needs session_replication_role (superuser, rds_superuser, or GRANT SET ON PARAMETER ' +
          `session_replication_role) — or restore those tables too (--table ${from[0]})`,
      );
    }
    await connection.query(`DELETE FROM ${table.partitioned ? '' : 'ONLY '}${sqlName(table)}`);
  }
  if (truncate.length > 0) await connection.query(`TRUNCATE ${truncate.join(', ')}`);
}
