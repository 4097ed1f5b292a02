// Foreign keys around the tables being restored. A table referenced from outside the restored
// set cannot be TRUNCATEd; its rows are deleted instead, with referential actions off (they
// would cascade into, or refuse because of, tables the user did not ask to restore). Because
// they were off, every foreign key touching a restored table is checked afterwards.

import type { SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';

/** Oids of the tables and every partition below them (pg_partition_tree lists nothing for a plain table). */
export async function relationTree(connection: SqlConnection, tables: readonly string[]): Promise<number[]> {
  const { rows } = await connection.query<{ oid: number }>(
    `SELECT t.name::regclass::oid::int AS oid FROM unnest($1::text[]) AS t(name)
     UNION
     SELECT p.relid::oid::int FROM unnest($1::text[]) AS t(name), pg_partition_tree(t.name::regclass) p`,
    [tables],
  );
  return rows.map((row) => row.oid);
}

/** Which of `tables` (qualified SQL names) are referenced by a foreign key from a table outside `tree`. */
export async function referencedFromOutside(
  connection: SqlConnection,
  tables: readonly string[],
  tree: readonly number[],
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  for (const table of tables) {
    const { rows } = await connection.query<{ referencing: string }>(
      `SELECT DISTINCT c.conrelid::regclass::text AS referencing
         FROM pg_constraint c
        WHERE c.contype = 'f'
          AND (c.confrelid = $1::regclass OR c.confrelid IN (SELECT relid FROM pg_partition_tree($1::regclass)))
          AND NOT (c.conrelid = ANY ($2::oid[]))`,
      [table, tree],
    );
    if (rows.length > 0)
      result.set(
        table,
        rows.map((row) => row.referencing),
      );
  }
  return result;
}

interface ForeignKeyRow {
  name: string;
  referencing: string;
  referenced: string;
  referencing_columns: string[];
  referenced_columns: string[];
}

/** Throws BackupError naming the constraint when a row references a row that is not there. */
export async function checkForeignKeys(connection: SqlConnection, tree: readonly number[]): Promise<void> {
  const { rows } = await connection.query<ForeignKeyRow>(
    `SELECT c.conname AS name, c.conrelid::regclass::text AS referencing, c.confrelid::regclass::text AS referenced,
            array(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS referencing_columns,
            array(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS referenced_columns
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.convalidated AND c.conparentid = 0
        AND (c.conrelid = ANY ($1::oid[]) OR c.confrelid = ANY ($1::oid[]))`,
    [tree],
  );
  for (const fk of rows) {
    const notNull = fk.referencing_columns.map((column) => `r.${column} IS NOT NULL`).join(' AND ');
    const matches = fk.referencing_columns
      .map((column, i) => `p.${fk.referenced_columns[i]} = r.${column}`)
      .join(' AND ');
    const orphan = await connection.query(
      `SELECT 1 FROM ${fk.referencing} r WHERE ${notNull}
          AND NOT EXISTS (SELECT 1 FROM ${fk.referenced} p WHERE ${matches}) LIMIT 1`,
    );
    if (orphan.rowCount > 0) {
      throw new BackupError(
        `restoring would leave rows of ${fk.referencing} pointing at rows of ${fk.referenced} that the backup does not hold ` +
          `(foreign key ${fk.name}) — restore ${fk.referencing} and ${fk.referenced} together, or fix the rows first`,
      );
    }
  }
}
