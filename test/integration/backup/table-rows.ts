// Reads a table as comparable text, column by column in name order, so two reads agree
// exactly when every value is the same — whatever the physical column order.

import { setCopySessionSql } from '../../../lambdas/engine/backup/copy-format.ts';
import type { Database } from '../../../lambdas/ports.ts';

export async function tableRows(db: Database, table: string, orderBy = 'id'): Promise<string[][]> {
  return db.withConnection(async (connection) => {
    await connection.query('BEGIN');
    try {
      await connection.query(setCopySessionSql());
      const { rows: columns } = await connection.query<{ name: string }>(
        `SELECT quote_ident(attname) AS name FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attname`,
        [table],
      );
      const { rows } = await connection.query<{ v: string[] }>(
        `SELECT ARRAY[${columns.map((c) => `quote_literal(${c.name})`).join(', ')}] AS v FROM ${table} ORDER BY ${orderBy}`,
      );
      return rows.map((row) => row.v);
    } finally {
      await connection.query('ROLLBACK');
    }
  });
}

export async function sql(db: Database, text: string): Promise<void> {
  await db.withConnection((connection) => connection.query(text));
}

export async function scalar<T>(db: Database, text: string, params?: unknown[]): Promise<T> {
  return db.withConnection(async (connection) => {
    const { rows } = await connection.query<Record<string, T>>(text, params);
    return Object.values(rows[0]!)[0]!;
  });
}
