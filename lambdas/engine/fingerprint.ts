// The user schema of a database read from the catalogs, as a sorted list of objects that can
// be hashed (is the schema exactly as before?) and diffed (what differs, in words a person
// can act on). It sees every object's definition, owner, privileges (ACL entries, sorted) and
// comment, because a restore that recreates an object must bring all of them back.
//
// Two things are deliberately left out:
//  - column POSITION: columns are compared by name. PostgreSQL cannot add a column at a
//    position, so a rollback that re-adds a dropped column puts it last; its values come back
//    from the backup by name. `pg_dump -s` shows the new order; nothing that names its
//    columns (every query the fingerprint can vouch for) sees a difference. See
//    docs/backup-and-restore.md, "Column order".
//  - current VALUES (sequence positions, row counts) by default: they are data, move outside
//    any transaction, and concurrent traffic advances sequences between Backup and Rollback,
//    so the run's fingerprint (Validate's, the one Rollback and drift checks compare) leaves
//    them out. `sequenceValues: true` adds every sequence's position: a restore sets each
//    sequence its tables use back with setval, so with no traffic in between the fingerprint
//    with sequence values after a restore equals the one taken when the backup ran.
import { createHash } from 'node:crypto';
import type { SqlConnection } from '../ports.ts';
import { catalogQueries, type ObjectKind, objectKinds } from './fingerprint-queries.ts';
import { textArrayLiteral } from './sql/identifiers.ts';

export type { ObjectKind } from './fingerprint-queries.ts';

export type PropertyValue = string | boolean | null | string[];

export interface SchemaObject {
  kind: ObjectKind;
  /** Qualified, quoted where needed: `app.users`, `app.users.email`, `app.f(integer)`. */
  name: string;
  properties: Record<string, PropertyValue>;
}

export interface SchemaDescription {
  /** Sorted by kind (in `objectKinds` order), then name. */
  objects: SchemaObject[];
}

export interface ReadSchemaOptions {
  /** Schemas to leave out besides the system ones, e.g. the history schema. */
  excludeSchemas?: readonly string[];
  /** Also each sequence's position (`value`: last value, or "not called"). Default false. */
  sequenceValues?: boolean;
}

// pg_sequence_last_value is NULL until nextval/setval(…, true) has been called.
const sequenceValuesSql = `
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
       coalesce(pg_sequence_last_value(c.oid)::text, 'not called') AS value
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S' AND n.nspname <> ALL ($1::text[])`;

function normalise(value: unknown): PropertyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => String(item));
  return String(value);
}

function compareObjects(a: SchemaObject, b: SchemaObject): number {
  const byKind = objectKinds.indexOf(a.kind) - objectKinds.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Reads every user-defined object outside `pg_catalog`, `information_schema`, `pg_toast*` and `excludeSchemas`. */
export async function readSchema(
  conn: SqlConnection,
  options: ReadSchemaOptions = {},
): Promise<SchemaDescription> {
  // Every catalog query in one round trip (they are independent reads), so the schemas to
  // leave out go in as a literal rather than the parameter $1.
  const excluded = textArrayLiteral(options.excludeSchemas ?? []);
  // A function, not a string: `$$` or `$&` in a schema's name is not a replacement pattern.
  const statements = [...catalogQueries, ...(options.sequenceValues ? [sequenceValuesSql] : [])].map((sql) =>
    sql.replaceAll('$1::text[]', () => excluded),
  );
  const results = await conn.queryEach(statements);
  const objects: SchemaObject[] = [];
  for (const { rows } of results.slice(0, catalogQueries.length)) {
    for (const { kind, name, ...rest } of rows) {
      const properties: Record<string, PropertyValue> = {};
      for (const key of Object.keys(rest).sort()) properties[key] = normalise(rest[key]);
      objects.push({ kind: kind as ObjectKind, name: String(name), properties });
    }
  }
  if (options.sequenceValues) {
    const rows = (results[catalogQueries.length]?.rows ?? []) as Array<{ name: string; value: string }>;
    const values = new Map(rows.map((row) => [row.name, row.value]));
    for (const object of objects) {
      if (object.kind === 'sequence') object.properties.value = values.get(object.name) ?? null;
    }
  }
  return { objects: objects.sort(compareObjects) };
}

/** Keys a JavaScript object always lists first, in numeric order, whatever order they were set in. */
const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;

/** `value` with every object's keys in sorted order and `undefined` as `null`; undefined when a key is index-like. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.includes(undefined) ? undefined : items;
  }
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = canonical((value as Record<string, unknown>)[key]);
      if (INDEX_LIKE.test(key) || item === undefined) return undefined;
      sorted[key] = item;
    }
    return sorted;
  }
  return value ?? null;
}

function canonicalJsonByHand(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJsonByHand).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJsonByHand(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * JSON with object keys sorted, so equal values give equal text. Built by the native
 * JSON.stringify over a key-sorted copy: on a schema of thousands of objects, concatenating
 * the text by hand cost several times as much, for the same bytes. An object with an
 * index-like key ("10"), which no copy can list in sorted order, is still written by hand.
 */
export function canonicalJson(value: unknown): string {
  const sorted = canonical(value);
  return sorted === undefined ? canonicalJsonByHand(value) : JSON.stringify(sorted);
}

/** SHA-256 (hex) of the canonical JSON of `schema`: equal schemas, equal hashes. */
export function fingerprintHash(schema: SchemaDescription): string {
  const sorted = [...schema.objects].sort(compareObjects);
  return createHash('sha256').update(canonicalJson(sorted)).digest('hex');
}

// How one property change reads: "NOT VALID → valid", "type text → character varying(20)".
const booleanWords: Record<string, [whenTrue: string, whenFalse: string]> = {
  validated: ['valid', 'NOT VALID'],
  valid: ['valid', 'INVALID'],
  notNull: ['NOT NULL', 'nullable'],
};
const longTextLimit = 80;

function show(value: PropertyValue | undefined): string {
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return value;
}

function describeChange(
  property: string,
  before: PropertyValue | undefined,
  after: PropertyValue | undefined,
): string {
  const words = booleanWords[property];
  if (words && typeof before === 'boolean' && typeof after === 'boolean') {
    return `${before ? words[0] : words[1]} → ${after ? words[0] : words[1]}`;
  }
  const [from, to] = [show(before), show(after)];
  if (from.length > longTextLimit || to.length > longTextLimit || /\n/.test(from + to))
    return `${property} changed`;
  return `${property} ${from} → ${to}`;
}

function changes(before: SchemaObject, after: SchemaObject): string[] {
  const keys = [...new Set([...Object.keys(before.properties), ...Object.keys(after.properties)])].sort();
  return keys
    .filter((key) => canonicalJson(before.properties[key]) !== canonicalJson(after.properties[key]))
    .map((key) => describeChange(key, before.properties[key], after.properties[key]));
}

/**
 * The differences from `before` to `after`, one sentence each, in catalog order:
 * "column app.users.nickname added", "index app.users_email_idx missing",
 * "constraint app.orders.orders_user_fk changed: NOT VALID → valid".
 */
export function diffSchemas(before: SchemaDescription, after: SchemaDescription): string[] {
  const key = (object: SchemaObject) => `${object.kind} ${object.name}`;
  const beforeByKey = new Map(before.objects.map((object) => [key(object), object]));
  const afterByKey = new Map(after.objects.map((object) => [key(object), object]));
  const all = [...before.objects, ...after.objects.filter((object) => !beforeByKey.has(key(object)))];
  const lines: string[] = [];
  for (const object of all.sort(compareObjects)) {
    const old = beforeByKey.get(key(object));
    const now = afterByKey.get(key(object));
    if (!old) lines.push(`${key(object)} added`);
    else if (!now) lines.push(`${key(object)} missing`);
    else {
      const changed = changes(old, now);
      if (changed.length > 0) lines.push(`${key(object)} changed: ${changed.join(', ')}`);
    }
  }
  return lines;
}
