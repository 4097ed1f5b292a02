// Validate on a real PostgreSQL plans each piece of work onto a runner from the catalog's table
// sizes, and refuses — before anything changes — a run that no configured runner can finish.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { renderPlan } from '../../cli/commands/plan.ts';
import { localEngineContext } from '../../cli/local/project.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import { LAMBDA_ONLY_LIMITS } from '../../lambdas/engine/runner-choice.ts';
import { validateRun } from '../../lambdas/engine/steps.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let directory: MigrationDirectory;

beforeAll(async () => {
  database = await createTestDatabase('runner_limits');
  await database.db.withConnection((conn) =>
    conn.query(`CREATE SCHEMA app;
      CREATE TABLE app.events (id bigint PRIMARY KEY, payload text);
      INSERT INTO app.events SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 4000) g;`),
  );
  directory = await migrationDirectory({
    '0001_index_payload.sql': migration({
      upOptions: 'transaction:false',
      up: 'CREATE INDEX CONCURRENTLY events_payload ON app.events (payload);',
      downOptions: 'transaction:false',
      down: 'DROP INDEX CONCURRENTLY app.events_payload;',
    }),
    '0002_backfill.sql': migration({
      upOptions: 'runner:task',
      up: "UPDATE app.events SET payload = payload || '!';",
      down: "UPDATE app.events SET payload = rtrim(payload, '!');",
    }),
  });
});
afterAll(async () => {
  await directory.remove();
  await database.drop();
});

describe('Validate and the runners', () => {
  it('plans the index build on the task runner when its table would outlast the Lambda budget', async () => {
    const ctx = await engineContext(database.db, directory.path);
    // A 100 ms budget: reading the ~2 MB table at the assumed 20 MB/s needs more than half of it.
    ctx.runners = { lambdaBudgetMs: 100, taskBudgetMs: 3_600_000 };
    const run = await validateRun(ctx, { dryRun: true }, 'exec-runner-plan');
    expect(run.plan.steps.map((s) => [s.version, s.runner])).toEqual([
      ['0001', 'task'],
      ['0002', 'task'],
    ]);
    expect(run.plan.runners).toMatchObject({ backup: 'task', rollback: 'task' });
    expect(run.plan.runners?.estimates.steps['0001']).toBeGreaterThan(50);
  });

  it('keeps the same plan on Lambda with the deployed 15-minute budget, except what asks for the task', async () => {
    const ctx = await engineContext(database.db, directory.path);
    ctx.runners = { lambdaBudgetMs: 15 * 60_000, taskBudgetMs: 3_600_000 };
    const run = await validateRun(ctx, { dryRun: true }, 'exec-runner-plan-2');
    expect(run.plan.steps.map((s) => s.runner)).toEqual([undefined, 'task']);
    expect(run.plan.runners).toMatchObject({ backup: 'lambda', rollback: 'task' });
  });

  it('refuses with RunnerLimitError, changing nothing, where no task runner is deployed', async () => {
    const ctx = await engineContext(database.db, directory.path);
    ctx.runners = LAMBDA_ONLY_LIMITS;
    await expect(validateRun(ctx, {}, 'exec-runner-refused')).rejects.toMatchObject({
      name: 'RunnerLimitError',
      message: expect.stringContaining('migration 0002_backfill needs the task runner'),
    });
    const history = await database.db.withConnection((conn) =>
      readHistory(conn, 'stepmigrate').catch(() => []),
    );
    expect(history).toEqual([]);
  });

  it('plans with the task runner locally, where it is always there, and `stepmigrate plan` says so', async () => {
    const ctx = await localEngineContext({
      db: database.db,
      migrations: await loadMigrations(directory.path),
      projectDir: directory.path,
    });
    const run = await validateRun(ctx, { dryRun: true }, 'exec-runner-local-plan');
    const lines: string[] = [];
    renderPlan(run, { out: (line) => lines.push(line), err: () => undefined, colour: false });
    expect(lines).toContain('  + 0002_backfill  (on the task runner)');
    expect(lines).toContain('a rollback would run on the task runner');
  });
});
