// What another migration tool's bookkeeping says is applied, in the shape the engine's own
// history uses. Each reader knows its tool's table and what its rows mean, checks the
// checksums the tool records against the files, and refuses a state the tool itself would
// refuse (a dirty golang-migrate version, a failed Flyway migration).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlConnection } from '../../ports.ts';
import { InputError } from '../errors.ts';
import type { LayoutName, MigrationSet } from '../model.ts';
import { quoteIdent } from '../sql/identifiers.ts';

export type ToolName = 'flyway' | 'sqitch' | 'golang-migrate' | 'dbmate';

/** One migration the tool records as applied now. */
export interface ToolRecord {
  /** Our identity of the migration (Migration.version); may name no file (then status reports it missing). */
  version: string;
  name: string;
  /** ISO-8601; absent when the tool records no time (golang-migrate, dbmate). */
  appliedAt?: string;
  appliedBy: string;
  /**
   * Set for a Flyway repeatable whose file changed since Flyway last ran it: it is due to run
   * again, so the imported row must not carry the file's current checksum.
   */
  outdated?: boolean;
  /** Covered by a baseline row rather than applied by the tool. */
  baseline?: boolean;
}

export interface ToolHistory {
  tool: ToolName;
  /** The table (or registry schema) it was read from, quoted and qualified, for messages. */
  source: string;
  applied: ToolRecord[];
}

/** Where the other tool keeps its bookkeeping, when it is not where the tool puts it by default. */
export interface AdoptSettings {
  /** false: never read another tool's bookkeeping (a table of that name that is not that tool's). Default true. */
  import?: boolean;
  /** Flyway, golang-migrate, dbmate: the table, optionally schema-qualified ("app.flyway_schema_history"). */
  table?: string;
  /** Sqitch: the registry schema (sqitch.conf `[engine "pg"] registry`; default "sqitch"). */
  sqitchRegistry?: string;
  /** Keep the tool's own table up to date too, so the team can switch back. */
  keepToolHistory?: boolean;
}

/** Which tool's bookkeeping a layout's projects have (native files are dbmate-compatible). */
export function toolOfLayout(layout: LayoutName): ToolName {
  return layout === 'native' ? 'dbmate' : layout;
}

export interface ToolReaderInput {
  conn: SqlConnection;
  set: MigrationSet;
  settings: AdoptSettings;
}

/** The bytes of a migration file as they are on disk (checksums are of the file, not of what we parsed). */
export function readMigrationBytes(set: MigrationSet, file: string): Promise<Buffer> {
  return readFile(join(set.directory, file));
}

/**
 * Where the tool's table is: `schema.table` as configured, else in `defaultSchema`, else in
 * the connection's current schema; when it is not there, the one table of that name in
 * another schema (a tool run with another search_path put it there). Several are ambiguous:
 * the setting must say which.
 */
export async function locateTable(
  conn: SqlConnection,
  configured: string | undefined,
  defaultTable: string,
  defaultSchema?: string,
): Promise<{ schema: string; table: string }> {
  const { schema, table } = await locate(conn, configured, defaultTable, defaultSchema);
  return { schema, table };
}

/** The tool's table where locateTable finds it, quoted and qualified, with its columns; null when it does not exist. */
export async function findToolTable(
  conn: SqlConnection,
  configured: string | undefined,
  defaultTable: string,
  defaultSchema?: string,
): Promise<{ source: string; columns: Map<string, string> } | null> {
  const found = await locate(conn, configured, defaultTable, defaultSchema);
  const columns =
    found.columns === undefined ? await tableColumns(conn, found.schema, found.table) : found.columns;
  return columns && { source: `${quoteIdent(found.schema)}.${quoteIdent(found.table)}`, columns };
}

/** locateTable's search; `columns` is set when the search already read them (null: no such table). */
async function locate(
  conn: SqlConnection,
  configured: string | undefined,
  defaultTable: string,
  defaultSchema?: string,
): Promise<{ schema: string; table: string; columns?: Map<string, string> | null }> {
  const table = configured ?? defaultTable;
  const dot = table.indexOf('.');
  if (dot !== -1) return { schema: table.slice(0, dot), table: table.slice(dot + 1) };
  if (defaultSchema) return { schema: defaultSchema, table };
  // One round trip (this runs on every Validate): the connection's schema, the table's columns
  // there, and the schemas that hold a table of that name, used only when it is not there.
  const { rows } = await conn.query<{
    schema: string;
    columns: string[];
    types: string[];
    elsewhere: string[];
  }>(
    `WITH here AS (SELECT coalesce(current_schema(), 'public') AS schema),
          found AS (SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnum
                      FROM here, pg_attribute a
                     WHERE a.attrelid = to_regclass(quote_ident(here.schema) || '.' || quote_ident($1))
                       AND a.attnum > 0 AND NOT a.attisdropped)
     SELECT here.schema,
            ARRAY(SELECT name FROM found ORDER BY attnum) AS columns,
            ARRAY(SELECT type FROM found ORDER BY attnum) AS types,
            ARRAY(SELECT n.nspname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relname = $1 AND c.relkind IN ('r', 'p')
                     AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                   ORDER BY 1) AS elsewhere
       FROM here`,
    [table],
  );
  const { schema, columns, types, elsewhere } = rows[0]!;
  if (columns.length > 0)
    return { schema, table, columns: new Map(columns.map((name, i) => [name, types[i]!])) };
  if (elsewhere.length === 1) return { schema: elsewhere[0]!, table };
  if (elsewhere.length > 1) {
    throw new InputError(
      `there are tables named ${table} in schemas ${elsewhere.join(', ')}, none in ` +
        `${schema}: say which one is the old tool's history with "adopt": { "table": "<schema>.${table}" } in stepmigrate.json`,
    );
  }
  return { schema, table, columns: null };
}

/** The columns of a table, or null when it does not exist. */
export async function tableColumns(
  conn: SqlConnection,
  schema: string,
  table: string,
): Promise<Map<string, string> | null> {
  // pg_catalog rather than information_schema: this runs on every Validate, and is much cheaper.
  const { rows } = await conn.query<{ column_name: string; data_type: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass(quote_ident($1) || '.' || quote_ident($2)) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [schema, table],
  );
  if (rows.length === 0) return null;
  return new Map(rows.map((row) => [row.column_name, row.data_type]));
}

export function isoOf(value: unknown): string {
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}
