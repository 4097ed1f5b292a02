// Round trips through the whole local workflow on the generated sample database (21 tables,
// partitions with foreign keys on the partitions, last_update triggers, sequences without
// OWNED BY, materialized views, tsvector, arrays, enums, domains, bytea of every byte value).
// Each ends with every table's data identical and the schema fingerprint identical (columns
// compared by name, not position: see docs/backup-and-restore.md), sequence values included.
import { afterAll, describe, expect, it } from '@jest/globals';
import { main } from '../../../cli/main.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { migration, migrationDirectory } from '../../support/engine.ts';
import { runWorkflow } from '../../support/local-workflow.ts';
import { createSampleDatabase } from '../../support/sample-database.ts';
import { sampleState } from './sample-state.ts';

const databases: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
});

async function sample(label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  databases.push(database);
  await createSampleDatabase(database.db);
  return database;
}

const allow = (...rules: string[]) =>
  ['ddl-with-large-dml', ...rules]
    .map((rule) => `-- lint:allow ${rule} the test destroys data on purpose`)
    .join('\n');

/** Damage to several tables at once, none of which a down section could bring back. */
const damage = `UPDATE shop.customer SET last_name = 'X' WHERE customer_id % 7 = 0;
UPDATE shop.film SET title = upper(title) WHERE film_id % 3 = 0;
DELETE FROM shop.film_category WHERE category_id = 3;
ALTER TABLE shop.staff DROP COLUMN picture;
DELETE FROM shop.media WHERE media_id > 1;
SELECT setval('shop.customer_id_seq', 100000);
INSERT INTO shop.customer (store_id, first_name, last_name, address_id) VALUES (1, 'New', 'Row', 3);`;

async function roundTrip(label: string, files: Record<string, string>, input: Record<string, unknown> = {}) {
  const database = await sample(label);
  const before = await sampleState(database.db);
  const directory = await migrationDirectory(files);
  try {
    const run = await runWorkflow({ databaseUrl: database.url, migrationsDir: directory.path, input });
    console.log(JSON.stringify(run.output, null, 1).slice(0, 3000), run.log.join('\n'));
    const after = await sampleState(database.db);
    return { run, before, after, database };
  } finally {
    await directory.remove();
  }
}

describe('round trips on the sample database', () => {
  it('rolls back a migration that dropped a partition, a column CASCADE (and its view) and damaged other tables', async () => {
    const { run, before, after } = await roundTrip(
      'sample_drop_partition',
      {
        '0001_drop_march.sql': `${allow('ban-drop-table', 'ban-drop-column', 'irreversible-not-allowed')}\n${migration(
          {
            up: `DROP TABLE shop.payment_2026_03;\n${damage}\nALTER TABLE shop.customer DROP COLUMN last_name CASCADE;`,
            down: '',
            verify: 'SELECT 1 / 0;',
          },
        ).replace('-- migrate:down\n', '-- migrate:down irreversible\n')}`,
      },
      { allowIrreversible: true },
    );
    expect({ status: run.output?.status, error: run.output?.error }).toMatchObject({ status: 'rolled_back' });
    expect(after).toEqual(before);
  });

  it('rolls back an irreversible migration when a later one fails', async () => {
    const { run, before, after } = await roundTrip(
      'sample_irreversible',
      {
        '0001_reshape.sql': `${allow('ban-drop-column', 'ban-drop-table', 'irreversible-not-allowed')}\n${migration(
          {
            up: `${damage}\nALTER TABLE shop.customer DROP COLUMN active;\nUPDATE shop.rental SET return_date = NULL WHERE rental_id % 2 = 0;\nDROP TABLE shop.film_category CASCADE;\nINSERT INTO shop.category (name) VALUES ('Westerns');`,
            down: '',
          },
        ).replace('-- migrate:down\n', '-- migrate:down irreversible\n')}`,
        '0002_fails.sql': migration({ up: 'SELECT * FROM shop.no_such_table;', down: 'SELECT 1;' }),
      },
      { allowIrreversible: true },
    );
    expect({ status: run.output?.status, error: run.output?.error }).toMatchObject({ status: 'rolled_back' });
    expect(after).toEqual(before);
  });

  it('rolls back three migrations when the third fails, re-added columns filled from the backup', async () => {
    const { run, before, after } = await roundTrip('sample_three', {
      '0001_add_note.sql': migration({
        up: 'ALTER TABLE shop.film ADD COLUMN note text;',
        down: 'ALTER TABLE shop.film DROP COLUMN note;',
      }),
      '0002_drop_email.sql': `${allow('ban-drop-column')}\n${migration({
        up: 'ALTER TABLE shop.customer DROP COLUMN email;\nDELETE FROM shop.payment WHERE amount < 1;\nALTER TABLE shop.film DROP COLUMN title CASCADE;',
        down: "ALTER TABLE shop.customer ADD COLUMN email shop.email;\nALTER TABLE shop.film ADD COLUMN title text NOT NULL DEFAULT '';\nALTER TABLE shop.film ALTER COLUMN title DROP DEFAULT;",
      })}`,
      '0003_fails.sql': `${allow('changing-column-type')}\n${migration({ up: 'ALTER TABLE shop.film ALTER COLUMN rating TYPE integer;', down: 'SELECT 1;' })}`,
    });
    expect({ status: run.output?.status, error: run.output?.error }).toMatchObject({ status: 'rolled_back' });
    expect(after).toEqual(before);
  });

  it('restores every table by hand after a successful destructive run, with the command `backups` prints', async () => {
    const { run, before, after, database } = await roundTrip('sample_manual', {
      '0001_destroy.sql': `${allow('ban-drop-table', 'ban-drop-column')}\n${migration({
        up: `DROP TABLE shop.payment_2026_05;\n${damage}\nALTER TABLE shop.customer DROP COLUMN active;\nALTER TABLE shop.customer DROP COLUMN last_name CASCADE;\nDROP TABLE shop.film_category CASCADE;`,
        down: 'SELECT 1;',
      })}`,
    });
    expect({ status: run.output?.status, error: run.output?.error }).toMatchObject({ status: 'succeeded' });
    expect(after).not.toEqual(before);
    expect(after.materializedViews['shop.sales_by_category']).toBe('missing');
    // The CASCADE took a view over a dropped column and a view over the materialized view.
    expect([after.schema['view shop.customer_list'], after.schema['view shop.top_categories']]).toEqual([
      undefined,
      undefined,
    ]);
    const printed: string[] = [];
    const exit = await withCapturedStdout(printed, () =>
      main(['backups', '--from', `${run.projectDir}/.stepmigrate/backups`]),
    );
    expect(exit).toBe(0);
    const command = printed.join('').match(/stepmigrate (restore --from \S+)/)?.[1];
    expect(command).toBeDefined();
    expect(await main([...command!.split(' '), '--database-url', database.url])).toBe(0);
    process.exitCode = undefined;
    expect(await sampleState(database.db)).toEqual(before);
  });

  it('compares every table of the sample, and the sample has the promised shape', async () => {
    const database = await sample('sample_shape');
    const state = await sampleState(database.db);
    expect(Object.keys(state.data)).toHaveLength(21);
    expect(Object.values(state.data).filter((v) => !/^[1-9]\d* rows /.test(v))).toEqual(
      // The partitioned parent holds no rows of its own.
      ['0 rows null'],
    );
    const shape = await database.db.withConnection(async (conn) => {
      const { rows } = await conn.query<Record<string, number>>(
        `SELECT (SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'shop' AND c.relkind IN ('r', 'p')) AS tables,
                (SELECT count(*)::int FROM pg_constraint WHERE contype = 'f'
                  AND conrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'shop.payment'::regclass)) AS partition_fks,
                (SELECT count(*)::int FROM pg_trigger WHERE tgname = 'last_updated') AS last_update_triggers,
                (SELECT count(*)::int FROM pg_class s WHERE s.relkind = 'S' AND s.relnamespace = 'shop'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype IN ('a', 'i'))) AS unowned_sequences,
                (SELECT count(*)::int FROM pg_matviews WHERE schemaname = 'shop') AS materialized_views,
                (SELECT count(DISTINCT get_byte(content, i))::int FROM shop.media, generate_series(0, 255) i WHERE media_id = 1) AS byte_values`,
      );
      return rows[0];
    });
    expect(shape).toEqual({
      tables: 21,
      partition_fks: 14,
      last_update_triggers: 12,
      unowned_sequences: 4,
      materialized_views: 2,
      byte_values: 256,
    });
  });
});

async function withCapturedStdout<T>(lines: string[], fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
}
