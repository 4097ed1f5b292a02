// The README claims the PostgreSQL majors that are tested: 17 (the embedded server every
// other test uses) and 15 (Debian's server, here). The whole workflow runs end to end on a
// PostgreSQL 15 cluster, as a role without SUPERUSER: a first run, a noop, and a failed
// migration rolled back with the data restored from the backup.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { pgCopyStreams } from '../../lambdas/adapters/pg-copy-streams.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import {
  debianMajor,
  debianPostgresMissing,
  printSkipNote,
  startDebianCluster,
} from '../support/debian-postgres.ts';
import { type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';
import { runWorkflow } from '../support/local-workflow.ts';

const missing = await debianPostgresMissing();
if (missing) printSkipNote(`workflow on PostgreSQL ${debianMajor}`, missing);
const suite = missing ? describe.skip : describe;

let cluster: TemporaryCluster;
let directory: MigrationDirectory;
let db: PgDatabase;
let url: string;

beforeAll(async () => {
  if (missing) return;
  cluster = await startDebianCluster();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query("CREATE ROLE migrator LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD 'migrator-pw'");
  await admin.query('CREATE DATABASE app OWNER migrator');
  await admin.end();
  const target = new URL(cluster.url);
  target.username = 'migrator';
  target.password = 'migrator-pw';
  target.pathname = '/app';
  url = target.toString();
  db = new PgDatabase(url, {}, { copy: pgCopyStreams });
  directory = await migrationDirectory({
    '0001_create_accounts.sql': migration({
      up: 'CREATE SCHEMA app;\nCREATE TABLE app.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);',
      down: 'DROP TABLE app.accounts;\nDROP SCHEMA app;',
      verify: 'SELECT id, email FROM app.accounts WHERE false;',
    }),
    '0002_lowercase_emails.sql': `-- lint:allow destructive-without-verify checked by the test\n${migration({
      up: 'UPDATE app.accounts SET email = lower(email);',
      down: 'SELECT 1;',
    })}`,
    '0003_fails.sql': migration({
      up: "INSERT INTO app.accounts (id, email) VALUES (1, 'x');",
      down: 'SELECT 1;',
    }),
  });
}, 60_000);
afterAll(async () => {
  await db?.close();
  await directory?.remove();
  await cluster?.stop();
});

suite(`the workflow on PostgreSQL ${debianMajor}`, () => {
  it('is on the major it claims', async () => {
    const [row] = await db.withConnection(
      async (conn) =>
        (await conn.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows,
    );
    expect(Math.floor(Number(row?.v) / 10000)).toBe(debianMajor);
  });

  it('applies, is a noop the second time, and rolls back with the data restored', async () => {
    const first = await runWorkflow({
      databaseUrl: url,
      migrationsDir: directory.path,
      input: { target: '0001' },
    });
    expect(first.output).toMatchObject({ status: 'succeeded', applied: ['0001'] });
    const again = await runWorkflow({
      databaseUrl: url,
      migrationsDir: directory.path,
      input: { target: '0001' },
    });
    expect(again.output?.status).toBe('noop');

    await db.withConnection((conn) =>
      conn.query("INSERT INTO app.accounts (email) VALUES ('Ann@Example.COM')"),
    );
    const failed = await runWorkflow({ databaseUrl: url, migrationsDir: directory.path });
    expect(failed.output).toMatchObject({
      status: 'rolled_back',
      rolledBack: ['0002'],
      error: { name: 'MigrationError' },
    });
    const emails = await db.withConnection(
      async (conn) => (await conn.query<{ email: string }>('SELECT email FROM app.accounts')).rows,
    );
    expect(emails).toEqual([{ email: 'Ann@Example.COM' }]);
    const history = await db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.filter((row) => row.state === 'applied').map((row) => row.version)).toEqual(['0001']);
  });
});
