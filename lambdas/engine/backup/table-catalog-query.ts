// The one catalog query that describes every table of a backup: a row per table, each
// object family an aggregated JSON array. Run under search_path = pg_catalog, so
// regclass text, format_type() and pg_get_*def() print every name schema-qualified.

export interface TableCatalogRow {
  oid: number;
  schema: string;
  table: string;
  relkind: string;
  unlogged: boolean;
  owner: string;
  row_security: boolean;
  force_row_security: boolean;
  /** The parent as qualifiedName() prints it: "schema"."table". */
  partition_of: string | null;
  partition_bound: string | null;
  partition_key: string | null;
  columns: {
    name: string;
    type: string;
    not_null: boolean;
    default_expr: string | null;
    identity: string;
    generated: string;
    collation: string | null;
    comment: string | null;
  }[];
  /** type: p, u, c, x, f. local: the table's own, not cloned from a partition parent. */
  constraints: { name: string; type: string; local: boolean; definition: string }[];
  /** CREATE INDEX statements of indexes no constraint creates and no parent index clones. */
  indexes: string[];
  /** The table's own triggers (not internal, not cloned from a parent); enabled is tgenabled. */
  triggers: { name: string; sql: string; enabled: string }[];
  /** COMMENT ON statements for the table, its columns, constraints, indexes and triggers. */
  comments: string[];
  grants: { privilege: string; column: string | null; grantee: string | null; grantable: boolean }[];
  policies: {
    name: string;
    command: string;
    permissive: boolean;
    roles: (string | null)[];
    using: string | null;
    with_check: string | null;
  }[];
  /** Every sequence a column uses: identity (i), OWNED BY (a), or a nextval() default (n). */
  sequences: {
    name: string;
    column: string | null;
    identity: boolean;
    owned: boolean;
    type: string;
    options: string;
  }[];
}

const columns = `coalesce((SELECT json_agg(json_build_object(
    'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull,
    'default_expr', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity::text,
    'generated', a.attgenerated::text,
    'comment', col_description(a.attrelid, a.attnum),
    'collation', CASE WHEN a.attcollation <> 0
                   AND a.attcollation <> (SELECT t.typcollation FROM pg_type t WHERE t.oid = a.atttypid)
                 THEN (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                         FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                        WHERE co.oid = a.attcollation) END) ORDER BY a.attnum)
   FROM pg_attribute a
   -- pg_type by index, per column: a join hashed all of pg_type once per table.
   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '[]')`;

const constraints = `coalesce((SELECT json_agg(json_build_object(
    'name', k.conname, 'type', k.contype::text, 'local', k.conparentid = 0 AND k.conislocal,
    'definition', pg_get_constraintdef(k.oid)) ORDER BY k.contype, k.conname)
   FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'c', 'x', 'f')), '[]')`;

const indexes = `coalesce((SELECT json_agg(pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid::regclass::text)
   FROM pg_index i
  WHERE i.indrelid = c.oid
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid)
    AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)), '[]')`;

const triggers = `coalesce((SELECT json_agg(json_build_object(
    'name', g.tgname, 'sql', pg_get_triggerdef(g.oid), 'enabled', g.tgenabled::text) ORDER BY g.tgname)
   FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal AND g.tgparentid = 0), '[]')`;

const comments = `coalesce((SELECT json_agg(s.sql ORDER BY s.sql) FROM (
    SELECT format('COMMENT ON TABLE %s IS %L', c.oid::regclass, ds.description) AS sql
      FROM pg_description ds WHERE ds.classoid = 'pg_class'::regclass AND ds.objoid = c.oid AND ds.objsubid = 0
    UNION ALL
    SELECT format('COMMENT ON COLUMN %s.%I IS %L', c.oid::regclass, a.attname, ds.description)
      FROM pg_description ds JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ds.objsubid
     WHERE ds.classoid = 'pg_class'::regclass AND ds.objoid = c.oid AND ds.objsubid > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT format('COMMENT ON CONSTRAINT %I ON %s IS %L', k.conname, c.oid::regclass, ds.description)
      FROM pg_constraint k JOIN pg_description ds ON ds.classoid = 'pg_constraint'::regclass AND ds.objoid = k.oid
     WHERE k.conrelid = c.oid AND k.conparentid = 0
    UNION ALL
    SELECT format('COMMENT ON INDEX %s IS %L', i.indexrelid::regclass, ds.description)
      FROM pg_index i JOIN pg_description ds ON ds.classoid = 'pg_class'::regclass AND ds.objoid = i.indexrelid
     WHERE i.indrelid = c.oid AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
    UNION ALL
    SELECT format('COMMENT ON TRIGGER %I ON %s IS %L', g.tgname, c.oid::regclass, ds.description)
      FROM pg_trigger g JOIN pg_description ds ON ds.classoid = 'pg_trigger'::regclass AND ds.objoid = g.oid
     WHERE g.tgrelid = c.oid AND NOT g.tgisinternal AND g.tgparentid = 0
    UNION ALL
    SELECT format('COMMENT ON POLICY %I ON %s IS %L', p.polname, c.oid::regclass, ds.description)
      FROM pg_policy p JOIN pg_description ds ON ds.classoid = 'pg_policy'::regclass AND ds.objoid = p.oid
     WHERE p.polrelid = c.oid) s), '[]')`;

const grants = `coalesce((SELECT json_agg(json_build_object(
    'privilege', g.privilege, 'column', g.column, 'grantee', g.grantee, 'grantable', g.grantable)
    ORDER BY g.column NULLS FIRST, g.grantee NULLS FIRST, g.privilege)
   FROM (SELECT x.privilege_type AS privilege, NULL::name AS column,
                CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END AS grantee, x.is_grantable AS grantable
           FROM aclexplode(c.relacl) x WHERE x.grantee <> c.relowner
         UNION ALL
         SELECT x.privilege_type, a.attname, CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END, x.is_grantable
           FROM pg_attribute a, aclexplode(a.attacl) x
          WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
            AND x.grantee <> c.relowner) g), '[]')`;

const policies = `coalesce((SELECT json_agg(json_build_object(
    'name', p.polname, 'command', p.polcmd::text, 'permissive', p.polpermissive,
    'roles', ARRAY(SELECT CASE WHEN r = 0 THEN NULL ELSE pg_get_userbyid(r) END FROM unnest(p.polroles) r ORDER BY 1),
    'using', pg_get_expr(p.polqual, p.polrelid), 'with_check', pg_get_expr(p.polwithcheck, p.polrelid))
    ORDER BY p.polname)
   FROM pg_policy p WHERE p.polrelid = c.oid), '[]')`;

// identity (i) and OWNED BY (a) sequences depend on the column; a nextval() default's
// sequence is a normal (n) dependency of the column's pg_attrdef entry.
const sequences = `coalesce((SELECT json_agg(json_build_object(
    'name', s.oid::regclass::text, 'column', u.attname, 'identity', u.deptype = 'i', 'owned', u.deptype IN ('a', 'i'),
    'type', format_type(q.seqtypid, NULL),
    'options', format('INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s', q.seqincrement, q.seqmin,
                      q.seqmax, q.seqstart, q.seqcache, CASE WHEN q.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END))
    ORDER BY u.attnum, u.deptype, s.oid::regclass::text)
   FROM (SELECT dp.objid AS seq, a.attname, a.attnum, dp.deptype
           FROM pg_depend dp JOIN pg_attribute a ON a.attrelid = dp.refobjid AND a.attnum = dp.refobjsubid
          WHERE dp.classid = 'pg_class'::regclass AND dp.refclassid = 'pg_class'::regclass
            AND dp.refobjid = c.oid AND dp.deptype IN ('a', 'i')
         UNION
         SELECT dp.refobjid, a.attname, a.attnum, 'n'
           FROM pg_attrdef ad
           JOIN pg_depend dp ON dp.classid = 'pg_attrdef'::regclass AND dp.objid = ad.oid
                            AND dp.refclassid = 'pg_class'::regclass AND dp.deptype = 'n'
           JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
          WHERE ad.adrelid = c.oid) u
   JOIN pg_class s ON s.oid = u.seq AND s.relkind = 'S'
   JOIN pg_sequence q ON q.seqrelid = s.oid), '[]')`;

export const describeTablesSql = `
SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS table, c.relkind::text AS relkind,
       c.relpersistence = 'u' AS unlogged, pg_get_userbyid(c.relowner) AS owner,
       c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
       (SELECT '"' || replace(pn.nspname, '"', '""') || '"."' || replace(pc.relname, '"', '""') || '"' FROM pg_inherits i
          JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid AND c.relispartition) AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       ${columns} AS columns,
       ${constraints} AS constraints,
       ${indexes} AS indexes,
       ${triggers} AS triggers,
       ${comments} AS comments,
       ${grants} AS grants,
       ${policies} AS policies,
       ${sequences} AS sequences
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = ANY ($1::oid[])`;
