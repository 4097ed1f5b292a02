// Sequences go back to the value they had when the backup ran, found again through their
// owning column (a recreated identity column gets a new sequence) or by name.
import type { SqlConnection } from '../../ports.ts';
import { qualifiedName } from './copy-format.ts';
import type { TableBackup } from './manifest.ts';

export async function restoreSequences(
  connection: SqlConnection,
  tables: readonly Pick<TableBackup, 'schema' | 'table' | 'sequences'>[],
): Promise<void> {
  for (const table of tables) {
    for (const sequence of table.sequences) {
      // Found and set in one round trip; a sequence found neither way is left alone.
      await connection.query(
        `SELECT setval(found.name::regclass, $4::bigint, $5)
           FROM (SELECT coalesce(pg_get_serial_sequence($1, $2), to_regclass($3)::text) AS name) found
          WHERE found.name IS NOT NULL`,
        [
          qualifiedName(table.schema, table.table),
          sequence.column ?? null,
          sequence.name,
          sequence.lastValue,
          sequence.isCalled,
        ],
      );
    }
  }
}
