// The user schema of the target database as one comparable value: the history schema is
// left out, because recording a migration must not count as a schema change.

import type { SqlConnection } from '../ports.ts';
import { bookkeepingTables } from './adopt/tool-mirror.ts';
import type { EngineContext } from './context.ts';
import { fingerprintHash, readSchema, type SchemaDescription } from './fingerprint.ts';

export interface SchemaState {
  fingerprint: string;
  schema: SchemaDescription;
}

/**
 * `bookkeepingTables` ("schema.table", quoted or not) are another tool's history tables that
 * a run keeps up to date (adopt/tool-mirror.ts): bookkeeping too, so left out with everything on them.
 */
export async function schemaState(
  conn: SqlConnection,
  historySchema: string,
  bookkeepingTables: readonly string[] = [],
  options: { sequenceValues?: boolean } = {},
): Promise<SchemaState> {
  const read = await readSchema(conn, { excludeSchemas: [historySchema], ...options });
  const tables = bookkeepingTables.map((table) => table.replaceAll('"', ''));
  const onTable = (name: string, definition: unknown) => {
    const plain = name.replaceAll('"', '');
    return tables.some(
      (table) =>
        plain === table ||
        plain.startsWith(`${table}.`) ||
        (typeof definition === 'string' && definition.replaceAll('"', '').includes(` ON ${table} `)),
    );
  };
  const schema =
    tables.length === 0
      ? read
      : { objects: read.objects.filter((o) => !onTable(o.name, o.properties.definition)) };
  return { fingerprint: fingerprintHash(schema), schema };
}

/**
 * The schema state a run records and compares (Validate, Rollback, check): the history schema
 * and the tool tables the run keeps up to date left out.
 */
export async function runSchemaState(
  conn: SqlConnection,
  ctx: Pick<EngineContext, 'historySchema' | 'migrations' | 'adopt'>,
): Promise<SchemaState> {
  return schemaState(conn, ctx.historySchema, await bookkeepingTables(conn, ctx.migrations, ctx.adopt));
}
