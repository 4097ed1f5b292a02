// A step that nears its Lambda timeout cancels its running statement and fails with a clean
// MigrationError, instead of being killed mid-statement. The handlers run as on Lambda,
// with a context whose deadline is 12 s away (so the 10 s margin fires after about 2 s),
// against a real PostgreSQL running a 60 s statement.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { localDependencies } from '../../cli/local-runner/local-dependencies.ts';
import { CancellableDatabase } from '../../lambdas/engine/cancellable-database.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import type { RunState } from '../../lambdas/engine/run-state.ts';
import { createHandlers } from '../../lambdas/handlers/create-handlers.ts';
import { DEADLINE_MARGIN_MS } from '../../lambdas/handlers/middleware/deadline.ts';
import type { StepDependencies } from '../../lambdas/handlers/step-dependencies.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let project: string;
let directory: MigrationDirectory | undefined;
let executions = 0;

beforeAll(async () => {
  database = await createTestDatabase('lambda_deadline');
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-deadline-'));
});
afterAll(async () => {
  await rm(project, { recursive: true, force: true });
  await database.drop();
});
afterEach(async () => {
  await directory?.remove();
  await database.db.withConnection((conn) =>
    conn.query('DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA IF EXISTS stepmigrate CASCADE'),
  );
});

/** A Lambda context whose deadline is `ms` from now. */
function lambdaContext(ms: number) {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}

async function handlersFor(files: Record<string, string>) {
  directory = await migrationDirectory(files);
  const local = await localDependencies({
    projectDir: project,
    migrationsDir: directory.path,
    databaseUrl: database.url,
    approval: 'refuse',
  });
  const logs: string[] = [];
  const engine = local.deps.engine;
  let wrapped: ReturnType<StepDependencies['engine']> | undefined;
  const deps: StepDependencies = {
    ...local.deps,
    engine: () => {
      wrapped ??= engine().then((ctx) => ({ ...ctx, db: new CancellableDatabase(ctx.db) }));
      return wrapped;
    },
    log: (line) => logs.push(line),
  };
  return { handlers: createHandlers(deps), logs, close: local.close };
}

async function applyNearDeadline(files: Record<string, string>) {
  const { handlers, logs, close } = await handlersFor(files);
  try {
    const executionId = `exec-deadline-${++executions}`;
    const validate = handlers.validate as (event: unknown, context?: unknown) => Promise<RunState>;
    const apply = handlers.apply as (event: unknown, context?: unknown) => Promise<unknown>;
    const run = await validate({ executionId, input: {} });
    const started = Date.now();
    const outcome = await apply(
      { executionId, run, step: run.plan.steps[0] },
      lambdaContext(DEADLINE_MARGIN_MS + 2000),
    ).then(
      () => undefined,
      (error: unknown) => error as Error & { migration?: string },
    );
    return { outcome, elapsedMs: Date.now() - started, logs, run };
  } finally {
    await close();
  }
}

async function history() {
  return database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
}

async function tableExists(name: string): Promise<boolean> {
  const { rows } = await database.db.withConnection((conn) =>
    conn.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [name]),
  );
  return rows[0]!.exists;
}

describe('a step near its Lambda timeout', () => {
  it('cancels a transactional migration and fails cleanly, leaving no trace', async () => {
    const { outcome, elapsedMs, logs } = await applyNearDeadline({
      '0001_slow.sql': migration({
        up: 'CREATE SCHEMA app;\nCREATE TABLE app.slow (id int);\nSELECT pg_sleep(60);',
        down: 'DROP SCHEMA app CASCADE;',
      }),
    });
    // Nothing is left half-done, so the workflow can hand it to the task runner.
    expect(outcome).toMatchObject({
      name: 'DeadlineReachedError',
      migration: '0001',
      message: expect.stringMatching(
        /reached its Lambda deadline and cancelled its work \d+ s before the timeout/,
      ),
    });
    expect(outcome?.message).toContain('canceling statement due to user request');
    expect(elapsedMs).toBeGreaterThan(1500);
    expect(elapsedMs).toBeLessThan(8000);
    expect(logs.some((line) => /left before the Lambda timeout; cancelled/.test(line))).toBe(true);
    expect(await tableExists('app.slow')).toBe(false);
    expect((await history()).filter((r) => r.state !== 'rolled_back')).toEqual([]);
  });

  it('cancels a transaction:false migration and leaves it marked dirty with the reason', async () => {
    const { outcome } = await applyNearDeadline({
      '0001_slow.sql': migration({
        upOptions: 'transaction:false',
        up: 'CREATE SCHEMA app;\nCREATE TABLE app.slow (id int);\nSELECT pg_sleep(60);',
        down: 'DROP SCHEMA app CASCADE;',
      }),
    });
    expect(outcome).toMatchObject({
      name: 'MigrationError',
      message: expect.stringContaining('Lambda timeout'),
    });
    const rows = await history();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ version: '0001', state: 'dirty' });
    expect(rows[0]!.message).toMatch(/statement 3 of 3 failed; statements before it had completed/);
  });

  it('leaves a step that finishes in time alone', async () => {
    const { outcome } = await applyNearDeadline({
      '0001_quick.sql': migration({ up: 'CREATE SCHEMA app;', down: 'DROP SCHEMA app;' }),
    });
    expect(outcome).toBeUndefined();
    expect((await history()).map((r) => r.state)).toEqual(['applied']);
  });
});
