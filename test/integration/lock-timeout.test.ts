// A migration never queues behind a long transaction: it gives up after lock_timeout with
// a LockTimeoutError that names the session holding the lock, and leaves no trace.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { readHistory } from '../../lambdas/engine/history.ts';
import { applyPlanStep, releaseRun, validateRun } from '../../lambdas/engine/steps.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let directory: MigrationDirectory;

beforeAll(async () => {
  database = await createTestDatabase('lock_timeout');
  await database.db.withConnection((conn) =>
    conn.query('CREATE SCHEMA app; CREATE TABLE app.orders (id bigint PRIMARY KEY, total numeric)'),
  );
  directory = await migrationDirectory({
    '0001_add_note.sql': migration({
      up: 'ALTER TABLE app.orders ADD COLUMN note text;',
      down: 'ALTER TABLE app.orders DROP COLUMN note;',
    }),
  });
});
afterAll(async () => {
  await directory.remove();
  await database.drop();
});

describe('lock timeout', () => {
  it('gives up after lock_timeout, names the blocking session, and applies once it is gone', async () => {
    const holder = new pg.Client({ connectionString: database.url });
    holder.on('error', () => {});
    await holder.connect();
    const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM app.orders');

    const ctx = await engineContext(database.db, directory.path);
    const run = await validateRun(ctx, { lockTimeoutMs: 200 }, 'exec-lock');
    const started = Date.now();
    const failure = applyPlanStep(ctx, run, run.plan.steps[0]!);
    await expect(failure).rejects.toMatchObject({
      name: 'LockTimeoutError',
      message: expect.stringContaining(
        `blocked by server process ${rows[0]!.pid} holds AccessShareLock on app.orders`,
      ),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history).toHaveLength(0);

    await holder.query('ROLLBACK');
    await holder.end();
    await expect(applyPlanStep(ctx, run, run.plan.steps[0]!)).resolves.toMatchObject({ alreadyDone: false });
    await releaseRun(ctx, run);
  });
});
