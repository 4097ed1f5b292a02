// Adopting a database the real dbmate (npm's `dbmate`, a devDependency) migrated: stepmigrate
// imports dbmate's schema_migrations, applies nothing again, applies and rolls back a new
// migration — and, when asked to keep dbmate's table, dbmate itself agrees afterwards.
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { historyExists, readHistory } from '../../lambdas/engine/history.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { printSkipNote } from '../support/debian-postgres.ts';
import { engineContext, migrationDirectory, runSteps } from '../support/engine.ts';

const run = promisify(execFile);
const DBMATE = join(process.cwd(), 'node_modules', '.bin', 'dbmate');
const fixture = 'test/fixtures/adopt/dbmate/db/migrations';

let database: TestDatabase;
let dbmateMissing: string | undefined;
let executions = 0;

beforeAll(async () => {
  dbmateMissing = await access(DBMATE).then(
    () => undefined,
    () => `${DBMATE} is missing; npm install`,
  );
  if (dbmateMissing) printSkipNote('adopting a dbmate database', dbmateMissing);
  database = await createTestDatabase('adopt_dbmate');
});
afterAll(() => database.drop());

/** The real dbmate against the test database; resolves with its output and exit code. */
async function dbmate(directory: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  const url = new URL(database.url);
  url.searchParams.set('sslmode', 'disable');
  return run(DBMATE, [
    '--url',
    url.toString(),
    '--migrations-dir',
    directory,
    '--no-dump-schema',
    ...args,
  ]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '' }),
  );
}

async function dbmateWithSearchPath(directory: string, searchPath: string, ...args: string[]) {
  const url = new URL(database.url);
  url.searchParams.set('sslmode', 'disable');
  url.searchParams.set('search_path', searchPath);
  return run(DBMATE, ['--url', url.toString(), '--migrations-dir', directory, '--no-dump-schema', ...args]);
}

async function context(directory: string, keepToolHistory: boolean): Promise<EngineContext> {
  return {
    ...(await engineContext(database.db, directory, { layout: 'dbmate' })),
    adopt: { keepToolHistory },
  };
}

function migrate(ctx: EngineContext, input: Record<string, unknown>): Promise<string[]> {
  return runSteps(ctx, input, `exec-${++executions}`);
}

describe('a database dbmate migrated', () => {
  it('is adopted: nothing applied again, a new migration applied and rolled back, dbmate kept in step', async () => {
    if (dbmateMissing) return;
    const project = await migrationDirectory();
    try {
      await run('cp', ['-r', `${fixture}/.`, project.path]);
      expect((await dbmate(project.path, 'up')).code).toBe(0);

      expect(await migrate(await context(project.path, true), {})).toEqual([]);
      expect(await database.db.withConnection((conn) => historyExists(conn, 'stepmigrate'))).toBe(false);

      await writeFile(
        join(project.path, '20240201090000_create_loans.sql'),
        [
          '-- migrate:up',
          'CREATE TABLE library.loans (book_id bigint NOT NULL REFERENCES library.books, due date NOT NULL);',
          '',
          '-- migrate:down',
          'DROP TABLE library.loans;',
          '',
        ].join('\n'),
      );
      const ctx = await context(project.path, true);
      expect(await migrate(ctx, {})).toEqual(['up 20240201090000']);
      const history = await database.db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
      expect(history.map((row) => [row.version, row.executionId]).sort()).toEqual([
        ['20240105090000', 'imported-from-dbmate'],
        ['20240110090000', 'imported-from-dbmate'],
        ['20240201090000', expect.stringMatching(/^exec-/)],
      ]);
      // dbmate sees what stepmigrate applied: nothing pending.
      expect(await dbmate(project.path, 'status', '--exit-code')).toMatchObject({ code: 0 });

      expect(await migrate(ctx, { target: '20240110090000' })).toEqual(['down 20240201090000']);
      const status = await dbmate(project.path, 'status', '--exit-code');
      expect(status.code).not.toBe(0);
      expect(status.stdout).toMatch(/\[ \] 20240201090000_create_loans\.sql/);
      // And dbmate can take over again from where stepmigrate left.
      expect((await dbmate(project.path, 'up')).code).toBe(0);
      expect(await dbmate(project.path, 'status', '--exit-code')).toMatchObject({ code: 0 });
    } finally {
      await project.remove();
    }
  });

  it("finds dbmate's table in the schema its search_path put it in", async () => {
    if (dbmateMissing) return;
    const project = await migrationDirectory({
      '20240301090000_create_shelves.sql':
        '-- migrate:up\nCREATE TABLE shelves (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE shelves;\n',
    });
    try {
      await database.db.withConnection((conn) =>
        conn.query(
          'DROP SCHEMA IF EXISTS stepmigrate, library CASCADE; DROP TABLE IF EXISTS public.schema_migrations',
        ),
      );
      await database.db.withConnection((conn) => conn.query('CREATE SCHEMA archive'));
      await dbmateWithSearchPath(project.path, 'archive', 'up');
      const tables = await database.db.withConnection((conn) =>
        conn.query(
          "SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname = 'archive' ORDER BY 1",
        ),
      );
      expect(tables.rows).toEqual([{ name: 'archive.schema_migrations' }, { name: 'archive.shelves' }]);
      expect(await migrate(await context(project.path, false), {})).toEqual([]);
    } finally {
      await project.remove();
    }
  });
});
