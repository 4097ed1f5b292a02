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
  // TRUNCATE of a referenced table must truncate every table referencing it in the same
  // command: a table referenced by one that is emptied with DELETE is deleted from too.
  const referencing = await referencingTables(connection, tables.map(sqlName));
  const deleted = new Set(tables.map(sqlName).filter((name) => referenced.has(name)));
  for (let changed = true; changed; ) {
    changed = false;
    for (const table of tables.map(sqlName)) {
      if (deleted.has(table)) continue;
      if ((referencing.get(table) ?? []).some((other) => deleted.has(other))) {
        deleted.add(table);
        changed = true;
      }
    }
  }
  const truncate: string[] = [];
  for (const table of tables) {
    if (!deleted.has(sqlName(table))) {
      truncate.push(table.partitioned ? sqlName(table) : `ONLY ${sqlName(table)}`);
      continue;
    }
    const from = referenced.get(sqlName(table)) ?? [];
    if (!replicaMode) {
      const outside = from.length > 0 ? from : (referencing.get(sqlName(table)) ?? []);
      throw new BackupError(
        `${table.name} is referenced by foreign keys from ${outside.join(', ')}, which are not being restored; ` +
          'replacing its rows needs session_replication_role (superuser, rds_superuser, or GRANT SET ON PARAMETER ' +
          `session_replication_role) — or restore those tables too (--table ${outside[0]})`,
      );
    }
  }
  // A DELETE only runs in replica mode (refused above otherwise), which skips the foreign-key
  // triggers, so the DELETEs may run in any order; one TRUNCATE then empties all the rest.
  for (const table of tables.filter((t) => deleted.has(sqlName(t)))) {
    await connection.query(`DELETE FROM ${table.partitioned ? '' : 'ONLY '}${sqlName(table)}`);
  }
  if (truncate.length > 0) await connection.query(`TRUNCATE ${truncate.join(', ')}`);
}

/** For each of `tables`, the restored tables (same SQL names) whose foreign keys reference it. */
async function referencingTables(
  connection: SqlConnection,
  tables: readonly string[],
): Promise<Map<string, string[]>> {
  const { rows } = await connection.query<{ referenced: string; referencing: string }>(
    `SELECT DISTINCT t.name AS referenced, r.name AS referencing
       FROM unnest($1::text[]) AS t(name), unnest($1::text[]) AS r(name), pg_constraint c
      WHERE c.contype = 'f' AND c.conrelid = to_regclass(r.name) AND c.confrelid = to_regclass(t.name)
        AND r.name <> t.name`,
    [tables],
  );
  const result = new Map<string, string[]>();
  for (const row of rows)
    result.set(row.referenced, [...(result.get(row.referenced) ?? []), row.referencing]);
  return result;
}
