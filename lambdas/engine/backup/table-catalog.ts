// Reads from the catalog what a backup needs to know about its tables: their columns, the
// statements that recreate each one (columns, constraints, indexes, triggers, comments,
// owner, grants, row-level security, and for a partition the ATTACH that puts it back under
// its parent) and the sequences they use. Run with search_path = pg_catalog, so every name
// that format_type()/pg_get_*def() print is schema-qualified.
//
// Every table is described by ONE catalog query (and the sequences they use by one more):
// a per-table round trip per object family was most of a small table's backup time.

import type { SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { quoteIdent, quoteLiteral } from '../sql/identifiers.ts';
import { qualifiedName } from './copy-format.ts';
import type { ColumnDefinition, PartitionPlace, SequenceState, TableDdl } from './manifest.ts';
import { describeTablesSql, type TableCatalogRow } from './table-catalog-query.ts';

export interface TableDescription {
  oid: number;
  schema: string;
  table: string;
  partitioned: boolean;
  /** Where the table hangs in a partition tree, when it is a partition. */
  partition?: PartitionPlace;
  /** PARTITION BY clause of a partitioned table. */
  partitionKey?: string;
  owner: string;
  columns: ColumnDefinition[];
  copyColumns: string[];
  ddl: TableDdl;
  sequences: SequenceState[];
}

export interface RelationRow {
  oid: number;
  schema: string;
  table: string;
  relkind: string;
}

/**
 * A table found for a backup, with what its copy needs: known before the full description,
 * so the copies start while the coordinator still describes the tables.
 */
export interface FoundTable extends RelationRow {
  /** Every column except generated ones, in order: what COPY writes. */
  copyColumns: string[];
  /** pg_table_size, bytes: the largest tables are copied first. */
  size: number;
  /** Pages of the main fork: where a big table is cut into chunks. */
  pages: number;
}

/**
 * The tables `names` refer to, each once. A partitioned table stands for itself and every
 * partition below it (parents before children): its rows are backed up in its leaf
 * partitions, each row exactly once, whichever of the tree's tables the plan named.
 */
export async function findTables(
  connection: SqlConnection,
  names: readonly string[],
): Promise<{ found: FoundTable[]; missing: string[] }> {
  // One round trip: the named relations in order, then every table in the partition trees
  // of the partitioned ones, parents before children.
  const { rows } = await connection.query<
    RelationRow & {
      name: string | null;
      in_tree: boolean;
      copy_columns: string[];
      size: string;
      pages: string;
    }
  >(
    `WITH named AS (
       SELECT t.name, t.i, c.oid, n.nspname AS schema, c.relname AS table, c.relkind::text AS relkind
         FROM unnest($1::text[]) WITH ORDINALITY AS t(name, i)
         LEFT JOIN pg_class c ON c.oid = to_regclass(t.name)
         LEFT JOIN pg_namespace n ON n.oid = c.relnamespace),
     tree AS (
       SELECT DISTINCT c.oid, n.nspname AS schema, c.relname AS table, c.relkind::text AS relkind,
              (SELECT count(*)::int FROM pg_partition_ancestors(c.oid)) AS depth
         FROM (SELECT oid FROM named WHERE relkind = 'p') t, pg_partition_tree(t.oid) p
         JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p'))
     SELECT r.name, r.oid::int AS oid, r.schema, r."table", r.relkind, r.in_tree,
            coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a
                       WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''),
                     '{}') AS copy_columns,
            pg_table_size(r.oid)::text AS size,
            (pg_relation_size(r.oid) / current_setting('block_size')::int)::text AS pages
       FROM (SELECT name, oid, schema, "table", relkind, false AS in_tree, i AS ord, 0 AS depth FROM named
             UNION ALL
             SELECT NULL, oid, schema, "table", relkind, true, 0, depth FROM tree) r
      ORDER BY r.in_tree, r.ord, r.depth, r.schema, r."table"`,
    [names],
  );
  const missing: string[] = [];
  const named: typeof rows = [];
  const tree: typeof rows = [];
  for (const row of rows) {
    if (row.in_tree) tree.push(row);
    else if (row.oid === null) missing.push(row.name!);
    else if (row.relkind !== 'r' && row.relkind !== 'p') {
      throw new BackupError(
        `${row.name} is not a table (relkind ${row.relkind}); only tables can be backed up`,
      );
    } else named.push(row);
  }
  const seen = new Set<number>();
  const found: FoundTable[] = [];
  for (const row of [...named, ...tree]) {
    if (seen.has(row.oid)) continue;
    seen.add(row.oid);
    found.push({
      oid: row.oid,
      schema: row.schema,
      table: row.table,
      relkind: row.relkind,
      copyColumns: row.copy_columns,
      size: Number(row.size),
      pages: Number(row.pages),
    });
  }
  return { found, missing };
}

/** Describes every table in one catalog query, plus one query for the sequence values. */
export async function describeTables(
  connection: SqlConnection,
  relations: readonly RelationRow[],
): Promise<TableDescription[]> {
  if (relations.length === 0) return [];
  const { rows } = await connection.query<TableCatalogRow>(describeTablesSql, [relations.map((r) => r.oid)]);
  const values = await sequenceValues(
    connection,
    rows.flatMap((row) => row.sequences.map((s) => s.name)),
  );
  const byOid = new Map(rows.map((row) => [row.oid, row]));
  return relations.map((relation) => describe(byOid.get(relation.oid)!, values));
}

function describe(row: TableCatalogRow, values: Map<string, SequenceValue>): TableDescription {
  const name = qualifiedName(row.schema, row.table);
  const columns = row.columns.map(columnDefinition);
  const partition = row.partition_of ? { of: row.partition_of, bound: row.partition_bound! } : undefined;
  const sequences = uniqueBy(row.sequences, (s) => s.name);
  const identity = new Map(
    sequences.filter((s) => s.identity).map((s) => [s.column!, ` (${s.options})`] as const),
  );
  const standalone = sequences.filter((s) => !s.identity);
  const create = [
    ...standalone.map((s) => `CREATE SEQUENCE IF NOT EXISTS ${s.name} AS ${s.type} ${s.options}`),
    createTableSql(name, row, columns, identity, partition !== undefined),
    ...standalone
      .filter((s) => s.owned)
      .map((s) => `ALTER SEQUENCE ${s.name} OWNED BY ${name}.${quoteIdent(s.column!)}`),
    ...row.indexes,
    ...row.triggers.map((t) => t.sql),
    ...row.triggers.filter((t) => t.enabled !== 'O').map((t) => triggerModeSql(name, t)),
    ...row.comments,
    ...grantsSql(name, row.grants),
    ...(row.row_security ? [`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY`] : []),
    ...(row.force_row_security ? [`ALTER TABLE ${name} FORCE ROW LEVEL SECURITY`] : []),
  ];
  const ddl: TableDdl = {
    create,
    foreignKeys: row.constraints
      .filter((c) => c.type === 'f' && c.local)
      .map((c) => ({
        name: c.name,
        sql: `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`,
      })),
    policies: row.policies.map((p) => ({ name: p.name, sql: policySql(name, p) })),
  };
  if (partition) ddl.attach = `ALTER TABLE ${partition.of} ATTACH PARTITION ${name} ${partition.bound}`;
  const description: TableDescription = {
    oid: row.oid,
    schema: row.schema,
    table: row.table,
    partitioned: row.relkind === 'p',
    owner: row.owner,
    columns,
    copyColumns: columns.filter((c) => c.generated === undefined).map((c) => c.name),
    ddl,
    sequences: sequences.map((s) => {
      const value = values.get(s.name)!;
      const state: SequenceState = { name: s.name, lastValue: value.last_value, isCalled: value.is_called };
      if (s.owned && s.column) state.column = s.column;
      else if (!s.owned && s.column) state.usedBy = s.column;
      return state;
    }),
  };
  if (partition) description.partition = partition;
  if (row.partition_key) description.partitionKey = row.partition_key;
  return description;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)));
}

function columnDefinition(row: TableCatalogRow['columns'][number]): ColumnDefinition {
  const column: ColumnDefinition = { name: row.name, type: row.type, notNull: row.not_null };
  if (row.collation) column.collation = row.collation;
  if (row.comment !== null) column.comment = row.comment;
  if (row.generated) column.generated = row.default_expr ?? '';
  else if (row.default_expr) column.default = row.default_expr;
  if (row.identity === 'a') column.identity = 'always';
  if (row.identity === 'd') column.identity = 'by default';
  return column;
}

/** One column as it appears in CREATE TABLE or ALTER TABLE … ADD COLUMN. */
export function columnSql(column: ColumnDefinition, identityOptions = ''): string {
  let sql = `${quoteIdent(column.name)} ${column.type}`;
  if (column.collation) sql += ` COLLATE ${column.collation}`;
  if (column.generated !== undefined) sql += ` GENERATED ALWAYS AS (${column.generated}) STORED`;
  if (column.identity) sql += ` GENERATED ${column.identity.toUpperCase()} AS IDENTITY${identityOptions}`;
  if (column.default !== undefined) sql += ` DEFAULT ${column.default}`;
  if (column.notNull) sql += ' NOT NULL';
  return sql;
}

/**
 * A partition is created on its own, in its own physical column order, and ATTACHed after
 * (as pg_dump does): it carries every CHECK constraint its parent has (ATTACH requires them)
 * but not the keys, indexes and foreign keys the parent clones onto it when it is attached;
 * an identity column belongs to the parent, and a partition may not bring its own.
 */
function createTableSql(
  name: string,
  row: TableCatalogRow,
  columns: ColumnDefinition[],
  identity: Map<string, string>,
  isPartition: boolean,
): string {
  const own = isPartition
    ? columns.map((c) => columnSql({ ...c, identity: undefined } as ColumnDefinition))
    : columns.map((c) => columnSql(c, identity.get(c.name)));
  const constraints = row.constraints
    .filter((c) => c.type !== 'f' && (c.type === 'c' || c.local))
    .map((c) => `CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`);
  const unlogged = row.unlogged ? 'UNLOGGED ' : '';
  const key = row.partition_key ? ` PARTITION BY ${row.partition_key}` : '';
  return `CREATE ${unlogged}TABLE ${name} (\n  ${[...own, ...constraints].join(',\n  ')}\n)${key}`;
}

function triggerModeSql(table: string, trigger: TableCatalogRow['triggers'][number]): string {
  const mode: Record<string, string> = {
    D: 'DISABLE TRIGGER',
    A: 'ENABLE ALWAYS TRIGGER',
    R: 'ENABLE REPLICA TRIGGER',
  };
  return `ALTER TABLE ${table} ${mode[trigger.enabled] ?? 'ENABLE TRIGGER'} ${quoteIdent(trigger.name)}`;
}

/** Table and column privileges granted to anyone but the owner, so applications can use a recreated table again. */
function grantsSql(table: string, grants: TableCatalogRow['grants']): string[] {
  return grants.map((g) => {
    const columns = g.column ? ` (${quoteIdent(g.column)})` : '';
    const grantee = g.grantee === null ? 'PUBLIC' : quoteIdent(g.grantee);
    return `GRANT ${g.privilege}${columns} ON TABLE ${table} TO ${grantee}${g.grantable ? ' WITH GRANT OPTION' : ''}`;
  });
}

function policySql(table: string, policy: TableCatalogRow['policies'][number]): string {
  const commands: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };
  const roles = policy.roles.map((r) => (r === null ? 'PUBLIC' : quoteIdent(r))).join(', ');
  let sql = `CREATE POLICY ${quoteIdent(policy.name)} ON ${table} AS ${policy.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'}`;
  sql += ` FOR ${commands[policy.command] ?? 'ALL'} TO ${roles}`;
  if (policy.using !== null) sql += ` USING (${policy.using})`;
  if (policy.with_check !== null) sql += ` WITH CHECK (${policy.with_check})`;
  return sql;
}

interface SequenceValue {
  last_value: string;
  is_called: boolean;
}

/** Sequence positions are not in the catalog: one UNION ALL reads them all. */
async function sequenceValues(
  connection: SqlConnection,
  names: string[],
): Promise<Map<string, SequenceValue>> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return new Map();
  const { rows } = await connection.query<SequenceValue & { name: string }>(
    unique
      .map(
        (name) =>
          `SELECT ${quoteLiteral(name)} AS name, last_value::text AS last_value, is_called FROM ${name}`,
      )
      .join(' UNION ALL '),
  );
  return new Map(rows.map((row) => [row.name, row]));
}
