// `rollback --to V` of migrations an earlier run applied, whose up sections destroyed data
// that earlier run backed up. Where it is safe the down run brings the values back itself: a
// dropped column its down section re-adds (merged by primary key), a dropped table its down
// section re-creates (every row, its identity sequence set back). Where it is not (rows
// rewritten: putting them back would replace rows written since) it refuses before changing
// anything, naming the exact commands; with the printed `--allow-irreversible` it goes ahead,
// says what it left behind instead of "no data at risk", and the printed restore finishes
// the job. Every step ends compared with the sample's state before the first run.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { migration } from '../../support/engine.ts';
import { runWorkflow } from '../../support/local-workflow.ts';
import { createSampleDatabase } from '../../support/sample-database.ts';
import { inProject, printedCommands, runPrinted } from './as-printed.ts';
import { sampleState } from './sample-state.ts';
import { tableRows } from './table-rows.ts';

let database: TestDatabase | undefined;
let project: string | undefined;
afterAll(async () => {
  await database?.drop();
  if (project) await rm(project, { recursive: true, force: true });
});

const mediaTable = `CREATE TABLE shop.media (media_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, label text NOT NULL,
  content bytea NOT NULL, tags text[] NOT NULL DEFAULT '{}', sizes integer[]);`;

async function stagingTables(db: TestDatabase['db']): Promise<string[]> {
  const { rows } = await db.withConnection((conn) =>
    conn.query<{ name: string }>(
      "SELECT relname AS name FROM pg_class WHERE relnamespace = 'stepmigrate'::regnamespace AND relname LIKE 'down_data_%'",
    ),
  );
  return rows.map((row) => row.name);
}

it('brings back dropped columns and tables itself, refuses rewritten rows, and the printed commands finish the job', async () => {
  database = await createTestDatabase('down_run_data');
  await createSampleDatabase(database.db);
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-down-run-'));
  const migrations = join(project, 'migrations');
  await mkdir(migrations);
  await writeFile(
    join(migrations, '0001_drop_email_and_media.sql'),
    `-- lint:allow ban-drop-column no code reads shop.customer.email any more\n-- lint:allow ban-drop-table media moved to object storage\n${migration(
      {
        up: 'ALTER TABLE shop.customer DROP COLUMN email;\nDROP TABLE shop.media;',
        down: `${mediaTable}\nALTER TABLE shop.customer ADD COLUMN email shop.email;`,
      },
    )}`,
  );
  await writeFile(
    join(migrations, '0002_blank_descriptions.sql'),
    migration({ up: 'UPDATE shop.film SET description = NULL WHERE film_id % 2 = 0;', down: 'SELECT 1;' }),
  );
  const before = await sampleState(database.db);
  const options = { databaseUrl: database.url, migrationsDir: migrations, projectDir: project };
  const applied = await runWorkflow(options);
  expect(applied.output?.status).toBe('succeeded');
  const afterUp = await sampleState(database.db);

  // Rewritten rows cannot come back by themselves: refused, nothing changed, nothing staged.
  const refused = await runWorkflow({ ...options, input: { target: '0' } });
  const message = refused.output?.error?.message ?? '';
  expect(refused.output?.error?.name).toBe('BackupError');
  expect(message).toContain('undoing 0002_blank_descriptions does not bring back the values');
  expect(message).toContain(`the backup of ${applied.executionId} holds them`);
  expect(message).not.toContain('shop.customer');
  expect(await sampleState(database.db)).toEqual(afterUp);
  expect(await stagingTables(database.db)).toEqual([]);
  const [rollback, restore] = [
    printedCommands(message).find((c) => c.startsWith('rollback')),
    printedCommands(message).find((c) => c.startsWith('restore')),
  ];
  expect(rollback).toBe('rollback --to 0 --allow-irreversible');
  expect(restore).toMatch(/^restore --from \S+manifest\.json --table shop\.film$/);

  // As printed, from the project directory with DATABASE_URL set: the rollback, then the restore.
  const { db } = database;
  await inProject(project, database.url, async () => {
    const down = await runPrinted(rollback!);
    expect(down.code).toBe(0);
    expect(down.printed).toContain('succeeded: 0002 → 0');
    expect(down.printed).not.toContain('no data at risk');
    expect(down.printed).toContain('brought back: shop.customer (undoing 0001_drop_email_and_media)');
    expect(down.printed).toContain('brought back: shop.media (undoing 0001_drop_email_and_media)');
    expect(down.printed).toContain(
      `not brought back: the values 0002_blank_descriptions's up section destroyed in shop.film`,
    );
    expect(down.printed).toContain(`\`stepmigrate ${restore}\``);
    // Everything but the rewritten film rows is exactly as before the first run.
    const afterDown = await sampleState(db);
    expect(afterDown.data['shop.film']).not.toBe(before.data['shop.film']);
    expect({ ...afterDown, data: { ...afterDown.data, 'shop.film': 'x' } }).toEqual({
      ...before,
      data: { ...before.data, 'shop.film': 'x' },
    });
    expect(await stagingTables(db)).toEqual([]);

    const restored = await runPrinted(restore!);
    expect(restored.code).toBe(0);
  });
  expect(await sampleState(database.db)).toEqual(before);
});

it('fails a down section that re-adds a column unlike the backup, keeps the values, and merges once it is fixed', async () => {
  const target = await createTestDatabase('down_run_mismatch');
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-down-mismatch-'));
  try {
    await target.db.withConnection((conn) =>
      conn.query(`CREATE SCHEMA app;
        CREATE TABLE app.notes (id integer PRIMARY KEY, body text, tag text);
        INSERT INTO app.notes SELECT i, CASE WHEN i % 9 = 0 THEN NULL ELSE 'note ' || i || E'\\twith a tab' END, 't' || i % 3
          FROM generate_series(1, 60) i;`),
    );
    const notes = () => tableRows(target.db, 'app.notes');
    const file = join(dir, 'migrations', '0001_drop_body.sql');
    await mkdir(join(dir, 'migrations'));
    const write = (type: string) =>
      writeFile(
        file,
        `-- lint:allow ban-drop-column bodies moved elsewhere\n${migration({
          up: 'ALTER TABLE app.notes DROP COLUMN body;',
          down: `ALTER TABLE app.notes ADD COLUMN body ${type};`,
        })}`,
      );
    await write('varchar(5)');
    const before = await notes();
    const options = { databaseUrl: target.url, migrationsDir: join(dir, 'migrations'), projectDir: dir };
    expect((await runWorkflow(options)).output?.status).toBe('succeeded');
    const afterUp = await notes();

    const failed = await runWorkflow({ ...options, input: { target: '0' } });
    expect(failed.output?.status).toBe('rolled_back');
    expect(failed.output?.error?.message).toContain(
      'its down section re-created column body as character varying(5), the backup holds text',
    );
    expect(await notes()).toEqual(afterUp);
    expect(await stagingTables(target.db)).toEqual([]);

    await write('text');
    const fixed = await runWorkflow({ ...options, input: { target: '0' } });
    expect(fixed.output?.status).toBe('succeeded');
    expect(fixed.output?.backup?.broughtBack?.map((d) => d.tables)).toEqual([['app.notes']]);
    expect(await notes()).toEqual(before);
  } finally {
    await target.drop();
    await rm(dir, { recursive: true, force: true });
  }
});

it('refuses to merge into a table without a primary key, and the printed restore brings the values back', async () => {
  const target = await createTestDatabase('down_run_no_key');
  const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-down-no-key-'));
  try {
    await target.db.withConnection((conn) =>
      conn.query(`CREATE SCHEMA app;
        CREATE TABLE app.tags (name text NOT NULL, note text);
        INSERT INTO app.tags SELECT 'tag ' || i % 7, 'note ' || i FROM generate_series(1, 40) i;`),
    );
    const tags = () => tableRows(target.db, 'app.tags', 'name, note');
    await mkdir(join(dir, 'migrations'));
    await writeFile(
      join(dir, 'migrations', '0001_drop_note.sql'),
      `-- lint:allow ban-drop-column notes moved elsewhere\n${migration({
        up: 'ALTER TABLE app.tags DROP COLUMN note;',
        down: 'ALTER TABLE app.tags ADD COLUMN note text;',
      })}`,
    );
    const before = await tags();
    const options = { databaseUrl: target.url, migrationsDir: join(dir, 'migrations'), projectDir: dir };
    expect((await runWorkflow(options)).output?.status).toBe('succeeded');

    const refused = await runWorkflow({ ...options, input: { target: '0' } });
    const message = refused.output?.error?.message ?? '';
    expect(message).toContain('app.tags (the table has no primary key to match the backed-up rows by)');
    expect(printedCommands(message).find((c) => c.startsWith('rollback'))).toBe(
      'rollback --to 0 --allow-irreversible',
    );
    const restore = printedCommands(message).find((c) => c.startsWith('restore'))!;

    const down = await runWorkflow({ ...options, input: { target: '0', allowIrreversible: true } });
    expect(down.output?.status).toBe('succeeded');
    expect(down.output?.backup?.notBroughtBack?.[0]).toMatchObject({
      tables: ['app.tags'],
      restoreCommand: `stepmigrate ${restore}`,
    });
    const restored = await inProject(dir, undefined, () =>
      runPrinted(`${restore} --database-url ${target.url}`),
    );
    expect(restored.code).toBe(0);
    expect(await tags()).toEqual(before);
  } finally {
    await target.drop();
    await rm(dir, { recursive: true, force: true });
  }
});
