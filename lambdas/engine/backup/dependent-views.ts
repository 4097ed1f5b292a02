// Views and materialized views that depend on backed-up tables. A migration that drops a
// table or column CASCADE takes them with it, and no down section knows their definitions:
// the backup records each one's DDL (with owner, grants, comments and a materialized view's
// indexes), and a restore recreates the missing ones once their tables hold their data.

import type { SqlConnection } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { quoteIdent } from '../sql/identifiers.ts';
import { qualifiedName } from './copy-format.ts';
import type { ViewBackup } from './manifest.ts';

/**
 * Every view or materialized view that depends on one of the tables, directly or through
 * other views (their rewrite rules' pg_depend entries), with the longest path from a table,
 * so that creating them by increasing depth creates every view after the views it reads.
 * Run under search_path = pg_catalog, so definitions print every name schema-qualified.
 */
const dependentViewsSql = `
WITH RECURSIVE reads(view_oid, table_oid, depth) AS (
  SELECT r.ev_class, d.refobjid, 1
    FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
   WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
     AND d.refobjid IN (SELECT to_regclass(t)::oid FROM unnest($1::text[]) t) AND r.ev_class <> d.refobjid
  UNION
  SELECT r.ev_class, reads.table_oid, reads.depth + 1
    FROM reads JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = reads.view_oid
    JOIN pg_rewrite r ON r.oid = d.objid AND d.classid = 'pg_rewrite'::regclass
   WHERE r.ev_class <> reads.view_oid
), views AS (
  SELECT view_oid AS oid, max(depth) AS depth,
         array_agg(DISTINCT tn.nspname || '.' || tc.relname ORDER BY tn.nspname || '.' || tc.relname) AS tables
    FROM reads JOIN pg_class tc ON tc.oid = reads.table_oid JOIN pg_namespace tn ON tn.oid = tc.relnamespace
   GROUP BY view_oid
)
SELECT n.nspname AS schema, c.relname AS view, c.relkind::text AS relkind, c.relispopulated AS populated,
       pg_get_userbyid(c.relowner) AS owner, v.depth, v.tables,
       format('CREATE %s %s%s AS %s%s',
              CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END, c.oid::regclass,
              CASE WHEN c.reloptions IS NOT NULL THEN ' WITH (' || array_to_string(c.reloptions, ', ') || ')' ELSE '' END,
              regexp_replace(pg_get_viewdef(c.oid), ';\\s*$', ''),
              CASE WHEN c.relkind = 'm' THEN CASE WHEN c.relispopulated THEN ' WITH DATA' ELSE ' WITH NO DATA' END ELSE '' END)
         AS create,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = c.oid
              ORDER BY i.indexrelid::regclass::text) AS indexes,
       ARRAY(SELECT format('GRANT %s%s ON TABLE %s TO %s%s', x.privilege_type,
                           CASE WHEN x.attname IS NULL THEN '' ELSE format(' (%I)', x.attname) END, c.oid::regclass,
                           CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END,
                           CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
               FROM (SELECT NULL::name AS attname, e.* FROM aclexplode(c.relacl) e
                     UNION ALL
                     SELECT a.attname, e.* FROM pg_attribute a, aclexplode(a.attacl) e
                      WHERE a.attrelid = c.oid AND a.attnum > 0 AND a.attacl IS NOT NULL) x
              WHERE x.grantee <> c.relowner ORDER BY 1) AS grants,
       ARRAY(SELECT s.sql FROM (
               SELECT format('COMMENT ON %s %s IS %L', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
                             c.oid::regclass, ds.description) AS sql
                 FROM pg_description ds WHERE ds.classoid = 'pg_class'::regclass AND ds.objoid = c.oid AND ds.objsubid = 0
               UNION ALL
               SELECT format('COMMENT ON COLUMN %s.%I IS %L', c.oid::regclass, a.attname, ds.description)
                 FROM pg_description ds JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ds.objsubid
                WHERE ds.classoid = 'pg_class'::regclass AND ds.objoid = c.oid AND ds.objsubid > 0
               UNION ALL
               SELECT format('COMMENT ON INDEX %s IS %L', i.indexrelid::regclass, ds.description)
                 FROM pg_index i JOIN pg_description ds ON ds.classoid = 'pg_class'::regclass AND ds.objoid = i.indexrelid
                WHERE i.indrelid = c.oid) s ORDER BY 1) AS comments
  FROM views v JOIN pg_class c ON c.oid = v.oid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm')
 ORDER BY v.depth, n.nspname, c.relname`;

interface DependentViewRow {
  schema: string;
  view: string;
  relkind: string;
  populated: boolean;
  owner: string;
  depth: number;
  tables: string[];
  create: string;
  indexes: string[];
  grants: string[];
  comments: string[];
}

/**
 * The views over `tables` (which exist now), in creation order. The connection must read
 * under the COPY session settings (search_path = pg_catalog): the backup's coordinator does.
 */
export async function describeDependentViews(
  connection: SqlConnection,
  tables: readonly { schema: string; table: string }[],
): Promise<ViewBackup[]> {
  if (tables.length === 0) return [];
  const { rows } = await connection.query<DependentViewRow>(dependentViewsSql, [
    tables.map((t) => qualifiedName(t.schema, t.table)),
  ]);
  return rows.map((row) => ({
    name: `${row.schema}.${row.view}`,
    schema: row.schema,
    view: row.view,
    kind: row.relkind === 'm' ? 'materialized view' : 'view',
    populated: row.populated,
    owner: row.owner,
    dependsOn: row.tables,
    ddl: { create: row.create, indexes: row.indexes, grants: row.grants, comments: row.comments },
  }));
}

/**
 * Recreates, in recorded order, every recorded view over one of the restored tables that no
 * longer exists: its definition (a materialized view populated at backup time is created
 * WITH DATA, from the restored rows), its indexes, grants, comments and owner. Returns the
 * names of the views it created.
 */
export async function recreateMissingViews(
  connection: SqlConnection,
  views: readonly ViewBackup[],
  restoredTables: readonly string[],
): Promise<string[]> {
  const restored = new Set(restoredTables);
  const created: string[] = [];
  for (const view of views) {
    if (!view.dependsOn.some((table) => restored.has(table))) continue;
    const sql = qualifiedName(view.schema, view.view);
    // Whether it is gone, and whether it must be given back to its owner: one round trip.
    const { rows } = await connection.query<{ exists: boolean; differs: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS exists, current_user <> $2 AS differs',
      [sql, view.owner],
    );
    if (rows[0]?.exists) continue;
    const owner = rows[0]?.differs
      ? [
          `ALTER ${view.kind === 'view' ? 'VIEW' : 'MATERIALIZED VIEW'} ${sql} OWNER TO ${quoteIdent(view.owner)}`,
        ]
      : [];
    const statements = [
      view.ddl.create,
      ...view.ddl.indexes,
      ...view.ddl.grants,
      ...view.ddl.comments,
      ...owner,
    ];
    for (const statement of statements) {
      try {
        await connection.query(statement);
      } catch (error) {
        const hint = owner.includes(statement)
          ? `restore as ${view.owner}, as a member of it, or as a superuser`
          : `a table or type it reads may be missing: restore the tables it reads too (${view.dependsOn.join(', ')})`;
        throw new BackupError(
          `cannot recreate ${view.kind} ${view.name} from the backup manifest: ${(error as Error).message} — ` +
            `statement: ${statement.split('\n')[0]}… (${hint})`,
          { cause: error },
        );
      }
    }
    created.push(view.name);
  }
  return created;
}
