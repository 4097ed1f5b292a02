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
      const { rows } = await connection.query<{ name: string | null }>(
        'SELECT coalesce(pg_get_serial_sequence($1, $2), to_regclass($3)::text) AS name',
        [qualifiedName(table.schema, table.table), sequence.column ?? null, sequence.name],
      );
      const name = rows[0]?.name;
      if (!name) continue;
      await connection.query('SELECT setval($1::regclass, $2::bigint, $3)', [
        name,
        sequence.lastValue,
        sequence.isCalled,
      ]);
    }
  }
}
