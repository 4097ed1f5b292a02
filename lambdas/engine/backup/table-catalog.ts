// Reads from the catalog what a backup needs to know about a table: its columns, the
// statements that recreate it (columns, constraints, indexes, partitions, grants) and the
// state of the sequences it owns. Run with search_path = pg_catalog, so every name that
// format_type()/pg_get_*def() print is schema-qualified.

import type { SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { qualifiedName } from './copy-format.ts';
import type { ColumnDefinition, SequenceState, TableDdl } from './manifest.ts';

export interface TableDescription {
  oid: number;
  schema: string;
  table: string;
  partitioned: boolean;
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
  unlogged: boolean;
  partition_of: string | null;
  partition_bound: string | null;
  partition_key: string | null;
}

/** The table `name` refers to, or undefined when it does not exist. */
export async function findTable(connection: SqlConnection, name: string): Promise<RelationRow | undefined> {
  const { rows } = await connection.query<RelationRow>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS table, c.relkind::text AS relkind,
            c.relpersistence = 'u' AS unlogged,
            (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of,
            CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
            CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [name],
  );
  const relation = rows[0];
  if (relation && relation.relkind !== 'r' && relation.relkind !== 'p') {
    throw new BackupError(
      `${name} is not a table (relkind ${relation.relkind}); only tables can be backed up`,
    );
  }
  return relation;
}

export async function describeTable(
  connection: SqlConnection,
  relation: RelationRow,
): Promise<TableDescription> {
  const columns = await readColumns(connection, relation.oid);
  const sequences = await readOwnedSequences(connection, relation.oid);
  const create = [
    ...sequences.filter((s) => !s.identity).map((s) => s.createSql),
    createTableSql(
      relation,
      columns,
      identityOptions(sequences),
      (await readConstraints(connection, relation.oid, false)).map((c) => c.sql),
    ),
    ...sequences.filter((s) => !s.identity).map((s) => s.ownedBySql),
    ...(await readPartitions(connection, relation.oid)),
    ...(await readIndexes(connection, relation.oid)),
    ...(await readGrants(connection, relation.oid)),
  ];
  const foreignKeys = (await readConstraints(connection, relation.oid, true)).map((constraint) => ({
    name: constraint.name,
    sql: `ALTER TABLE ${qualifiedName(relation.schema, relation.table)} ADD ${constraint.sql}`,
  }));
  return {
    oid: relation.oid,
    schema: relation.schema,
    table: relation.table,
    partitioned: relation.relkind === 'p',
    columns,
    copyColumns: columns.filter((c) => c.generated === undefined).map((c) => c.name),
    ddl: { create, foreignKeys },
    sequences: sequences.map((s) => s.state),
  };
}

interface ColumnRow {
  name: string;
  type: string;
  not_null: boolean;
  default_expr: string | null;
  collation: string | null;
  identity: string;
  generated: string;
}

async function readColumns(connection: SqlConnection, oid: number): Promise<ColumnDefinition[]> {
  const { rows } = await connection.query<ColumnRow>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            pg_get_expr(d.adbin, d.adrelid) AS default_expr, a.attidentity::text AS identity,
            a.attgenerated::text AS generated,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                 THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                         FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                        WHERE co.oid = a.attcollation) END AS collation
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  return rows.map((row) => {
    const column: ColumnDefinition = { name: row.name, type: row.type, notNull: row.not_null };
    if (row.collation) column.collation = row.collation;
    if (row.generated) column.generated = row.default_expr ?? '';
    else if (row.default_expr) column.default = row.default_expr;
    if (row.identity === 'a') column.identity = 'always';
    if (row.identity === 'd') column.identity = 'by default';
    return column;
  });
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

function identityOptions(sequences: OwnedSequence[]): Map<string, string> {
  return new Map(sequences.filter((s) => s.identity).map((s) => [s.state.column!, ` (${s.options})`]));
}

function createTableSql(
  relation: RelationRow,
  columns: ColumnDefinition[],
  identity: Map<string, string>,
  constraints: string[],
): string {
  const name = qualifiedName(relation.schema, relation.table);
  const unlogged = relation.unlogged ? 'UNLOGGED ' : '';
  if (relation.partition_of) {
    const key = relation.partition_key ? ` PARTITION BY ${relation.partition_key}` : '';
    return `CREATE ${unlogged}TABLE ${name} PARTITION OF ${relation.partition_of} ${relation.partition_bound}${key}`;
  }
  const items = [...columns.map((c) => columnSql(c, identity.get(c.name))), ...constraints];
  const key = relation.partition_key ? ` PARTITION BY ${relation.partition_key}` : '';
  return `CREATE ${unlogged}TABLE ${name} (\n  ${items.join(',\n  ')}\n)${key}`;
}

async function readConstraints(
  connection: SqlConnection,
  oid: number,
  foreign: boolean,
): Promise<{ name: string; sql: string }[]> {
  const { rows } = await connection.query<{ name: string; sql: string }>(
    `SELECT conname AS name, 'CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) AS sql
       FROM pg_constraint
      WHERE conrelid = $1 AND conislocal AND contype = ANY ($2::"char"[])
      ORDER BY contype, conname`,
    [oid, foreign ? ['f'] : ['p', 'u', 'c', 'x']],
  );
  return rows;
}

interface OwnedSequence {
  identity: boolean;
  options: string;
  createSql: string;
  ownedBySql: string;
  state: SequenceState;
}

async function readOwnedSequences(connection: SqlConnection, oid: number): Promise<OwnedSequence[]> {
  const { rows } = await connection.query<{
    name: string;
    column: string;
    identity: boolean;
    type: string;
    options: string;
  }>(
    `SELECT s.oid::regclass::text AS name, a.attname AS column, d.deptype = 'i' AS identity,
            format_type(q.seqtypid, NULL) AS type,
            format('INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s', q.seqincrement, q.seqmin, q.seqmax, q.seqstart,
                   q.seqcache, CASE WHEN q.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END) AS options
       FROM pg_depend d
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_sequence q ON q.seqrelid = s.oid
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
        AND d.refobjid = $1 AND d.deptype IN ('a', 'i')
      ORDER BY a.attnum`,
    [oid],
  );
  const owned: OwnedSequence[] = [];
  const table = (await connection.query<{ name: string }>('SELECT $1::regclass::text AS name', [oid]))
    .rows[0]!.name;
  for (const row of rows) {
    const { rows: values } = await connection.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${row.name}`,
    );
    owned.push({
      identity: row.identity,
      options: row.options,
      createSql: `CREATE SEQUENCE IF NOT EXISTS ${row.name} AS ${row.type} ${row.options}`,
      ownedBySql: `ALTER SEQUENCE ${row.name} OWNED BY ${table}.${quoteIdent(row.column)}`,
      state: {
        name: row.name,
        column: row.column,
        lastValue: values[0]!.last_value,
        isCalled: values[0]!.is_called,
      },
    });
  }
  return owned;
}

/** Every partition below a partitioned table, parents before children. */
async function readPartitions(connection: SqlConnection, oid: number): Promise<string[]> {
  const { rows } = await connection.query<{ sql: string }>(
    `WITH RECURSIVE tree AS (
       SELECT inhrelid AS child, inhparent AS parent, 1 AS depth FROM pg_inherits WHERE inhparent = $1
       UNION ALL
       SELECT i.inhrelid, i.inhparent, t.depth + 1 FROM pg_inherits i JOIN tree t ON i.inhparent = t.child)
     SELECT format('CREATE %sTABLE IF NOT EXISTS %s PARTITION OF %s %s%s',
                   CASE WHEN c.relpersistence = 'u' THEN 'UNLOGGED ' ELSE '' END,
                   t.child::regclass, t.parent::regclass, pg_get_expr(c.relpartbound, c.oid),
                   CASE WHEN c.relkind = 'p' THEN ' PARTITION BY ' || pg_get_partkeydef(c.oid) ELSE '' END) AS sql
       FROM tree t JOIN pg_class c ON c.oid = t.child
      WHERE c.relispartition
      ORDER BY t.depth, t.child::regclass::text`,
    [oid],
  );
  return rows.map((row) => row.sql);
}

/** Indexes that no constraint creates (those come back with their constraint). */
async function readIndexes(connection: SqlConnection, oid: number): Promise<string[]> {
  const { rows } = await connection.query<{ sql: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS sql
       FROM pg_index i
      WHERE i.indrelid = $1
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
      ORDER BY i.indexrelid::regclass::text`,
    [oid],
  );
  return rows.map((row) => row.sql);
}

/** Table privileges, so applications can read a recreated table again. */
async function readGrants(connection: SqlConnection, oid: number): Promise<string[]> {
  const { rows } = await connection.query<{ sql: string }>(
    `SELECT format('GRANT %s ON TABLE %s TO %s%s', a.privilege_type, $1::regclass,
                   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                   CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS sql
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = $1 AND a.grantee <> c.relowner
      ORDER BY 1`,
    [oid],
  );
  return rows.map((row) => row.sql);
}
