// The round trip judged by the real tool: on Debian's PostgreSQL 15, an irreversible migration
// drops a partition and a table CASCADE (taking a materialized view with it), rewrites,
// deletes and inserts rows and moves a sequence, then fails verification. After the
// rollback, `pg_dump -s` prints exactly what it printed before the run, and every table,
// materialized view and sequence holds what it held. (No column is dropped here: a re-added
// column comes last, which pg_dump shows and the fingerprint by rule does not.)
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { TemporaryCluster } from '../../../cli/local/embedded-postgres.ts';
import { pgCopyStreams } from '../../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../../lambdas/adapters/pg-database.ts';
import {
  debianBinDir,
  debianMajor,
  debianPostgresMissing,
  printSkipNote,
  startDebianCluster,
} from '../../support/debian-postgres.ts';
import { migration, migrationDirectory } from '../../support/engine.ts';
import { runWorkflow } from '../../support/local-workflow.ts';
import { createSampleDatabase } from '../../support/sample-database.ts';
import { sampleState } from './sample-state.ts';

const missing = await debianPostgresMissing();
if (missing) printSkipNote(`pg_dump -s round trip on PostgreSQL ${debianMajor}`, missing);
const test = missing ? it.skip : it;

let cluster: TemporaryCluster | undefined;
let db: PgDatabase | undefined;
beforeAll(async () => {
  if (missing) return;
  cluster = await startDebianCluster();
  db = new PgDatabase(cluster.url, {}, { copy: pgCopyStreams });
  await createSampleDatabase(db);
});
afterAll(async () => {
  await db?.close();
  await cluster?.stop();
});

async function schemaDump(): Promise<string> {
  const { stdout } = await promisify(execFile)(join(debianBinDir(), 'pg_dump'), [
    '--schema-only',
    '--schema=shop',
    `--dbname=${cluster!.url}`,
  ]);
  // pg_dump guards its script with a random \restrict key per dump: not part of the schema.
  return stdout.replace(/^\\(un)?restrict \S+$/gm, '');
}

test('pg_dump -s is identical after an irreversible migration that dropped a partition and a table CASCADE is rolled back', async () => {
  const [dumpBefore, before] = [await schemaDump(), await sampleState(db!)];
  const directory = await migrationDirectory({
    '0001_destroy.sql': `-- lint:allow ban-drop-table the test destroys data on purpose\n-- lint:allow irreversible-not-allowed the test destroys data on purpose\n-- lint:allow ddl-with-large-dml the test destroys data on purpose\n${migration(
      {
        up: `DROP TABLE shop.payment_2026_04;
DROP TABLE shop.film_category CASCADE;
UPDATE shop.customer SET last_name = 'X' WHERE customer_id % 5 = 0;
DELETE FROM shop.media WHERE media_id > 1;
INSERT INTO shop.category (name) VALUES ('Westerns');
SELECT setval('shop.customer_id_seq', 99999);`,
        down: '',
        verify: 'SELECT 1 / 0;',
      },
    ).replace('-- migrate:down\n', '-- migrate:down irreversible\n')}`,
  });
  try {
    const run = await runWorkflow({
      databaseUrl: cluster!.url,
      migrationsDir: directory.path,
      input: { allowIrreversible: true },
    });
    expect({ status: run.output?.status, error: run.output?.error }).toMatchObject({ status: 'rolled_back' });
  } finally {
    await directory.remove();
  }
  expect(await sampleState(db!)).toEqual(before);
  expect(await schemaDump()).toBe(dumpBefore);
});
