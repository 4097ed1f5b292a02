// A `stepmigrate run` process killed (SIGKILL) in the middle of a migration statement
// cannot clean up after itself. Its lease names its process, so the next run sees that
// process is gone and takes the lease over at once; for a statement outside a transaction
// its dirty history row stops the next run with a clear message (exit 2, DirtyStateError).
// A transactional migration leaves nothing half-applied: PostgreSQL rolls it back when the
// client is gone.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readHistory } from '../../lambdas/engine/history.ts';
import { cliJson, finishCli, runCli, startCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { migration } from '../support/engine.ts';

let database: TestDatabase;
let project: string;

async function stepmigrate(args: string[]) {
  const result = await runCli(project, args);
  return { code: result.code, output: cliJson(result) };
}

async function sessionsRunning(text: string): Promise<number> {
  const { rows } = await database.db.withConnection((conn) =>
    conn.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE $1 AND pid <> pg_backend_pid()',
      [`%${text}%`],
    ),
  );
  return rows[0]!.n;
}

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts a run, kills it with SIGKILL once its migration statement is running, and waits for that statement to end. */
async function crashDuringMigration(): Promise<void> {
  const child = startCli(project, ['run', '--database-url', database.url, '--json']);
  const closed = finishCli(child);
  await waitUntil('the migration statement runs', async () => (await sessionsRunning('pg_sleep(4)')) > 0);
  child.kill('SIGKILL');
  expect((await closed).code).toBeNull();
  // The server finishes the orphaned statement, then notices the client is gone.
  await waitUntil('the orphaned statement ends', async () => (await sessionsRunning('pg_sleep(4)')) === 0);
}

async function useMigration(text: string): Promise<void> {
  await rm(join(project, 'migrations'), { recursive: true, force: true });
  await mkdir(join(project, 'migrations'));
  await writeFile(join(project, 'migrations', '0001_create_orders.sql'), text);
}

beforeAll(async () => {
  database = await createTestDatabase('crash');
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-crash-'));
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await database.drop();
});
afterEach(async () => {
  await database.db.withConnection((conn) =>
    conn.query('DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA IF EXISTS stepmigrate CASCADE'),
  );
});

describe('a run whose process was killed mid-statement', () => {
  it('in a transaction: nothing applied, and the next run takes its lease over', async () => {
    await useMigration(
      migration({
        up: 'CREATE SCHEMA app;\nCREATE TABLE app.orders (id bigint PRIMARY KEY);\nSELECT pg_sleep(4);',
        down: 'DROP SCHEMA app CASCADE;',
      }),
    );
    await crashDuringMigration();
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history).toEqual([]);

    const again = await stepmigrate(['run', '--database-url', database.url, '--json']);
    expect({ code: again.code, status: again.output.status }).toEqual({ code: 0, status: 'succeeded' });
  });

  it('outside a transaction: its dirty row stops the next run with DirtyStateError', async () => {
    await useMigration(
      migration({
        upOptions: 'transaction:false',
        up: 'CREATE SCHEMA app;\nCREATE TABLE app.orders (id bigint PRIMARY KEY);\nSELECT pg_sleep(4);',
        down: 'DROP SCHEMA app CASCADE;',
      }),
    );
    await crashDuringMigration();
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.map((r) => `${r.version}:${r.state}`)).toEqual(['0001:dirty']);

    const next = await stepmigrate(['run', '--database-url', database.url, '--json']);
    expect(next.code).toBe(2);
    expect(next.output.error?.name).toBe('DirtyStateError');
    expect(next.output.error?.message).toMatch(/repair/);
  });
});
