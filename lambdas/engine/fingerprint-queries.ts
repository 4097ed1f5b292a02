// Catalog queries behind the schema fingerprint. Each returns rows of
// { kind, name, ...properties } for one family of objects; $1 is a text[] of schemas to
// leave out (fingerprint.ts writes it in as a literal, to send them all in one round
// trip). Objects that belong to an extension are described by the extension's version,
// and objects PostgreSQL clones onto partitions are described by their parent.

/** Every kind the fingerprint knows, in the order differences are reported. */
export const objectKinds = [
  'schema',
  'extension',
  'enum type',
  'domain',
  'composite type',
  'range type',
  'table',
  'partitioned table',
  'foreign table',
  'column',
  'constraint',
  'index',
  'sequence',
  'view',
  'materialized view',
  'function',
  'procedure',
  'aggregate',
  'window function',
  'trigger',
  'policy',
] as const;
export type ObjectKind = (typeof objectKinds)[number];

const userSchema = (n: string) => `${n}.nspname NOT IN ('pg_catalog', 'information_schema')
  AND ${n}.nspname NOT LIKE 'pg\\_toast%' AND ${n}.nspname NOT LIKE 'pg\\_temp\\_%'
  AND ${n}.nspname <> ALL ($1::text[])`;

const notFromExtension = (catalog: string, oid: string) => `NOT EXISTS (
  SELECT 1 FROM pg_depend dep
  WHERE dep.classid = '${catalog}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`;

// Who owns an object, who may use it, and what it says about itself are part of the schema:
// a restore that recreates a table must give all three back. ACL entries are sorted, so the
// order GRANTs ran in does not count.
const owner = (column: string) => `pg_get_userbyid(${column}) AS owner`;
// No ACL (NULL) means the owner's default privileges: the same as an ACL that spells them out.
const acl = (column: string, type?: string, ownerColumn?: string) => {
  const value = type ? `coalesce(${column}, acldefault('${type}', ${ownerColumn}))` : column;
  return `ARRAY(SELECT x::text FROM unnest(${value}) x ORDER BY 1) AS grants`;
};
const comment = (oid: string, catalog: string, subid = '0') =>
  `(SELECT ds.description FROM pg_description ds WHERE ds.objoid = ${oid} AND ds.classoid = '${catalog}'::regclass AND ds.objsubid = ${subid}) AS comment`;

const qualified = (n: string, name: string) => `quote_ident(${n}.nspname) || '.' || quote_ident(${name})`;

const schemas = `
SELECT 'schema' AS kind, quote_ident(n.nspname) AS name,
  ${owner('n.nspowner')}, ${acl('n.nspacl', 'n', 'n.nspowner')}, ${comment('n.oid', 'pg_namespace')}
FROM pg_namespace n
WHERE ${userSchema('n')} AND ${notFromExtension('pg_namespace', 'n.oid')}`;

const extensions = `
SELECT 'extension' AS kind, quote_ident(e.extname) AS name, e.extversion AS version, n.nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE n.nspname <> ALL ($1::text[])`;

const tables = `
SELECT CASE c.relkind WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind,
  ${qualified('n', 'c.relname')} AS name,
  CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END AS persistence,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS "partitionKey",
  (SELECT ${qualified('pn', 'pc.relname')} FROM pg_inherits i
     JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
   WHERE i.inhrelid = c.oid AND c.relispartition) AS "partitionOf",
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS "partitionBound",
  ARRAY(SELECT ${qualified('pn', 'pc.relname')} FROM pg_inherits i
     JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
   WHERE i.inhrelid = c.oid AND NOT c.relispartition ORDER BY i.inhseqno) AS inherits,
  c.relrowsecurity AS "rowSecurity", c.relforcerowsecurity AS "forceRowSecurity",
  coalesce(array_to_string(c.reloptions, ', '), '') AS options,
  ${owner('c.relowner')}, ${acl('c.relacl', 'r', 'c.relowner')}, ${comment('c.oid', 'pg_class')}
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND ${userSchema('n')} AND ${notFromExtension('pg_class', 'c.oid')}`;

// Columns of partitions always match their parent's, so they are described once, there.
const columns = `
SELECT 'column' AS kind, ${qualified('n', 'c.relname')} || '.' || quote_ident(a.attname) AS name,
  format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AS "notNull",
  CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
  CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
  CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity,
  CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
  ${acl('a.attacl')}, ${comment('c.oid', 'pg_class', 'a.attnum')}
FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition
  AND ${userSchema('n')} AND ${notFromExtension('pg_class', 'c.oid')}`;

const constraints = `
SELECT 'constraint' AS kind, ${qualified('n', 'c.relname')} || '.' || quote_ident(k.conname) AS name,
  regexp_replace(pg_get_constraintdef(k.oid), ' NOT VALID$', '') AS definition,
  k.convalidated AS validated,
  ${comment('k.oid', 'pg_constraint')}
FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.conparentid = 0 AND ${userSchema('n')} AND ${notFromExtension('pg_class', 'c.oid')}`;

const indexes = `
SELECT 'index' AS kind, ${qualified('n', 'ic.relname')} AS name,
  pg_get_indexdef(x.indexrelid) AS definition,
  x.indisvalid AS valid,
  ${comment('x.indexrelid', 'pg_class')}
FROM pg_index x
  JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = x.indexrelid)
  AND ${userSchema('n')} AND ${notFromExtension('pg_class', 'x.indrelid')}`;

const sequences = `
SELECT 'sequence' AS kind, ${qualified('n', 'c.relname')} AS name,
  format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS increment,
  s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
  CASE c.relpersistence WHEN 'u' THEN 'unlogged' ELSE 'permanent' END AS persistence,
  (SELECT ${qualified('on_', 'oc.relname')} || '.' || quote_ident(oa.attname)
   FROM pg_depend od JOIN pg_class oc ON oc.oid = od.refobjid JOIN pg_namespace on_ ON on_.oid = oc.relnamespace
     JOIN pg_attribute oa ON oa.attrelid = od.refobjid AND oa.attnum = od.refobjsubid
   WHERE od.classid = 'pg_class'::regclass AND od.objid = c.oid AND od.deptype IN ('a', 'i')
     AND od.refclassid = 'pg_class'::regclass LIMIT 1) AS "ownedBy",
  ${owner('c.relowner')}, ${acl('c.relacl', 's', 'c.relowner')}, ${comment('c.oid', 'pg_class')}
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${userSchema('n')} AND ${notFromExtension('pg_class', 'c.oid')}`;

const views = `
SELECT CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END AS kind,
  ${qualified('n', 'c.relname')} AS name,
  pg_get_viewdef(c.oid) AS definition,
  coalesce(array_to_string(c.reloptions, ', '), '') AS options,
  CASE WHEN c.relkind = 'm' THEN c.relispopulated END AS populated,
  ${owner('c.relowner')}, ${acl('c.relacl', 'r', 'c.relowner')}, ${comment('c.oid', 'pg_class')}
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${userSchema('n')} AND ${notFromExtension('pg_class', 'c.oid')}`;

// pg_get_functiondef refuses aggregates; they are described by their parts instead.
const routines = `
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function'
    ELSE 'function' END AS kind,
  ${qualified('n', 'p.proname')} || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name,
  CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition,
  CASE WHEN p.prokind = 'a' THEN (
    SELECT concat_ws(' ', 'state', ag.aggtransfn::text, format_type(ag.aggtranstype, NULL),
      'final', ag.aggfinalfn::text, 'initial', ag.agginitval)
    FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid) END AS aggregate,
  ${owner('p.proowner')}, ${acl('p.proacl', 'f', 'p.proowner')}, ${comment('p.oid', 'pg_proc')}
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE ${userSchema('n')} AND ${notFromExtension('pg_proc', 'p.oid')}`;

const enums = `
SELECT 'enum type' AS kind, ${qualified('n', 't.typname')} AS name,
  ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
  ${owner('t.typowner')}, ${acl('t.typacl', 'T', 't.typowner')}, ${comment('t.oid', 'pg_type')}
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND ${userSchema('n')} AND ${notFromExtension('pg_type', 't.oid')}`;

const domains = `
SELECT 'domain' AS kind, ${qualified('n', 't.typname')} AS name,
  format_type(t.typbasetype, t.typtypmod) AS type,
  t.typnotnull AS "notNull",
  t.typdefault AS default,
  ARRAY(SELECT k.conname || ': ' || regexp_replace(pg_get_constraintdef(k.oid), ' NOT VALID$', '') || CASE WHEN k.convalidated THEN '' ELSE ' NOT VALID' END
    FROM pg_constraint k WHERE k.contypid = t.oid ORDER BY k.conname) AS constraints,
  ${owner('t.typowner')}, ${acl('t.typacl', 'T', 't.typowner')}, ${comment('t.oid', 'pg_type')}
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND ${userSchema('n')} AND ${notFromExtension('pg_type', 't.oid')}`;

const compositeTypes = `
SELECT 'composite type' AS kind, ${qualified('n', 't.typname')} AS name,
  ARRAY(SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
    FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum) AS attributes,
  ${owner('t.typowner')}, ${acl('t.typacl', 'T', 't.typowner')}, ${comment('t.oid', 'pg_type')}
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid
WHERE t.typtype = 'c' AND c.relkind = 'c' AND ${userSchema('n')} AND ${notFromExtension('pg_type', 't.oid')}`;

const rangeTypes = `
SELECT 'range type' AS kind, ${qualified('n', 't.typname')} AS name,
  format_type(r.rngsubtype, NULL) AS subtype,
  ${owner('t.typowner')}, ${acl('t.typacl', 'T', 't.typowner')}, ${comment('t.oid', 'pg_type')}
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_range r ON r.rngtypid = t.oid
WHERE t.typtype = 'r' AND ${userSchema('n')} AND ${notFromExtension('pg_type', 't.oid')}`;

const triggers = `
SELECT 'trigger' AS kind, ${qualified('n', 'c.relname')} || '.' || quote_ident(g.tgname) AS name,
  pg_get_triggerdef(g.oid) AS definition,
  CASE g.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' ELSE 'enabled' END AS enabled,
  ${comment('g.oid', 'pg_trigger')}
FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND ${userSchema('n')} AND ${notFromExtension('pg_class', 'c.oid')}`;

const policies = `
SELECT 'policy' AS kind, ${qualified('n', 'c.relname')} || '.' || quote_ident(p.polname) AS name,
  p.polcmd::text AS command, p.polpermissive AS permissive,
  ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r) END FROM unnest(p.polroles) r ORDER BY 1) AS roles,
  pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS "withCheck",
  ${comment('p.oid', 'pg_policy')}
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${userSchema('n')}`;

export const catalogQueries: readonly string[] = [
  schemas,
  extensions,
  tables,
  columns,
  constraints,
  indexes,
  sequences,
  views,
  routines,
  enums,
  domains,
  compositeTypes,
  rangeTypes,
  triggers,
  policies,
];
