// Proving a migration did what it meant to: its verify section must run without error
// (inside a transaction that is always rolled back, so verify can never change anything),
// and no index may be left invalid by a failed CREATE INDEX CONCURRENTLY.

import type { SqlConnection } from '../ports.ts';
import { VerificationFailedError } from './errors.ts';
import { type Migration, migrationLabel } from './model.ts';
import { databaseErrorInfo, describeDatabaseError, locate } from './sql/database-error.ts';
import { loadSqlParser, splitStatements } from './sql/parse.ts';

export async function runVerifySection(
  conn: SqlConnection,
  migration: Migration,
  statementTimeoutMs: number,
): Promise<boolean> {
  const verify = migration.verify;
  if (!verify || verify.sql.trim() === '') return false;
  const file = migration.verifyFile ?? migration.file;
  await loadSqlParser();
  // One statement at a time, so an error without a server position still names its line.
  const statements = splitStatements(verify.sql, { file, startLine: verify.startLine });
  let current = { sql: verify.sql, line: verify.startLine, column: 1 };
  await conn.query('BEGIN');
  try {
    await conn.query('SELECT set_config($1, $2, true)', ['statement_timeout', `${statementTimeoutMs}ms`]);
    for (const statement of statements) {
      current = statement;
      await conn.query(statement.sql);
    }
  } catch (error) {
    const info = databaseErrorInfo(error);
    const where =
      info.position !== undefined
        ? locate(current.sql, info.position, current.line)
        : { line: current.line, column: current.column };
    if (info.position !== undefined && where.line === current.line) where.column += current.column - 1;
    throw new VerificationFailedError(
      `verify of migration ${migrationLabel(migration)} failed at ${file}:${where.line}:${where.column}: ` +
        describeDatabaseError(info),
      { migration: migration.version, file, line: where.line, column: where.column, cause: error },
    );
  } finally {
    await conn.query('ROLLBACK').catch(() => undefined);
  }
  return true;
}

/** Indexes left INVALID (a CREATE INDEX CONCURRENTLY that failed half-way) outside system schemas. */
export async function findInvalidIndexes(
  conn: SqlConnection,
  excludeSchemas: readonly string[],
): Promise<string[]> {
  const { rows } = await conn.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg_toast%'
        AND NOT (n.nspname = ANY($1::text[]))
      ORDER BY 1`,
    [excludeSchemas],
  );
  return rows.map((row) => row.name);
}
