// Bad input changes nothing (DESIGN §3): generated bad execution inputs, malformed migration
// files, a target that does not exist and a target below an irreversible migration, each run
// through the local runner's workflow against a real database. Each is refused at Validate
// (exit 2, InputError) and the database keeps its schema fingerprint; on a database that
// never ran a migration, not even the history schema is created.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';
import { badExecutionInputs, badMigrationSets } from '../support/fuzz-cases.ts';
import { runWorkflow, snapshot } from '../support/local-workflow.ts';

let database: TestDatabase;
let directory: MigrationDirectory;
let fingerprint: string;

const files = {
  '0001_create_items.sql': migration({
    up: 'CREATE TABLE app.items (id bigint PRIMARY KEY, name text);',
    down: 'DROP TABLE app.items;',
  }),
  '0002_drop_legacy.sql': `-- lint:allow ban-drop-table no code reads app.legacy any more\n${migration({
    up: 'DROP TABLE app.legacy;',
    down: '',
    downOptions: 'irreversible',
  })}`,
};

async function historySchemaExists(): Promise<boolean> {
  const { rows } = await database.db.withConnection((conn) =>
    conn.query<{ exists: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'stepmigrate') AS exists",
    ),
  );
  return rows[0]!.exists;
}

async function expectRefusedUnchanged(run: Awaited<ReturnType<typeof runWorkflow>>, name = 'InputError') {
  expect({ exitCode: run.exitCode, error: run.output?.error?.name }).toEqual({ exitCode: 2, error: name });
  expect((await snapshot(database.db, [])).fingerprint).toBe(fingerprint);
}

beforeAll(async () => {
  database = await createTestDatabase('fuzz_input');
  await database.db.withConnection((conn) =>
    conn.query('CREATE SCHEMA app; CREATE TABLE app.legacy (id int); INSERT INTO app.legacy VALUES (1), (2)'),
  );
  directory = await migrationDirectory(files);
  fingerprint = (await snapshot(database.db, [])).fingerprint;
});

afterAll(async () => {
  await directory.remove();
  await database.drop();
});

describe('on a database that never ran a migration', () => {
  // Every fifth generated input keeps the run time reasonable; the unit test checks them all.
  const sample = badExecutionInputs().filter((_, i) => i % 5 === 0);

  it.each(sample.map((c) => [c.label, c] as const))(
    'input %s is refused and changes nothing',
    async (_l, c) => {
      const run = await runWorkflow({
        databaseUrl: database.url,
        migrationsDir: directory.path,
        input: c.input as Record<string, unknown>,
      });
      await expectRefusedUnchanged(run);
      expect(run.output?.error?.message).toContain(c.names);
      expect(await historySchemaExists()).toBe(false);
    },
  );

  it('refuses a target that does not exist', async () => {
    const run = await runWorkflow({
      databaseUrl: database.url,
      migrationsDir: directory.path,
      input: { target: '0042' },
    });
    await expectRefusedUnchanged(run);
    expect(run.output?.error?.message).toContain('0042');
    expect(await historySchemaExists()).toBe(false);
  });

  const malformed = badMigrationSets().filter((_, i) => i % 3 === 0);
  it.each(malformed.map((c) => [c.label, c] as const))('migration set "%s" is refused', async (_l, c) => {
    const project = await mkdtemp(join(tmpdir(), 'stepmigrate-fuzz-'));
    try {
      for (const [name, text] of Object.entries(c.files)) await writeFile(join(project, name), text);
      const run = await runWorkflow({ databaseUrl: database.url, migrationsDir: project });
      await expectRefusedUnchanged(run);
      expect(run.output?.error?.message).toMatch(c.expect);
      expect(await historySchemaExists()).toBe(false);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('refuses a migration whose SQL does not parse, naming file and line', async () => {
    const project = await migrationDirectory({
      '0001_broken.sql': migration({
        up: 'CREATE TABLE app.x (id bigint PRIMARY KEY;',
        down: 'DROP TABLE app.x;',
      }),
    });
    try {
      const run = await runWorkflow({ databaseUrl: database.url, migrationsDir: project.path });
      expect(run.exitCode).toBe(2);
      expect(run.output?.error).toMatchObject({ file: '0001_broken.sql', line: 2 });
      expect((await snapshot(database.db, [])).fingerprint).toBe(fingerprint);
      expect(await historySchemaExists()).toBe(false);
    } finally {
      await project.remove();
    }
  });
});

describe('below an irreversible migration', () => {
  it('refuses the target, naming the migration, and leaves schema and history as they were', async () => {
    const applied = await runWorkflow({
      databaseUrl: database.url,
      migrationsDir: directory.path,
      input: { allowIrreversible: true },
    });
    expect({ status: applied.output?.status, error: applied.output?.error }).toEqual({ status: 'succeeded' });
    const before = await snapshot(database.db, []);
    fingerprint = before.fingerprint;

    const run = await runWorkflow({
      databaseUrl: database.url,
      migrationsDir: directory.path,
      input: { target: '0' },
    });
    await expectRefusedUnchanged(run);
    expect(run.output?.error?.message).toMatch(/0002_drop_legacy.*irreversible/);
    const after = await snapshot(database.db, []);
    expect(after.history).toEqual(before.history);
    expect(after.leases).toEqual([]);
  });
});
