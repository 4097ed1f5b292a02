// What "identical" means for the sample database: the schema fingerprint with sequence
// values (columns by name, not position), the rows of every table (columns read in name order, rows as a sorted set)
// the value of every sequence, and the rows of every materialized view (views a DROP …
// CASCADE took must come back, populated as they were).
import { setCopySessionSql } from '../../../lambdas/engine/backup/copy-format.ts';
import { schemaState } from '../../../lambdas/engine/schema-state.ts';
import type { Database } from '../../../lambdas/ports.ts';
import { sampleTables } from '../../support/sample-database.ts';

export interface SampleState {
  fingerprint: string;
  /** Every schema object, so a failing comparison shows which one differs. */
  schema: Record<string, string>;
  data: Record<string, string>;
  /** Rows of every materialized view of the sample, as a sorted set; "missing" when it is gone. */
  materializedViews: Record<string, string>;
  sequences: Record<string, string>;
}

export async function sampleState(db: Database): Promise<SampleState> {
  return db.withConnection(async (connection) => {
    const state = await schemaState(connection, 'stepmigrate', [], { sequenceValues: true });
    const schema = Object.fromEntries(
      state.schema.objects.map((o) => [`${o.kind} ${o.name}`, JSON.stringify(o.properties)]),
    );
    await connection.query('BEGIN');
    try {
      await connection.query(setCopySessionSql());
      const data: Record<string, string> = {};
      for (const table of sampleTables) {
        const { rows: columns } = await connection.query<{ name: string }>(
          `SELECT quote_ident(attname) AS name FROM pg_attribute
            WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attname`,
          [table],
        );
        if (columns.length === 0) {
          data[table] = 'missing';
          continue;
        }
        const { rows } = await connection.query<{ digest: string | null; count: number }>(
          `SELECT md5(string_agg(x, E'\\n' ORDER BY x)) AS digest, count(*)::int AS count
             FROM (SELECT ROW(${columns.map((c) => c.name).join(', ')})::text AS x FROM ONLY ${table}) t`,
        );
        data[table] = `${rows[0]!.count} rows ${rows[0]!.digest}`;
      }
      const materializedViews: Record<string, string> = {};
      for (const view of ['shop.sales_by_category', 'shop.film_search']) {
        const { rows: found } = await connection.query<{ populated: boolean | null }>(
          'SELECT (SELECT relispopulated FROM pg_class WHERE oid = to_regclass($1)) AS populated',
          [view],
        );
        if (found[0]?.populated == null) {
          materializedViews[view] = 'missing';
          continue;
        }
        if (!found[0].populated) {
          materializedViews[view] = 'not populated';
          continue;
        }
        const { rows } = await connection.query<{ digest: string | null; count: number }>(
          `SELECT md5(string_agg(v::text, E'\\n' ORDER BY v::text)) AS digest, count(*)::int AS count FROM ${view} v`,
        );
        materializedViews[view] = `${rows[0]!.count} rows ${rows[0]!.digest}`;
      }
      const { rows: sequences } = await connection.query<{ name: string; value: string }>(
        `SELECT schemaname || '.' || sequencename AS name, coalesce(last_value::text, 'not called') AS value
           FROM pg_sequences WHERE schemaname = 'shop'`,
      );
      return {
        fingerprint: state.fingerprint,
        schema,
        data,
        materializedViews,
        sequences: Object.fromEntries(sequences.map((s) => [s.name, s.value])),
      };
    } finally {
      await connection.query('ROLLBACK');
    }
  });
}
