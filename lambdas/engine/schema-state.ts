// The user schema of the target database as one comparable value: the history schema is
// left out, because recording a migration must not count as a schema change.

import type { SqlConnection } from '../ports.ts';
import { fingerprintHash, readSchema, type SchemaDescription } from './fingerprint.ts';

export interface SchemaState {
  fingerprint: string;
  schema: SchemaDescription;
}

export async function schemaState(conn: SqlConnection, historySchema: string): Promise<SchemaState> {
  const schema = await readSchema(conn, { excludeSchemas: [historySchema] });
  return { fingerprint: fingerprintHash(schema), schema };
}
