// The engine's steps on a real PostgreSQL: what a run leaves behind when it succeeds, when
// a migration fails inside or outside a transaction, and when a file changed after it ran.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import { rollbackRun } from '../../lambdas/engine/rollback.ts';
import type { RunState } from '../../lambdas/engine/run-state.ts';
import { schemaState } from '../../lambdas/engine/schema-state.ts';
import { applyPlanStep, releaseRun, validateRun, verifyRun } from '../../lambdas/engine/steps.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { engineContext, type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let directory: MigrationDirectory;
let executions = 0;

beforeAll(async () => {
  database = await createTestDatabase('engine_steps');
});
afterAll(async () => {
  await database.drop();
});
afterEach(async () => {
  await directory?.remove();
  await database.db.withConnection((conn) =>
    conn.query('DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA IF EXISTS stepmigrate CASCADE'),
  );
});

const createUsers = migration({
  up: 'CREATE SCHEMA app;\nCREATE TABLE app.users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);',
  down: 'DROP TABLE app.users;\nDROP SCHEMA app;',
  verify: 'SELECT id, email FROM app.users WHERE false;',
});
const addName = migration({
  up: 'ALTER TABLE app.users ADD COLUMN name text;',
  down: 'ALTER TABLE app.users DROP COLUMN name;',
  verify: 'SELECT name FROM app.users WHERE false;',
});

async function setUp(files: Record<string, string>): Promise<EngineContext> {
  directory = await migrationDirectory(files);
  return engineContext(database.db, directory.path);
}

/** Validate, then each Apply, as the workflow would: returns the run and the error of the first failing step. */
async function applyAll(ctx: EngineContext, input: Record<string, unknown> = {}) {
  const run = await validateRun(ctx, input, `exec-${++executions}`);
  for (const step of run.plan.steps) {
    try {
      await applyPlanStep(ctx, run, step);
    } catch (error) {
      return { run, error: error as Error };
    }
  }
  return { run, error: undefined };
}

async function tables(): Promise<string[]> {
  const { rows } = await database.db.withConnection((conn) =>
    conn.query<{ name: string }>(
      "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema = 'app' ORDER BY 1",
    ),
  );
  return rows.map((row) => row.name);
}

describe('a successful run', () => {
  it('applies pending migrations in order, records them, and is a noop the second time', async () => {
    const ctx = await setUp({ '0001_create_users.sql': createUsers, '0002_add_name.sql': addName });
    const { run, error } = await applyAll(ctx);
    expect(error).toBeUndefined();
    expect(run.status).toBe('pending');
    expect(run.plan.steps.map((s) => s.version)).toEqual(['0001', '0002']);
    await expect(verifyRun(ctx, run)).resolves.toEqual({ verified: ['0001', '0002'] });
    await releaseRun(ctx, run);

    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.map((r) => [r.version, r.state, r.executionId])).toEqual([
      ['0001', 'applied', run.executionId],
      ['0002', 'applied', run.executionId],
    ]);
    const again = await validateRun(ctx, {}, 'exec-again');
    expect(again.status).toBe('noop');
  });

  it('running an Apply step twice in one execution does it once', async () => {
    const ctx = await setUp({ '0001_create_users.sql': createUsers });
    const run = await validateRun(ctx, {}, 'exec-twice');
    const first = await applyPlanStep(ctx, run, run.plan.steps[0]!);
    const second = await applyPlanStep(ctx, run, run.plan.steps[0]!);
    expect([first.alreadyDone, second.alreadyDone]).toEqual([false, true]);
    await releaseRun(ctx, run);
  });

  it('a dry run plans but changes nothing, not even the history schema', async () => {
    const ctx = await setUp({ '0001_create_users.sql': createUsers });
    const run = await validateRun(ctx, { dryRun: true }, 'exec-dry');
    expect(run.status).toBe('dry_run');
    expect(run.plan.steps).toHaveLength(1);
    const { rows } = await database.db.withConnection((conn) =>
      conn.query("SELECT 1 FROM pg_namespace WHERE nspname IN ('app', 'stepmigrate')"),
    );
    expect(rows).toHaveLength(0);
  });
});

describe('a failing migration', () => {
  it('inside a transaction leaves no trace, and the error names file and line', async () => {
    const ctx = await setUp({
      '0001_create_users.sql': createUsers,
      '0002_broken.sql': migration({
        up: 'ALTER TABLE app.users ADD COLUMN nickname text;\nALTER TABLE app.users ADD COLUMN bad nosuchtype;',
        down: 'ALTER TABLE app.users DROP COLUMN bad;\nALTER TABLE app.users DROP COLUMN nickname;',
      }),
    });
    const before = await database.db.withConnection((conn) => schemaState(conn, 'stepmigrate'));
    const { run, error } = await applyAll(ctx);
    expect(error?.name).toBe('MigrationError');
    expect(error?.message).toContain('0002_broken.sql:3');
    expect(error?.message).toContain('type "nosuchtype" does not exist');

    const columns = await database.db.withConnection((conn) =>
      conn.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1"),
    );
    expect(columns.rows.map((r) => r.column_name)).toEqual(['email', 'id']);
    const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.map((r) => r.version)).toEqual(['0001']);

    await expect(rollbackRun(ctx, run)).resolves.toEqual({ rolledBack: ['0001'] });
    const after = await database.db.withConnection((conn) => schemaState(conn, 'stepmigrate'));
    expect(after.fingerprint).toBe(before.fingerprint);
    expect(await tables()).toEqual([]);
  });

  it('outside a transaction leaves a dirty row, and the next run refuses with DirtyStateError', async () => {
    const ctx = await setUp({
      '0001_create_users.sql': createUsers,
      '0002_indexes.sql': migration({
        up: 'CREATE INDEX CONCURRENTLY users_email_idx ON app.users (email);\nCREATE INDEX CONCURRENTLY broken_idx ON app.users (nosuchcolumn);',
        upOptions: 'transaction:false',
        down: 'DROP INDEX CONCURRENTLY IF EXISTS app.broken_idx;\nDROP INDEX CONCURRENTLY IF EXISTS app.users_email_idx;',
        downOptions: 'transaction:false',
      }),
    });
    const { run, error } = await applyAll(ctx);
    expect(error?.name).toBe('MigrationError');
    expect(error?.message).toContain('statement 2 of 2 failed');
    const dirty = (await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'))).find(
      (r) => r.version === '0002',
    );
    expect(dirty?.state).toBe('dirty');
    expect(dirty?.message).toContain('nosuchcolumn');

    await expect(rollbackRun(ctx, run)).rejects.toMatchObject({ name: 'RollbackFailedError' });
    await releaseRun(ctx, run);
    await expect(validateRun(ctx, {}, 'exec-next')).rejects.toMatchObject({
      name: 'DirtyStateError',
      message: expect.stringContaining('stepmigrate repair 0002'),
    });
  });
});

describe('tampering', () => {
  it('an applied migration whose file changed is refused with ChecksumMismatchError', async () => {
    const ctx = await setUp({ '0001_create_users.sql': createUsers });
    const { run, error } = await applyAll(ctx);
    expect(error).toBeUndefined();
    await releaseRun(ctx, run);

    await directory.write({
      '0001_create_users.sql': createUsers.replace('email text', 'email varchar(200)'),
    });
    const edited = await engineContext(database.db, directory.path);
    await expect(validateRun(edited, {}, 'exec-tampered')).rejects.toMatchObject({
      name: 'ChecksumMismatchError',
      message: expect.stringContaining('0001_create_users'),
    });
  });
});

describe('the lease', () => {
  it('a second run while the first holds the lease fails fast with LockedError', async () => {
    const ctx = await setUp({ '0001_create_users.sql': createUsers });
    const first: RunState = await validateRun(ctx, {}, 'exec-first');
    await expect(validateRun(ctx, {}, 'exec-second')).rejects.toMatchObject({
      name: 'LockedError',
      message: expect.stringContaining('exec-first'),
    });
    await releaseRun(ctx, first);
    const second = await validateRun(ctx, {}, 'exec-second');
    expect(second.status).toBe('pending');
    await releaseRun(ctx, second);
  });
});

describe('rolling back towards a lower target', () => {
  it('plans the down steps newest first and reverts them', async () => {
    const ctx = await setUp({ '0001_create_users.sql': createUsers, '0002_add_name.sql': addName });
    const applied = await applyAll(ctx);
    await releaseRun(ctx, applied.run);

    const down = await validateRun(ctx, { target: '0' }, 'exec-down');
    expect(down.plan.direction).toBe('down');
    expect(down.plan.steps.map((s) => s.version)).toEqual(['0002', '0001']);
    for (const step of down.plan.steps) await applyPlanStep(ctx, down, step);
    await releaseRun(ctx, down);
    expect(await tables()).toEqual([]);
  });
});
