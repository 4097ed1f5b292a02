// Step Functions may invoke a step again (a retried Lambda, a redriven execution). Through
// the real step handlers on a real database: Apply of a migration this execution already
// recorded does nothing, Backup again leaves the same objects and no more, and Rollback
// again does not run a down section a second time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { localDependencies } from '../../cli/local-runner/local-dependencies.ts';
import type { AppliedStep, BackupSummary, RunState } from '../../lambdas/engine/run-state.ts';
import { createHandlers } from '../../lambdas/handlers/create-handlers.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';

let database: TestDatabase;
let directory: MigrationDirectory;
let project: string;
let handlers: Record<string, (event: unknown) => Promise<unknown>>;
let close: () => Promise<void>;

// Every section leaves a row in app.events, so running one twice would show.
const files = {
  '0001_create_things.sql': migration({
    up: "CREATE TABLE app.things (id bigint PRIMARY KEY, name text);\nINSERT INTO app.events VALUES ('0001 up');",
    down: "DROP TABLE app.things;\nINSERT INTO app.events VALUES ('0001 down');",
  }),
  '0002_drop_legacy.sql': `-- lint:allow ban-drop-column no code reads app.accounts.legacy any more\n${migration(
    {
      up: "ALTER TABLE app.accounts DROP COLUMN legacy;\nINSERT INTO app.events VALUES ('0002 up');",
      down: "ALTER TABLE app.accounts ADD COLUMN legacy text;\nINSERT INTO app.events VALUES ('0002 down');",
    },
  )}`,
};

async function events(): Promise<string[]> {
  const { rows } = await database.db.withConnection((conn) =>
    conn.query<{ kind: string }>('SELECT kind FROM app.events ORDER BY at, kind'),
  );
  return rows.map((row) => row.kind);
}

beforeAll(async () => {
  database = await createTestDatabase('idempotent_steps');
  await database.db.withConnection((conn) =>
    conn.query(
      `CREATE SCHEMA app;
       CREATE TABLE app.events (kind text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
       CREATE TABLE app.accounts (id bigint PRIMARY KEY, legacy text);
       INSERT INTO app.accounts SELECT g, 'legacy ' || g FROM generate_series(1, 500) g;`,
    ),
  );
  directory = await migrationDirectory(files);
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-idempotent-'));
  const local = await localDependencies({
    projectDir: project,
    migrationsDir: directory.path,
    databaseUrl: database.url,
    approval: 'refuse',
  });
  handlers = createHandlers(local.deps) as unknown as typeof handlers;
  close = local.close;
});

afterAll(async () => {
  await close();
  await directory.remove();
  await rm(project, { recursive: true, force: true });
  await database.drop();
});

describe('a step invoked twice by the same execution', () => {
  const executionId = 'exec-idempotent';
  let run: RunState;
  let backup: BackupSummary;

  it('Backup again writes the same objects and no more', async () => {
    run = (await handlers.validate!({ executionId, input: { lockTimeoutMs: 2000 } })) as RunState;
    expect(run.plan.steps.map((s) => s.version)).toEqual(['0001', '0002']);
    backup = (await handlers.backup!({ executionId, run })) as BackupSummary;
    const store = join(project, '.stepmigrate', 'backups');
    const { readdir } = await import('node:fs/promises');
    const listing = async () => (await readdir(store, { recursive: true })).sort();
    const first = await listing();
    const again = (await handlers.backup!({ executionId, run })) as BackupSummary;
    expect(await listing()).toEqual(first);
    expect(again.tables.map((t) => [t.name, t.rows, t.sha256])).toEqual(
      backup.tables.map((t) => [t.name, t.rows, t.sha256]),
    );
    expect(backup.tables.map((t) => t.name)).toEqual(['app.accounts']);
  });

  it('Apply again of a migration it recorded does nothing', async () => {
    for (const step of run.plan.steps) {
      const first = (await handlers.apply!({ executionId, run, step })) as AppliedStep;
      const second = (await handlers.apply!({ executionId, run, step })) as AppliedStep;
      expect([first.alreadyDone, second.alreadyDone]).toEqual([false, true]);
    }
    expect(await events()).toEqual(['0001 up', '0002 up']);
  });

  it('Rollback again does not run a down section twice', async () => {
    const state = { run, backup, error: { Error: 'VerificationFailedError', Cause: 'test' } };
    const first = (await handlers.rollback!({ executionId, state })) as { rolledBack: string[] };
    expect(first.rolledBack).toEqual(['0002', '0001']);
    const second = (await handlers.rollback!({ executionId, state })) as { rolledBack: string[] };
    expect(second.rolledBack).toEqual([]);
    expect(await events()).toEqual(['0001 up', '0002 up', '0002 down', '0001 down']);
    // The dropped column's data came back from the backup, once.
    const { rows } = await database.db.withConnection((conn) =>
      conn.query<{ n: number; filled: number }>(
        'SELECT count(*)::int AS n, count(legacy)::int AS filled FROM app.accounts',
      ),
    );
    expect(rows[0]).toEqual({ n: 500, filled: 500 });
  });
});
