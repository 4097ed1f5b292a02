// Puts a table's structure back before its data is loaded: the whole table when a down
// section could not recreate it, or the columns it lost when it exists without them.

import type { SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../sql/identifiers.ts';
import { qualifiedName } from './copy-format.ts';
import type { TableBackup } from './manifest.ts';
import { columnSql } from './table-catalog.ts';

export async function tableExists(connection: SqlConnection, table: TableBackup): Promise<boolean> {
  const { rows } = await connection.query<{ oid: number | null }>('SELECT to_regclass($1)::oid::int AS oid', [
    qualifiedName(table.schema, table.table),
  ]);
  return rows[0]?.oid != null;
}

/**
 * Runs the manifest's CREATE statements for a table that no longer exists, gives it back to
 * its owner, and ATTACHes a partition to its parent (which the parent's indexes, keys,
 * foreign keys and triggers then clone onto it, as when it was first attached).
 */
export async function recreateTable(connection: SqlConnection, table: TableBackup): Promise<void> {
  await runDdl(connection, table, table.ddl.create);
  if (table.owner) {
    const { rows } = await connection.query<{ differs: boolean }>('SELECT current_user <> $1 AS differs', [
      table.owner,
    ]);
    if (rows[0]?.differs) {
      try {
        await connection.query(
          `ALTER TABLE ${qualifiedName(table.schema, table.table)} OWNER TO ${quoteIdent(table.owner)}`,
        );
      } catch (error) {
        throw new BackupError(
          `cannot give the recreated ${table.name} back to its owner ${table.owner}: ${(error as Error).message} — ` +
            `restore as ${table.owner}, as a member of it, or as a superuser`,
          { cause: error },
        );
      }
    }
  }
  if (table.ddl.attach) await runDdl(connection, table, [table.ddl.attach]);
}

/** A partition a down section DETACHed (it exists, but not under its parent) is attached again. */
export async function reattachPartition(connection: SqlConnection, table: TableBackup): Promise<void> {
  if (!table.partition || !table.ddl.attach) return;
  const { rows } = await connection.query<{ attached: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass($1) AND inhparent = to_regclass($2)) AS attached`,
    [qualifiedName(table.schema, table.table), table.partition.of],
  );
  if (!rows[0]?.attached) await runDdl(connection, table, [table.ddl.attach]);
}

const partitionStatement = /^CREATE (UNLOGGED )?TABLE IF NOT EXISTS .* PARTITION OF /;

/** Partitions a down section dropped or detached: their rows would have nowhere to go. */
export async function recreateMissingPartitions(
  connection: SqlConnection,
  table: TableBackup,
): Promise<void> {
  if (!table.partitioned) return;
  await runDdl(
    connection,
    table,
    table.ddl.create.filter((statement) => partitionStatement.test(statement)),
  );
}

async function runDdl(connection: SqlConnection, table: TableBackup, statements: string[]): Promise<void> {
  for (const statement of statements) {
    try {
      await connection.query(statement);
    } catch (error) {
      throw new BackupError(
        `cannot recreate ${table.name} from the backup manifest: ${(error as Error).message} — statement: ${statement.split('\n')[0]}…` +
          ' (a type, schema or referenced object it needs may be missing; create it, then restore again)',
        { cause: error },
      );
    }
  }
}

/** The manifest columns the live table lacks (dropped, and not re-added by a down section). */
export async function missingColumns(connection: SqlConnection, table: TableBackup): Promise<string[]> {
  const { rows } = await connection.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
    [qualifiedName(table.schema, table.table)],
  );
  const present = new Set(rows.map((row) => row.name));
  return table.columns.filter((column) => !present.has(column.name)).map((column) => column.name);
}

/**
 * Adds columns back (to an already emptied table, so NOT NULL holds until the data is loaded).
 * A serial column's sequence went with the column, and its default needs it: it is created
 * first, and owned by the column again after.
 */
export async function addColumns(
  connection: SqlConnection,
  table: TableBackup,
  names: string[],
): Promise<void> {
  const sequences = table.sequences.filter((s) => s.column !== undefined && names.includes(s.column));
  const sequenceStatements = (prefix: string) =>
    table.ddl.create.filter((sql) => sequences.some((s) => sql.startsWith(`${prefix} ${s.name} `)));
  for (const statement of sequenceStatements('CREATE SEQUENCE IF NOT EXISTS'))
    await connection.query(statement);
  const tableName = qualifiedName(table.schema, table.table);
  for (const name of names) {
    const column = table.columns.find((c) => c.name === name)!;
    // Its comment and column privileges went with it.
    const grants = table.ddl.create.filter(
      (sql) => sql.startsWith('GRANT ') && sql.includes(` (${quoteIdent(name)}) ON TABLE `),
    );
    const comment =
      column.comment === undefined
        ? []
        : [`COMMENT ON COLUMN ${tableName}.${quoteIdent(name)} IS ${quoteLiteral(column.comment)}`];
    const statements = [`ALTER TABLE ${tableName} ADD COLUMN ${columnSql(column)}`, ...comment, ...grants];
    try {
      for (const statement of statements) await connection.query(statement);
    } catch (error) {
      throw new BackupError(`cannot add column ${name} back to ${table.name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  for (const statement of sequenceStatements('ALTER SEQUENCE')) await connection.query(statement);
}

/**
 * Foreign keys the table had at backup time and lacks now (its table was recreated, or a
 * DROP … CASCADE of a referenced table took them), added once every restored table holds
 * its data, so they validate against it.
 */
export async function addMissingForeignKeys(
  connection: SqlConnection,
  table: TableBackup,
): Promise<string[]> {
  const added: string[] = [];
  for (const foreignKey of table.ddl.foreignKeys) {
    const { rowCount } = await connection.query(
      'SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2',
      [qualifiedName(table.schema, table.table), foreignKey.name],
    );
    if (rowCount > 0) continue;
    try {
      await connection.query(foreignKey.sql);
      added.push(foreignKey.name);
    } catch (error) {
      throw new BackupError(
        `cannot add foreign key ${foreignKey.name} back to ${table.name}: ${(error as Error).message} — restore the table it references too`,
        { cause: error },
      );
    }
  }
  return added;
}

/**
 * Row-level security as the backup recorded it: policies missing by name are created again,
 * and RLS is enabled (and forced) again where a down section turned it off.
 */
export async function addMissingPolicies(connection: SqlConnection, table: TableBackup): Promise<void> {
  const name = qualifiedName(table.schema, table.table);
  const { rows } = await connection.query<{ policy: string }>(
    'SELECT polname AS policy FROM pg_policy WHERE polrelid = to_regclass($1)',
    [name],
  );
  const present = new Set(rows.map((row) => row.policy));
  const missing = (table.ddl.policies ?? []).filter((policy) => !present.has(policy.name));
  const security = table.ddl.create.filter((sql) =>
    /^ALTER TABLE .+ (ENABLE|FORCE) ROW LEVEL SECURITY$/.test(sql),
  );
  await runDdl(connection, table, [...missing.map((policy) => policy.sql), ...security]);
}

/** Column comments the backup recorded that the table lacks now (a down section re-added the column bare). */
export async function addMissingColumnComments(connection: SqlConnection, table: TableBackup): Promise<void> {
  const name = qualifiedName(table.schema, table.table);
  const { rows } = await connection.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND col_description(attrelid, attnum) IS NULL`,
    [name],
  );
  const bare = new Set(rows.map((row) => row.name));
  const statements = table.columns
    .filter((column) => column.comment !== undefined && bare.has(column.name))
    .map(
      (column) => `COMMENT ON COLUMN ${name}.${quoteIdent(column.name)} IS ${quoteLiteral(column.comment!)}`,
    );
  await runDdl(connection, table, statements);
}
