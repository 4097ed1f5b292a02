// How table data is written to and read from a backup: PostgreSQL's text COPY format
// under fixed session settings. Text, not binary, because
//  - binary arrays and composite values embed the OIDs of their element types, so a row
//    backed up before a down section dropped and recreated an enum or composite type
//    cannot be loaded back ("wrong element type"); text names values, not OIDs;
//  - the binary encoding of some types is only guaranteed within one major version and
//    architecture, while a backup must restore into the server the run ends on;
//  - text output of every built-in type is defined to be accepted by its input function,
//    which is what pg_dump relies on, and a person can restore it with `psql \copy`;
//  - one row is exactly one line (newlines inside values are escaped), so counting and
//    verifying rows is a byte scan.
// The output of some types depends on session settings; they are pinned on both sides so
// the re-COPY after a restore is byte-identical to the backup.
import { quoteIdent, quoteLiteral } from '../sql/identifiers.ts';

/** `SET LOCAL` settings that make text COPY output deterministic and loss-free. */
export const copySessionSettings: Readonly<Record<string, string>> = {
  DateStyle: 'ISO, YMD',
  IntervalStyle: 'postgres',
  TimeZone: 'UTC',
  // Shortest exact float output on PostgreSQL 12+, 17 significant digits before: both round-trip.
  extra_float_digits: '3',
  bytea_output: 'hex',
  lc_monetary: 'C',
  xmloption: 'content',
  client_encoding: 'UTF8',
  // regclass/regtype values print schema-qualified, and catalog output names every object fully.
  search_path: 'pg_catalog',
  // Same physical order on every read, so the checksum of a re-read is comparable.
  synchronize_seqscans: 'off',
  max_parallel_workers_per_gather: '0',
  // A row-level security policy must never silently hide rows from a backup (or a restore):
  // with row_security off, a query that a policy would filter fails instead, as in pg_dump.
  row_security: 'off',
  // A role's statement_timeout is meant for application queries, not for copying a whole
  // table; and the coordinating transaction sits idle while the copies run.
  statement_timeout: '0',
  idle_in_transaction_session_timeout: '0',
};

/** One `SET LOCAL …; SET LOCAL …` string for the current transaction. */
export function setCopySessionSql(): string {
  return Object.entries(copySessionSettings)
    .map(([name, value]) => `SET LOCAL ${name} = ${quoteLiteral(value)}`)
    .join('; ');
}

/** "schema"."table" for a table named schema.table in a manifest. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

export interface CopyTarget {
  schema: string;
  table: string;
  /** A partitioned table cannot be COPYed TO directly; it is read through a SELECT. */
  partitioned: boolean;
  /** A partitioned table whose rows live in its partitions' own objects: read FROM ONLY (nothing). */
  rowsInPartitions?: boolean;
  /** Columns written to the backup, in order: every column except generated ones. */
  copyColumns: readonly string[];
}

function columnList(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(', ');
}

/** The COPY that reads a table out, used both to back it up and to verify a restore. */
export function copyOutSql(target: CopyTarget): string {
  const table = qualifiedName(target.schema, target.table);
  const only = target.rowsInPartitions ? 'ONLY ' : '';
  if (target.copyColumns.length === 0) return `COPY (SELECT FROM ${only}${table}) TO STDOUT`;
  if (target.partitioned)
    return `COPY (SELECT ${columnList(target.copyColumns)} FROM ${only}${table}) TO STDOUT`;
  return `COPY ${table} (${columnList(target.copyColumns)}) TO STDOUT`;
}

/**
 * The COPY that loads a backup. Columns go by name, so a column a down section dropped and
 * re-added (at a new position) gets its values back. Generated columns are not listed: the
 * server recomputes them. Identity columns take the backed-up values: COPY, unlike INSERT,
 * never applies GENERATED ALWAYS, so no OVERRIDING SYSTEM VALUE is needed.
 */
export function copyInSql(target: Pick<CopyTarget, 'schema' | 'table' | 'copyColumns'>): string {
  const table = qualifiedName(target.schema, target.table);
  if (target.copyColumns.length === 0) return `COPY ${table} FROM STDIN`;
  return `COPY ${table} (${columnList(target.copyColumns)}) FROM STDIN`;
}
