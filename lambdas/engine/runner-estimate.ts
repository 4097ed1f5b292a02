// The size of the tables each pending step rewrites or scans in full, from the catalog: what
// runner-choice.ts turns into a duration estimate.
import type { SqlConnection } from '../ports.ts';
import type { StepRisk } from './model.ts';
import { quoteQualified } from './sql/identifiers.ts';

export async function heavyBytesByStep(
  conn: SqlConnection,
  risks: readonly StepRisk[],
): Promise<Record<string, number>> {
  const heavy = new Map(risks.map((risk) => [risk.version, [...new Set([...risk.rewrites, ...risk.scans])]]));
  const tables = [...new Set([...heavy.values()].flat())];
  if (tables.length === 0) return {};
  // A table the run has not created yet has no size: to_regclass gives NULL and it counts 0.
  const { rows } = await conn.query<{ name: string; bytes: string | null }>(
    `SELECT t.name, pg_table_size(to_regclass(t.quoted)) AS bytes
       FROM unnest($1::text[], $2::text[]) AS t(name, quoted)`,
    [tables, tables.map(quoteQualified)],
  );
  const size = new Map(rows.map((row) => [row.name, Number(row.bytes ?? 0)]));
  return Object.fromEntries(
    [...heavy].map(([version, names]) => [
      version,
      names.reduce((sum, name) => sum + (size.get(name) ?? 0), 0),
    ]),
  );
}
