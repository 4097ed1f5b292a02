// `rollback --to V` of a migration an earlier run applied: its up section dropped a column
// (backed up by that run), its down section re-adds it empty. The down run must not call
// that "no data at risk": it refuses, naming the earlier backup and the exact commands, and
// changes nothing; the printed rollback then runs, and the printed restore brings every
// value back.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { main } from '../../../cli/main.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { migration } from '../../support/engine.ts';
import { runWorkflow } from '../../support/local-workflow.ts';
import { createSampleDatabase } from '../../support/sample-database.ts';
import { sampleState } from './sample-state.ts';

let database: TestDatabase | undefined;
let project: string | undefined;
afterAll(async () => {
  await database?.drop();
  if (project) await rm(project, { recursive: true, force: true });
});

const commandsIn = (message: string) => [...message.matchAll(/`stepmigrate ([^`]+)`/g)].map((m) => m[1]!);

it('refuses a down run that would leave a re-added column empty, then restores it with the printed commands', async () => {
  database = await createTestDatabase('down_run_data');
  await createSampleDatabase(database.db);
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-down-run-'));
  const migrations = join(project, 'migrations');
  await mkdir(migrations);
  await writeFile(
    join(migrations, '0001_drop_email.sql'),
    `-- lint:allow ban-drop-column no code reads shop.customer.email any more\n${migration({
      up: 'ALTER TABLE shop.customer DROP COLUMN email;',
      down: 'ALTER TABLE shop.customer ADD COLUMN email shop.email;',
    })}`,
  );
  const before = await sampleState(database.db);
  const options = { databaseUrl: database.url, migrationsDir: migrations, projectDir: project };
  const applied = await runWorkflow(options);
  expect(applied.output?.status).toBe('succeeded');
  const afterUp = await sampleState(database.db);

  const refused = await runWorkflow({ ...options, input: { target: '0' } });
  const message = refused.output?.error?.message ?? '';
  expect(refused.output?.error?.name).toBe('BackupError');
  expect(message).toContain(`the backup of ${applied.executionId} holds them`);
  expect(await sampleState(database.db)).toEqual(afterUp);
  const [rollback, restore] = [
    commandsIn(message).find((c) => c.startsWith('rollback')),
    commandsIn(message).find((c) => c.startsWith('restore')),
  ];
  expect(rollback).toBe('rollback --to 0 --allow-irreversible');
  expect(restore).toMatch(/^restore --from \S+manifest\.json --table shop\.customer$/);

  // As printed, from the project directory with DATABASE_URL set: the rollback, then the restore.
  const cwd = process.cwd();
  const url = process.env.DATABASE_URL;
  process.chdir(project);
  process.env.DATABASE_URL = database.url;
  try {
    for (const command of [rollback!, restore!]) {
      const printed: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string | Uint8Array) =>
        printed.push(String(chunk)) > 0) as typeof write;
      const code = await main(command.split(' ')).finally(() => {
        process.stdout.write = write;
      });
      if (command === rollback) expect(printed.join('')).toContain('succeeded: 0001 → 0');
      process.exitCode = undefined;
      expect({ command, code }).toEqual({ command, code: 0 });
      if (command === rollback) {
        const { rows } = await database.db.withConnection((conn) =>
          conn.query<{ state: string }>(
            "SELECT state FROM stepmigrate.schema_history WHERE version = '0001'",
          ),
        );
        expect(rows.map((row) => row.state)).toContain('rolled_back');
      }
    }
  } finally {
    process.chdir(cwd);
    if (url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = url;
  }
  expect(await sampleState(database.db)).toEqual(before);
});
