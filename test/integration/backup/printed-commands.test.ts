// Every command a backup or rollback error prints must work as printed. A run destroys data
// in the sample database, fails, and its rollback cannot read the backup (the store fails
// every read): the error names a `stepmigrate restore …` and a `stepmigrate repair …`. Each
// printed command then runs, exactly as printed, from the project directory with
// DATABASE_URL set, and the database ends exactly where it started (the view a DROP …
// CASCADE took included).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { readHistory } from '../../../lambdas/engine/history.ts';
import type { BackupStore } from '../../../lambdas/ports.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { migration } from '../../support/engine.ts';
import { runWorkflow } from '../../support/local-workflow.ts';
import { createSampleDatabase } from '../../support/sample-database.ts';
import { inProject, printedCommands, runPrinted } from './as-printed.ts';
import { sampleState } from './sample-state.ts';

let database: TestDatabase | undefined;
let project: string | undefined;
afterAll(async () => {
  await database?.drop();
  if (project) await rm(project, { recursive: true, force: true });
});

const unreadable = (store: BackupStore): BackupStore => ({
  put: (key, body) => store.put(key, body),
  list: (prefix) => store.list(prefix),
  delete: (keys) => store.delete(keys),
  get: async (key) => {
    throw new Error(`simulated: the backup store cannot read ${key}`);
  },
});

it('runs every command the rollback error prints, and ends at the start state', async () => {
  database = await createTestDatabase('printed_commands');
  await createSampleDatabase(database.db);
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-printed-'));
  const migrations = join(project, 'migrations');
  await mkdir(migrations);
  const files = {
    '0001_destroy.sql': `-- lint:allow ban-drop-column the test destroys data on purpose\n-- lint:allow ddl-with-large-dml the test destroys data on purpose\n${migration(
      {
        up: "ALTER TABLE shop.customer DROP COLUMN active;\nUPDATE shop.film SET title = 'gone';\nDELETE FROM shop.payment WHERE amount < 2;\nALTER TABLE shop.customer DROP COLUMN last_name CASCADE;",
        // The view the CASCADE took is not re-created here: only the printed restore brings it back.
        down: "ALTER TABLE shop.customer ADD COLUMN active integer;\nALTER TABLE shop.customer ADD COLUMN last_name text NOT NULL DEFAULT '';\nALTER TABLE shop.customer ALTER COLUMN last_name DROP DEFAULT;",
        verify: 'SELECT 1 / 0;',
      },
    )}`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(migrations, name), text);
  const before = await sampleState(database.db);
  const run = await runWorkflow({
    databaseUrl: database.url,
    migrationsDir: migrations,
    projectDir: project,
    ports: { backupStore: unreadable },
  });
  expect(run.output?.status).toBe('rollback_failed');
  const commands = printedCommands(run.output?.error?.message ?? '');
  expect(commands.map((command) => command.split(' ')[0])).toEqual(['restore', 'repair']);

  // As the user runs them: from the project directory, DATABASE_URL pointing at the target.
  await inProject(project, database.url, async () => {
    for (const command of commands) {
      const { code } = await runPrinted(command);
      expect({ command, code }).toEqual({ command, code: 0 });
    }
  });
  expect(await sampleState(database.db)).toEqual(before);
  const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
  expect(history.filter((row) => row.state === 'dirty')).toEqual([]);
});
