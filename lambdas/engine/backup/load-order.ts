// The order tables load in when foreign keys are checked row by row.
import type { SqlConnection } from '../../ports.ts';
import { qualifiedName } from './copy-format.ts';
import type { TableBackup } from './manifest.ts';

/** Without replica mode, non-deferrable foreign keys are checked row by row: load referenced tables first. */
export async function parentsFirst(connection: SqlConnection, tables: TableBackup[]): Promise<TableBackup[]> {
  const { rows } = await connection.query<{ child: string; parent: string }>(
    `SELECT DISTINCT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c WHERE c.contype = 'f' AND c.conrelid <> c.confrelid`,
  );
  const key = (t: TableBackup) => qualifiedName(t.schema, t.table);
  const byName = new Map(tables.map((t) => [key(t), t]));
  // The names pg_constraint prints (regclass text) mapped back to the manifest's, in one query.
  const { rows: names } = await connection.query<{ key: string; name: string }>(
    'SELECT key, key::regclass::text AS name FROM unnest($1::text[]) AS key',
    [tables.map(key)],
  );
  const canonical = new Map(names.map((row) => [row.name, row.key]));
  const ordered: TableBackup[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    if (visiting.has(name) || ordered.includes(byName.get(name)!)) return;
    visiting.add(name);
    for (const edge of rows) {
      const child = canonical.get(edge.child);
      const parent = canonical.get(edge.parent);
      if (child === name && parent) visit(parent);
    }
    ordered.push(byName.get(name)!);
  };
  for (const t of tables) visit(key(t));
  return ordered;
}
